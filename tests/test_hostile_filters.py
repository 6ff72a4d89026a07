"""A corpus of hostile filters: each is refused with a message, and the warehouse sees no
statement at all and keeps every table and view as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from semantic_layer import api
from semantic_layer.render.dialects import DIALECTS
from tests.helpers import postgres_profile, run_sl, tiny_shop

R = "{{ Dimension('customer__region') }}"

# Values a BI tool might paste between quotes: R = '<value>'.
QUOTE_BREAKING = [
    "x' OR '1'='1",
    "x' OR 1=1 --",
    "x' OR 1=1 /*",
    "x'; DROP TABLE raw.raw_orders; --",
    "x' UNION SELECT name FROM raw.raw_customers --",
    "x' AND sleep(5) AND '1'='1",
    "x' OR pg_sleep(5) IS NULL OR '",
    "x' || (SELECT current_user) || '",
    "' OR EXISTS(SELECT 1) OR '",
    "x\\' OR 1=1 -- ",
    "x' OR 'a' LIKE 'a",
    "x' OR NOT '1'='2",
    "x' OR TRUE OR '",
    "x' AND 1=(SELECT COUNT(*) FROM raw.raw_orders) AND '1'='1",
    "x'/**/OR/**/'1'='1",
    "x' OR region IS NOT NULL OR '",
]

WHOLE_FILTERS = [
    # Stacked statements
    f"{R} = 'a'; DROP TABLE raw.raw_orders",
    f"{R} = 'a'; DELETE FROM raw.raw_orders",
    f"{R} = 'a'; INSERT INTO raw.raw_orders VALUES (99, 1, '2024-01-01', 1, false)",
    f"{R} = 'a'; UPDATE raw.raw_orders SET amount = 0",
    f"{R} = 'a'; CREATE TABLE raw.stolen AS SELECT * FROM raw.raw_customers",
    f"{R} = 'a'; ATTACH '/tmp/elsewhere.duckdb' AS other",
    f"{R} = 'a'; COPY raw.raw_customers TO '/tmp/leak.csv'",
    f"{R} = 'a'; PRAGMA database_list",
    f"{R} = 'a'; SET memory_limit = '1MB'",
    f"{R} = 'a'; INSTALL httpfs",
    f"{R} = 'a'; CALL pragma_version()",
    f"{R} = 'a';",
    # Comments that cut the condition
    f"{R} = 'a' -- AND {R} <> 'b'",
    f"{R} = 'a' /* AND {R} <> 'b' */",
    f"{R} = 'a' /* unterminated",
    f"/* lead */ {R} = 'a'",
    f"{R} = 'a' --",
    # UNION and other set operations
    f"{R} = 'a' UNION SELECT 1",
    f"{R} = 'a' UNION ALL SELECT name FROM raw.raw_customers",
    f"{R} IN (SELECT region FROM raw.raw_customers INTERSECT SELECT 'EU')",
    f"{R} IN (SELECT 'EU' EXCEPT SELECT 'US')",
    # Subqueries
    f"{R} IN (SELECT name FROM raw.raw_customers)",
    f"{R} = (SELECT max(region) FROM raw.raw_customers)",
    "EXISTS (SELECT 1 FROM raw.raw_orders)",
    f"{R} IN (FROM raw.raw_customers SELECT region)",
    f"{R} = (WITH t AS (SELECT 'EU' AS r) SELECT r FROM t)",
    f"lower({R}) = (SELECT 'eu')",
    f"{R} = ANY (SELECT region FROM raw.raw_customers)",
    # Function abuse
    f"{R} = read_csv('/etc/passwd')",
    f"{R} IN (SELECT * FROM read_text('/etc/hostname'))",
    f"{R} = getenv('HOME')",
    f"{R} = current_setting('search_path')",
    f"{R} = pg_sleep(10)",
    f"{R} = sleep(10)",
    f"{R} = load_extension('evil')",
    f"{R} = query('SELECT 1')",
    f"{R} = pg_read_file('/etc/passwd')",
    f"{R} = version()",
    f"{R} = current_user",
    f"{R} = md5(random()::VARCHAR)",
    f"{R} = nextval('seq')",
    f"{R} = glob('/*')",
    f"{R} = benchmark(1000000, md5('x'))",
    f"{R} = xp_cmdshell('dir')",
    f"{R} = sqlite_version()",
    f"{R} = list_value(1)[1]",
    # Unknown columns, tables and qualified names
    "raw_orders.amount > 0",
    "password = 'x'",
    "customer__password = 'x'",
    "information_schema.tables.table_name = 'x'",
    f"{R} = customer_id",
    # Parameters and variables
    f"{R} = $1",
    f"{R} = ?",
    f"{R} = :region",
    f"{R} = @@version",
    # Quoting of other dialects, and broken quotes
    f"{R} = `raw_orders`",
    f"{R} = [raw_orders]",
    f"{R} = 'unterminated",
    f"{R} = 'x\uff07 OR 1=1",
    f"{R} = 'a\x00' OR 1=1 --'",
    # Constants only
    "1 = 1",
    "TRUE",
    f"{R} = 'a' OR 1 = 1",
    f"NOT {R} = 'a' OR NOT 1 = 2",
    # Jinja that escapes its sandbox, reads the environment, or writes SQL
    f"{R} = '{{{{ env_var('HOME') }}}}'",
    "{{ ''.__class__.__mro__[1].__subclasses__() }} = 1",
    "{{ cycler.__init__.__globals__.os.system('id') }} = 0",
    f"{R} = '{{{{ \"a'; DROP TABLE raw.raw_orders; --\" }}}}'",
    "{{ undefined_macro() }} = 1",
]

CORPUS = [f"{R} = '{value}'" for value in QUOTE_BREAKING] + WHOLE_FILTERS


def test_the_corpus_holds_at_least_fifty_distinct_filters() -> None:
    assert len(set(CORPUS)) == len(CORPUS) >= 50


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.Options, Path]:
    """The tiny shop, seeded and deployed once for the module."""
    root = tmp_path_factory.mktemp("hostile")
    options = tiny_shop(root)
    api.seed(options)
    api.run(options)
    return options, root / "w.duckdb"


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Every statement any SQLAlchemy engine sends to a database while the block runs."""
    statements: list[str] = []

    def record(*event: Any) -> None:  # connection, cursor, statement, parameters, ...
        statements.append(event[2])

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)


def snapshot(database: Path) -> dict[str, object]:
    """Every relation of the warehouse with its definition (views) and sorted rows."""
    with duckdb.connect(str(database), read_only=True) as connection:
        relations = connection.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "order by all"
        ).fetchall()
        views = connection.execute("select schema_name, view_name, sql from duckdb_views()")
        result: dict[str, object] = {"relations": relations, "views": sorted(views.fetchall())}
        for schema, name, _ in relations:
            rows = connection.execute(f'select * from "{schema}"."{name}"').fetchall()
            result[f"{schema}.{name}"] = sorted(map(repr, rows))
    return result


def test_a_harmless_filter_is_run_and_recorded(
    shop: tuple[api.Options, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The control: the recorder sees the one SELECT a valid filter runs."""
    options, _ = shop
    with recorded_statements() as statements:
        code, output = run_sl(options, capsys, "query", "-m", "revenue", "-w", f"{R} = 'EU'",
                              "--format", "csv")  # fmt: skip
    assert code == 0, output
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith(("SELECT", "WITH"))
    # Customers 1 and 4 are in EU; only 1 ordered: 10 + 7 + 4 (the tiny shop's seeds).
    assert output.strip().splitlines()[-1] == "21"


@pytest.mark.parametrize("where", CORPUS)
def test_a_hostile_filter_is_refused_and_nothing_reaches_the_warehouse(
    shop: tuple[api.Options, Path], capsys: pytest.CaptureFixture[str], where: str
) -> None:
    options, database = shop
    before = snapshot(database)

    with recorded_statements() as statements:
        code, output = run_sl(options, capsys, "query", "-m", "revenue", "-w", where)

    assert code == 1, output
    assert "<command line>: " in output
    assert "Traceback" not in output and "internal error" not in output
    assert statements == []
    assert snapshot(database) == before


@pytest.mark.parametrize("where", CORPUS[::3])
def test_a_hostile_metric_filter_fails_validation_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    text = where.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0")
    extra = (
        "metrics:\n  - name: hostile\n    type: simple\n    type_params: {measure: revenue}\n"
        f'    filter: "{text}"\n'
    )
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")
    assert code == 1, output
    assert output.startswith("models/semantic/extra.yml:5: "), output  # the filter's line
    assert "internal error" not in output


# Values holding quotes and backslashes, written correctly: one value each, on every dialect.
TRICKY_VALUES = ["O'Brien", "x' OR '1'='1", "back\\slash", "end\\", "\\' OR 1=1 --", '"dq"']


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_a_quoted_value_stays_one_literal_in_every_dialect(tmp_path: Path, dialect: str) -> None:
    options = tiny_shop(tmp_path)
    for value in TRICKY_VALUES:
        written = value.replace("'", "''")  # the project's dialect (DuckDB) doubles quotes
        sql, _ = api.plan_query(options, metrics=["revenue"], group_by=[],
                                where=[f"{R} = '{written}'"], order_by=[], limit=None,
                                dialect=dialect, connect=False)  # fmt: skip

        parsed = sqlglot.parse(sql, read=DIALECTS[dialect].sqlglot_name)
        assert len([s for s in parsed if s is not None]) == 1
        literals = [
            node.this
            for node in parsed[0].find_all(exp.Literal)
            if node.is_string  # type: ignore[union-attr]
        ]
        assert value in literals, (dialect, value, sql)


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_a_quoted_value_matches_itself_on_duckdb(
    shop: tuple[api.Options, Path], value: str
) -> None:
    options, _ = shop
    written = value.replace("'", "''")
    result = api.query(options, metrics=["revenue"], group_by=["customer__region"],
                       where=[f"{R} = '{written}' OR {R} = 'EU'"], order_by=[],
                       limit=None)  # fmt: skip
    # No customer's region is the tricky value: only EU's 10 + 7 + 4 comes back, as one row.
    assert result.rows == (("EU", 21),)


def _postgres_snapshot(server: Any, database: str) -> dict[str, object]:
    with server.connect(dbname=database) as connection:
        relations = connection.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2"
        ).fetchall()
        views = connection.execute(
            "select schemaname, viewname, definition from pg_views "
            "where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2"
        ).fetchall()
        result: dict[str, object] = {"relations": relations, "views": views}
        for schema, name, _ in relations:
            rows = connection.execute(f'select * from "{schema}"."{name}"').fetchall()
            result[f"{schema}.{name}"] = sorted(map(repr, rows))
    return result


def test_hostile_filters_reach_no_postgresql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_server: Any
) -> None:
    profiles = postgres_profile(tmp_path, postgres_server)
    database = profiles.joinpath("profiles.yml").read_text().split("dbname: ")[1].split()[0]
    options = api.Options(tiny_shop(tmp_path).project_dir, None, profiles)
    api.seed(options)
    api.run(options)
    before = _postgres_snapshot(postgres_server, database)

    with recorded_statements() as statements:
        for where in CORPUS[::4]:
            code, output = run_sl(options, capsys, "query", "-m", "revenue", "-w", where)
            assert code == 1, (where, output)
            assert "internal error" not in output

    assert statements == []
    assert _postgres_snapshot(postgres_server, database) == before
    assert len(before) > 2  # the seeded tables and the deployed views were compared
