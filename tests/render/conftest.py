"""Runners that execute SQL text on each engine the render tests can reach here."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from tests.servers import MariaDbServer, PostgresServer

Runner = Callable[[str], list[tuple]]


@pytest.fixture(scope="session")
def duckdb_run() -> Iterator[Runner]:
    connection = duckdb.connect()
    yield lambda sql: connection.execute(sql).fetchall()
    connection.close()


@pytest.fixture(scope="session")
def sqlite_run() -> Iterator[Runner]:
    connection = sqlite3.connect(":memory:")
    yield lambda sql: connection.execute(sql).fetchall()
    connection.close()


@pytest.fixture(scope="session")
def clickhouse_run() -> Runner:
    chdb = pytest.importorskip("chdb", reason="chdb (in-process ClickHouse) is not installed")

    def run(sql: str) -> list[tuple]:
        answer = json.loads(chdb.query(sql, "JSONCompact").bytes())
        return [tuple(row) for row in answer["data"]]

    return run


@pytest.fixture(scope="session")
def spark_run(spark_folder: Path) -> Iterator[Runner]:
    """Spark in local mode, reached the way a spark target is: through the product's driver."""
    from semantic_layer.profiles import Target
    from semantic_layer.warehouse.connect import create_engine

    fields = {"method": "session", "schema": "default", "warehouse_dir": str(spark_folder)}
    engine = create_engine(Target("test", "spark", "spark", fields), spark_folder)
    with engine.connect() as connection:
        yield lambda sql: [tuple(row) for row in connection.exec_driver_sql(sql).fetchall()]
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_run(postgres_server: PostgresServer) -> Iterator[Runner]:
    connection = postgres_server.connect()
    try:
        yield lambda sql: connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="session")
def mysql_run(mariadb_server: MariaDbServer) -> Iterator[Runner]:
    connection = mariadb_server.connect()
    try:
        yield lambda sql: _fetch_all(connection, sql)
    finally:
        connection.close()


def _fetch_all(connection: object, sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())
