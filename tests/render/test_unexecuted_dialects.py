"""Dialects that no engine here can run: every per-dialect construct is compiled and parsed
back, and each stays a strict expected failure until it is executed somewhere.

When an engine becomes runnable, give it a runner in tests/render/conftest.py and add it to
RUNNABLE below: these tests then pass, strict xfail turns that into a failure, and the
construct moves to the executed tests (tests/render/test_dialects.py and the engine matrix).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlglot
from sqlglot import exp

from semantic_layer.render.dialects import DATE_PARTS, GRAINS, Dialect, get_dialect, render_sql

# Databricks SQL is Spark's SQL: its output runs on Spark in local mode, in every test that
# is marked spark. What is left unproven there is the Databricks service itself.
COMPILED_ONLY = ("snowflake", "bigquery", "redshift", "trino", "tsql")
RUNNABLE: dict[str, Callable[[str], list[tuple]]] = {}

ts, a, b = exp.column("ts"), exp.column("a"), exp.column("b")
CONSTRUCTS: dict[str, Callable[[Dialect], exp.Expr]] = {
    **{f"time_trunc_{g}": (lambda d, g=g: d.time_trunc(ts.copy(), g)) for g in GRAINS},
    **{f"date_part_{p}": (lambda d, p=p: d.date_part(ts.copy(), p)) for p in DATE_PARTS},
    "add_days": lambda d: d.add_days(ts.copy(), a.copy()),
    "add_months": lambda d: d.add_months(ts.copy(), a.copy()),
    "safe_divide": lambda d: d.safe_divide(a.copy(), b.copy()),
    "boolean_sum": lambda d: exp.Sum(this=d.bool_to_int(a.copy() > b.copy())),
    "round": lambda d: sqlglot.parse_one("round(a / 3.0, 2)", read="duckdb"),
    "concat": lambda d: sqlglot.parse_one("concat(a, '-', b)", read="duckdb"),
    "decimal_cast": lambda d: sqlglot.parse_one("cast(a / 100.0 as decimal(18, 2))"),
}
CASES = [(name, construct) for name in COMPILED_ONLY for construct in CONSTRUCTS]


@pytest.mark.parametrize(("name", "construct"), CASES)
def test_construct_compiles_and_parses_back(name: str, construct: str) -> None:
    dialect = get_dialect(name)
    text = render_sql(exp.select(CONSTRUCTS[construct](dialect)).from_("t"), dialect)

    assert sqlglot.parse_one(text, read=dialect.sqlglot_name) is not None, text


@pytest.mark.parametrize("name", COMPILED_ONLY)
def test_constructs_are_executed(name: str, request: pytest.FixtureRequest) -> None:
    if name not in RUNNABLE:
        request.applymarker(
            pytest.mark.xfail(strict=True, reason=f"{name} is compiled only: no engine here")
        )
    dialect = get_dialect(name)
    run = RUNNABLE.get(name)

    assert run is not None, f"no {name} engine to run {', '.join(CONSTRUCTS)}"
    for construct in CONSTRUCTS.values():
        run(render_sql(exp.select(construct(dialect)).from_("t"), dialect))
