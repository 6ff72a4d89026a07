"""In-process ClickHouse (chdb) for SQLAlchemy: chdb-sqlalchemy's dialect, with schemas.

ClickHouse calls a schema a database, so ``CREATE SCHEMA`` (which SQLAlchemy emits and
ClickHouse's parser rejects) becomes ``CREATE DATABASE``
(clickhouse.com/docs/sql-reference/statements/create/database).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chdb_sqlalchemy.compiler import ChdbDDLCompiler
from chdb_sqlalchemy.dialect import ChdbDialect as _ChdbDialect
from sqlalchemy.sql import ddl


class _DDLCompiler(ChdbDDLCompiler):
    def visit_create_schema(self, create: ddl.CreateSchema, **kw: Any) -> str:
        exists = " IF NOT EXISTS" if create.if_not_exists else ""
        return f"CREATE DATABASE{exists} {self.preparer.format_schema(create.element)}"

    def visit_drop_schema(self, drop: ddl.DropSchema, **kw: Any) -> str:
        exists = " IF EXISTS" if drop.if_exists else ""
        return f"DROP DATABASE{exists} {self.preparer.format_schema(drop.element)}"


_INSERT = re.compile(r"\s*INSERT INTO (?P<table>\S+) \((?P<columns>[^)]*)\) VALUES", re.I)


class ChdbDialect(_ChdbDialect):
    """chdb as chdb-sqlalchemy has it, where CREATE SCHEMA makes a ClickHouse database and
    the rows of an INSERT arrive in one statement rather than one statement per row."""

    ddl_compiler = _DDLCompiler
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> Any:
        # Defined here, not only inherited, or SQLAlchemy takes the parent's older dbapi().
        return _ChdbDialect.import_dbapi()

    def do_executemany(
        self, cursor: Any, statement: str, parameters: Sequence[Any], context: Any = None
    ) -> None:
        insert = _INSERT.match(statement)
        if insert is None:
            super().do_executemany(cursor, statement, parameters, context)
            return
        # Inline data in the JSONEachRow format, which ClickHouse parses into the column types
        # (clickhouse.com/docs/interfaces/formats/JSONEachRow).
        names = [name.strip().strip('`"') for name in insert["columns"].split(",")]
        lines = (json.dumps(dict(zip(names, row, strict=True)), default=_json_value)
                 for row in parameters)  # fmt: skip
        text = f"INSERT INTO {insert['table']} ({insert['columns']}) FORMAT JSONEachRow\n"
        self.do_execute(cursor, text + "\n".join(lines), (), context)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot send a {type(value).__name__} to ClickHouse")
