"""Dialects as data: per-warehouse SQL templates turned into sqlglot expressions."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp

from semantic_layer.errors import UserError
from semantic_layer.render.portable import portable

GRAINS = (
    "millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year"
)  # fmt: skip
SUB_DAY_GRAINS = ("millisecond", "second", "minute", "hour")
DATE_PARTS = ("year", "quarter", "month", "week", "day", "dow", "doy")

# Templates are written in the dialect's own SQL; these columns stand for the arguments.
_VALUE = "__value__"
_FRACTION = "__fraction__"


# eq=False: one instance per engine, compared by identity; its template maps are not hashable.
@dataclass(frozen=True, eq=False)
class Dialect:
    """One warehouse engine: what it can express and how, as SQL templates in its own syntax.

    Every method returns a sqlglot expression (never text), so the caller composes a whole
    statement and generates it once with ``render_sql``. Contracts, identical on every engine:
    ``time_trunc`` gives a DATE for day and coarser grains and a timestamp below; weeks are ISO
    weeks starting on Monday whatever the session settings; ``date_part('dow')`` is ISO
    (Monday = 1 .. Sunday = 7) and ``date_part('week')`` is the ISO week number.
    """

    name: str
    sqlglot_name: str
    time_trunc_sql: Mapping[str, str]
    date_part_sql: Mapping[str, str]
    double_type: str = "DOUBLE"
    percentile_cont_sql: str | None = None
    percentile_disc_sql: str | None = None
    supports_schemas: bool = True
    supports_catalogs: bool = True  # database.schema.table; MySQL's database is its schema
    supports_create_or_replace_view: bool = True
    transactional_ddl: bool = False
    # Deploys (warehouse/deploy.py). Without transactional DDL, one statement that renames
    # many relations at once, all or none, lets new views be built aside and swapped in:
    # "{pairs}" stands for "old TO new, ...".
    rename_relations_sql: str | None = None
    # Without either, new views can still be built aside first, which proves each new view's
    # SQL before any previous view is touched; they then replace the previous ones in turn.
    build_aside: bool = False
    # A lock that keeps two deploys of a target apart: a query that takes it without waiting
    # and returns true when it did, one that releases it (none: it ends with the
    # transaction), and one that describes the session holding it. Parameters: :lock_name,
    # :lock_key1 and :lock_key2 (two 31-bit integers derived from the name).
    try_lock_sql: str | None = None
    release_lock_sql: str | None = None
    lock_holder_sql: str | None = None
    # Views that read other relations, from the catalog: either rows of (view schema, view
    # name, read schema, read name), or rows of (view schema, view name, definition) that
    # are parsed for the relations they name.
    view_reads_sql: str | None = None
    view_definitions_sql: str | None = None
    # CREATE OR REPLACE VIEW may only add columns at the end, so a view whose columns change
    # is dropped and created again, with the views that read it, inside the transaction.
    replace_view_keeps_columns: bool = False
    # COMMENT ON VIEW / COMMENT ON COLUMN for a view's description and its columns'.
    supports_view_comments: bool = False
    add_days_sql: str | None = None
    # The timestamp __amount__ hours, minutes or seconds later; {unit}, {UNIT} and {Unit} spell
    # the unit, {seconds} is its length in seconds.
    add_time_sql: str | None = None
    add_months_sql: str | None = None
    # Month arithmetic that is right only from a day no later than the 28th (a period start).
    add_months_early_sql: str | None = None
    # Days before Monday that a project's weeks start (0 Monday, 1 Sunday, ... 6 Tuesday).
    week_start_shift: int = 0
    # A timestamp with a time zone as the wall-clock time of __zone__, without a zone.
    in_zone_sql: str | None = None
    utc_zone: str = "UTC"  # how the engine spells UTC; used for the default reporting zone
    named_zones: bool = True  # False: only UTC can be the reporting zone
    time_zone: str = "UTC"  # the project's reporting time zone
    # What makes the engine plan a SELECT without running it; None where there is no such
    # statement (BigQuery plans through a dry-run job, SQL Server through SHOWPLAN).
    explain_prefix: str | None = "EXPLAIN"
    # A column selected as `t.c` keeps the name "t.c" in a view, so each gets `AS c`.
    alias_qualified_outputs: bool = False
    # Where CAST(x AS DECIMAL(p, s)) truncates: x rounded to __scale__ places, half away
    # from zero as DuckDB and PostgreSQL do, before the cast.
    decimal_round_sql: str | None = None
    # ROUND(x, n) as DuckDB computes it, half away from zero on x * 10^n (__scale__), where
    # the engine's own ROUND differs: missing for doubles, or rounding half to even.
    round_sql: str | None = None
    # CONCAT spelled with ||, each part NULL-safe as in DuckDB, where CONCAT is missing.
    concat_with_pipes: bool = False

    def time_trunc(self, expr: exp.Expr, grain: str) -> exp.Expr:
        """Truncate a date or timestamp to the start of its ``grain``.

        Weeks start on Monday, or ``week_start_shift`` days earlier (1 for Sunday): the day is
        moved that many days forward, cut to its Monday week, and moved back.
        """
        if grain == "week" and self.week_start_shift:
            shift = self.week_start_shift
            moved = self.add_days(expr, exp.Literal.number(shift))
            monday = self._fill(_lookup(self.time_trunc_sql, grain, "grain"), value=moved)
            return self.add_days(monday, exp.Literal.number(-shift))
        return self._fill(_lookup(self.time_trunc_sql, grain, "grain"), value=expr)

    def in_reporting_zone(self, expr: exp.Expr) -> exp.Expr:
        """A time-zone-aware timestamp as wall-clock time in the reporting time zone, so
        days and months are cut there and not in the session's zone.

        Raises:
            UserError: the engine cannot convert to that zone.
        """
        utc = self.time_zone == "UTC"
        if self.in_zone_sql is None or not (utc or self.named_zones):
            what = "time zones" if self.in_zone_sql is None else f"time zone '{self.time_zone}'"
            raise UserError(
                f"time-zone-aware dimensions cannot be read in {what} on {self.name}"
                + ("" if self.in_zone_sql is None else "; only UTC is available there")
            )
        zone = exp.Literal.string(self.utc_zone if utc else self.time_zone)
        return self._fill(self.in_zone_sql, value=expr, zone=zone)

    def date_part(self, expr: exp.Expr, part: str) -> exp.Expr:
        """An integer part of a date or timestamp: year, quarter, month, week, day, dow, doy."""
        return self._fill(_lookup(self.date_part_sql, part, "date part"), value=expr)

    def to_double(self, expr: exp.Expr) -> exp.Expr:
        """Cast to the engine's double-precision float."""
        to = exp.DataType.build(self.double_type, dialect=self.sqlglot_name)
        return exp.Cast(this=expr, to=to)

    def safe_divide(self, numerator: exp.Expr, denominator: exp.Expr) -> exp.Expr:
        """True division as a double; NULL when the denominator is 0 or NULL.

        Both sides are cast so integer / integer never truncates (SQLite, PostgreSQL, T-SQL),
        and NULLIF is needed because DuckDB and ClickHouse return inf for x / 0.0.
        """
        zero_is_null = exp.Nullif(
            this=self.to_double(denominator), expression=exp.Literal.number(0)
        )
        return exp.Div(this=self.to_double(numerator), expression=zero_is_null)

    def bool_to_int(self, condition: exp.Expr) -> exp.Expr:
        """1 when the condition holds, else 0: SUM over a boolean fails on PostgreSQL and Spark."""
        when = exp.If(this=condition, true=exp.Literal.number(1))
        return exp.Case(ifs=[when], default=exp.Literal.number(0))

    def add_days(self, date: exp.Expr, amount: exp.Expr) -> exp.Expr:
        """The DATE ``amount`` days after ``date`` (before it when negative)."""
        assert self.add_days_sql is not None, f"{self.name} has no day arithmetic"
        return self._fill(self.add_days_sql, value=date, amount=amount)

    def add_time(self, timestamp: exp.Expr, amount: exp.Expr, unit: str) -> exp.Expr:
        """The timestamp ``amount`` hours, minutes or seconds after ``timestamp``."""
        assert self.add_time_sql is not None, f"{self.name} has no time arithmetic"
        assert unit in ("hour", "minute", "second"), unit
        seconds = {"hour": 3600, "minute": 60, "second": 1}[unit]
        template = self.add_time_sql.format(
            unit=unit, UNIT=unit.upper(), Unit=unit.title(), seconds=seconds
        )
        return self._fill(template, value=timestamp, amount=amount)

    def add_months(self, date: exp.Expr, amount: exp.Expr, early: bool = False) -> exp.Expr:
        """The DATE ``amount`` calendar months after ``date``; a day past the end of the
        target month becomes its last day (31 March less one month is 29 February). ``early``
        says ``date`` is no later than the 28th (a month's first day), where every engine agrees.

        Raises:
            UserError: the engine cannot do this arithmetic the same way as the others.
        """
        if self.add_months_sql is None and early and self.add_months_early_sql is not None:
            return self._fill(self.add_months_early_sql, value=date, amount=amount)
        if self.add_months_sql is None:
            raise UserError(
                f"month arithmetic is not available on {self.name}: its date functions do not "
                "clamp to the end of a month as the other engines do"
            )
        return self._fill(self.add_months_sql, value=date, amount=amount)

    def percentile(self, expr: exp.Expr, fraction: float, discrete: bool = False) -> exp.Expr:
        """An exact percentile aggregate; ``discrete`` picks an input value, else interpolates."""
        if not 0.0 <= fraction <= 1.0:
            raise UserError(f"a percentile must be between 0 and 1, got {fraction}")

        template = self.percentile_disc_sql if discrete else self.percentile_cont_sql
        if template is None:
            raise UserError(_no_percentile_message(self.name, fraction, discrete))

        return self._fill(template, value=expr, fraction=exp.Literal.number(fraction))

    def _fill(self, template: str, **arguments: exp.Expr) -> exp.Expr:
        """Parse a template once and put copies of the argument expressions in its holes."""
        holes = {f"__{key}__": value for key, value in arguments.items()}

        def substitute(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column) and not node.table and node.name in holes:
                return holes[node.name].copy()
            return node

        return _parse_template(template, self.sqlglot_name).transform(substitute)


def render_sql(expression: exp.Expr, dialect: Dialect, pretty: bool = True) -> str:
    """Generate the SQL text of an expression for a dialect."""
    return portable(expression, dialect).sql(dialect=dialect.sqlglot_name, pretty=pretty)


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name`` (or one of its aliases, such as ``sqlserver``).

    >>> get_dialect("PostgreSQL").name
    'postgres'
    """
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key in DIALECTS:
        return DIALECTS[key]

    known = sorted(DIALECTS) + sorted(_ALIASES)
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{_ALIASES.get(close[0], close[0])}'?)" if close else ""
    raise UserError(
        f"unknown dialect '{name}'{hint}; known dialects: {', '.join(sorted(DIALECTS))}"
    )


def dialect_for_target_type(target_type: str) -> Dialect:
    """The dialect of a profile target, from its ``type:`` field."""
    return get_dialect(target_type)


@cache
def _parse_template(template: str, sqlglot_name: str) -> exp.Expr:
    # Cached trees are shared, so callers only ever see transformed copies.
    return sqlglot.parse_one(template, read=sqlglot_name)


def _lookup(templates: Mapping[str, str], key: str, what: str) -> str:
    # Grains and parts are checked when definitions are validated, so a miss here is our bug.
    if key not in templates:
        raise ValueError(f"unknown {what} {key!r}; expected one of {', '.join(templates)}")
    return templates[key]


def _no_percentile_message(dialect_name: str, fraction: float, discrete: bool) -> str:
    kind = "discrete" if discrete else "continuous"
    what = f"median (a {kind} percentile)" if fraction == 0.5 else f"a {kind} percentile"
    able = [
        d.name
        for d in DIALECTS.values()
        if (d.percentile_disc_sql if discrete else d.percentile_cont_sql) is not None
    ]
    return (
        f"{what} is not available on {dialect_name}: the engine has no exact percentile "
        f"aggregate of this kind; it is available on {', '.join(able)}"
    )


def _date_trunc_family(unit_case: str = "lower") -> dict[str, str]:
    """DATE_TRUNC('unit', x), cast to DATE from day up; used where 'week' already means ISO."""
    templates = {}
    for grain in GRAINS:
        unit = grain.upper() if unit_case == "upper" else grain
        trunc = f"DATE_TRUNC('{unit}', {_VALUE})"
        templates[grain] = trunc if grain in SUB_DAY_GRAINS else f"CAST({trunc} AS DATE)"
    return templates


def _function_family(functions: Mapping[str, str]) -> dict[str, str]:
    """One single-argument function per part, e.g. {'year': 'YEAR'} -> 'YEAR(__value__)'."""
    return {part: f"{function}({_VALUE})" for part, function in functions.items()}


def _extract_family(fields: Mapping[str, str], cast_to: str | None = None) -> dict[str, str]:
    """EXTRACT(field FROM x) per part, optionally cast (PostgreSQL's EXTRACT gives NUMERIC)."""
    templates = {}
    for part, field in fields.items():
        extract = f"EXTRACT({field} FROM {_VALUE})"
        templates[part] = f"CAST({extract} AS {cast_to})" if cast_to else extract
    return templates


# DuckDB's ROUND on a double: x * 10^n rounded half away from zero, divided back.
_ROUND_HALF_AWAY = "SIGN(__value__) * FLOOR(ABS(__value__) * __scale__ + 0.5) / __scale__"

_ANSI_FIELDS = {"year": "YEAR", "quarter": "QUARTER", "month": "MONTH", "day": "DAY"}

_WITHIN_GROUP = "PERCENTILE_{kind}({fraction}) WITHIN GROUP (ORDER BY {value})"
_PERCENTILE_CONT = _WITHIN_GROUP.format(kind="CONT", fraction=_FRACTION, value=_VALUE)
_PERCENTILE_DISC = _WITHIN_GROUP.format(kind="DISC", fraction=_FRACTION, value=_VALUE)

# T-SQL's weekday numbering follows SET DATEFIRST; adding @@DATEFIRST cancels it, giving
# 0 for Monday .. 6 for Sunday (learn.microsoft.com, "SET DATEFIRST" and "@@DATEFIRST").
_TSQL_DAYS_SINCE_MONDAY = f"(DATEPART(WEEKDAY, {_VALUE}) + @@DATEFIRST - 2) % 7"

# SQLite keeps dates as ISO text; the date() modifiers are in sqlite.org/lang_datefunc.html.
# 'weekday 0' moves forward to the next Sunday (or stays on one), so -6 days is its Monday.
_SQLITE_MONTH = f"CAST(strftime('%m', {_VALUE}) AS INTEGER)"
_SQLITE_ISO_THURSDAY = f"date({_VALUE}, '-3 days', 'weekday 4')"

_DUCKDB = Dialect(
    add_days_sql="CAST(CAST(__value__ AS DATE) + CAST(__amount__ AS INTEGER) AS DATE)",
    add_months_sql="CAST(__value__ + TO_MONTHS(CAST(__amount__ AS INTEGER)) AS DATE)",
    in_zone_sql="timezone(__zone__, __value__)",
    add_time_sql="CAST(__value__ AS TIMESTAMP) + CAST(__amount__ AS INTEGER) * INTERVAL '1 {unit}'",
    name="duckdb",
    sqlglot_name="duckdb",
    transactional_ddl=True,
    # duckdb_dependencies() does not record what a view reads; its text does.
    view_definitions_sql=(
        "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal"
    ),
    supports_view_comments=True,
    time_trunc_sql=_date_trunc_family(),
    date_part_sql=_function_family(
        {**_ANSI_FIELDS, "week": "WEEK", "dow": "ISODOW", "doy": "DAYOFYEAR"}
    ),
    percentile_cont_sql=f"QUANTILE_CONT({_VALUE}, {_FRACTION})",
    percentile_disc_sql=f"QUANTILE_DISC({_VALUE}, {_FRACTION})",
)

_POSTGRES = Dialect(
    add_days_sql="CAST(__value__ AS DATE) + CAST(__amount__ AS INTEGER)",
    add_months_sql="CAST(__value__ + CAST(__amount__ AS INTEGER) * INTERVAL '1 month' AS DATE)",
    in_zone_sql="__value__ AT TIME ZONE __zone__",
    add_time_sql="CAST(__value__ AS TIMESTAMP) + CAST(__amount__ AS INTEGER) * INTERVAL '1 {unit}'",
    name="postgres",
    sqlglot_name="postgres",
    transactional_ddl=True,
    # A view's rewrite rule depends on each relation it reads (postgresql.org/docs/current,
    # "pg_depend" and "pg_rewrite").
    view_reads_sql=(
        "SELECT DISTINCT vn.nspname, v.relname, rn.nspname, r.relname FROM pg_depend d"
        " JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class"
        " JOIN pg_namespace vn ON vn.oid = v.relnamespace JOIN pg_class r ON r.oid = d.refobjid"
        " JOIN pg_namespace rn ON rn.oid = r.relnamespace"
        " WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass"
        " AND v.oid <> r.oid AND vn.nspname NOT IN ('pg_catalog', 'information_schema')"
    ),
    # postgresql.org/docs/current/sql-createview.html: "the new query must generate the same
    # columns that were generated by the existing view query".
    replace_view_keeps_columns=True,
    # Ends with the deploy's transaction, so a killed deploy never leaves it held.
    try_lock_sql="SELECT pg_try_advisory_xact_lock(:lock_key1, :lock_key2)",
    lock_holder_sql=(
        "SELECT 'process ' || a.pid || ' of ' || a.usename || ' from '"
        " || coalesce(host(a.client_addr), 'a local socket') || ' since '"
        " || date_trunc('second', a.xact_start) FROM pg_locks l"
        " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
        " AND l.classid = :lock_key1 AND l.objid = :lock_key2 AND l.objsubid = 2"
    ),
    supports_view_comments=True,
    time_trunc_sql=_date_trunc_family(),
    date_part_sql=_extract_family(
        {**_ANSI_FIELDS, "week": "WEEK", "dow": "ISODOW", "doy": "DOY"}, cast_to="INT"
    ),
    double_type="DOUBLE PRECISION",
    percentile_cont_sql=_PERCENTILE_CONT,
    percentile_disc_sql=_PERCENTILE_DISC,
    # ROUND(double precision, int) does not exist, and ROUND(double precision) rounds half to
    # even (postgresql.org/docs/current/functions-math.html).
    round_sql=_ROUND_HALF_AWAY,
)

# Snowflake's DATE_TRUNC(WEEK) follows the WEEK_START parameter, the ISO functions do not
# (docs.snowflake.com, "Supported date and time parts", ISO week parts).
_SNOWFLAKE = Dialect(
    add_days_sql="CAST(DATEADD(DAY, __amount__, __value__) AS DATE)",
    add_months_sql="CAST(DATEADD(MONTH, __amount__, __value__) AS DATE)",
    in_zone_sql="CAST(CONVERT_TIMEZONE(__zone__, __value__) AS TIMESTAMP_NTZ)",
    add_time_sql="DATEADD({UNIT}, __amount__, __value__)",
    name="snowflake",
    sqlglot_name="snowflake",
    time_trunc_sql={
        **_date_trunc_family(unit_case="upper"),
        "week": f"DATEADD(DAY, 1 - DAYOFWEEKISO({_VALUE}), CAST({_VALUE} AS DATE))",
    },
    date_part_sql=_function_family(
        {**_ANSI_FIELDS, "week": "WEEKISO", "dow": "DAYOFWEEKISO", "doy": "DAYOFYEAR"}
    ),
    percentile_cont_sql=_PERCENTILE_CONT,
    percentile_disc_sql=_PERCENTILE_DISC,
)

# BigQuery's WEEK starts on Sunday, ISOWEEK on Monday; DAYOFWEEK is 1 for Sunday
# (cloud.google.com/bigquery/docs/reference/standard-sql/date_functions).
# PERCENTILE_CONT exists only as an analytic function there, not as an aggregate.
_BIGQUERY = Dialect(
    add_days_sql="DATE_ADD(CAST(__value__ AS DATE), INTERVAL __amount__ DAY)",
    add_months_sql="DATE_ADD(CAST(__value__ AS DATE), INTERVAL __amount__ MONTH)",
    in_zone_sql="DATETIME(__value__, __zone__)",
    add_time_sql="TIMESTAMP_ADD(__value__, INTERVAL __amount__ {UNIT})",
    name="bigquery",
    sqlglot_name="bigquery",
    time_trunc_sql={
        **{grain: f"TIMESTAMP_TRUNC({_VALUE}, {grain.upper()})" for grain in SUB_DAY_GRAINS},
        "day": f"CAST({_VALUE} AS DATE)",
        "week": f"DATE_TRUNC(CAST({_VALUE} AS DATE), ISOWEEK)",
        "month": f"DATE_TRUNC(CAST({_VALUE} AS DATE), MONTH)",
        "quarter": f"DATE_TRUNC(CAST({_VALUE} AS DATE), QUARTER)",
        "year": f"DATE_TRUNC(CAST({_VALUE} AS DATE), YEAR)",
    },
    date_part_sql={
        **_extract_family({**_ANSI_FIELDS, "week": "ISOWEEK", "doy": "DAYOFYEAR"}),
        "dow": f"MOD(EXTRACT(DAYOFWEEK FROM {_VALUE}) + 5, 7) + 1",
    },
    double_type="FLOAT64",
    explain_prefix=None,
)

# Spark's date_trunc('WEEK') starts on Monday, DAYOFWEEK_ISO and WEEK are ISO
# (spark.apache.org/docs/latest/api/sql, date_trunc and extract). sqlglot rewrites
# PERCENTILE_CONT ... WITHIN GROUP into the approximate PERCENTILE_APPROX for Databricks,
# so the exact percentile(x, f) aggregate is used; discrete has no safe spelling.
_DATABRICKS = Dialect(
    add_days_sql="DATE_ADD(CAST(__value__ AS DATE), __amount__)",
    add_months_sql="ADD_MONTHS(CAST(__value__ AS DATE), __amount__)",
    in_zone_sql="CONVERT_TIMEZONE(__zone__, __value__)",
    # sqlglot writes TIMESTAMPADD as a three-argument DATE_ADD, which Spark does not have.
    add_time_sql="TIMESTAMP_SECONDS(UNIX_SECONDS(__value__) + __amount__ * {seconds})",
    build_aside=True,
    name="databricks",
    sqlglot_name="databricks",
    time_trunc_sql=_date_trunc_family(unit_case="upper"),
    date_part_sql=_extract_family(
        {**_ANSI_FIELDS, "week": "WEEK", "dow": "DAYOFWEEK_ISO", "doy": "DOY"}
    ),
    percentile_cont_sql=f"PERCENTILE({_VALUE}, {_FRACTION})",
)

# Redshift's DATE_TRUNC('week') gives Monday and EXTRACT(WEEK) is ISO; it has no ISODOW,
# DOW is 0 for Sunday; PERCENTILE_DISC is a window function only
# (docs.aws.amazon.com/redshift, "Date parts for date or timestamp functions").
_REDSHIFT = Dialect(
    add_days_sql="CAST(DATEADD(DAY, __amount__, __value__) AS DATE)",
    add_months_sql="CAST(DATEADD(MONTH, __amount__, __value__) AS DATE)",
    in_zone_sql="__value__ AT TIME ZONE __zone__",
    add_time_sql="DATEADD({UNIT}, __amount__, __value__)",
    name="redshift",
    sqlglot_name="redshift",
    time_trunc_sql=_date_trunc_family(),
    date_part_sql={
        **_extract_family({**_ANSI_FIELDS, "week": "WEEK", "doy": "DOY"}, cast_to="INT"),
        "dow": f"(CAST(EXTRACT(DOW FROM {_VALUE}) AS INT) + 6) % 7 + 1",
    },
    double_type="DOUBLE PRECISION",
    percentile_cont_sql=_PERCENTILE_CONT,
)

# Trino's week functions are ISO (trino.io/docs, "Date and time functions"); it has only
# approx_percentile, so no exact percentile.
_TRINO = Dialect(
    add_days_sql="DATE_ADD('day', __amount__, CAST(__value__ AS DATE))",
    add_months_sql="DATE_ADD('month', __amount__, CAST(__value__ AS DATE))",
    in_zone_sql="CAST(__value__ AT TIME ZONE __zone__ AS TIMESTAMP)",
    add_time_sql="DATE_ADD('{unit}', __amount__, __value__)",
    name="trino",
    sqlglot_name="trino",
    time_trunc_sql=_date_trunc_family(),
    date_part_sql=_function_family(
        {**_ANSI_FIELDS, "week": "WEEK", "dow": "DAY_OF_WEEK", "doy": "DAY_OF_YEAR"}
    ),
)

# MySQL has no DATE_TRUNC; WEEKDAY() is 0 for Monday and WEEK(x, 3) is the ISO week
# (dev.mysql.com/doc/refman/8.0/en/date-and-time-functions.html).
_MYSQL = Dialect(
    supports_catalogs=False,
    add_days_sql="DATE_ADD(CAST(__value__ AS DATE), INTERVAL __amount__ DAY)",
    add_months_sql="DATE_ADD(CAST(__value__ AS DATE), INTERVAL __amount__ MONTH)",
    in_zone_sql="CONVERT_TZ(__value__, @@session.time_zone, __zone__)",
    utc_zone="+00:00",
    add_time_sql="DATE_ADD(__value__, INTERVAL __amount__ {UNIT})",
    name="mysql",
    sqlglot_name="mysql",
    # RENAME TABLE renames all its pairs or none (dev.mysql.com/doc/refman/8.0/en/
    # rename-table.html); it renames views too.
    rename_relations_sql="RENAME TABLE {pairs}",
    # A named lock belongs to the session, so a killed deploy's lock goes with its connection.
    try_lock_sql="SELECT GET_LOCK(:lock_name, 0)",
    release_lock_sql="SELECT RELEASE_LOCK(:lock_name)",
    lock_holder_sql=(
        "SELECT CONCAT('connection ', p.ID, ' of ', p.USER, ' from ', p.HOST, ' for ', p.TIME,"
        " ' s') FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(:lock_name)"
    ),
    view_definitions_sql=(
        "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS"
        " WHERE TABLE_SCHEMA NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')"
    ),
    time_trunc_sql={
        # DATETIME(3) would round to the nearest millisecond; this truncates, as elsewhere.
        "millisecond": f"DATE_SUB({_VALUE}, INTERVAL MICROSECOND({_VALUE}) % 1000 MICROSECOND)",
        "second": f"CAST(DATE_FORMAT({_VALUE}, '%Y-%m-%d %H:%i:%s') AS DATETIME)",
        "minute": f"CAST(DATE_FORMAT({_VALUE}, '%Y-%m-%d %H:%i:00') AS DATETIME)",
        "hour": f"CAST(DATE_FORMAT({_VALUE}, '%Y-%m-%d %H:00:00') AS DATETIME)",
        "day": f"DATE({_VALUE})",
        "week": f"DATE_SUB(DATE({_VALUE}), INTERVAL WEEKDAY({_VALUE}) DAY)",
        "month": f"DATE_SUB(DATE({_VALUE}), INTERVAL (DAYOFMONTH({_VALUE}) - 1) DAY)",
        "quarter": (
            f"DATE_ADD(MAKEDATE(YEAR({_VALUE}), 1), INTERVAL (QUARTER({_VALUE}) - 1) QUARTER)"
        ),
        "year": f"MAKEDATE(YEAR({_VALUE}), 1)",
    },
    date_part_sql={
        **_function_family({**_ANSI_FIELDS, "day": "DAYOFMONTH", "doy": "DAYOFYEAR"}),
        "week": f"WEEK({_VALUE}, 3)",
        "dow": f"WEEKDAY({_VALUE}) + 1",
    },
)

# SQLite's date functions round fractions of a second to the nearest millisecond when they
# read the text, so the digits are cut from the ISO text itself, as other engines cut them.
_SQLITE_MILLISECOND = (
    f"strftime('%Y-%m-%d %H:%M:%S', {_VALUE}) || '.' || CASE WHEN substr({_VALUE}, 20, 1) = '.'"
    f" THEN substr(substr({_VALUE}, 21, 3) || '000', 1, 3) ELSE '000' END"
)

_SQLITE = Dialect(
    supports_catalogs=False,
    add_days_sql="DATE(__value__, CAST(__amount__ AS TEXT) || ' days')",
    add_months_early_sql="DATE(__value__, CAST(__amount__ AS TEXT) || ' months')",
    in_zone_sql="datetime(__value__)",
    named_zones=False,
    add_time_sql="DATETIME(__value__, CAST(__amount__ AS TEXT) || ' {unit}s')",
    transactional_ddl=True,  # with BEGIN sent by the engine (warehouse/connect.py)
    name="sqlite",
    sqlglot_name="sqlite",
    time_trunc_sql={
        "millisecond": _SQLITE_MILLISECOND,
        "second": f"strftime('%Y-%m-%d %H:%M:%S', {_VALUE})",
        "minute": f"strftime('%Y-%m-%d %H:%M:00', {_VALUE})",
        "hour": f"strftime('%Y-%m-%d %H:00:00', {_VALUE})",
        "day": f"date({_VALUE})",
        "week": f"date({_VALUE}, 'weekday 0', '-6 days')",
        "month": f"date({_VALUE}, 'start of month')",
        "quarter": (
            f"date({_VALUE}, 'start of month', '-' || (({_SQLITE_MONTH} - 1) % 3) || ' months')"
        ),
        "year": f"date({_VALUE}, 'start of year')",
    },
    date_part_sql={
        "year": f"CAST(strftime('%Y', {_VALUE}) AS INTEGER)",
        "quarter": f"({_SQLITE_MONTH} + 2) / 3",
        "month": _SQLITE_MONTH,
        # The ISO week is the one holding this week's Thursday, counted from that year's start.
        "week": f"(CAST(strftime('%j', {_SQLITE_ISO_THURSDAY}) AS INTEGER) - 1) / 7 + 1",
        "day": f"CAST(strftime('%d', {_VALUE}) AS INTEGER)",
        "dow": f"(CAST(strftime('%w', {_VALUE}) AS INTEGER) + 6) % 7 + 1",
        "doy": f"CAST(strftime('%j', {_VALUE}) AS INTEGER)",
    },
    double_type="REAL",
    # SQLite has no fixed-point type: a cast to DECIMAL keeps every digit. Its ROUND works on
    # the decimal text of a double; SIGN, FLOOR and CONCAT are missing from older releases.
    decimal_round_sql="ROUND(__value__, __scale__)",
    round_sql=(
        "CASE WHEN __value__ < 0 THEN -1.0 ELSE 1.0 END"
        " * CAST(ABS(__value__) * __scale__ + 0.5 AS INTEGER) / __scale__"
    ),
    concat_with_pipes=True,
    supports_schemas=False,
    supports_create_or_replace_view=False,
    view_definitions_sql="SELECT NULL, name, sql FROM sqlite_master WHERE type = 'view'",
)

# toDayOfWeek is 1 for Monday by default; the truncations are wrapped in toDate because
# older releases return DateTime from them (clickhouse.com/docs, "Dates and times").
# A view's column selected as `items.order_id` is named "items.order_id" there (seen with
# chdb 26.9), so a query reading `order_id` from it would resolve to an outer column.
# CAST(NULL AS Float64) is an error, hence Nullable. Day arithmetic is done on Date32: a Date
# counts days in 16 bits and wraps past 2149, which put far days of a time spine in the 1970s.
# No quantileExact* variant matches PERCENTILE_DISC (checked against DuckDB's QUANTILE_DISC),
# so discrete is left out. CAST(float AS Decimal) cuts the digits it drops (29 / 100.0 gives
# 0.28), where DuckDB and PostgreSQL round, hence decimal_round_sql.
_CLICKHOUSE = Dialect(
    supports_catalogs=False,
    alias_qualified_outputs=True,
    # A Float64's shortest text, read as a decimal, is the number DuckDB and PostgreSQL round.
    decimal_round_sql="round(CAST(toString(__value__) AS Nullable(Decimal(38, 15))), __scale__)",
    round_sql=_ROUND_HALF_AWAY,  # its round() is half to even on floats
    add_days_sql="addDays(toDate32(__value__), __amount__)",
    add_months_sql="addMonths(toDate32(__value__), __amount__)",
    # Wall-clock time without a zone, as elsewhere: kept as a DateTime of the zone, the two
    # 01:30 of a night when clocks go back would stay two values.
    in_zone_sql="toDateTime64(toString(toTimeZone(__value__, __zone__)), 6, 'UTC')",
    add_time_sql="add{Unit}s(__value__, __amount__)",
    build_aside=True,
    name="clickhouse",
    sqlglot_name="clickhouse",
    time_trunc_sql={
        "millisecond": f"toStartOfMillisecond({_VALUE})",
        "second": f"toDateTime({_VALUE})",
        "minute": f"toStartOfMinute({_VALUE})",
        "hour": f"toStartOfHour({_VALUE})",
        "day": f"toDate({_VALUE})",
        "week": f"toDate(toMonday({_VALUE}))",
        "month": f"toDate(toStartOfMonth({_VALUE}))",
        "quarter": f"toDate(toStartOfQuarter({_VALUE}))",
        "year": f"toDate(toStartOfYear({_VALUE}))",
    },
    date_part_sql=_function_family(
        {
            "year": "toYear",
            "quarter": "toQuarter",
            "month": "toMonth",
            "week": "toISOWeek",
            "day": "toDayOfMonth",
            "dow": "toDayOfWeek",
            "doy": "toDayOfYear",
        }
    ),
    double_type="Nullable(Float64)",
    percentile_cont_sql=f"quantileExactInclusive({_FRACTION})({_VALUE})",
)

# DATETRUNC needs SQL Server 2022 or Azure SQL; only its WEEK depends on DATEFIRST
# (learn.microsoft.com, "DATETRUNC"). PERCENTILE_CONT is analytic-only in T-SQL.
_TSQL = Dialect(
    add_days_sql="CAST(DATEADD(DAY, __amount__, __value__) AS DATE)",
    add_months_sql="CAST(DATEADD(MONTH, __amount__, __value__) AS DATE)",
    # AT TIME ZONE takes Windows zone names ('Eastern Standard Time'), not IANA ones, and
    # 'UTC' is both (learn.microsoft.com, "AT TIME ZONE"); so only UTC here.
    in_zone_sql="CAST(__value__ AT TIME ZONE __zone__ AS DATETIME2)",
    named_zones=False,
    add_time_sql="DATEADD({UNIT}, __amount__, __value__)",
    name="tsql",
    sqlglot_name="tsql",
    time_trunc_sql={
        **{grain: f"DATETRUNC({grain.upper()}, {_VALUE})" for grain in SUB_DAY_GRAINS},
        "day": f"CAST({_VALUE} AS DATE)",
        "week": f"DATEADD(DAY, -({_TSQL_DAYS_SINCE_MONDAY}), CAST({_VALUE} AS DATE))",
        "month": f"CAST(DATETRUNC(MONTH, {_VALUE}) AS DATE)",
        "quarter": f"CAST(DATETRUNC(QUARTER, {_VALUE}) AS DATE)",
        "year": f"CAST(DATETRUNC(YEAR, {_VALUE}) AS DATE)",
    },
    date_part_sql={
        "year": f"DATEPART(YEAR, {_VALUE})",
        "quarter": f"DATEPART(QUARTER, {_VALUE})",
        "month": f"DATEPART(MONTH, {_VALUE})",
        "week": f"DATEPART(ISO_WEEK, {_VALUE})",
        "day": f"DATEPART(DAY, {_VALUE})",
        "dow": f"{_TSQL_DAYS_SINCE_MONDAY} + 1",
        "doy": f"DATEPART(DAYOFYEAR, {_VALUE})",
    },
    double_type="FLOAT",
    explain_prefix=None,
)

DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        _DUCKDB,
        _POSTGRES,
        _SNOWFLAKE,
        _BIGQUERY,
        _DATABRICKS,
        _REDSHIFT,
        _TRINO,
        _MYSQL,
        _SQLITE,
        _CLICKHOUSE,
        _TSQL,
    )
}

_ALIASES = {
    "sqlserver": "tsql",
    "mssql": "tsql",
    "mariadb": "mysql",
    "spark": "databricks",
    "postgresql": "postgres",
}
