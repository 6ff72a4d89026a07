"""The engine matrix: the sample project and the tiny shop (with the extra views of
tests/fixtures/engine_matrix) seeded and deployed through the product on SQLite, PostgreSQL,
MariaDB (as MySQL), Spark (local, in this process) and ClickHouse (chdb, in this process);
every view, SQL models included, must hold DuckDB's rows.

Integers, strings, booleans and dates must be equal; decimals and floats within 1e-9
relative (engines add floating point in different orders). Rows are compared as sorted
sets, since engines order NULL differently. Run one engine alone with ``-m spark`` (or
sqlite, postgres, mysql, clickhouse).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from semantic_layer import api
from tests.helpers import TINY_SHOP, copy_sample_project, write_profile

pytestmark = pytest.mark.slow

SAMPLE_MODELS = (
    "stg_customers", "stg_locations", "stg_order_items", "stg_orders", "stg_products",
    "stg_supplies", "customers", "locations", "order_items", "orders", "products",
)  # fmt: skip
SAMPLE_VIEWS = SAMPLE_MODELS + (
    "north_star_monthly",
    "north_star_weekly",
    "kpis_by_location_monthly",
    "kpis_by_customer_type_monthly",
)
TINY_VIEWS = (
    "stg_customers", "stg_orders", "stg_order_items", "order_items", "shop_monthly_by_region",
    "shop_weekly", "shop_by_weekday", "shop_daily_windows", "shop_monthly_growth",
    "shop_by_food_and_region",
)  # fmt: skip
MATRIX_VIEWS = Path(__file__).parents[1] / "fixtures" / "engine_matrix" / "tiny_shop_views.yml"

# Every project deploys into schemas of its own, so both fit on one server or session.
PROJECTS = {"sample": ("jaffle_shop", "analytics"), "tiny": ("tiny_shop", "tiny")}
Output = Callable[[str], str]  # a schema -> the lines of a profile output deploying there


# -- the engines: each fixture gives the profile output of a target there ---------------------


@pytest.fixture(scope="session")
def sqlite_output(tmp_path_factory: pytest.TempPathFactory) -> Output:
    folder = tmp_path_factory.mktemp("sqlite")
    # SQLite has one namespace per file: one file per project.
    return lambda schema: f"type: sqlite\npath: '{folder / schema}.sqlite'\nschema: main\n"


@pytest.fixture(scope="session")
def postgres_output(postgres_server) -> Output:  # type: ignore[no-untyped-def]
    port = postgres_server.port
    return lambda schema: (
        f"type: postgres\nhost: 127.0.0.1\nport: {port}\nuser: postgres\npassword: ''\n"
        f"dbname: postgres\nschema: {schema}\n"
    )


@pytest.fixture(scope="session")
def mysql_output(mariadb_server) -> Output:  # type: ignore[no-untyped-def]
    port = mariadb_server.port
    return lambda schema: (
        f"type: mysql\nhost: 127.0.0.1\nport: {port}\nuser: root\npassword: ''\nschema: {schema}\n"
    )


@pytest.fixture(scope="session")
def spark_output(spark_folder: Path) -> Output:
    return lambda schema: (
        f"type: spark\nmethod: session\nschema: {schema}\nwarehouse_dir: '{spark_folder}'\n"
    )


@pytest.fixture(scope="session")
def clickhouse_output(chdb_folder: Path) -> Output:
    folder = chdb_folder  # chdb keeps one session per process, hence one folder for all
    return lambda schema: f"type: clickhouse\ndriver: chdb\npath: '{folder}'\nschema: {schema}\n"


ENGINES = ("sqlite", "postgres", "mysql", "spark", "clickhouse")


# -- the projects, deployed on DuckDB for the reference rows ----------------------------------


def _own_seed_schema(project: Path, seed_schema: str) -> None:
    """Seeds of this project go to a schema of their own (both projects name theirs raw)."""
    for path in [project / "sl_project.yml", *project.glob("models/**/sources.yml")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace("seed-schema: raw", f"seed-schema: {seed_schema}")
        path.write_text(text.replace("schema: raw", f"schema: {seed_schema}"), encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.Options, Path]:
    root = tmp_path_factory.mktemp("tiny_matrix")
    project = root / "project"
    shutil.copytree(TINY_SHOP, project)
    shutil.copy(MATRIX_VIEWS, project / "models" / "semantic" / MATRIX_VIEWS.name)
    _own_seed_schema(project, "tiny_raw")
    profiles = write_profile(root / "profiles", "tiny_shop", {"dev": (root / "w.duckdb", "main")})
    options = api.Options(project_dir=project, profiles_dir=profiles)
    api.seed(options)
    api.run(options)
    return options, root / "w.duckdb"


@pytest.fixture(scope="session")
def sample_matrix_project(sample_project, tmp_path_factory) -> tuple[api.Options, Path]:  # type: ignore[no-untyped-def]
    """The sample project with its generated seeds, loaded into a raw schema of its own."""
    options, database, _ = sample_project
    project = copy_sample_project(tmp_path_factory.mktemp("sample_matrix") / "project")
    shutil.copytree(options.project_dir / "seeds", project / "seeds")
    _own_seed_schema(project, "sample_raw")
    return api.Options(project_dir=project), database


# -- deploy once per engine and project; compare per view -------------------------------------


_DEPLOYED: dict[tuple[str, str], api.Options] = {}


def _deployed(request: pytest.FixtureRequest, engine: str, project: str) -> api.Options:
    """The project seeded and deployed on the engine (once per test session)."""
    if (engine, project) not in _DEPLOYED:
        output: Output = request.getfixturevalue(f"{engine}_output")
        options, _ = _reference(request, project)
        profile, schema = PROJECTS[project]
        folder = request.getfixturevalue("tmp_path_factory").mktemp(f"{engine}-{project}")
        lines = output(schema).splitlines()
        (folder / "profiles.yml").write_text(
            f"{profile}:\n  target: it\n  outputs:\n    it:\n"
            + "".join(f"      {line}\n" for line in lines),
            encoding="utf-8",
        )
        if engine == "mysql":
            _create_mysql_database(request, schema)
        other = api.Options(options.project_dir, None, folder)
        api.seed(other)
        api.run(other)
        _DEPLOYED[(engine, project)] = other
    return _DEPLOYED[(engine, project)]


def _reference(request: pytest.FixtureRequest, project: str) -> tuple[api.Options, Path]:
    fixture = "sample_matrix_project" if project == "sample" else "tiny_project"
    return request.getfixturevalue(fixture)  # type: ignore[no-any-return]


def _create_mysql_database(request: pytest.FixtureRequest, name: str) -> None:
    connection = request.getfixturevalue("mariadb_server").connect()
    with connection.cursor() as cursor:
        cursor.execute(f"create database if not exists {name}")
    connection.close()


def _duckdb_rows(database: Path, view: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(f"select * from main.{view}").fetchall()


def _normal(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)  # SQLite and MariaDB keep booleans as 0 and 1
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()  # SQLite keeps dates as ISO text
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # NULL first, then by value; floats rounded so that last-digit differences sort alike.
    return tuple(
        (0, "") if v is None else (1, round(v, 6)) if isinstance(v, float) else (1, v) for v in row
    )


def _rows(rows: Iterator[tuple[Any, ...]] | list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(_normal(v) for v in row) for row in rows), key=_sort_key)


def _assert_same_rows(actual: list[tuple[Any, ...]], expected: list[tuple[Any, ...]]) -> None:
    assert len(actual) == len(expected), (actual[:5], expected[:5])
    for got_row, want_row in zip(actual, expected, strict=True):
        assert len(got_row) == len(want_row), (got_row, want_row)
        for got, want in zip(got_row, want_row, strict=True):
            if isinstance(want, float) or isinstance(got, float):
                assert got is not None and want is not None, (got_row, want_row)
                close = math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)
                assert close, (got_row, want_row)
            else:
                assert got == want, (got_row, want_row)


CASES = [
    pytest.param(
        name, project, view, marks=getattr(pytest.mark, name), id=f"{name}-{project}-{view}"
    )
    for name in ENGINES
    for project, views in (("tiny", TINY_VIEWS), ("sample", SAMPLE_VIEWS))
    for view in views
]


@pytest.mark.parametrize(("engine", "project", "view"), CASES)
def test_view_rows_equal_duckdb(
    request: pytest.FixtureRequest, engine: str, project: str, view: str
) -> None:
    options = _deployed(request, engine, project)
    _, duckdb_file = _reference(request, project)
    expected = _rows(_duckdb_rows(duckdb_file, view))
    assert expected, f"{view} is empty on DuckDB, so comparing it proves nothing"

    actual = _rows(api.show(options, view, limit=None).rows)

    _assert_same_rows(actual, expected)


@pytest.mark.parametrize(
    "engine", [pytest.param(name, marks=getattr(pytest.mark, name)) for name in ENGINES]
)
def test_a_second_run_changes_nothing(request: pytest.FixtureRequest, engine: str) -> None:
    options = _deployed(request, engine, "tiny")

    assert {result.action for result in api.run(options)} == {"unchanged"}
