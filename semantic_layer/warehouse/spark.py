"""A Spark session in this process, seen by SQLAlchemy as a database: a small DB-API 2.0
driver over ``SparkSession.sql`` and the dialect that goes with it.

Spark has no in-process SQLAlchemy driver, so the rest of the warehouse stage (seeding,
deploying, the state table, queries) reaches it through this module, unchanged. There are
no transactions: commit and rollback do nothing. Spark's built-in tables (parquet) have no
DELETE, so a DELETE is done by rewriting the table without the matching rows; only the small
state table is ever deleted from.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.engine import default
from sqlalchemy.sql import compiler

paramstyle = "qmark"
apilevel = "2.0"
threadsafety = 1

# The session stays local: no network address other than the loopback, no web UI, and
# timestamps read in UTC (spark.apache.org/docs/latest/configuration.html).
_LOCAL_CONF = {
    "spark.master": "local[2]",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "2",
    # Only the Hive catalog keeps tables and views from one command to the next.
    "spark.sql.catalogImplementation": "hive",
}

_INSERT = re.compile(r"\s*INSERT INTO (?P<table>\S+) \((?P<columns>[^)]*)\) VALUES", re.I)
_DELETE = re.compile(r"\s*DELETE FROM (?P<table>\S+)(?: WHERE (?P<condition>.*))?\s*$", re.I | re.S)


class Error(Exception):
    """The root of this driver's errors (PEP 249)."""


class Warning(Exception):  # noqa: A001 - the name PEP 249 asks for
    """Not raised; required by PEP 249."""


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class OperationalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class DataError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


def session(conf: Mapping[str, str]) -> Any:
    """The process's Spark session, started with ``conf`` over the local defaults.

    Spark keeps one session per process: a second call returns the first session, whose
    static settings (catalog, warehouse folder) stay as they were.
    """
    with warnings.catch_warnings():
        # pyspark warns about the pandas version on import; this driver does not use pandas.
        warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
        from pyspark.sql import SparkSession

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.appName("semantic-layer")
        settings = {**_LOCAL_CONF, **conf}
        if "spark.sql.warehouse.dir" in settings:  # Derby writes its log there first thing
            Path(settings["spark.sql.warehouse.dir"]).mkdir(parents=True, exist_ok=True)
        for key, value in settings.items():
            builder = builder.config(key, value)
        if settings["spark.sql.catalogImplementation"] == "hive":
            builder = builder.enableHiveSupport()
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def connect(conf: Mapping[str, str] | None = None) -> Connection:
    """A connection to the process's Spark session (PEP 249)."""
    try:
        return Connection(session(conf or {}))
    except Exception as error:  # Java missing, a bad setting: Py4J and Spark raise many kinds
        raise OperationalError(f"cannot start Spark: {_first_line(error)}") from error


class Connection:
    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def cursor(self) -> Cursor:
        return Cursor(self.spark)

    def commit(self) -> None:
        """Spark has no transactions: every statement is final when it returns."""

    def rollback(self) -> None:
        """Nothing to undo: see commit."""

    def close(self) -> None:
        """The session outlives the connection: starting Spark again takes seconds."""


class Cursor:
    arraysize = 1

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, statement: str, parameters: Sequence[Any] | None = None) -> None:
        self.description, self._rows, self.rowcount = None, [], -1
        try:
            deletion = _DELETE.match(statement)
            if deletion:
                self._delete(deletion["table"], deletion["condition"], parameters)
                return
            frame = self.spark.sql(statement, args=list(parameters) if parameters else None)
            if frame.columns and not _is_command(statement):
                self._rows = [tuple(row) for row in frame.collect()]
                self.description = [(f.name, f.dataType.simpleString()) + (None,) * 5
                                    for f in frame.schema.fields]  # fmt: skip
                self.rowcount = len(self._rows)
        except Error:
            raise
        except Exception as error:  # pyspark's errors share no base class with PEP 249's
            raise DatabaseError(_first_line(error)) from error

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Many rows of one INSERT go in as one DataFrame, not one statement each."""
        insert = _INSERT.match(statement)
        if insert is None or not rows:
            for parameters in rows:
                self.execute(statement, parameters)
            return
        try:
            table = self.spark.table(insert["table"])
            columns = [name.strip().strip("`") for name in insert["columns"].split(",")]
            schema = table.select(*columns).schema
            frame = self.spark.createDataFrame([tuple(row) for row in rows], schema)
            frame.select(*table.columns).write.insertInto(insert["table"])
        except Exception as error:
            raise DatabaseError(_first_line(error)) from error
        self.rowcount = len(rows)

    def _delete(self, table: str, condition: str | None, parameters: Sequence[Any] | None) -> None:
        # The rows to keep are brought into this process before the table is rewritten, so
        # Spark never reads a table it is overwriting.
        kept = "FALSE" if condition is None else f"NOT COALESCE({condition}, FALSE)"
        arguments = list(parameters or ()) or None
        frame = self.spark.sql(f"SELECT * FROM {table} WHERE {kept}", args=arguments)
        rows = frame.collect()
        self.spark.createDataFrame(rows, frame.schema).write.insertInto(table, overwrite=True)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        count = size or self.arraysize
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    def fetchall(self) -> list[tuple[Any, ...]]:
        taken, self._rows = self._rows, []
        return taken

    def close(self) -> None:
        self._rows = []

    def setinputsizes(self, sizes: Any) -> None:
        pass

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass


def _is_command(statement: str) -> bool:
    # DDL and INSERT return an empty frame with no columns; SHOW and DESCRIBE return rows.
    return statement.lstrip().split(None, 1)[0].upper() in ("CREATE", "DROP", "INSERT", "ALTER")


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class _TypeCompiler(compiler.GenericTypeCompiler):
    """Spark's names for the column types that seeds and the state table use."""

    def visit_string(self, type_: sqltypes.String, **kw: Any) -> str:
        return "STRING"

    visit_VARCHAR = visit_CHAR = visit_NVARCHAR = visit_TEXT = visit_unicode = visit_string

    def visit_datetime(self, type_: sqltypes.DateTime, **kw: Any) -> str:
        # Without a time zone, as in the CSV; Python reads it back as it was written.
        return "TIMESTAMP_NTZ"

    visit_DATETIME = visit_TIMESTAMP = visit_datetime

    def visit_double(self, type_: sqltypes.Float[Any], **kw: Any) -> str:
        return "DOUBLE"

    visit_DOUBLE = visit_FLOAT = visit_float = visit_double


class _DDLCompiler(compiler.DDLCompiler):
    # Spark's built-in tables take no key constraints; the key only helps MariaDB's joins.
    def visit_primary_key_constraint(  # type: ignore[override]
        self, constraint: Any, **kw: Any
    ) -> None:
        return None

    def get_column_specification(self, column: Any, **kwargs: Any) -> str:
        kind = self.dialect.type_compiler_instance.process(column.type, type_expression=column)
        return f"{self.preparer.format_column(column)} {kind}"


class _IdentifierPreparer(compiler.IdentifierPreparer):
    # Spark quotes names with backticks (spark.apache.org/docs/latest/sql-ref-identifier.html).
    def __init__(
        self,
        dialect: Any,
        initial_quote: str = "`",
        final_quote: str | None = None,
        escape_quote: str = "`",
        quote_case_sensitive_collations: bool = True,
        omit_schema: bool = False,
    ) -> None:
        super().__init__(
            dialect, initial_quote, final_quote, escape_quote,
            quote_case_sensitive_collations, omit_schema,
        )  # fmt: skip


class SparkSessionDialect(default.DefaultDialect):
    """SQLAlchemy's view of the in-process Spark session (URL ``spark+session://``)."""

    name = "spark"
    driver = "session"
    paramstyle = "qmark"
    supports_statement_cache = True
    supports_schemas = True
    supports_native_boolean = True
    supports_sane_rowcount = False
    supports_sane_multi_rowcount = False
    postfetch_lastrowid = False
    type_compiler_cls = _TypeCompiler
    ddl_compiler = _DDLCompiler
    preparer = _IdentifierPreparer
    default_schema_name = "default"

    @classmethod
    def import_dbapi(cls) -> Any:
        import pyspark  # noqa: F401 - a missing package is reported when the engine is made

        import semantic_layer.warehouse.spark as module

        return module

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        return [], {}

    def _get_default_schema_name(self, connection: Any) -> str:
        return str(connection.exec_driver_sql("SELECT current_database()").scalar())

    def do_rollback(self, dbapi_connection: Any) -> None:
        pass

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        return [row[0] for row in connection.exec_driver_sql("SHOW SCHEMAS")]

    def has_schema(self, connection: Any, schema_name: str, **kw: Any) -> bool:
        names = self.get_schema_names(connection)
        return schema_name.lower() in (name.lower() for name in names)

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        views = set(self.get_view_names(connection, schema))
        return [name for name in self._relations(connection, "TABLES", schema) if name not in views]

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._relations(connection, "VIEWS", schema)

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        names = self._relations(connection, "TABLES", schema)
        return table_name.lower() in (name.lower() for name in names)

    def _relations(self, connection: Any, kind: str, schema: str | None) -> list[str]:
        where = f" IN {self.identifier_preparer.quote(schema)}" if schema else ""
        rows = connection.exec_driver_sql(f"SHOW {kind}{where}").fetchall()
        # Temporary views belong to no schema and are listed everywhere; they are not ours.
        return [row[1] for row in rows if not row[2]]
