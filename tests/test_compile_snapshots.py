"""The sample project's compiled views, pinned per dialect and parsed back in that dialect.

Snapshots change only through ``pytest --update-snapshots``; a diff in a pull request shows
exactly how the generated SQL moved.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from semantic_layer.compiler import compile_project
from semantic_layer.profiles import default_target
from semantic_layer.render.dialects import get_dialect
from semantic_layer.workspace import load_project

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "sample"
DIALECTS = [
    "duckdb", "postgres", "snowflake", "bigquery", "databricks", "redshift",
    "trino", "mysql", "sqlite", "clickhouse", "tsql",
]  # fmt: skip


def _compile(dialect: str):  # type: ignore[no-untyped-def]
    project = load_project(REPO)
    return compile_project(project, default_target(REPO, "jaffle_shop"), get_dialect(dialect))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiled_views_match_their_snapshots(dialect: str, update_snapshots: bool) -> None:
    views = _compile(dialect)
    folder = SNAPSHOTS / dialect
    if update_snapshots:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.sql"):
            old.unlink()
        for view in views:
            (folder / view.file_name).write_text(view.statement, encoding="utf-8")
    expected = sorted(path.name for path in folder.glob("*.sql"))
    assert sorted(view.file_name for view in views) == expected, "run pytest --update-snapshots"
    for view in views:
        assert view.statement == (folder / view.file_name).read_text(encoding="utf-8"), (
            f"{dialect}/{view.file_name} differs from its snapshot; review the change and run "
            "pytest --update-snapshots"
        )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_parses_back_in_its_dialect(dialect: str) -> None:
    sqlglot_name = get_dialect(dialect).sqlglot_name
    for view in _compile(dialect):
        for statement in view.ddl:
            parsed = sqlglot.parse_one(statement, read=sqlglot_name)
            assert parsed is not None
            assert parsed.key in ("create", "drop")


def test_compiling_twice_gives_identical_text() -> None:
    first = [view.statement for view in _compile("postgres")]
    second = [view.statement for view in _compile("postgres")]
    assert first == second


def test_view_columns_are_the_grain_then_one_per_metric() -> None:
    views = {view.name: view for view in _compile("duckdb")}
    location = views["kpis_by_location_monthly"]
    assert location.grain == ("metric_time__month", "location__location_name")
    assert location.metrics == (
        "revenue", "orders", "active_customers", "repeat_customers", "average_order_value",
        "gross_profit",
    )  # fmt: skip
    select = location.select
    assert [e.alias_or_name for e in select.expressions] == [*location.grain, *location.metrics]


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("mysql", "analytics.north_star_monthly"),
        ("snowflake", "warehouse.analytics.north_star_monthly"),
    ],
)
def test_two_part_names_where_a_database_is_the_schema(tmp_path, dialect, expected) -> None:  # type: ignore[no-untyped-def]
    from semantic_layer.profiles import Target

    target = Target("jaffle_shop", "t", "duckdb", {"schema": "analytics", "database": "warehouse"})
    views = compile_project(load_project(REPO), target, get_dialect(dialect))
    view = next(v for v in views if v.name == "north_star_monthly")
    assert f"CREATE OR REPLACE VIEW {expected} AS" in view.statement
