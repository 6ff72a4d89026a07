"""Time-zone-aware timestamps cut into days and hours in the reporting time zone, whatever the
session's zone, on each engine that runs here.

Worked with a calendar: the instant 2024-03-10 03:30 UTC is 22:30 on 9 March in New York
(daylight saving time starts there at 07:00 UTC that day), 09:00 on 10 March in Kolkata
(UTC+5:30) and 12:30 on 10 March in Tokyo, the zone every session below is set to so that a
conversion that leaned on the session would show.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable

import duckdb
import pytest
from sqlglot import exp

from semantic_layer.errors import UserError
from semantic_layer.render.dialects import get_dialect, render_sql
from tests.servers import MariaDbServer, PostgresServer

EXPECTED = {
    "UTC": ("2024-03-10", "2024-03-10 03:00:00"),
    "America/New_York": ("2024-03-09", "2024-03-09 22:00:00"),
    "Asia/Kolkata": ("2024-03-10", "2024-03-10 09:00:00"),
}
SESSION_ZONE = "Asia/Tokyo"

# Runs a SELECT over the one-row table ``t(ts)`` holding the instant, and returns its row.
Probe = Callable[[str], tuple]


def _cut(name: str, zone: str) -> str:
    """SELECT the instant's day and hour in ``zone``, as the dialect writes them."""
    dialect = dataclasses.replace(get_dialect(name), time_zone=zone)
    local = dialect.in_reporting_zone(exp.column("ts"))
    day = dialect.time_trunc(local, "day")
    hour = dialect.time_trunc(dialect.in_reporting_zone(exp.column("ts")), "hour")
    query = exp.select(exp.alias_(day, "d"), exp.alias_(hour, "h")).from_("t")
    return render_sql(query, dialect, pretty=False)


def _text(row: tuple) -> tuple[str, str]:
    day, hour = row
    return str(day)[:10], str(hour)[:19].replace("T", " ")


@pytest.mark.parametrize("zone", list(EXPECTED))
def test_duckdb(zone: str) -> None:
    connection = duckdb.connect()
    connection.execute(f"SET TimeZone = '{SESSION_ZONE}'")
    connection.execute("CREATE TABLE t AS SELECT TIMESTAMPTZ '2024-03-10 03:30:00+00' AS ts")

    assert _text(connection.execute(_cut("duckdb", zone)).fetchone()) == EXPECTED[zone]


@pytest.mark.parametrize("zone", list(EXPECTED))
def test_postgres(postgres_server: PostgresServer, zone: str) -> None:
    connection = postgres_server.connect()
    try:
        connection.execute(f"SET TIME ZONE '{SESSION_ZONE}'")
        connection.execute(
            "CREATE TEMPORARY TABLE t AS SELECT TIMESTAMPTZ '2024-03-10 03:30:00+00' AS ts"
        )
        row = connection.execute(_cut("postgres", zone)).fetchone()
    finally:
        connection.close()

    assert _text(row) == EXPECTED[zone]


@pytest.mark.parametrize("zone", list(EXPECTED))
def test_clickhouse(zone: str) -> None:
    chdb = pytest.importorskip("chdb", reason="chdb (in-process ClickHouse) is not installed")
    table = "(SELECT toDateTime('2024-03-10 03:30:00', 'UTC') AS ts) AS t"
    sql = _cut("clickhouse", zone).replace("FROM t", f"FROM {table}")
    sql += f" SETTINGS session_timezone = '{SESSION_ZONE}'"

    row = json.loads(chdb.query(sql, "JSONCompact").bytes())["data"][0]

    assert _text(tuple(row)) == EXPECTED[zone]


def test_mariadb_in_utc(mariadb_server: MariaDbServer) -> None:
    # A TIMESTAMP column keeps the instant and shows it in the session's zone; named zones
    # need the server's time zone tables, so only UTC is checked here.
    connection = mariadb_server.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE IF NOT EXISTS sl_time_zones")
            cursor.execute("USE sl_time_zones")
            cursor.execute("SET time_zone = '+09:00'")
            cursor.execute("CREATE TEMPORARY TABLE t (ts TIMESTAMP)")
            cursor.execute("INSERT INTO t VALUES ('2024-03-10 12:30:00')")
            cursor.execute(_cut("mysql", "UTC"))
            row = cursor.fetchone()
    finally:
        connection.close()

    assert _text(row) == EXPECTED["UTC"]


def test_sqlite_in_utc() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t AS SELECT '2024-03-10T12:30:00+09:00' AS ts")

    assert _text(connection.execute(_cut("sqlite", "UTC")).fetchone()) == EXPECTED["UTC"]


def test_sqlite_refuses_a_named_zone() -> None:
    with pytest.raises(UserError, match="only UTC is available there"):
        _cut("sqlite", "America/New_York")


# When New York's clocks go back on 3 November 2024, 05:30 and 06:30 UTC are both 01:30 there:
# by the hour, the two instants fall in one wall-clock hour, on every engine.
FALL_BACK = ("2024-11-03 05:30:00", "2024-11-03 06:30:00")


def _hours(name: str) -> str:
    dialect = dataclasses.replace(get_dialect(name), time_zone="America/New_York")
    hour = dialect.time_trunc(dialect.in_reporting_zone(exp.column("ts")), "hour")
    query = exp.select(exp.alias_(hour, "h")).from_("t")
    return (
        f"SELECT COUNT(DISTINCT h), MIN(h) FROM ({render_sql(query, dialect, pretty=False)}) AS x"
    )


def test_the_repeated_hour_is_one_hour_on_duckdb() -> None:
    connection = duckdb.connect()
    rows = " UNION ALL ".join(f"SELECT TIMESTAMPTZ '{ts}+00' AS ts" for ts in FALL_BACK)
    connection.execute(f"CREATE TABLE t AS {rows}")

    count, hour = connection.execute(_hours("duckdb")).fetchone()

    assert (count, str(hour)) == (1, "2024-11-03 01:00:00")


def test_the_repeated_hour_is_one_hour_on_postgres(postgres_server: PostgresServer) -> None:
    connection = postgres_server.connect()
    try:
        rows = " UNION ALL ".join(f"SELECT TIMESTAMPTZ '{ts}+00' AS ts" for ts in FALL_BACK)
        connection.execute(f"CREATE TEMPORARY TABLE t AS {rows}")
        count, hour = connection.execute(_hours("postgres")).fetchone()
    finally:
        connection.close()

    assert (count, str(hour)) == (1, "2024-11-03 01:00:00")


def test_the_repeated_hour_is_one_hour_on_clickhouse() -> None:
    chdb = pytest.importorskip("chdb", reason="chdb (in-process ClickHouse) is not installed")
    rows = " UNION ALL ".join(f"SELECT toDateTime('{ts}', 'UTC') AS ts" for ts in FALL_BACK)
    sql = _hours("clickhouse").replace("FROM t)", f"FROM ({rows}) AS t)")

    count, hour = json.loads(chdb.query(sql, "JSONCompact").bytes())["data"][0]

    assert (int(count), str(hour)[:19]) == (1, "2024-11-03 01:00:00")
