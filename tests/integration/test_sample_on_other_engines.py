"""The sample project seeded and deployed on SQLite, PostgreSQL and MariaDB (as MySQL) gives
DuckDB's rows in every metric view: exact for integers, dates and strings, within 1e-9
relative for decimals and floats (engines sum floating point in different orders)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from semantic_layer import api

pytestmark = pytest.mark.slow
VIEWS = (
    "north_star_monthly",
    "north_star_weekly",
    "kpis_by_location_monthly",
    "kpis_by_customer_type_monthly",
)


def _normal(value):  # type: ignore[no-untyped-def]
    # SQLite keeps dates as ISO text; the others return date objects.
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10] if isinstance(value, date) else value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
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


def _deploy(options: api.Options, folder: Path, output: str) -> api.Options:
    (folder / "profiles.yml").write_text(
        f"jaffle_shop:\n  target: it\n  outputs:\n    it:\n{output}"
    )
    other = api.Options(options.project_dir, None, folder)
    api.seed(other)
    assert {result.action for result in api.run(other)} == {"created"}
    return other


@pytest.fixture(scope="module")
def sqlite_rows(sample_project, tmp_path_factory):  # type: ignore[no-untyped-def]
    options, _, _ = sample_project
    folder = tmp_path_factory.mktemp("sqlite")
    database = folder / "warehouse.sqlite"
    _deploy(options, folder, f"      type: sqlite\n      path: '{database}'\n      schema: main\n")
    engine = sa.create_engine(f"sqlite:///{database}")
    yield lambda view: _fetch(engine, view)
    engine.dispose()


@pytest.fixture(scope="module")
def postgres_rows(sample_project, postgres_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    options, _, _ = sample_project
    folder = tmp_path_factory.mktemp("postgres")
    _deploy(
        options,
        folder,
        "      type: postgres\n      host: 127.0.0.1\n"
        f"      port: {postgres_server.port}\n      user: postgres\n      password: ''\n"
        "      dbname: postgres\n      schema: analytics\n",
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server.port}/postgres"
    engine = sa.create_engine(url)
    yield lambda view: _fetch(engine, f"analytics.{view}")
    engine.dispose()


@pytest.fixture(scope="module")
def mariadb_rows(sample_project, mariadb_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    options, _, _ = sample_project
    connection = mariadb_server.connect()
    with connection.cursor() as cursor:
        cursor.execute("create database analytics")
    connection.close()
    folder = tmp_path_factory.mktemp("mariadb")
    _deploy(
        options,
        folder,
        "      type: mysql\n      host: 127.0.0.1\n"
        f"      port: {mariadb_server.port}\n      user: root\n      password: ''\n"
        "      database: analytics\n      schema: analytics\n",
    )
    engine = sa.create_engine(f"mysql+pymysql://root@127.0.0.1:{mariadb_server.port}/analytics")
    yield lambda view: _fetch(engine, f"analytics.{view}")
    engine.dispose()


def _fetch(engine: sa.Engine, view: str) -> list[tuple]:
    with engine.connect() as connection:
        columns = len(connection.exec_driver_sql(f"select * from {view} limit 0").keys())
        order = ", ".join(str(i + 1) for i in range(columns))
        return [
            tuple(r) for r in connection.exec_driver_sql(f"select * from {view} order by {order}")
        ]


def _duckdb_rows(database: Path, view: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(f"select * from main.{view} order by all").fetchall()


@pytest.mark.parametrize("view", VIEWS)
def test_sqlite_rows_equal_duckdb(sample_project, sqlite_rows, view: str) -> None:  # type: ignore[no-untyped-def]
    expected = _duckdb_rows(sample_project[1], view)
    assert expected
    _same_rows(sqlite_rows(view), expected)


@pytest.mark.parametrize("view", VIEWS)
def test_postgres_rows_equal_duckdb(sample_project, postgres_rows, view: str) -> None:  # type: ignore[no-untyped-def]
    expected = _duckdb_rows(sample_project[1], view)
    assert expected
    _same_rows(postgres_rows(view), expected)


@pytest.mark.parametrize("view", VIEWS)
def test_mariadb_rows_equal_duckdb(sample_project, mariadb_rows, view: str) -> None:  # type: ignore[no-untyped-def]
    expected = _duckdb_rows(sample_project[1], view)
    assert expected
    _same_rows(mariadb_rows(view), expected)
