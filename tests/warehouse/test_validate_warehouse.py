"""``sl validate --warehouse``: the definitions against the target's data, each finding at its
YAML line, with nothing written to the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from semantic_layer import api
from tests.helpers import postgres_profile, run_sl, tiny_shop
from tests.test_hostile_filters import recorded_statements, snapshot


def _line(path: Path, text: str, after: str | None = None) -> int:
    """The 1-based number of the first line holding ``text`` (after the line holding
    ``after``), read straight from the file."""
    lines = path.read_text().splitlines()
    start = 0 if after is None else next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def _append_row(options: api.Options, seed: str, row: str) -> None:
    path = options.project_dir / "seeds" / f"{seed}.csv"
    path.write_text(path.read_text() + row + "\n")


def test_a_clean_project_passes_before_anything_is_deployed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path)
    api.seed(options)  # the sources only: no view is deployed yet
    before = snapshot(tmp_path / "w.duckdb")

    with recorded_statements() as statements:
        code, output = run_sl(options, capsys, "validate", "--warehouse")

    assert code == 0, output
    assert "The project and its data on the target are valid." in output
    assert any(s.startswith("EXPLAIN ") for s in statements)
    writes = ("CREATE", "DROP", "INSERT", "UPDATE", "DELETE", "ALTER", "COPY", "ATTACH")
    assert not [s for s in statements if s.lstrip().upper().startswith(writes)]
    assert snapshot(tmp_path / "w.duckdb") == before


MISSING_TABLE_AND_COLUMN = """
sources:
  - name: returns
    schema: raw
    tables:
      - name: raw_returns
semantic_models:
  - name: returns
    model: source('returns', 'raw_returns')
    entities:
      - name: return_id
        type: primary
  - name: order_amounts
    model: ref('stg_orders')
    entities:
      - name: amount_order
        type: primary
        expr: order_id
    dimensions:
      - name: amount_band
        type: categorical
        expr: "case when amout > 5 then 'big' else 'small' end"
"""


def test_missing_tables_and_columns_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path, MISSING_TABLE_AND_COLUMN)
    api.seed(options)
    extra = options.project_dir / "models" / "semantic" / "extra.yml"

    code, output = run_sl(options, capsys, "validate", "--warehouse")

    assert code == 1, output
    table_line = _line(extra, "- name: raw_returns")
    assert (
        f"models/semantic/extra.yml:{table_line}: source table 'returns.raw_returns' is "
        "raw.raw_returns, which does not exist on target 'dev' (did you mean 'raw_orders'?)"
    ) in output
    column_line = _line(extra, "- name: amount_band")
    assert (
        f"models/semantic/extra.yml:{column_line}: dimension 'amount_band' of semantic model "
        "'order_amounts' reads column 'amout', which ref('stg_orders') does not have "
        "(did you mean 'amount'?)"
    ) in output
    assert "2 errors found." in output


def test_a_primary_entity_with_duplicate_keys_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path)
    _append_row(options, "raw_customers", "2,Bea,US,2024-03-02")  # a second customer 2
    api.seed(options)
    customers = options.project_dir / "models" / "semantic" / "customers.yml"

    code, output = run_sl(options, capsys, "validate", "--warehouse")

    assert code == 1, output
    line = _line(customers, "- name: customer", after="entities:")
    assert (
        f"models/semantic/customers.yml:{line}: entity 'customer' is primary in semantic model "
        "'customers', but 1 of its values are on more than one row of ref('stg_customers') "
        "(e.g. 2)"
    ) in output


def test_a_foreign_key_without_its_row_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path)
    _append_row(options, "raw_orders", "7,99,2024-03-20 10:00:00,1,false")  # customer 99: none
    api.seed(options)
    orders = options.project_dir / "models" / "semantic" / "orders.yml"

    code, output = run_sl(options, capsys, "validate", "--warehouse")

    assert code == 0, output
    line = _line(orders, "- name: customer", after="entities:")
    assert (
        f"models/semantic/orders.yml:{line}: warning: foreign entity 'customer' of semantic "
        "model 'orders': 1 of its values (e.g. 99) match no row of semantic model 'customers'"
    ) in output


def test_a_view_the_engine_cannot_plan_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path)
    bad = options.project_dir / "models" / "marts" / "bad_model.sql"
    bad.write_text("select order_id, no_such_column from {{ ref('stg_orders') }}\n")
    api.seed(options)

    code, output = run_sl(options, capsys, "validate", "--warehouse")

    assert code == 1, output
    assert "models/marts/bad_model.sql:1: SQL model 'bad_model': the warehouse cannot plan its " \
           "SQL: " in output and "no_such_column" in output  # fmt: skip
    assert output.count("cannot plan") == 1  # the views that do not read it still plan


def test_an_unreachable_target_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path)
    code, output = run_sl(options, capsys, "validate", "--warehouse")
    assert code == 1
    assert "does not exist yet" in output and "internal error" not in output


def test_the_checks_run_on_postgresql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_server: Any
) -> None:
    options = tiny_shop(tmp_path)
    _append_row(options, "raw_customers", "2,Bea,US,2024-03-02")
    profiles = postgres_profile(tmp_path, postgres_server)
    database = profiles.joinpath("profiles.yml").read_text().split("dbname: ")[1].split()[0]
    options = api.Options(options.project_dir, None, profiles)
    api.seed(options)
    customers = options.project_dir / "models" / "semantic" / "customers.yml"

    code, output = run_sl(options, capsys, "validate", "--warehouse")

    assert code == 1, output
    line = _line(customers, "- name: customer", after="entities:")
    assert f"models/semantic/customers.yml:{line}: entity 'customer' is primary" in output
    assert "1 error found." in output  # every view planned on PostgreSQL too
    with postgres_server.connect(dbname=database) as connection:
        views = connection.execute(
            "select count(*) from information_schema.views where table_schema = 'analytics'"
        ).fetchone()
    assert views == (0,)


@pytest.mark.parametrize("schema", ["main"])
def test_checks_leave_a_deployed_warehouse_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: str
) -> None:
    options = tiny_shop(tmp_path, schema=schema)
    api.seed(options)
    api.run(options)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        count = connection.execute("select count(*) from duckdb_views() where not internal")
        deployed = count.fetchone()
    before = snapshot(tmp_path / "w.duckdb")

    code, output = run_sl(options, capsys, "validate", "--warehouse")

    assert code == 0, output
    assert deployed is not None and deployed[0] > 0
    assert snapshot(tmp_path / "w.duckdb") == before
