"""Tests for turning targets into SQLAlchemy URLs and engines."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa

from semantic_layer import profiles
from semantic_layer.errors import Location, UserError
from semantic_layer.profiles import Target
from semantic_layer.warehouse import connect
from semantic_layer.warehouse.connect import create_engine, sqlalchemy_url


def target(kind: str, secrets: frozenset[str] = frozenset(), **fields: Any) -> Target:
    return Target("shop", "t", kind, fields, Location("profiles.yml", 7), secrets)


def rendered(url: sa.URL) -> str:
    return url.render_as_string(hide_password=False)


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (target("duckdb", path="data/w.duckdb"), "duckdb:////p/data/w.duckdb"),
        (target("duckdb", path="/abs/w.duckdb"), "duckdb:////abs/w.duckdb"),
        (target("duckdb", path=":memory:"), "duckdb:///%3Amemory%3A"),
        (target("duckdb"), "duckdb:////p/warehouse.duckdb"),
        (target("sqlite", path="w.db"), "sqlite:////p/w.db"),
        (target("sqlite", schemas_and_paths={"main": "m.db"}), "sqlite:////p/m.db"),
        (
            target("postgres", host="h", user="u", password="pw", dbname="d", port="6543"),
            "postgresql+psycopg://u:pw@h:6543/d",
        ),
        (target("redshift", host="h", user="u", dbname="d"), "postgresql+psycopg://u@h:5439/d"),
        (
            target("mysql", server="h", username="u", password="pw", schema="s"),
            "mysql+pymysql://u:pw@h:3306/s?charset=utf8mb4",
        ),
        (target("clickhouse", path=":memory:"), "clickhouse+chdb:///%3Amemory%3A"),
        (
            target("clickhouse", host="h", user="u", password="pw", schema="s"),
            "clickhouse+http://u:pw@h:8123/s",
        ),
        (
            target("clickhouse", host="h", driver="native", secure=True),
            "clickhouse+native://default@h:9440",
        ),
        (target("snowflake", account="a1", user="u", database="DB"), "snowflake://u@a1/DB"),
        (target("bigquery", project="p1", dataset="ds"), "bigquery://p1/ds"),
        (
            target("databricks", host="h", http_path="/x", token="tk"),
            "databricks://token:tk@h?http_path=%2Fx",
        ),
        (target("trino", host="h", user="u", database="c"), "trino://u@h:8080/c"),
        (
            target("sqlserver", server="h", database="d", user="u", password="pw"),
            "mssql+pyodbc://u:pw@h:1433/d?driver=ODBC+Driver+18+for+SQL+Server",
        ),
    ],
)
def test_urls(made: Target, expected: str) -> None:
    assert rendered(sqlalchemy_url(made, Path("/p"))) == expected


def test_unknown_type_suggests_the_closest() -> None:
    with pytest.raises(UserError) as caught:
        sqlalchemy_url(target("postgress"))

    assert str(caught.value) == (
        "profiles.yml:7: target 't': unknown warehouse type 'postgress' (did you mean 'postgres'?)"
    )


def test_a_required_field_is_named() -> None:
    with pytest.raises(
        UserError, match=r"profiles.yml:7: target 't' \(snowflake\) needs 'account'"
    ):
        sqlalchemy_url(target("snowflake", user="u", database="d"))


def test_port_must_be_a_number() -> None:
    with pytest.raises(UserError, match="port must be a number"):
        sqlalchemy_url(target("postgres", host="h", user="u", dbname="d", port="five"))


def test_duckdb_engine_creates_the_folder_and_works(tmp_path: Path) -> None:
    engine = create_engine(target("duckdb", path="nested/dir/w.duckdb"), tmp_path)

    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 40 + 2")).scalar_one() == 42
    engine.dispose()

    assert (tmp_path / "nested" / "dir" / "w.duckdb").is_file()


def test_duckdb_settings_reach_the_database(tmp_path: Path) -> None:
    engine = create_engine(target("duckdb", path="w.duckdb", settings={"threads": 1}), tmp_path)

    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT current_setting('threads')")).scalar_one() == 1
    engine.dispose()


@pytest.mark.parametrize(
    ("kind", "module", "package", "fields"),
    [
        ("postgres", "psycopg", "'psycopg[binary]'", {"host": "h", "user": "u", "dbname": "d"}),
        ("snowflake", "snowflake", "snowflake-sqlalchemy", {"account": "a", "user": "u"}),
        ("mysql", "pymysql", "pymysql", {"server": "h", "username": "u"}),
        ("bigquery", "sqlalchemy_bigquery", "sqlalchemy-bigquery", {"project": "p"}),
        ("databricks", "databricks", "databricks-sqlalchemy", {"host": "h", "http_path": "/x"}),
    ],
)
def test_a_missing_driver_names_the_package_and_hides_secrets(
    kind: str, module: str, package: str, fields: dict[str, str]
) -> None:
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    secret = "env-secret"
    made = target(kind, frozenset({secret}), password=secret, token=secret, database="d", **fields)

    with pytest.raises(UserError) as caught:
        create_engine(made, Path("/p"))

    message = str(caught.value)
    assert message.startswith(f"profiles.yml:7: target 't' ({kind}) needs a driver")
    assert message.endswith(f"pip install {package}")
    assert secret not in message


@pytest.mark.parametrize("module", [connect, profiles])
def test_docstring_examples(module: ModuleType) -> None:
    assert doctest.testmod(module).failed == 0


def test_spark_targets_keep_their_tables_in_the_warehouse_folder(tmp_path: Path) -> None:
    from semantic_layer.warehouse.connect import _spark_conf

    fields = {
        "method": "session",
        "warehouse_dir": "wh",
        "server_side_parameters": {"spark.sql.ansi.enabled": True},
    }
    spark = Target("p", "t", "spark", fields)
    conf = _spark_conf(spark, tmp_path)

    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "wh")
    assert (
        f"databaseName={tmp_path / 'wh' / 'metastore_db'}"
        in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert conf["spark.sql.ansi.enabled"] == "True"


def test_spark_methods_other_than_session_are_refused() -> None:
    thrift = Target("p", "t", "spark", {"method": "thrift", "host": "h"})

    with pytest.raises(UserError, match="method 'thrift' is not supported; use `method: session`"):
        sqlalchemy_url(thrift)
