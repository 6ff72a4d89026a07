"""Deploys: what --dry-run reports and leaves alone, what --select deploys, and that a second
run with nothing changed sends no DDL."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop


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
