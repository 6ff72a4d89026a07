"""Weeks start on Monday unless the project says otherwise, on every dialect alike. The tiny
shop's orders fall on Mon 12 Feb, Thu 15 Feb, Tue 5 Mar, Sun 10 Mar, Mon 11 Mar and Wed 13 Mar
2024 (amounts 10, 5, 7, 3, 4, 8)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

import duckdb
import pytest
from sqlglot import exp

from semantic_layer import api
from semantic_layer.errors import UserError
from semantic_layer.render.dialects import get_dialect, render_sql
from tests.helpers import tiny_shop


def _with_week_start(options: api.Options, day: str) -> api.Options:
    config = options.project_dir / "sl_project.yml"
    config.write_text(config.read_text() + f"week-start: {day}\n")
    return options


def test_sunday_weeks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = _with_week_start(tiny_shop(tmp_path), "sunday")
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=["revenue"], group_by=["metric_time__week"], where=[],
                       order_by=["metric_time__week"], limit=None)  # fmt: skip
    # Sunday weeks: 11-17 Feb (10 + 5), 3-9 Mar (7), 10-16 Mar (3 + 4 + 8).
    assert result.rows == (
        (date(2024, 2, 11), 15),
        (date(2024, 3, 3), 7),
        (date(2024, 3, 10), 15),
    )


def test_an_unknown_week_start_points_at_the_project_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = _with_week_start(tiny_shop(tmp_path), "sundy")
    with pytest.raises(UserError, match="did you mean 'sunday'"):
        api.validate(options)


@pytest.mark.parametrize(("shift", "expected"), [(1, "2024-03-10"), (2, "2024-03-09")])
@pytest.mark.parametrize("day", ["2024-03-10", "2024-03-11", "2024-03-15"])
def test_shifted_week_starts_execute_on_duckdb_and_sqlite(shift, expected, day) -> None:  # type: ignore[no-untyped-def]
    # Sunday weeks (shift 1) start on Sun 10 Mar for 10, 11 and 15 Mar; Saturday weeks
    # (shift 2) on Sat 9 Mar for all three too.
    runners = {
        "duckdb": lambda sql: duckdb.sql(sql).fetchall(),
        "sqlite": lambda sql: sqlite3.connect(":memory:").execute(sql).fetchall(),
    }
    for name, run in runners.items():
        dialect = get_dialect(name)
        shifted = replace(dialect, week_start_shift=shift)
        value = exp.Cast(this=exp.Literal.string(day), to=exp.DataType.build("date"))
        sql = render_sql(exp.select(shifted.time_trunc(value, "week")), shifted)
        assert str(run(sql)[0][0]) == expected, name
