"""Tests for reading dbt-style profiles into targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from semantic_layer.errors import UserError
from semantic_layer.profiles import Target, find_profiles_file, load_target
from semantic_layer.warehouse.connect import sqlalchemy_url

EXAMPLE = Path(__file__).resolve().parents[1] / "profiles.example.yml"

SIMPLE = """\
shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: data/dev.duckdb
      schema: main
    prod:
      type: postgres
      host: db.internal
      user: "{{ env_var('SL_TEST_USER', 'reader') }}"
      password: "{{ env_var('SL_TEST_PASSWORD') }}"
      dbname: analytics
      schema: semantic
"""


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No profiles from the real home directory or environment leak into a test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("SL_PROFILES_DIR", "SL_TEST_USER", "SL_TEST_PASSWORD", "SL_TEST_TARGET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    return directory


def write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / "profiles.yml"
    file.write_text(text, encoding="utf-8")
    return file


def test_no_profiles_file_means_the_embedded_duckdb_file(project: Path) -> None:
    target = load_target(project, "shop")

    assert target == Target(
        profile="shop",
        name="default",
        type="duckdb",
        fields={"path": str(project / "warehouse.duckdb"), "schema": "main"},
        location=None,
    )
    assert target.schema == "main"
    assert target.database is None


def test_search_order_explicit_then_environment_then_project_then_home(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home_file = write(tmp_path / "home" / ".sl", SIMPLE)
    assert find_profiles_file(project) == home_file

    project_file = write(project, SIMPLE)
    assert find_profiles_file(project) == project_file

    env_file = write(tmp_path / "from_env", SIMPLE)
    monkeypatch.setenv("SL_PROFILES_DIR", str(env_file.parent))
    assert find_profiles_file(project) == env_file

    explicit_file = write(tmp_path / "explicit", SIMPLE)
    assert find_profiles_file(project, explicit_file.parent) == explicit_file


def test_an_explicit_directory_without_the_file_is_an_error(tmp_path: Path, project: Path) -> None:
    with pytest.raises(UserError, match="has no profiles.yml"):
        find_profiles_file(project, tmp_path / "empty")


def test_default_target_and_fields(project: Path) -> None:
    write(project, SIMPLE)

    target = load_target(project, "shop")

    assert (target.profile, target.name, target.type) == ("shop", "dev", "duckdb")
    assert dict(target.fields) == {"path": "data/dev.duckdb", "schema": "main"}
    assert str(target.location) == "profiles.yml:4"


def test_env_var_values_and_defaults_are_rendered_and_remembered_as_secrets(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, SIMPLE)
    monkeypatch.setenv("SL_TEST_PASSWORD", "hunter2")

    target = load_target(project, "shop", "prod")

    assert target.fields["user"] == "reader"
    assert target.fields["password"] == "hunter2"
    assert (target.database, target.schema) == ("analytics", "semantic")
    assert target.secret_values == frozenset({"hunter2"})
    assert target.redact("login failed for hunter2") == "login failed for ***"


def test_missing_env_var_points_to_its_line_and_names_only_the_variable(project: Path) -> None:
    write(project, SIMPLE)

    with pytest.raises(UserError) as caught:
        load_target(project, "shop", "prod")

    assert str(caught.value).startswith("profiles.yml:12: environment variable 'SL_TEST_PASSWORD'")


def test_default_target_name_may_come_from_the_environment(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, SIMPLE.replace("target: dev", "target: \"{{ env_var('SL_TEST_TARGET') }}\""))
    monkeypatch.setenv("SL_TEST_TARGET", "prod")
    monkeypatch.setenv("SL_TEST_PASSWORD", "x")

    assert load_target(project, "shop").name == "prod"


@pytest.mark.parametrize(
    ("profile", "target", "expected"),
    [
        ("shpo", None, "profiles.yml:1: profile 'shpo' is not defined (did you mean 'shop'?)"),
        ("shop", "prdo", "profiles.yml:2: target 'prdo' is not defined in profile 'shop' (did"),
        ("nothing_alike", None, "profiles.yml:1: profile 'nothing_alike' is not defined; defined"),
    ],
)
def test_unknown_names_suggest_the_closest(
    project: Path, profile: str, target: str | None, expected: str
) -> None:
    write(project, SIMPLE)

    with pytest.raises(UserError) as caught:
        load_target(project, profile, target)

    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shop:\n  target: dev\n  outputs:\n    dev:\n      path: x\n", "profiles.yml:4: target"),
        ("shop:\n  target: dev\n", "profiles.yml:1: profile 'shop' needs an 'outputs:'"),
        ("shop: [1, 2]\n", "profiles.yml:1: profile 'shop' must be a mapping"),
        ("- shop\n", "profiles.yml:1: a profiles file must be a mapping"),
        ("shop:\n  outputs:\n    dev: {type: duckdb}\n", "profiles.yml:1: profile 'shop' has no"),
        (
            "shop:\n  target: dev\n  outputs:\n    dev: duckdb\n",
            "profiles.yml:4: target 'dev' must",
        ),
        (
            "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, x: '{{ nope }}'}\n",
            ":4: cannot",
        ),
        ("shop:\n  target: [dev\n", "profiles.yml:3: YAML syntax error"),
    ],
)
def test_malformed_profiles_point_to_the_line(project: Path, text: str, expected: str) -> None:
    write(project, text)

    with pytest.raises(UserError) as caught:
        load_target(project, "shop")

    assert expected in str(caught.value)


def test_missing_type_names_the_target(project: Path) -> None:
    write(project, "shop:\n  target: dev\n  outputs:\n    dev:\n      path: x\n")

    with pytest.raises(UserError, match="target 'dev' needs a 'type:'"):
        load_target(project, "shop")


def test_templates_are_sandboxed(project: Path) -> None:
    write(project, "shop:\n  target: d\n  outputs:\n    d: {type: x, y: '{{ ().__class__ }}'}\n")

    with pytest.raises(UserError, match="profiles.yml:4: cannot render the value"):
        load_target(project, "shop")


EXAMPLE_ENVIRONMENT = {
    "POSTGRES_PASSWORD": "pg-secret",
    "SNOWFLAKE_ACCOUNT": "xy12345.eu-west-1",
    "SNOWFLAKE_USER": "sl",
    "SNOWFLAKE_PASSWORD": "sf-secret",
    "BIGQUERY_PROJECT": "my-project",
    "BIGQUERY_KEYFILE": "/keys/bq.json",
    "DATABRICKS_HOST": "adb-1.azuredatabricks.net",
    "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/abc",
    "DATABRICKS_TOKEN": "dapi-secret",
    "REDSHIFT_HOST": "rs.example.com",
    "REDSHIFT_USER": "sl",
    "REDSHIFT_PASSWORD": "rs-secret",
    "TRINO_HOST": "trino.example.com",
    "TRINO_USER": "sl",
    "TRINO_PASSWORD": "tr-secret",
    "MYSQL_PASSWORD": "my-secret",
    "SQLSERVER_HOST": "sql.example.com",
    "SQLSERVER_USER": "sl",
    "SQLSERVER_PASSWORD": "ms-secret",
}


@pytest.mark.parametrize(
    ("name", "kind", "url"),
    [
        ("dev", "duckdb", "duckdb:////project/warehouse.duckdb"),
        (
            "postgres",
            "postgres",
            "postgresql+psycopg://postgres:pg-secret@127.0.0.1:5432/analytics",
        ),
        (
            "snowflake",
            "snowflake",
            "snowflake://sl:sf-secret@xy12345.eu-west-1/ANALYTICS/SEMANTIC"
            "?role=TRANSFORMER&warehouse=TRANSFORMING",
        ),
        (
            "bigquery",
            "bigquery",
            "bigquery://my-project/semantic?credentials_path=%2Fkeys%2Fbq.json&location=US",
        ),
        (
            "databricks",
            "databricks",
            "databricks://token:dapi-secret@adb-1.azuredatabricks.net"
            "?catalog=main&http_path=%2Fsql%2F1.0%2Fwarehouses%2Fabc&schema=semantic",
        ),
        (
            "redshift",
            "redshift",
            "postgresql+psycopg://sl:rs-secret@rs.example.com:5439/analytics?sslmode=require",
        ),
        (
            "trino",
            "trino",
            "trino://sl:tr-secret@trino.example.com:443/hive/semantic?http_scheme=https",
        ),
        (
            "mysql",
            "mysql",
            "mysql+pymysql://root:my-secret@127.0.0.1:3306/analytics?charset=utf8mb4",
        ),
        ("sqlite", "sqlite", "sqlite:////project/warehouse.sqlite"),
        ("clickhouse", "clickhouse", "clickhouse+chdb:////project/clickhouse-data"),
        ("spark_local", "spark", "spark+session:////project/spark-warehouse"),
        (
            "sqlserver",
            "sqlserver",
            "mssql+pyodbc://sl:ms-secret@sql.example.com:1433/analytics"
            "?Encrypt=yes&TrustServerCertificate=no&driver=ODBC+Driver+18+for+SQL+Server",
        ),
    ],
)
def test_every_example_target_loads(
    monkeypatch: pytest.MonkeyPatch, name: str, kind: str, url: str
) -> None:
    for variable, value in EXAMPLE_ENVIRONMENT.items():
        monkeypatch.setenv(variable, value)

    target = load_target(Path("/project"), "jaffle_shop", name, profiles_dir=EXAMPLE)

    assert (target.name, target.type) == (name, kind)
    assert sqlalchemy_url(target, Path("/project")).render_as_string(hide_password=False) == url


def test_the_example_default_is_the_duckdb_file(tmp_path: Path) -> None:
    target = load_target(tmp_path, "jaffle_shop", profiles_dir=EXAMPLE)

    assert (target.name, target.type, target.schema) == ("dev", "duckdb", "main")
