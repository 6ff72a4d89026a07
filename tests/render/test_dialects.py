"""Dialect building blocks run on real engines and checked against values computed by hand."""

from __future__ import annotations

import datetime
import doctest
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlglot
from sqlglot import exp

from semantic_layer.errors import UserError
from semantic_layer.render import dialects
from semantic_layer.render.dialects import (
    DATE_PARTS,
    DIALECTS,
    GRAINS,
    SUB_DAY_GRAINS,
    Dialect,
    dialect_for_target_type,
    get_dialect,
    render_sql,
)

Runner = Callable[[str], list[tuple]]

# Worked out with a calendar: 2024-03-10 is a Sunday, 2024-03-11 a Monday, 2024-12-31 a
# Tuesday in ISO week 1 of 2025, 2021-01-03 a Sunday in ISO week 53 of 2020, 2024-02-29 a
# Thursday (leap day).
TRUNCATED = {
    "2024-03-10 23:30:45": {
        "second": "2024-03-10 23:30:45",
        "minute": "2024-03-10 23:30:00",
        "hour": "2024-03-10 23:00:00",
        "day": "2024-03-10",
        "week": "2024-03-04",
        "month": "2024-03-01",
        "quarter": "2024-01-01",
        "year": "2024-01-01",
    },
    "2024-03-11 00:10:00": {
        "second": "2024-03-11 00:10:00",
        "minute": "2024-03-11 00:10:00",
        "hour": "2024-03-11 00:00:00",
        "day": "2024-03-11",
        "week": "2024-03-11",
        "month": "2024-03-01",
        "quarter": "2024-01-01",
        "year": "2024-01-01",
    },
    "2024-12-31 18:05:07": {
        "second": "2024-12-31 18:05:07",
        "minute": "2024-12-31 18:05:00",
        "hour": "2024-12-31 18:00:00",
        "day": "2024-12-31",
        "week": "2024-12-30",
        "month": "2024-12-01",
        "quarter": "2024-10-01",
        "year": "2024-01-01",
    },
    "2021-01-03 12:00:00": {
        "second": "2021-01-03 12:00:00",
        "minute": "2021-01-03 12:00:00",
        "hour": "2021-01-03 12:00:00",
        "day": "2021-01-03",
        "week": "2020-12-28",
        "month": "2021-01-01",
        "quarter": "2021-01-01",
        "year": "2021-01-01",
    },
    "2024-02-29 06:59:59": {
        "second": "2024-02-29 06:59:59",
        "minute": "2024-02-29 06:59:00",
        "hour": "2024-02-29 06:00:00",
        "day": "2024-02-29",
        "week": "2024-02-26",
        "month": "2024-02-01",
        "quarter": "2024-01-01",
        "year": "2024-01-01",
    },
}

PARTS = {
    "2024-03-10 23:30:45": dict(year=2024, quarter=1, month=3, week=10, day=10, dow=7, doy=70),
    "2024-03-11 00:10:00": dict(year=2024, quarter=1, month=3, week=11, day=11, dow=1, doy=71),
    "2024-12-31 18:05:07": dict(year=2024, quarter=4, month=12, week=1, day=31, dow=2, doy=366),
    "2021-01-03 12:00:00": dict(year=2021, quarter=1, month=1, week=53, day=3, dow=7, doy=3),
    "2024-02-29 06:59:59": dict(year=2024, quarter=1, month=2, week=9, day=29, dow=4, doy=60),
}


@dataclass(frozen=True)
class Engine:
    """A running engine, the dialect it speaks, and whether timestamps need a typed literal."""

    dialect: Dialect
    run: Runner
    typed_timestamps: bool = True

    def timestamp(self, text: str) -> exp.Expression:
        literal = exp.Literal.string(text)
        # SQLite has no timestamp type: dates are ISO text (sqlite.org/lang_datefunc.html).
        return exp.cast(literal, "TIMESTAMP") if self.typed_timestamps else literal

    def one_value(self, expression: exp.Expression, **columns: exp.Expression) -> object:
        """Evaluate an expression over a one-row table with the given columns."""
        row = exp.select(*(exp.alias_(value, name) for name, value in columns.items()))
        query = exp.select(exp.alias_(expression, "v")).from_(row.subquery("t"))
        return self.run(render_sql(query, self.dialect))[0][0]

    def over_rows(self, expression: exp.Expression, values: list[int | None]) -> object:
        """Evaluate an aggregate over a one-column table ``t(x)`` holding ``values``."""
        rows = [exp.select(exp.alias_(_literal(value), "x")) for value in values]
        table = rows[0]
        for row in rows[1:]:
            table = exp.union(table, row, distinct=False)
        query = exp.select(exp.alias_(expression, "v")).from_(table.subquery("t"))
        return self.run(render_sql(query, self.dialect))[0][0]


def _literal(value: int | None) -> exp.Expression:
    return exp.null() if value is None else exp.Literal.number(value)


ENGINE_PARAMS = [
    "duckdb",
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("clickhouse", marks=pytest.mark.clickhouse),
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
    pytest.param("spark", marks=pytest.mark.spark),
]


@pytest.fixture(params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest) -> Engine:
    run = request.getfixturevalue(f"{request.param}_run")
    return Engine(get_dialect(request.param), run, typed_timestamps=request.param != "sqlite")


@pytest.fixture(
    params=[
        "duckdb",
        pytest.param("clickhouse", marks=pytest.mark.clickhouse),
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("spark", marks=pytest.mark.spark),
    ]
)
def percentile_engine(request: pytest.FixtureRequest) -> Engine:
    return Engine(get_dialect(request.param), request.getfixturevalue(f"{request.param}_run"))


TRUNC_CASES = [(ts, grain) for ts, by_grain in TRUNCATED.items() for grain in by_grain]
PART_CASES = [(ts, part) for ts, by_part in PARTS.items() for part in by_part]


@pytest.mark.parametrize(("timestamp", "grain"), TRUNC_CASES)
def test_time_trunc_runs(engine: Engine, timestamp: str, grain: str) -> None:
    ts = exp.column("ts")
    value = engine.one_value(engine.dialect.time_trunc(ts, grain), ts=engine.timestamp(timestamp))

    assert str(value) == TRUNCATED[timestamp][grain]
    if isinstance(value, datetime.date):
        # The contract: a DATE from day up, a timestamp below.
        assert isinstance(value, datetime.datetime) == (grain in SUB_DAY_GRAINS)


@pytest.mark.parametrize("grain", GRAINS)
def test_clickhouse_time_trunc_types(clickhouse_run: Runner, grain: str) -> None:
    clickhouse = get_dialect("clickhouse")
    ts = exp.column("ts")
    type_name = exp.Anonymous(this="toTypeName", expressions=[clickhouse.time_trunc(ts, grain)])
    engine = Engine(clickhouse, clickhouse_run)

    value = engine.one_value(type_name, ts=engine.timestamp("2024-03-10 23:30:45"))

    expected = {"millisecond": "DateTime64(3)"}.get(grain, "DateTime")
    assert value.removeprefix("Nullable(").removesuffix(")") == (
        expected if grain in SUB_DAY_GRAINS else "Date"
    )


@pytest.mark.parametrize(("timestamp", "part"), PART_CASES)
def test_date_part_runs(engine: Engine, timestamp: str, part: str) -> None:
    ts = exp.column("ts")
    value = engine.one_value(engine.dialect.date_part(ts, part), ts=engine.timestamp(timestamp))

    assert int(value) == PARTS[timestamp][part]


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(3, 2, 1.5), (-7, 2, -3.5), (1, 0, None), (0, 0, None), (1, None, None)],
)
def test_safe_divide_runs(
    engine: Engine, numerator: int, denominator: int | None, expected: float | None
) -> None:
    divide = engine.dialect.safe_divide(exp.column("a"), exp.column("b"))

    value = engine.one_value(divide, a=_literal(numerator), b=_literal(denominator))

    assert value == expected


def test_bool_to_int_sums_on_every_engine(engine: Engine) -> None:
    count = exp.Sum(this=engine.dialect.bool_to_int(exp.column("x") > exp.Literal.number(1)))

    assert int(engine.over_rows(count, [1, 2, 3, None])) == 2


@pytest.mark.parametrize(("fraction", "expected"), [(0.5, 2.5), (0.9, 3.7), (0.0, 1.0)])
def test_continuous_percentile_runs(
    percentile_engine: Engine, fraction: float, expected: float
) -> None:
    aggregate = percentile_engine.dialect.percentile(exp.column("x"), fraction)

    assert percentile_engine.over_rows(aggregate, [4, 1, None, 3, 2]) == pytest.approx(expected)


@pytest.mark.parametrize(("fraction", "expected"), [(0.5, 2), (0.75, 3), (0.9, 4)])
def test_discrete_percentile_runs(
    duckdb_run: Runner, postgres_run: Runner, fraction: float, expected: int
) -> None:
    for name, run in (("duckdb", duckdb_run), ("postgres", postgres_run)):
        engine = Engine(get_dialect(name), run)
        aggregate = engine.dialect.percentile(exp.column("x"), fraction, discrete=True)

        assert engine.over_rows(aggregate, [4, 1, None, 3, 2]) == expected, name


def test_percentile_missing_on_a_dialect_is_a_user_error() -> None:
    with pytest.raises(UserError, match=r"median \(a continuous percentile\) is not available on "):
        get_dialect("sqlite").percentile(exp.column("x"), 0.5)

    with pytest.raises(UserError, match="discrete percentile is not available on clickhouse"):
        get_dialect("clickhouse").percentile(exp.column("x"), 0.25, discrete=True)


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=list(DIALECTS))
def test_every_dialect_parses_back_its_own_output(dialect: Dialect) -> None:
    ts, a, b = exp.column("ts"), exp.column("a"), exp.column("b")
    pieces = [dialect.time_trunc(ts, grain) for grain in GRAINS]
    pieces += [dialect.date_part(ts, part) for part in DATE_PARTS]
    pieces += [dialect.safe_divide(a, b), dialect.bool_to_int(a > b)]

    for piece in pieces:
        text = render_sql(exp.select(piece).from_("events"), dialect)

        assert sqlglot.parse_one(text, read=dialect.sqlglot_name) is not None, text


# Pinned only where the text itself is the decision: each week start avoids a session setting
# or a Sunday default documented in the engine's manual (see the comments in dialects.py).
PINNED = [
    ("mysql", "week", "DATE_SUB(DATE(ts), INTERVAL (WEEKDAY(ts)) DAY)"),
    ("bigquery", "week", "DATE_TRUNC(CAST(ts AS DATE), ISOWEEK)"),
    ("snowflake", "week", "DATEADD(DAY, 1 - DAYOFWEEKISO(ts), CAST(ts AS DATE))"),
    (
        "tsql",
        "week",
        "DATEADD(DAY, -((DATEPART(WEEKDAY, ts) + @@DATEFIRST - 2) % 7), CAST(ts AS DATE))",
    ),
]


@pytest.mark.parametrize(("name", "grain", "expected"), PINNED)
def test_week_start_text(name: str, grain: str, expected: str) -> None:
    dialect = get_dialect(name)

    text = render_sql(dialect.time_trunc(exp.column("ts"), grain), dialect, pretty=False)

    assert text == expected


def test_databricks_percentile_stays_exact() -> None:
    # sqlglot turns PERCENTILE_CONT ... WITHIN GROUP into PERCENTILE_APPROX for Databricks.
    databricks = get_dialect("databricks")

    assert render_sql(databricks.percentile(exp.column("x"), 0.5), databricks) == (
        "PERCENTILE(x, 0.5)"
    )


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=list(DIALECTS))
def test_every_dialect_covers_every_grain_and_part(dialect: Dialect) -> None:
    assert set(dialect.time_trunc_sql) == set(GRAINS)
    assert set(dialect.date_part_sql) == set(DATE_PARTS)


def test_templates_are_not_shared_between_calls() -> None:
    duck = get_dialect("duckdb")
    first = duck.time_trunc(exp.column("a"), "month")
    duck.time_trunc(exp.column("b"), "month").find(exp.Column).replace(exp.column("c"))

    assert render_sql(first, duck) == "CAST(DATE_TRUNC('MONTH', a) AS DATE)"
    assert render_sql(duck.time_trunc(exp.column("d"), "month"), duck).endswith("d) AS DATE)")


def test_unknown_dialect_suggests_the_closest_name() -> None:
    with pytest.raises(UserError, match="did you mean 'postgres'"):
        get_dialect("postgress")


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("sqlserver", "tsql"),
        ("mariadb", "mysql"),
        ("spark", "databricks"),
        ("Postgresql", "postgres"),
    ],
)
def test_aliases(alias: str, name: str) -> None:
    assert get_dialect(alias).name == name
    assert dialect_for_target_type(alias) is DIALECTS[name]


def test_sqlglot_names_are_known_to_sqlglot() -> None:
    for dialect in DIALECTS.values():
        assert sqlglot.Dialect.get(dialect.sqlglot_name) is not None, dialect.name


def test_docstring_examples() -> None:
    assert doctest.testmod(dialects).failed == 0


# A typed literal that keeps microseconds on each engine: MySQL's DATETIME and ClickHouse's
# DateTime drop fractions of a second unless given a precision.
FRACTIONAL_TYPES = {"mysql": "DATETIME(6)", "clickhouse": "DateTime64(6)"}


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2024-03-10 23:30:45.678912", "2024-03-10 23:30:45.678"),
        ("2024-03-10 23:30:45.999999", "2024-03-10 23:30:45.999"),  # cut, never rounded up
        ("2024-02-29 06:59:59.000500", "2024-02-29 06:59:59.000"),
    ],
)
def test_millisecond_truncation_cuts_the_rest(
    engine: Engine, timestamp: str, expected: str
) -> None:
    literal: exp.Expression = exp.Literal.string(timestamp)
    if engine.typed_timestamps:
        type_name = FRACTIONAL_TYPES.get(engine.dialect.name, "TIMESTAMP")
        literal = exp.Cast(this=literal, to=exp.DataType.build(type_name, dialect="clickhouse"))
    ts = exp.column("ts")

    value = engine.one_value(engine.dialect.time_trunc(ts, "millisecond"), ts=literal)

    if isinstance(value, datetime.datetime):
        value = value.isoformat(sep=" ", timespec="milliseconds")
    assert value == expected


# Worked by hand: 2024-02-28 22:30:00 plus 3 hours is 01:30 on 29 February (a leap day);
# minus 90 minutes is 21:00; plus 45 seconds is 22:30:45.
ADDED = [
    ("hour", 3, "2024-02-29 01:30:00"),
    ("minute", -90, "2024-02-28 21:00:00"),
    ("second", 45, "2024-02-28 22:30:45"),
]


@pytest.mark.parametrize(("unit", "amount", "expected"), ADDED)
def test_add_time_runs(engine: Engine, unit: str, amount: int, expected: str) -> None:
    ts = exp.column("ts")
    shifted = engine.dialect.add_time(ts, exp.column("n"), unit)

    value = engine.one_value(
        shifted, ts=engine.timestamp("2024-02-28 22:30:00"), n=exp.Literal.number(amount)
    )

    assert str(value)[:19] == expected


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=list(DIALECTS))
def test_add_time_parses_back(dialect: Dialect) -> None:
    for unit in ("hour", "minute", "second"):
        piece = dialect.add_time(exp.column("ts"), exp.column("n"), unit)
        text = render_sql(exp.select(piece).from_("events"), dialect)

        assert sqlglot.parse_one(text, read=dialect.sqlglot_name) is not None, text
