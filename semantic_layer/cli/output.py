"""Query results into text for people (an aligned table) or machines (CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from semantic_layer.warehouse.query import QueryResult


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "inf", "-inf", "nan": JSON has no such numbers
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else str(value)
        return text if text not in ("", "-0") else "0"
    return str(_plain(value))


def as_table(result: QueryResult) -> str:
    """An aligned text table, numbers right-aligned, with a row count."""
    cells = [[_cell(value) for value in row] for row in result.rows]
    widths = [len(name) for name in result.columns]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(row[i], (int, float, Decimal)) or row[i] is None for row in result.rows)
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ]
        return " | ".join(parts).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    body = [line(list(result.columns)), rule] + [line(row) for row in cells]
    count = len(result.rows)
    return "\n".join(body + [f"({count} row{'s' if count != 1 else ''})"])


def as_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([[_plain(v) for v in row] for row in result.rows])
    return buffer.getvalue()


def as_json(result: QueryResult) -> str:
    records = [dict(zip(result.columns, map(_plain, row), strict=True)) for row in result.rows]
    return json.dumps(records, indent=2, default=str)


FORMATS = {"table": as_table, "csv": as_csv, "json": as_json}
