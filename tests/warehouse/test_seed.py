"""Tests for loading CSV files into tables, on DuckDB (both load paths) and SQLite."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from semantic_layer.errors import UserError, WarehouseError
from semantic_layer.profiles import Target
from semantic_layer.warehouse import seed
from semantic_layer.warehouse.connect import create_engine
from semantic_layer.warehouse.seed import SeedResult, load_seeds

ORDERS = """\
id,ordered_at,day,amount,rate,flag,note,nothing
a1,2024-01-31T09:15:00,2024-01-31,1200,0.06,True,plain,
a2,2024-02-01T17:45:30.250000,2024-02-01,,0.0625,false,"with, comma",
a3,2024-02-29T00:00:00,2024-02-29,-5,1,TRUE,,
"""

STORES = "id,name\n1,Philadelphia\n2,Brooklyn\n"

# Worked out by hand from ORDERS.
DUCKDB_TYPES = [
    ("id", "VARCHAR"),
    ("ordered_at", "TIMESTAMP"),
    ("day", "DATE"),
    ("amount", "BIGINT"),
    ("rate", "DOUBLE"),
    ("flag", "BOOLEAN"),
    ("note", "VARCHAR"),
    ("nothing", "VARCHAR"),
]
ORDER_ROWS = [
    ("a1", datetime(2024, 1, 31, 9, 15), date(2024, 1, 31), 1200, 0.06, True, "plain", None),
    (
        "a2",
        datetime(2024, 2, 1, 17, 45, 30, 250000),
        date(2024, 2, 1),
        None,
        0.0625,
        False,
        "with, comma",
        None,
    ),
    ("a3", datetime(2024, 2, 29), date(2024, 2, 29), -5, 1.0, True, None, None),
]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "orders.csv").write_text(ORDERS, encoding="utf-8")
    (directory / "stores.csv").write_text(STORES, encoding="utf-8")
    (directory / "notes.txt").write_text("not a seed", encoding="utf-8")
    return directory


def make_engine(kind: str, tmp_path: Path) -> tuple[sa.Engine, Target]:
    target = Target("shop", "t", kind, {"path": str(tmp_path / f"w.{kind}")}, None)
    return create_engine(target, tmp_path), target


@pytest.fixture
def duckdb(tmp_path: Path):
    engine, target = make_engine("duckdb", tmp_path)
    yield engine, target
    engine.dispose()


@pytest.fixture
def sqlite(tmp_path: Path):
    engine, target = make_engine("sqlite", tmp_path)
    yield engine, target
    engine.dispose()


def query(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql))]


def duckdb_types(engine: sa.Engine, schema: str, table: str) -> list[tuple]:
    return query(
        engine,
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{schema}' AND table_name = '{table}' ORDER BY ordinal_position",
    )


@pytest.mark.parametrize("native", [None, False], ids=["read_csv", "portable"])
def test_duckdb_types_and_values(duckdb, seeds: Path, native: bool | None) -> None:
    engine, target = duckdb

    results = load_seeds(engine, target, seeds, "raw", native=native)

    assert results == [SeedResult("orders", 3), SeedResult("stores", 2)]
    assert duckdb_types(engine, "raw", "orders") == DUCKDB_TYPES
    assert duckdb_types(engine, "raw", "stores") == [("id", "BIGINT"), ("name", "VARCHAR")]
    assert query(engine, "SELECT * FROM raw.orders ORDER BY id") == ORDER_ROWS


def test_sqlite_types_and_values(sqlite, seeds: Path) -> None:
    engine, target = sqlite

    results = load_seeds(engine, target, seeds, "ignored_on_sqlite")

    assert results == [SeedResult("orders", 3), SeedResult("stores", 2)]
    declared = [(row[1], row[2]) for row in query(engine, "PRAGMA table_info(orders)")]
    assert declared == [
        ("id", "VARCHAR(2)"),
        ("ordered_at", "DATETIME"),
        ("day", "DATE"),
        ("amount", "BIGINT"),
        ("rate", "DOUBLE"),
        ("flag", "BOOLEAN"),
        ("note", "VARCHAR(11)"),
        ("nothing", "VARCHAR(1)"),
    ]
    # SQLite stores dates as ISO text and booleans as 0 / 1.
    assert query(engine, "SELECT * FROM orders ORDER BY id") == [
        ("a1", "2024-01-31 09:15:00.000000", "2024-01-31", 1200, 0.06, 1, "plain", None),
        ("a2", "2024-02-01 17:45:30.250000", "2024-02-01", None, 0.0625, 0, "with, comma", None),
        ("a3", "2024-02-29 00:00:00.000000", "2024-02-29", -5, 1.0, 1, None, None),
    ]


@pytest.mark.parametrize("native", [None, False], ids=["read_csv", "portable"])
def test_only_the_seeded_tables_are_replaced(duckdb, seeds: Path, native: bool | None) -> None:
    engine, target = duckdb
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA raw"))
        connection.execute(sa.text("CREATE TABLE raw.orders (stale INTEGER)"))
        connection.execute(sa.text("CREATE TABLE raw.keep AS SELECT 7 AS x"))

    load_seeds(engine, target, seeds, "raw", native=native)
    load_seeds(engine, target, seeds, "raw", native=native)

    assert query(engine, "SELECT count(*) FROM raw.orders") == [(3,)]
    assert duckdb_types(engine, "raw", "orders") == DUCKDB_TYPES
    assert query(engine, "SELECT x FROM raw.keep") == [(7,)]


def test_rows_are_inserted_in_batches_skipping_blank_lines_and_the_bom(
    sqlite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, target = sqlite
    directory = tmp_path / "many"
    directory.mkdir()
    numbers = "\ufeffn\n" + "".join(f"{i}\n" for i in range(1, 8)) + "\n"
    (directory / "numbers.csv").write_text(numbers, encoding="utf-8")
    monkeypatch.setattr(seed, "BATCH_ROWS", 3)

    assert load_seeds(engine, target, directory, None) == [SeedResult("numbers", 7)]
    assert query(engine, "SELECT count(*), sum(n) FROM numbers") == [(7, 28)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\n1,2\n\n3\n", r"bad.csv:4: row has 1 values but the header names 2 columns"),
        ("a,a\n1,2\n", r"bad.csv:1: the first line must name every column once"),
        ("", r"bad.csv:1: the first line must name every column once"),
    ],
)
def test_unusable_csv_points_to_the_line(sqlite, tmp_path: Path, text: str, expected: str) -> None:
    engine, target = sqlite
    (tmp_path / "bad.csv").write_text(text)

    with pytest.raises(UserError, match=expected):
        load_seeds(engine, target, tmp_path, None, native=False)


def test_an_empty_folder_is_an_error(sqlite, tmp_path: Path) -> None:
    engine, target = sqlite

    with pytest.raises(UserError, match="no CSV files"):
        load_seeds(engine, target, tmp_path / "nothing_here", None)


def test_a_refused_statement_is_a_warehouse_error(sqlite, seeds: Path) -> None:
    engine, target = sqlite

    # SQLite has no read_csv, so forcing the DuckDB path must fail cleanly.
    with pytest.raises(WarehouseError, match="orders.csv: cannot load the file"):
        load_seeds(engine, target, seeds, None, native=True)


def test_a_first_column_of_distinct_values_becomes_the_primary_key(sqlite, tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    (folder / "keyed.csv").write_text("id,name\n1,a\n2,b\n")
    (folder / "repeated.csv").write_text("id,name\n1,a\n1,b\n")
    (folder / "gapped.csv").write_text("id,name\n1,a\n,b\n")
    engine, target = sqlite
    load_seeds(engine, target, folder, None)
    inspector = sa.inspect(engine)
    assert inspector.get_pk_constraint("keyed")["constrained_columns"] == ["id"]
    assert inspector.get_pk_constraint("repeated")["constrained_columns"] == []
    assert inspector.get_pk_constraint("gapped")["constrained_columns"] == []
