"""Deploys: what --dry-run reports and leaves alone, what --select deploys, and that a second
run with nothing changed sends no DDL."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from semantic_layer import api
from semantic_layer.cli.main import main
from semantic_layer.errors import UserError
from tests.helpers import run_sl, tiny_shop


def _views(database) -> set[str]:  # type: ignore[no-untyped-def]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute("select view_name from duckdb_views() where not internal")
        return {name for (name,) in rows.fetchall()}


def test_a_dry_run_reports_and_creates_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    results = api.run(options, dry_run=True)
    assert {r.action for r in results} == {"created"}
    assert _views(tmp_path / "w.duckdb") == set()


def test_a_dry_run_sees_what_changed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    api.run(options)
    queries = options.project_dir / "models" / "semantic" / "saved_queries.yml"
    queries.write_text(queries.read_text().replace("        - orders\n", ""))
    actions = {r.view.name: r.action for r in api.run(options, dry_run=True)}
    assert actions["shop_monthly_by_region"] == "replaced"
    assert {a for name, a in actions.items() if name != "shop_monthly_by_region"} == {"unchanged"}
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        columns = connection.execute("select * from main.shop_monthly_by_region limit 0")
        assert "orders" in [c[0] for c in columns.description]  # still the old view


def test_select_deploys_a_view_and_the_models_it_reads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    results = api.run(options, select=["shop_monthly_by_region"])
    deployed = {r.view.name for r in results}
    assert "shop_monthly_by_region" in deployed
    assert {"stg_orders", "stg_customers"} <= deployed
    assert "order_items" not in deployed
    assert _views(tmp_path / "w.duckdb") == deployed


def test_select_of_an_unknown_view_suggests_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    with pytest.raises(UserError, match="did you mean 'shop_monthly_by_region'"):
        api.run(options, select=["shop_monthly_by_regoin"], dry_run=True)


def test_a_second_run_with_no_change_sends_no_ddl(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    api.run(options)

    sent: list[str] = []
    original = sa.engine.Connection.exec_driver_sql

    def record(self, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(statement)
        return original(self, statement, *args, **kwargs)

    monkeypatch.setattr(sa.engine.Connection, "exec_driver_sql", record)
    results = api.run(options)

    assert {r.action for r in results} == {"unchanged"}
    ddl = [s for s in sent if s.lstrip().upper().startswith(("CREATE", "DROP", "ALTER"))]
    assert ddl == []


def _drop_saved_query(options: api.Options) -> None:
    queries = options.project_dir / "models" / "semantic" / "saved_queries.yml"
    queries.write_text("saved_queries: []\n")


def test_a_view_no_longer_defined_is_dropped_but_not_by_a_selection(tmp_path: Path) -> None:
    options = tiny_shop(tmp_path)
    api.seed(options)
    api.run(options)
    _drop_saved_query(options)

    assert "shop_monthly_by_region" in _views(tmp_path / "w.duckdb")
    selected = api.run(options, select=["stg_orders"])
    assert {r.action for r in selected} == {"unchanged"}
    assert "shop_monthly_by_region" in _views(tmp_path / "w.duckdb")
    planned = {r.name: r.action for r in api.run(options, dry_run=True)}
    assert planned["shop_monthly_by_region"] == "dropped"
    assert "shop_monthly_by_region" in _views(tmp_path / "w.duckdb")

    api.run(options)
    assert "shop_monthly_by_region" not in _views(tmp_path / "w.duckdb")


def test_the_progress_bar_goes_to_a_terminal_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    options = tiny_shop(tmp_path)
    api.seed(options)
    code, output = run_sl(options, capsys, "run")
    assert code == 0 and "deploying" not in output
    assert "0 dropped." in output

    _drop_saved_query(options)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code = main(["run", "--project-dir", str(options.project_dir),
                 "--profiles-dir", str(options.profiles_dir)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    assert "deploying" in captured.err and "deploying" not in captured.out
    assert "  dropped   main.shop_monthly_by_region" in captured.out


REVENUE_DAILY = """
saved_queries:
  - name: revenue_daily
    query_params:
      metrics: [revenue]
      group_by: ["TimeDimension('metric_time', 'day')"]
    exports:
      - {name: revenue_daily, config: {export_as: view}}
"""


def test_a_selection_keeps_other_views_reading_a_replaced_one_in_step(tmp_path: Path) -> None:
    # amount becomes amount_usd in stg_orders and in the definitions; deploying only
    # shop_monthly_by_region replaces stg_orders, so revenue_daily, whose SQL changed too
    # and which reads stg_orders, is deployed with it instead of being left broken.
    options = tiny_shop(tmp_path, REVENUE_DAILY)
    api.seed(options)
    api.run(options)
    staging = options.project_dir / "models" / "staging" / "stg_orders.sql"
    staging.write_text(staging.read_text().replace("as amount", "as amount_usd"))
    orders = options.project_dir / "models" / "semantic" / "orders.yml"
    orders.write_text(orders.read_text().replace("expr: amount\n", "expr: amount_usd\n"))

    results = {r.name: r.action for r in api.run(options, select=["shop_monthly_by_region"])}

    assert results["revenue_daily"] == "replaced"
    assert "order_items" not in results  # reads stg_orders, but its SQL did not change
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        total = connection.execute("select sum(revenue) from main.revenue_daily").fetchone()
    assert total == (10 + 5 + 7 + 3 + 4 + 8,)


def test_an_empty_selection_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path)
    api.seed(options)

    code, output = run_sl(options, capsys, "run", "--select", " , ")

    assert code == 2
    assert "--select names no view" in output
    assert _views(tmp_path / "w.duckdb") == set()


def test_a_users_view_in_another_schema_reading_an_unqualified_name_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # DuckDB looks an unqualified name up in main, whatever schema the view lives in.
    options = tiny_shop(tmp_path)
    api.seed(options)
    api.run(options)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute("create schema reports")
        connection.execute("create view reports.r as select * from shop_monthly_by_region")
    (options.project_dir / "models" / "semantic" / "saved_queries.yml").unlink()

    code, output = run_sl(options, capsys, "run")

    assert code == 1
    assert "reports.r reads main.shop_monthly_by_region (to be dropped)" in output
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        assert len(connection.execute("select * from reports.r").fetchall()) > 0
