"""A profile target into a SQLAlchemy URL and engine, with a clear message for missing drivers."""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from semantic_layer.errors import UserError
from semantic_layer.profiles import DEFAULT_DUCKDB_FILE, Target

# Dialects of our own, for engines reached in-process; loaded only when a target uses them.
sa.dialects.registry.register("clickhouse.chdb", "semantic_layer.warehouse.chdb", "ChdbDialect")
sa.dialects.registry.register(
    "spark.session", "semantic_layer.warehouse.spark", "SparkSessionDialect"
)

# Paths that name no local file: DuckDB's in-memory database and MotherDuck.
_NOT_A_FILE = (":memory:", "md:", "motherduck:")


def sqlalchemy_url(target: Target, project_dir: Path | None = None) -> sa.URL:
    """The SQLAlchemy URL for ``target``; relative file paths resolve against ``project_dir``.

    Example:
        >>> from semantic_layer.profiles import default_target
        >>> sqlalchemy_url(default_target(Path("/p"), "shop")).render_as_string()
        'duckdb:////p/warehouse.duckdb'

    Raises:
        UserError: the type is unknown or a required field is missing.
    """
    return _builder(target)(target, project_dir or Path.cwd())


def create_engine(target: Target, project_dir: Path) -> sa.Engine:
    """A SQLAlchemy engine for ``target``; nothing connects until the engine is first used.

    For DuckDB the directory of the database file is created when missing.

    Raises:
        UserError: the driver package is not installed (the message says what to pip install),
            or the target's fields do not make a valid URL. Secrets never appear in messages.
    """
    url = _builder(target)(target, project_dir)
    if url.drivername == "duckdb" and url.database and not url.database.startswith(_NOT_A_FILE):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)

    try:
        engine = sa.create_engine(url, **_engine_options(target, project_dir))
    except (NoSuchModuleError, ImportError):
        raise UserError(
            f"target '{target.name}' ({target.type}) needs a driver that is not installed: "
            f"pip install {shlex.join(_PACKAGES.get(url.drivername, ()))}",
            target.location,
        ) from None
    except (ArgumentError, TypeError, ValueError) as error:
        message = target.redact(str(error))
        raise UserError(
            f"target '{target.name}' ({target.type}): {message}", target.location
        ) from None
    if url.drivername == "sqlite":
        _sqlite_transactions(engine)
    return engine


def _sqlite_transactions(engine: sa.Engine) -> None:
    """Make SQLite's DDL transactional: Python's sqlite3 module opens a transaction only
    before INSERT, UPDATE and DELETE, so each CREATE VIEW would commit on its own. The
    module's own handling is turned off and every transaction starts with BEGIN, as
    SQLAlchemy's SQLite documentation advises ("Serializable isolation / Savepoints /
    Transactional DDL")."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def require_existing_file(target: Target, project_dir: Path) -> None:
    """Refuse to read from an embedded database file that does not exist yet.

    Connecting would create an empty file, and the user would then read "no such table"
    instead of what to do.

    Raises:
        UserError: the target is a DuckDB or SQLite file that is not there.
    """
    url = sqlalchemy_url(target, project_dir)
    if url.drivername.split("+")[0] not in ("duckdb", "sqlite") or not url.database:
        return
    if url.database.startswith(_NOT_A_FILE) or Path(url.database).exists():
        return
    raise UserError(
        f"the warehouse file {url.database} does not exist yet: run `sl seed` (sample data) "
        "and `sl run` first, or choose another --target"
    )


def _engine_options(target: Target, project_dir: Path) -> dict[str, Any]:
    # dbt-duckdb's `settings` are DuckDB configuration options, which duckdb-engine takes as
    # connect_args["config"].
    settings = target.fields.get("settings")
    if target.type == "duckdb" and isinstance(settings, Mapping):
        return {"connect_args": {"config": dict(settings)}}
    if target.type == "spark":
        return {"connect_args": {"conf": _spark_conf(target, project_dir)}}
    return {}


def _spark_folder(target: Target, project_dir: Path) -> Path:
    warehouse_dir = str(target.fields.get("warehouse_dir") or "")
    return Path(_local_path(project_dir, warehouse_dir or "spark-warehouse"))


def _spark_conf(target: Target, project_dir: Path) -> dict[str, str]:
    """Spark settings: tables, views and the Hive catalog that lists them are kept in the
    folder ``warehouse_dir`` (``spark-warehouse`` in the project by default), so what one
    command creates the next one finds; dbt-spark's ``server_side_parameters`` come last."""
    folder = _spark_folder(target, project_dir)
    conf = {
        "spark.sql.warehouse.dir": str(folder),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={folder / 'derby.log'}",
    }
    parameters = target.fields.get("server_side_parameters") or {}
    if not isinstance(parameters, Mapping):
        raise UserError(
            f"target '{target.name}' (spark): server_side_parameters must be a mapping",
            target.location,
        )
    return {**conf, **{str(key): str(value) for key, value in parameters.items()}}


def _builder(target: Target) -> Callable[[Target, Path], sa.URL]:
    builder = _BUILDERS.get(target.type)
    if builder is None:
        close = difflib.get_close_matches(target.type, list(_BUILDERS), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(_BUILDERS))}"
        raise UserError(
            f"target '{target.name}': unknown warehouse type '{target.type}' ({hint})",
            target.location,
        )
    return builder


def _field(target: Target, *keys: str, default: Any = None, required: bool = True) -> Any:
    """The first of ``keys`` the target sets (dbt adapters accept several spellings)."""
    for key in keys:
        value = target.fields.get(key)
        if isinstance(value, (dict, list)):
            raise UserError(
                f"target '{target.name}' ({target.type}): '{key}' must be a single value",
                target.location,
            )
        if value is not None and value != "":
            return value
    if default is None and required:
        raise UserError(
            f"target '{target.name}' ({target.type}) needs '{keys[0]}'", target.location
        )
    return default


def _port(target: Target, default: int) -> int:
    value = _field(target, "port", default=default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UserError(f"target '{target.name}': port must be a number", target.location) from None


def _query(**pairs: Any) -> dict[str, str]:
    return {key: str(value) for key, value in pairs.items() if value is not None and value != ""}


def _local_path(project_dir: Path, path: str) -> str:
    if path.startswith(_NOT_A_FILE):
        return path
    return str((project_dir / Path(path).expanduser()).resolve())


def _duckdb(target: Target, project_dir: Path) -> sa.URL:
    path = str(_field(target, "path", default=DEFAULT_DUCKDB_FILE))
    return sa.URL.create("duckdb", database=_local_path(project_dir, path))


def _sqlite(target: Target, project_dir: Path) -> sa.URL:
    # dbt-sqlite maps schema names to files; its "main" entry is the database file itself.
    paths = target.fields.get("schemas_and_paths")
    fallback = paths.get("main") if isinstance(paths, Mapping) else None
    path = str(_field(target, "path", default=fallback))
    return sa.URL.create("sqlite", database=_local_path(project_dir, path))


def _postgres(target: Target, default_port: int) -> sa.URL:
    return sa.URL.create(
        "postgresql+psycopg",
        username=_field(target, "user", "username"),
        password=_field(target, "password", "pass", required=False),
        host=_field(target, "host"),
        port=_port(target, default_port),
        database=_field(target, "dbname", "database"),
        query=_query(
            sslmode=target.fields.get("sslmode"),
            connect_timeout=target.fields.get("connect_timeout"),
        ),
    )


def _mysql(target: Target, project_dir: Path) -> sa.URL:
    # In MySQL a schema is a database, so dbt-mysql's `schema` is the URL's database.
    return sa.URL.create(
        "mysql+pymysql",
        username=_field(target, "username", "user"),
        password=_field(target, "password", "pass", required=False),
        host=_field(target, "server", "host"),
        port=_port(target, 3306),
        database=_field(target, "schema", "database", required=False),
        query={"charset": "utf8mb4"},
    )


def _clickhouse(target: Target, project_dir: Path) -> sa.URL:
    if target.fields.get("driver") == "chdb" or "path" in target.fields:
        path = str(_field(target, "path", default=":memory:"))
        return sa.URL.create("clickhouse+chdb", database=_local_path(project_dir, path))

    native = target.fields.get("driver") == "native"
    secure = bool(target.fields.get("secure"))
    ports = {(False, False): 8123, (False, True): 8443, (True, False): 9000, (True, True): 9440}
    return sa.URL.create(
        "clickhouse+native" if native else "clickhouse+http",
        username=_field(target, "user", default="default"),
        password=_field(target, "password", required=False),
        host=_field(target, "host", default="localhost"),
        port=_port(target, ports[(native, secure)]),
        database=_field(target, "schema", "database", required=False),
        query=_query(protocol="https" if secure and not native else None),
    )


def _spark(target: Target, project_dir: Path) -> sa.URL:
    # dbt-spark's `method: session` runs Spark inside this process; its other methods reach a
    # cluster through drivers this tool does not use.
    method = _field(target, "method", default="session")
    if method != "session":
        raise UserError(
            f"target '{target.name}' (spark): method '{method}' is not supported; use "
            "`method: session` (Spark in this process, pip install pyspark) or, for a "
            "Databricks SQL warehouse, `type: databricks`",
            target.location,
        )
    # The driver ignores the URL's database; naming the warehouse folder there gives deploys
    # a lock file beside it, as for the other engines kept in local files.
    return sa.URL.create("spark+session", database=str(_spark_folder(target, project_dir)))


def _snowflake(target: Target, project_dir: Path) -> sa.URL:
    database = _field(target, "database")
    schema = target.fields.get("schema")
    return sa.URL.create(
        "snowflake",
        username=_field(target, "user"),
        password=_field(target, "password", required=False),
        host=_field(target, "account"),
        database=f"{database}/{schema}" if schema else database,
        query=_query(
            warehouse=target.fields.get("warehouse"),
            role=target.fields.get("role"),
            authenticator=target.fields.get("authenticator"),
        ),
    )


def _bigquery(target: Target, project_dir: Path) -> sa.URL:
    keyfile = target.fields.get("keyfile")
    return sa.URL.create(
        "bigquery",
        host=_field(target, "project", "database"),
        database=_field(target, "dataset", "schema", required=False),
        query=_query(
            location=target.fields.get("location"),
            credentials_path=_local_path(project_dir, keyfile) if keyfile else None,
        ),
    )


def _databricks(target: Target, project_dir: Path) -> sa.URL:
    # The Databricks dialect takes a personal access token as the password of user "token".
    return sa.URL.create(
        "databricks",
        username="token",
        password=_field(target, "token"),
        host=_field(target, "host"),
        query=_query(
            http_path=_field(target, "http_path"),
            catalog=target.fields.get("catalog"),
            schema=target.fields.get("schema"),
        ),
    )


def _trino(target: Target, project_dir: Path) -> sa.URL:
    catalog = _field(target, "database", "catalog")
    schema = target.fields.get("schema")
    scheme = target.fields.get("http_scheme")
    return sa.URL.create(
        "trino",
        username=_field(target, "user"),
        password=_field(target, "password", required=False),
        host=_field(target, "host"),
        port=_port(target, 443 if scheme == "https" else 8080),
        database=f"{catalog}/{schema}" if schema else catalog,
        query=_query(http_scheme=scheme),
    )


def _sqlserver(target: Target, project_dir: Path) -> sa.URL:
    encrypt = target.fields.get("encrypt")
    trust = target.fields.get("trust_cert")
    return sa.URL.create(
        "mssql+pyodbc",
        username=_field(target, "user", "username", required=False),
        password=_field(target, "password", required=False),
        host=_field(target, "server", "host"),
        port=_port(target, 1433),
        database=_field(target, "database"),
        query=_query(
            driver=_field(target, "driver", default="ODBC Driver 18 for SQL Server"),
            Encrypt=None if encrypt is None else ("yes" if encrypt else "no"),
            TrustServerCertificate=None if trust is None else ("yes" if trust else "no"),
        ),
    )


_BUILDERS: dict[str, Callable[[Target, Path], sa.URL]] = {
    "duckdb": _duckdb,
    "sqlite": _sqlite,
    "postgres": lambda target, _: _postgres(target, 5432),
    "redshift": lambda target, _: _postgres(target, 5439),
    "mysql": _mysql,
    "clickhouse": _clickhouse,
    "snowflake": _snowflake,
    "bigquery": _bigquery,
    "databricks": _databricks,
    "spark": _spark,
    "trino": _trino,
    "sqlserver": _sqlserver,
}

# What to pip install for each SQLAlchemy driver name.
_PACKAGES: dict[str, tuple[str, ...]] = {
    "duckdb": ("duckdb-engine",),
    "postgresql+psycopg": ("psycopg[binary]",),
    "mysql+pymysql": ("pymysql",),
    "clickhouse+chdb": ("chdb", "chdb-sqlalchemy"),
    "clickhouse+http": ("clickhouse-sqlalchemy",),
    "clickhouse+native": ("clickhouse-sqlalchemy",),
    "snowflake": ("snowflake-sqlalchemy",),
    "bigquery": ("sqlalchemy-bigquery",),
    "databricks": ("databricks-sqlalchemy",),
    "spark+session": ("pyspark",),
    "trino": ("trino[sqlalchemy]",),
    "mssql+pyodbc": ("pyodbc",),
}
