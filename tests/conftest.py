"""Shared fixtures: the sample project deployed once into a private DuckDB file."""

from __future__ import annotations

import pytest

from tests.helpers import copy_sample_project, write_profile


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="Rewrite the snapshot files of generated SQL instead of comparing with them.",
    )


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The sample project, seeded with one year of Jaffle Shop data and deployed once."""
    from semantic_layer import api

    root = tmp_path_factory.mktemp("sample")
    project = copy_sample_project(root / "project")
    profiles = write_profile(
        root / "profiles", "jaffle_shop", {"dev": (root / "warehouse.duckdb", "main")}
    )
    options = api.Options(project_dir=project, profiles_dir=profiles)
    api.seed(options)
    first_run = api.run(options)
    return options, root / "warehouse.duckdb", first_run


@pytest.fixture(scope="session")
def postgres_server():  # type: ignore[no-untyped-def]
    """A private PostgreSQL on 127.0.0.1 for the whole run; skipped where none can start."""
    from tests.servers import PostgresServer

    pytest.importorskip("psycopg", reason="psycopg is not installed")
    server = PostgresServer.find()
    if server is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mariadb_server():  # type: ignore[no-untyped-def]
    """A private MariaDB (our MySQL) on 127.0.0.1; skipped where it is not installed."""
    from tests.servers import MariaDbServer

    pytest.importorskip("pymysql", reason="pymysql is not installed")
    server = MariaDbServer.find()
    if server is None:
        pytest.skip("MariaDB (our MySQL stand-in) is not installed")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def spark_folder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The warehouse folder of the one Spark session a test run may start (Spark keeps one
    per process, so every Spark test shares it); skipped without pyspark or Java."""
    import shutil

    pytest.importorskip("pyspark", reason="pyspark is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java, which is not installed")
    return tmp_path_factory.mktemp("spark")


@pytest.fixture(scope="session")
def chdb_folder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The one folder of in-process ClickHouse: chdb keeps one session per process, so every
    ClickHouse target of the run shares it (each test uses a schema of its own)."""
    pytest.importorskip("chdb_sqlalchemy", reason="chdb-sqlalchemy is not installed")
    return tmp_path_factory.mktemp("chdb")
