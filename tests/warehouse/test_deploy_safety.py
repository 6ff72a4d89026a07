"""A deploy that fails or is killed at any statement leaves every previous view answering
its previous rows (or, after the one swap on MariaDB, every new view answering); a user's
view that reads a view to change stops the deploy; two deploys never interleave.

Rows are read with plain SQL before the deploy and compared after it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import run_sl
from tests.warehouse.deploy_cases import (
    CHANGED_VIEWS,
    FIRST_VIEWS,
    IS_BIG,
    Deployment,
    tiny_shop_on,
)

ENGINES = ["duckdb", "sqlite", "postgres", "mariadb"]
DDL = ("CREATE", "DROP", "RENAME", "ALTER", "COMMENT")
KILLER = Path(__file__).with_name("kill_deploy.py")


class Injected(Exception):
    """The failure a test makes a statement raise."""


def _shop(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Deployment:
    embedded = engine_name in ("duckdb", "sqlite")
    fixture = "chdb_folder" if engine_name == "clickhouse" else f"{engine_name}_server"
    server = None if embedded else request.getfixturevalue(fixture)
    shop = tiny_shop_on(engine_name, tmp_path, server, f"t{uuid.uuid4().hex[:10]}")
    request.addfinalizer(shop.engine.dispose)
    return shop


@contextmanager
def _failing_at(monkeypatch: pytest.MonkeyPatch, n: int, sent: list[str]) -> Iterator[None]:
    """Make the ``n``th DDL statement sent raise instead of running."""
    original = sa.engine.Connection.exec_driver_sql

    def failing(self, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        if (statement.split(None, 1) or [""])[0].upper() in DDL:
            sent.append(statement)
            if len(sent) == n:
                raise Injected(statement)
        return original(self, statement, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(sa.engine.Connection, "exec_driver_sql", failing)
        yield


def _big_orders(shop: Deployment) -> set[tuple[bool, int]]:
    return {(bool(big), int(revenue)) for big, revenue in shop.rows("shop_big_orders")[1]}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_failure_at_any_statement_loses_no_view(
    engine_name: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = _shop(engine_name, tmp_path, request)
    before = shop.snapshot(FIRST_VIEWS)
    shop.change()

    outcomes, failed_at = [], []
    n = 1
    while True:
        sent: list[str] = []
        with _failing_at(monkeypatch, n, sent):
            try:
                api.run(shop.options, lock_timeout=5)
            except Injected:
                failed_at.append(sent[n - 1].split(None, 1)[0].upper())
            else:
                break
        names = shop.relations()
        if "shop_big_orders" not in names:  # nothing of the change is visible
            assert shop.snapshot(FIRST_VIEWS) == before, f"failure at statement {n}"
            outcomes.append("old")
        else:
            assert "shop_revenue_daily" not in names
            outcomes.append(shop.snapshot(CHANGED_VIEWS))
        n += 1

    after = shop.snapshot(CHANGED_VIEWS)
    assert n > 3  # the change takes several statements, each of which failed once
    assert _big_orders(shop) == {(True, 10 + 8), (False, 5 + 7 + 3 + 4)}
    columns, rows = after["shop_monthly_by_region"]
    assert None not in [row[columns.index("customer__region")] for row in rows]
    assert None in [
        row[columns.index("customer__region")] for row in before["shop_monthly_by_region"][1]
    ]
    assert not [name for name in shop.relations() if "__sl_" in name]
    if engine_name != "mariadb":
        assert outcomes == ["old"] * len(outcomes)
    else:  # all old up to and including a failed swap, all new after it
        swap = failed_at.index("RENAME")
        assert outcomes[: swap + 1] == ["old"] * (swap + 1)
        assert outcomes[swap + 1 :] == [after] * (len(outcomes) - swap - 1)


@pytest.mark.parametrize(
    ("engine_name", "when"),
    [
        ("postgres", "1"),
        ("postgres", "DROP"),
        ("mariadb", "1"),
        ("mariadb", "RENAME"),
        ("sqlite", "3"),  # two views already replaced inside the transaction
        ("duckdb", "3"),
    ],
)
def test_a_killed_deploy_leaves_the_previous_views(
    engine_name: str, when: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    shop = _shop(engine_name, tmp_path, request)
    before = shop.snapshot(FIRST_VIEWS)
    shop.change()

    where = ["--project-dir", str(shop.options.project_dir)]
    where += ["--profiles-dir", str(shop.options.profiles_dir)]
    shop.engine.dispose()  # DuckDB lets one process at a time open its file
    killed = subprocess.run(
        [sys.executable, str(KILLER), when, "run", "--lock-timeout", "5", *where],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr.decode()
    assert shop.snapshot(FIRST_VIEWS) == before
    assert "shop_big_orders" not in shop.relations()

    api.run(shop.options, lock_timeout=5)  # the lock went with the killed process
    assert _big_orders(shop) == {(True, 18), (False, 19)}
    assert not [name for name in shop.relations() if "__sl_" in name]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_users_view_on_a_view_to_change_stops_the_deploy(
    engine_name: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shop = _shop(engine_name, tmp_path, request)
    report = shop.relation("my_region_report")
    with shop.engine.begin() as connection:
        connection.exec_driver_sql(
            f"create view {report} as select customer__region, sum(revenue) as revenue "
            f"from {shop.relation('shop_monthly_by_region')} group by customer__region"
        )
    before = shop.snapshot([*FIRST_VIEWS, "my_region_report"])
    shop.change()

    code, output = run_sl(shop.options, capsys, "run")

    assert code == 1
    assert "my_region_report reads" in output and "shop_monthly_by_region" in output
    assert "Traceback" not in output
    assert shop.snapshot([*FIRST_VIEWS, "my_region_report"]) == before
    assert "shop_big_orders" not in shop.relations()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_views_no_longer_defined_are_dropped_and_others_kept(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    shop = _shop(engine_name, tmp_path, request)
    with shop.engine.begin() as connection:  # the user's own view, reading a source table
        connection.exec_driver_sql(f"create view {shop.relation('mine')} as select 1 as one")
    shop.change()

    results = {r.qualified_name.split(".")[-1]: r.action for r in api.run(shop.options)}

    assert results["shop_revenue_daily"] == "dropped"
    assert results["shop_big_orders"] == "created"
    assert results["stg_orders"] == "replaced"
    assert results["stg_customers"] == "unchanged"
    names = shop.relations()
    assert "shop_revenue_daily" not in names
    assert shop.rows("mine") == (["one"], [(1,)])


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_second_deploy_waits_for_the_first_then_names_it(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    shop = _shop(engine_name, tmp_path, request)
    shop.change()
    holding, release = threading.Event(), threading.Event()
    holder: list[str] = []

    def hold() -> None:
        with _held_lock(engine_name, shop, holder):
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(30)
        with pytest.raises(UserError, match="another deploy to this target is running") as error:
            api.run(shop.options, lock_timeout=0.5)
        assert holder[0] in str(error.value)
        assert "shop_big_orders" not in shop.relations()
    finally:
        release.set()
        thread.join()
    assert {r.action for r in api.run(shop.options, lock_timeout=5)} >= {"created", "dropped"}


@contextmanager
def _held_lock(engine_name: str, shop: Deployment, holder: list[str]) -> Iterator[None]:
    """Hold the target's deploy lock as another deploy would, and say who holds it."""
    from semantic_layer.render.dialects import get_dialect
    from semantic_layer.warehouse.lock import file_lock, warehouse_lock

    if engine_name in ("duckdb", "sqlite"):
        holder.append(f"process {os.getpid()} ")
        with file_lock(shop.engine.url, 0):
            yield
        return
    dialect = get_dialect("postgres" if engine_name == "postgres" else "mysql")
    with shop.engine.begin() as connection:
        with warehouse_lock(connection, dialect, shop.schema, 0):
            session = "pg_backend_pid()" if engine_name == "postgres" else "connection_id()"
            holder.append(f" {connection.exec_driver_sql(f'select {session}').scalar()} of ")
            yield


COMMENTS = {
    "duckdb": (
        "select comment from duckdb_views() where view_name = 'shop_big_orders'",
        "select comment from duckdb_columns() where table_name = 'shop_big_orders' "
        "and column_name = 'order_id__is_big'",
    ),
    "postgres": (
        "select obj_description('analytics.shop_big_orders'::regclass)",
        "select col_description('analytics.shop_big_orders'::regclass, 1)",
    ),
}


@pytest.mark.parametrize("engine_name", sorted(COMMENTS))
def test_descriptions_become_view_and_column_comments(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    shop = _shop(engine_name, tmp_path, request)
    shop.change()
    api.run(shop.options)

    view_sql, column_sql = COMMENTS[engine_name]
    with shop.engine.connect() as connection:
        assert connection.exec_driver_sql(view_sql).scalar() == "Revenue of big and small orders."
        assert connection.exec_driver_sql(column_sql).scalar() == IS_BIG


def _reshape(shop: Deployment) -> None:
    """Columns that CREATE OR REPLACE VIEW cannot change on PostgreSQL: one moved in a SQL
    model that other views read, one removed from a metric view."""
    models = shop.options.project_dir / "models"
    stg = models / "staging" / "stg_orders.sql"
    stg.write_text(
        stg.read_text().replace(
            "    customer_id,\n", "    amount * 2 as doubled,\n    customer_id,\n"
        )
    )
    queries = models / "semantic" / "saved_queries.yml"
    queries.write_text(queries.read_text().replace("        - orders\n", ""))


@pytest.mark.parametrize("engine_name", ENGINES)
def test_columns_can_be_removed_and_moved(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    shop = _shop(engine_name, tmp_path, request)
    before = shop.snapshot(FIRST_VIEWS)
    _reshape(shop)

    actions = {r.name: r.action for r in api.run(shop.options)}

    assert actions["stg_orders"] == actions["shop_monthly_by_region"] == "replaced"
    assert actions["order_items"] == "unchanged"
    assert shop.rows("order_items") == before["order_items"]
    columns, rows = shop.rows("shop_monthly_by_region")
    old_columns, old_rows = before["shop_monthly_by_region"]
    assert columns == [c for c in old_columns if c != "orders"]
    kept = [old_columns.index(c) for c in columns]
    assert rows == sorted((tuple(row[i] for i in kept) for row in old_rows), key=repr)
    assert shop.rows("stg_orders")[0][:3] == ["order_id", "doubled", "customer_id"]


def test_a_users_view_two_views_away_stops_a_recreate(
    tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = _shop("postgres", tmp_path, request)
    with shop.engine.begin() as connection:  # reads order_items, which reads stg_orders
        connection.exec_driver_sql(
            "create view analytics.my_items as select count(*) as n from analytics.order_items"
        )
    before = shop.snapshot([*FIRST_VIEWS, "my_items"])
    _reshape(shop)

    code, output = run_sl(shop.options, capsys, "run")

    assert code == 1
    assert "analytics.my_items reads it" in output and "stg_orders" in output
    assert shop.snapshot([*FIRST_VIEWS, "my_items"]) == before


@pytest.mark.clickhouse
def test_on_clickhouse_a_new_view_that_fails_to_build_leaves_every_view_as_before(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ClickHouse renames several tables one by one, so there is no swap of them all at once;
    # the new views are built aside first, and a failure while building leaves every view
    # as before. A failure after that leaves the views replaced before it new.
    shop = _shop("clickhouse", tmp_path, request)
    before = shop.snapshot(FIRST_VIEWS)
    shop.change()

    build_failures, n = 0, 1
    while True:
        sent: list[str] = []
        with _failing_at(monkeypatch, n, sent):
            try:
                api.run(shop.options, lock_timeout=5)
            except Injected:
                statement = sent[n - 1]
                if statement.upper().startswith("CREATE") and "__sl_" in statement:
                    build_failures += 1
                    assert shop.snapshot(FIRST_VIEWS) == before, f"failure at statement {n}"
                    assert "shop_big_orders" not in shop.relations()
            else:
                break
        n += 1

    assert build_failures >= 3  # each new view was built aside, and each build failed once
    assert _big_orders(shop) == {(True, 10 + 8), (False, 5 + 7 + 3 + 4)}
    assert not [name for name in shop.relations() if "__sl_" in name]
