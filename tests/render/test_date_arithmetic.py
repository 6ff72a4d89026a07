"""Day and month arithmetic per dialect, executed where the engine runs here, against dates
worked out with a calendar."""

from __future__ import annotations

import datetime

import pytest
import sqlglot
from sqlglot import exp

from semantic_layer.errors import UserError
from semantic_layer.render.dialects import DIALECTS, get_dialect, render_sql

D = datetime.date
# (start, amount, expected): leap days, year ends, and months of 28, 30 and 31 days.
DAYS = [
    (D(2024, 2, 28), 1, D(2024, 2, 29)),
    (D(2024, 3, 1), -1, D(2024, 2, 29)),
    (D(2023, 12, 31), 1, D(2024, 1, 1)),
    (D(2024, 3, 10), -6, D(2024, 3, 4)),
    (D(2024, 1, 1), 0, D(2024, 1, 1)),
]
MONTHS = [
    (D(2024, 3, 31), -1, D(2024, 2, 29)),  # clamped to the end of February
    (D(2023, 3, 31), -1, D(2023, 2, 28)),
    (D(2024, 5, 31), -1, D(2024, 4, 30)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2024, 2, 29), -12, D(2023, 2, 28)),
]


def _as_date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _select(expression: exp.Expr) -> exp.Select:
    return exp.select(exp.alias_(expression, "result"))


def _date(value: datetime.date) -> exp.Expr:
    return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("date"))


@pytest.fixture(
    params=[
        "duckdb",
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
        pytest.param("spark", marks=pytest.mark.spark),
        pytest.param("clickhouse", marks=pytest.mark.clickhouse),
    ]
)
def run(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return get_dialect(request.param), request.getfixturevalue(f"{request.param}_run")


@pytest.mark.parametrize(("start", "amount", "expected"), DAYS)
def test_add_days_executes(run, start, amount, expected) -> None:  # type: ignore[no-untyped-def]
    dialect, runner = run
    sql = render_sql(_select(dialect.add_days(_date(start), exp.Literal.number(amount))), dialect)
    assert _as_date(runner(sql)[0][0]) == expected


@pytest.mark.parametrize(("start", "amount", "expected"), MONTHS)
def test_add_months_executes_and_clamps(run, start, amount, expected) -> None:  # type: ignore[no-untyped-def]
    dialect, runner = run
    if dialect.add_months_sql is None:
        with pytest.raises(UserError, match="month arithmetic is not available"):
            dialect.add_months(_date(start), exp.Literal.number(amount))
        return
    sql = render_sql(_select(dialect.add_months(_date(start), exp.Literal.number(amount))), dialect)
    assert _as_date(runner(sql)[0][0]) == expected


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_arithmetic_parses_back_in_every_dialect(name: str) -> None:
    dialect = DIALECTS[name]
    pieces = [dialect.add_days(exp.column("d"), exp.column("n"))]
    if dialect.add_months_sql is not None:
        pieces.append(dialect.add_months(exp.column("d"), exp.column("n")))
    for piece in pieces:
        text = render_sql(_select(piece), dialect)
        assert sqlglot.parse_one(text, read=dialect.sqlglot_name) is not None


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        (D(2024, 3, 1), -1, D(2024, 2, 1)),
        (D(2024, 1, 1), 1, D(2024, 2, 1)),
        (D(2024, 1, 1), -12, D(2023, 1, 1)),
    ],
)
def test_month_arithmetic_from_a_months_first_day_runs_everywhere(
    run, start, amount, expected
) -> None:  # type: ignore[no-untyped-def]
    dialect, runner = run
    shifted = dialect.add_months(_date(start), exp.Literal.number(amount), early=True)
    assert _as_date(runner(render_sql(_select(shifted), dialect))[0][0]) == expected
