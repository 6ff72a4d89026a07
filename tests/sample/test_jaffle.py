"""Tests for the Jaffle Shop sample data, checked with plain Python over the CSV files."""

from __future__ import annotations

import csv
import os
import random
import sys
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from semantic_layer.errors import UserError
from semantic_layer.profiles import Target
from semantic_layer.sample.jaffle import generate
from semantic_layer.warehouse.connect import create_engine
from semantic_layer.warehouse.seed import load_seeds

NAMES = [
    "raw_customers.csv",
    "raw_orders.csv",
    "raw_items.csv",
    "raw_products.csv",
    "raw_stores.csv",
    "raw_supplies.csv",
]


@dataclass(frozen=True)
class Generated:
    directory: Path
    files: list[Path]
    state_kept: bool


@pytest.fixture(scope="module")
def one_year(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    directory = tmp_path_factory.mktemp("jaffle") / "seeds"
    before = (random.getstate(), uuid.uuid4, os.getcwd())

    files = generate(directory, years=1)

    return Generated(directory, files, before == (random.getstate(), uuid.uuid4, os.getcwd()))


def rows(file: Path) -> list[dict[str, str]]:
    with file.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_files_are_written_and_nothing_else_changes(one_year: Generated) -> None:
    assert [file.name for file in one_year.files] == NAMES
    assert sorted(path.name for path in one_year.directory.iterdir()) == sorted(NAMES)
    assert one_year.state_kept


def test_orders_columns_and_totals(one_year: Generated) -> None:
    orders_file = one_year.directory / "raw_orders.csv"
    with orders_file.open(encoding="utf-8") as handle:
        header = handle.readline().strip()
    orders = rows(orders_file)

    assert header == "id,customer,ordered_at,store_id,subtotal,tax_paid,order_total"
    assert len(orders) > 10_000
    wrong = [
        o["id"] for o in orders if int(o["order_total"]) != int(o["subtotal"]) + int(o["tax_paid"])
    ]
    assert wrong == []


def test_orders_cover_a_whole_year(one_year: Generated) -> None:
    days = {
        datetime.fromisoformat(o["ordered_at"]).date()
        for o in rows(one_year.directory / "raw_orders.csv")
    }

    assert len(days) >= 365
    assert max(days) - min(days) >= timedelta(days=364)
    assert min(days) == date(2018, 9, 1)


def test_keys_join(one_year: Generated) -> None:
    orders = rows(one_year.directory / "raw_orders.csv")
    order_ids = {o["id"] for o in orders}
    customer_ids = {c["id"] for c in rows(one_year.directory / "raw_customers.csv")}
    store_ids = {s["id"] for s in rows(one_year.directory / "raw_stores.csv")}
    skus = {p["sku"] for p in rows(one_year.directory / "raw_products.csv")}
    items = rows(one_year.directory / "raw_items.csv")

    assert len(order_ids) == len(orders)
    assert {o["customer"] for o in orders} <= customer_ids
    assert {o["store_id"] for o in orders} <= store_ids
    assert {i["order_id"] for i in items} <= order_ids
    assert {i["sku"] for i in items} <= skus


@pytest.mark.slow
def test_a_second_run_in_the_same_process_is_byte_identical(
    one_year: Generated, tmp_path: Path
) -> None:
    again = generate(tmp_path / "again", years=1)

    for first, second in zip(one_year.files, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


@pytest.mark.slow
def test_both_load_paths_give_duckdb_the_same_types(one_year: Generated, tmp_path: Path) -> None:
    described = []
    for native in (True, False):
        target = Target("shop", "t", "duckdb", {"path": str(tmp_path / f"{native}.duckdb")}, None)
        engine = create_engine(target, tmp_path)
        loaded = load_seeds(engine, target, one_year.directory, "raw", native=native)
        with engine.connect() as connection:
            columns = connection.execute(
                sa.text(
                    "SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'raw' ORDER BY table_name, ordinal_position"
                )
            ).all()
        engine.dispose()
        described.append((loaded, [tuple(row) for row in columns]))

    assert described[0] == described[1]
    types = {(table, column): kind for table, column, kind in described[0][1]}
    assert types["raw_orders", "ordered_at"] == "TIMESTAMP"
    assert types["raw_orders", "subtotal"] == "BIGINT"
    assert types["raw_supplies", "perishable"] == "BOOLEAN"
    assert types["raw_stores", "tax_rate"] == "DOUBLE"
    counts = {result.table: result.rows for result in described[0][0]}
    assert counts["raw_orders"] == len(rows(one_year.directory / "raw_orders.csv"))


def test_without_jafgen_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jafgen", None)

    with pytest.raises(UserError, match=r"pip install 'semantic-layer\[sample\]'"):
        generate(tmp_path)


def test_years_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="at least one year"):
        generate(tmp_path, years=0)
