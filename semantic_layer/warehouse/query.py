"""SQL text run on the warehouse into column names and rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from semantic_layer.errors import WarehouseError


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def run_query(engine: sa.Engine, sql: str) -> QueryResult:
    """Run one SELECT and fetch every row.

    Raises:
        WarehouseError: the warehouse refused the statement.
    """
    try:
        with engine.connect() as connection:
            result = connection.exec_driver_sql(sql)
            columns = tuple(result.keys())
            rows = tuple(tuple(row) for row in result.fetchall())
    except sa.exc.DBAPIError as error:
        message = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise WarehouseError(f"the warehouse refused the query: {message}") from None
    return QueryResult(columns, rows)
