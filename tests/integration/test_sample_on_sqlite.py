"""The sample project deployed on SQLite gives DuckDB's rows in every metric view."""

from __future__ import annotations

import math
import sqlite3
from datetime import date, datetime

import duckdb
import pytest

from semantic_layer import api

pytestmark = pytest.mark.slow
VIEWS = (
    "north_star_monthly",
    "north_star_weekly",
    "kpis_by_location_monthly",
    "kpis_by_customer_type_monthly",
)


def _normal(value):  # type: ignore[no-untyped-def]
    # SQLite keeps dates as ISO text; DuckDB returns date objects.
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _same_rows(actual, expected) -> None:  # type: ignore[no-untyped-def]
    assert len(actual) == len(expected)
    for got_row, want_row in zip(actual, expected, strict=True):
        for got, want in zip(got_row, want_row, strict=True):
            got, want = _normal(got), _normal(want)
            if isinstance(want, float) or isinstance(got, float):
                assert math.isclose(float(got), float(want), rel_tol=1e-9), (got_row, want_row)
            else:
                assert got == want, (got_row, want_row)


@pytest.fixture(scope="module")
def sqlite_file(sample_project, tmp_path_factory):  # type: ignore[no-untyped-def]
    options, _, _ = sample_project
    folder = tmp_path_factory.mktemp("sqlite")
    database = folder / "warehouse.sqlite"
    (folder / "profiles.yml").write_text(
        "jaffle_shop:\n  target: lite\n  outputs:\n    lite:\n      type: sqlite\n"
        f"      path: '{database}'\n      schema: main\n"
    )
    lite = api.Options(options.project_dir, None, folder)
    api.seed(lite)
    results = api.run(lite)
    assert {result.action for result in results} == {"created"}
    return database


@pytest.mark.parametrize("view", VIEWS)
def test_view_rows_equal_duckdb(sample_project, sqlite_file, view: str) -> None:  # type: ignore[no-untyped-def]
    _, duckdb_file, _ = sample_project
    with duckdb.connect(str(duckdb_file), read_only=True) as connection:
        expected = connection.execute(f"select * from main.{view} order by all").fetchall()
    with sqlite3.connect(sqlite_file) as connection:
        columns = [row[1] for row in connection.execute(f"pragma table_info({view})")]
        order = ", ".join(str(i + 1) for i in range(len(columns)))
        actual = connection.execute(f"select * from {view} order by {order}").fetchall()
    assert len(expected) > 0
    _same_rows(actual, expected)
