"""CSV files into warehouse tables, one table per file, replacing only those tables."""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from semantic_layer.errors import Location, UserError, WarehouseError
from semantic_layer.profiles import Target
from semantic_layer.warehouse.state import (
    STATE_TABLE,
    existing_relations,
    key,
    read_state,
    record,
)

logger = logging.getLogger(__name__)

BATCH_ROWS = 5_000
# Spark runs a job per batch, each with seconds of fixed cost, so it takes whole files.
_BATCH_ROWS_BY_DIALECT = {"spark": 1_000_000}

# SQLite reports schema support, but its schemas are attached database files, not namespaces
# that CREATE SCHEMA can make (https://www.sqlite.org/lang_attach.html).
_SCHEMALESS_DIALECTS = frozenset({"sqlite"})

_INT64 = 2**63 - 1
_INTEGER = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The time is optional so that a column mixing dates and timestamps is a timestamp column.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?)?")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class SeedResult:
    """One loaded CSV file: the table it became and how many rows it holds."""

    table: str
    rows: int


@dataclass(frozen=True)
class _Kind:
    """A column type the CSV text can hold: how to recognise a value and convert it."""

    name: str
    matches: Callable[[str], bool]
    convert: Callable[[str], Any]
    sql_type: Callable[[int], sa.types.TypeEngine[Any]]


def _is_int(text: str) -> bool:
    return bool(_INTEGER.fullmatch(text)) and abs(int(text)) <= _INT64


def _is_timestamp(text: str) -> bool:
    if not _TIMESTAMP.fullmatch(text):
        return False
    try:
        _to_timestamp(text)
    except ValueError:
        return False
    return True


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _to_timestamp(text: str) -> datetime:
    # Python 3.10's fromisoformat wants exactly 3 or 6 fraction digits.
    head, _, fraction = text.replace(" ", "T").partition(".")
    parsed = datetime.fromisoformat(head)
    return parsed.replace(microsecond=int(fraction.ljust(6, "0"))) if fraction else parsed


# Narrowest first: a column takes the first kind that every one of its values fits, the order
# DuckDB's CSV sniffer also tries, so both load paths agree.
_KINDS = (
    _Kind(
        "boolean",
        lambda t: t.lower() in _BOOLEANS,
        lambda t: _BOOLEANS[t.lower()],
        lambda _: sa.Boolean(),
    ),
    _Kind("integer", _is_int, int, lambda _: sa.BigInteger()),
    _Kind("float", lambda t: bool(_FLOAT.fullmatch(t)), float, lambda _: sa.Double()),
    _Kind("date", _is_date, date.fromisoformat, lambda _: sa.Date()),
    _Kind("timestamp", _is_timestamp, _to_timestamp, lambda _: sa.DateTime()),
)
_STRING = _Kind("string", lambda _: True, str, lambda length: sa.String(max(length, 1)))


def load_seeds(
    engine: sa.Engine,
    target: Target,
    directory: Path,
    schema: str | None,
    native: bool | None = None,
    on_loaded: Callable[[sa.Connection, SeedResult], None] | None = None,
) -> list[SeedResult]:
    """Load every ``*.csv`` in ``directory`` (by name) into a table named after the file.

    ``on_loaded`` runs inside each file's transaction, after its table is loaded.

    Each table is dropped and created again; other tables are left alone. DuckDB reads the
    files itself; every other engine gets types inferred here and batched inserts.

    Args:
        engine: Where to load.
        target: The target the engine was made from; its secrets are masked in messages.
        directory: The folder of CSV files.
        schema: The schema of the tables, created when missing; ignored on SQLite.
        native: Force DuckDB's own CSV reader (True) or the portable path (False); by
            default the native reader is used on DuckDB.

    Raises:
        UserError: a file cannot be read or has an unusable header.
        WarehouseError: the warehouse refused a statement.
    """
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise UserError(f"no CSV files in '{directory}'")

    dialect = engine.dialect
    use_native = dialect.name == "duckdb" if native is None else native
    if dialect.name in _SCHEMALESS_DIALECTS:
        schema = None

    results = []
    for file in files:
        try:
            with engine.begin() as connection:
                _ensure_schema(connection, schema)
                load = _load_native if use_native else _load_generic
                results.append(SeedResult(file.stem, load(connection, file, schema)))
                if on_loaded is not None:
                    on_loaded(connection, results[-1])
        except DBAPIError as error:
            first_line = (str(error.orig or error).strip().splitlines() or ["no details"])[0]
            message = target.redact(first_line)
            raise WarehouseError(f"cannot load the file: {message}", Location(str(file))) from None
        logger.info("loaded %s rows into %s", results[-1].rows, file.stem)
    return results


def _ensure_schema(connection: sa.Connection, schema: str | None) -> None:
    if schema and not sa.inspect(connection).has_schema(schema):
        connection.execute(sa.schema.CreateSchema(schema))


def _qualified(connection: sa.Connection, schema: str | None, table: str) -> str:
    quote = connection.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(table)}" if schema else quote(table)


def _load_native(connection: sa.Connection, file: Path, schema: str | None) -> int:
    name = _qualified(connection, schema, file.stem)
    statement = (
        f"CREATE OR REPLACE TABLE {name} AS "
        "SELECT * FROM read_csv(:path, header = true, auto_detect = true)"
    )
    connection.execute(sa.text(statement), {"path": str(file)})
    return int(connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one())


def _load_generic(connection: sa.Connection, file: Path, schema: str | None) -> int:
    header, kinds, lengths, first_is_key = _infer(file)
    # A first column of distinct values becomes the primary key: engines without hash joins
    # (MariaDB) would otherwise join the seed tables by nested loops, row by row.
    columns = [
        sa.Column(
            _name(connection, name),
            kind.sql_type(size),
            primary_key=first_is_key and not i,
            autoincrement=False,  # the values are the file's, never generated
        )
        for i, (name, kind, size) in enumerate(zip(header, kinds, lengths, strict=True))
    ]
    table = sa.Table(_name(connection, file.stem), sa.MetaData(), *columns, schema=schema)
    connection.execute(sa.schema.DropTable(table, if_exists=True))
    connection.execute(sa.schema.CreateTable(table))

    rows = 0
    size = _BATCH_ROWS_BY_DIALECT.get(connection.dialect.name, BATCH_ROWS)
    for batch in _batches(file, header, kinds, size):
        connection.execute(table.insert(), batch)
        rows += len(batch)
    return rows


def _name(connection: sa.Connection, name: str) -> str:
    # SQLAlchemy quotes only the words it knows to be reserved, and its lists miss some (SQLite's
    # NOTHING), so names are always quoted; except where unquoted names fold to upper case
    # (Snowflake, Oracle), since quoting there would make a lower-case name case-sensitive.
    if connection.dialect.requires_name_normalize:
        return name
    return sa.sql.quoted_name(name, quote=True)


def _read(file: Path) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank row with the line it ends on; a byte-order mark is dropped."""
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            yield from ((reader.line_num, row) for row in reader if row)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UserError(f"cannot read the CSV file: {error}", Location(str(file))) from None


def _infer(file: Path) -> tuple[list[str], list[_Kind], list[int], bool]:
    """The header, each column's narrowest kind, its longest value (for string lengths), and
    whether the first column holds distinct values on every row."""
    rows = _read(file)
    _, header = next(rows, (1, []))
    if not header or any(not name.strip() for name in header) or len(set(header)) < len(header):
        raise UserError("the first line must name every column once", Location(str(file), 1))

    candidates = [list(_KINDS) for _ in header]
    lengths = [0] * len(header)
    firsts: set[str] = set()
    distinct = True
    for line, row in rows:
        _check_width(file, line, row, header)
        if distinct:
            distinct = bool(row[0]) and row[0] not in firsts
            firsts.add(row[0])
        for index, text in enumerate(row):
            if text:
                lengths[index] = max(lengths[index], len(text))
                candidates[index] = [k for k in candidates[index] if k.matches(text)]

    # A column with no values at all is text, as in DuckDB's reader.
    kinds = [c[0] if c and lengths[i] else _STRING for i, c in enumerate(candidates)]
    return header, kinds, lengths, distinct and bool(firsts)


def _check_width(file: Path, line: int, row: list[str], header: list[str]) -> None:
    if len(row) != len(header):
        raise UserError(
            f"row has {len(row)} values but the header names {len(header)} columns",
            Location(str(file), line),
        )


def _batches(
    file: Path, header: list[str], kinds: list[_Kind], size: int = BATCH_ROWS
) -> Iterator[list[dict[str, Any]]]:
    rows = _read(file)
    next(rows)
    batch: list[dict[str, Any]] = []
    for _, row in rows:
        values = (
            kind.convert(text) if text else None for kind, text in zip(kinds, row, strict=True)
        )
        batch.append(dict(zip(header, values, strict=True)))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_owned_seeds(
    engine: sa.Engine,
    target: Target,
    directory: Path,
    schema: str | None,
    state_schema: str | None,
) -> list[SeedResult]:
    """Load the seeds, refusing to replace a table that ``sl seed`` did not create.

    Each table is recorded in the state table (``sl_state``) of ``state_schema`` in the same
    transaction that loads it, so a later run may replace it (and a run that failed halfway
    can be repeated); a table of the same name, compared without case, that is not recorded
    there belongs to somebody else and is left as it is.

    Raises:
        UserError: two seed files differ only in case, a seed is named like sl's state table,
            or a seed's table name is taken by a relation this tool did not load.
    """
    schemaless = engine.dialect.name in _SCHEMALESS_DIALECTS
    table_schema = None if schemaless else schema
    state_schema = None if schemaless else state_schema
    files = sorted(directory.glob("*.csv"))
    _check_names(files)
    with engine.connect() as connection:
        owned = read_state(connection, state_schema)
        present = existing_relations(connection, table_schema)
    taken = [
        present[file.stem.lower()]
        for file in files
        if file.stem.lower() in present
        and owned.get(key(table_schema, file.stem), ("", ""))[0] != "seed"
    ]
    if taken:
        where = f"schema {table_schema}" if table_schema else "the database"
        raise UserError(
            f"these tables in {where} were not loaded by sl seed, so they are left as they are "
            f"and nothing was loaded: {', '.join(taken)}. Rename the CSV files or set another "
            "seed-schema in sl_project.yml."
        )

    def remember(connection: sa.Connection, result: SeedResult) -> None:
        digest = hashlib.sha256((directory / f"{result.table}.csv").read_bytes()).hexdigest()
        record(connection, state_schema, "seed", table_schema, result.table, digest)

    return load_seeds(engine, target, directory, schema, on_loaded=remember)


def _check_names(files: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for file in files:
        if file.stem.lower() == STATE_TABLE:
            raise UserError(f"{STATE_TABLE} is the name of sl's own table; rename the file",
                            Location(str(file)))  # fmt: skip
        first = seen.setdefault(file.stem.lower(), file)
        if first is not file:
            raise UserError(
                f"seed files {first.name} and {file.name} would load into one table, as most "
                "engines do not tell names apart by case; rename one",
                Location(str(file)),
            )
