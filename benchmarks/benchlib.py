"""Helpers the benchmark scripts share: machine facts, timing, tables, results files."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def machine() -> dict[str, object]:
    """What the figures depend on: cores, load, versions; recorded next to every result."""
    versions = {}
    for package in ("semantic-layer", "sqlglot", "duckdb"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Seconds one call takes, and what it returned."""
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def median_seconds(function: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """The median of ``repeat`` timed calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        function()
    return statistics.median(timed(function)[0] for _ in range(repeat))


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table, so the printed output can be pasted into docs/benchmarks.md."""
    text = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in text
    ]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return "-" if value is None else str(value)


def write_results(name: str, data: dict[str, object], output: Path | None = None) -> Path:
    """Write ``data`` with the machine's facts as JSON to benchmarks/results/<name>.json."""
    path = output or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "machine": machine(), **data}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results written to {path}", file=sys.stderr)
    return path
