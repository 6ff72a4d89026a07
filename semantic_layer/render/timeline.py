"""Aggregates that work along time into common table expressions: a spine of days, the
windows of cumulative metrics, the value each coarser period takes, and offsets."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.plan.nodes import AggregateNode, CumulativeStep, OffsetStep, TimeAxis
from semantic_layer.render.dialects import Dialect
from semantic_layer.render.measures import aggregate_measure
from semantic_layer.spec.objects import Agg, Grain, PeriodAgg, Window

DIGITS = "sl_digits"
# Aggregations whose value over a window is the same aggregation of per-day values: their rows
# are aggregated by day before the window reads them, so a window joins days to days rather
# than to every row (on TPC-H, 2,500 days instead of 6 million lines). A distinct count or a
# percentile must read the rows themselves; a count or a boolean sum would turn into a sum of
# counts, whose type differs on some engines.
_BY_DAY_FIRST = {Agg.SUM: exp.Sum, Agg.MIN: exp.Min, Agg.MAX: exp.Max}
_PLACES = 5  # 10**5 days: a spine reaching about 270 years back from the last day of data
_DAY = "day"


def digits_select() -> exp.Select:
    """The ten digits as rows, crossed with themselves to count the days of a time spine."""
    branches = [exp.select(exp.alias_(exp.Literal.number(d), "n")) for d in range(10)]
    union: exp.Query = branches[0]
    for branch in branches[1:]:
        union = exp.union(union, branch, distinct=False)
    return exp.select("n").from_(union.subquery("digits"))


def cumulative_ctes(
    node: AggregateNode, step: CumulativeStep, rows: exp.Select, dialect: Dialect, final: str
) -> list[tuple[str, exp.Select]]:
    """Rows filtered once; every day from the first to the last day of data (the time spine);
    each shown day's window aggregated; then one value per period of the query's grain. The
    last expression is called ``final``."""
    axis = step.axis
    dims = [name for name in node.grain if name != axis.time_column]
    names = {part: f"{node.name}__{part}" for part in ("rows", "days", "daily")}
    daily_name = final if axis.grain is axis.base_grain else names["daily"]

    kept = [axis.day_column, *dims, *(m.name for m in node.measures)]
    filtered = exp.select(*(sqlnames.column(name) for name in dict.fromkeys(kept))).from_(
        rows.subquery(sqlnames.identifier("src"))
    )
    if node.where:
        filtered = filtered.where(*(condition.copy() for condition in node.where))
    if _by_day_first(node):
        keys = [sqlnames.column(name) for name in dict.fromkeys([axis.day_column, *dims])]
        values = [
            exp.alias_(aggregate_measure(m, dialect), sqlnames.identifier(m.name))
            for m in node.measures
        ]
        filtered.set("expressions", [*keys, *values])
        filtered = filtered.group_by(*(key.copy() for key in keys), copy=False)

    ctes = [
        (names["rows"], filtered),
        (names["days"], _days(axis, axis.day_column, names["rows"], dialect)),
        (daily_name, _daily(node, step, dims, names, dialect)),
    ]
    if axis.grain is not axis.base_grain:
        ctes.append((final, _per_period(node, step, dims, daily_name, dialect)))
    return ctes


def offset_ctes(
    node: AggregateNode, step: OffsetStep, base: str, final: str, dialect: Dialect
) -> list[tuple[str, exp.Select]]:
    """Each period shown, from the first to the last period of ``base``, takes the values
    ``base`` holds for the earlier period its offset names."""
    earlier = _earlier_period(step, sqlnames.column(step.axis.time_column, "p"), dialect)
    return _periods_joined(node, step.axis, base, final, earlier, "inner", dialect)


def spine_ctes(
    node: AggregateNode, axis: TimeAxis, base: str, final: str, dialect: Dialect
) -> list[tuple[str, exp.Select]]:
    """Every period from the first to the last period of ``base``, with its values where it
    has any (``join_to_timespine``): a period without rows is shown, not skipped."""
    same = sqlnames.column(axis.time_column, "p")
    return _periods_joined(node, axis, base, final, same, "left", dialect)


def _periods_joined(
    node: AggregateNode,
    axis: TimeAxis,
    base: str,
    final: str,
    period_read: exp.Expr,
    join_type: str,
    dialect: Dialect,
) -> list[tuple[str, exp.Select]]:
    """The periods shown (from the spine of days between the first and last period of
    ``base``), each joined to the row of ``base`` whose period is ``period_read``."""
    dims = [name for name in node.grain if name != axis.time_column]
    days, periods = f"{final}__spine", f"{final}__periods"
    time = sqlnames.column(axis.time_column)
    shown = (
        exp.select(exp.alias_(dialect.time_trunc(time.copy(), axis.grain.value), time.name))
        .distinct()
        .from_(sqlnames.table(days))
    )
    joined = (
        exp.select(
            sqlnames.column(axis.time_column, "p"),
            *(sqlnames.column(name, "b") for name in dims),
            *(sqlnames.column(m.name, "b") for m in node.measures),
        )
        .from_(exp.alias_(sqlnames.table(periods), "p"))
        .join(
            exp.alias_(sqlnames.table(base), "b"),
            on=exp.EQ(this=sqlnames.column(axis.time_column, "b"), expression=period_read),
            join_type=join_type,
        )
    )
    return [
        (days, _days(axis, axis.time_column, base, dialect)),
        (periods, shown),
        (final, joined),
    ]


def _earlier_period(step: OffsetStep, period: exp.Expr, dialect: Dialect) -> exp.Expr:
    """The start of the period an offset reads, at the query's grain."""
    grain, offset = step.axis.grain, step.offset
    if offset.to_grain is not None:
        start = dialect.time_trunc(period, offset.to_grain.value)
        return dialect.time_trunc(start, grain.value)
    assert offset.window is not None
    # A period of a month or more starts on the 1st, where month arithmetic never clamps.
    early = grain.rank >= Grain.MONTH.rank
    sub_day = grain.rank < Grain.DAY.rank
    moved = shift(offset.window, period, -1, dialect, early, sub_day)
    return dialect.time_trunc(moved, grain.value)


def shift(
    window: Window,
    day: exp.Expr,
    sign: int,
    dialect: Dialect,
    early: bool = False,
    sub_day: bool = False,
) -> exp.Expr:
    """``day`` moved by ``window`` (forwards for sign 1, backwards for -1), in calendar terms
    for months, quarters and years. A timestamp (``day`` cut to an hour) moves by hours, so
    its time of day is kept."""
    if window.grain is Grain.HOUR or (sub_day and window.grain in (Grain.DAY, Grain.WEEK)):
        hours = window.count * {Grain.HOUR: 1, Grain.DAY: 24, Grain.WEEK: 168}[window.grain]
        return dialect.add_time(day, exp.Literal.number(sign * hours), "hour")
    if window.grain in (Grain.DAY, Grain.WEEK):
        days = window.count * (7 if window.grain is Grain.WEEK else 1)
        return dialect.add_days(day, exp.Literal.number(sign * days))
    months = window.count * {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[window.grain]
    return dialect.add_months(day, exp.Literal.number(sign * months), early)


def _days(axis: TimeAxis, day_column: str, source: str, dialect: Dialect) -> exp.Select:
    """Every day from the first to the last ``day_column`` of ``source`` (at most 10**5 days,
    or 10**6 hours, back from the last), as ``day_column``, less the days the query's filters
    on metric_time do not show."""
    day = sqlnames.column(day_column)
    first = exp.select(exp.Min(this=day.copy())).from_(sqlnames.table(source)).subquery()
    last = exp.select(exp.Max(this=day.copy())).from_(sqlnames.table(source)).subquery()
    # Hours need a sixth digit: 10**5 hours are only about 11 years.
    hourly = axis.base_grain.rank < Grain.DAY.rank
    places = _PLACES + 1 if hourly else _PLACES
    count: exp.Expr = exp.column("n", "d0")
    for place in range(1, places):
        digit = exp.Mul(this=exp.Literal.number(10**place), expression=exp.column("n", f"d{place}"))
        count = exp.Add(this=count, expression=digit)

    # Counted back from the last day, so the most recent days are always there: a stray row
    # centuries old can only lose days older than the spine's reach (10**5 days, 10**6 hours).
    back = exp.Neg(this=exp.Paren(this=count))
    step = dialect.add_time(last, back, "hour") if hourly else dialect.add_days(last, back)
    spine = exp.select(exp.alias_(step, sqlnames.identifier(day_column))).from_(
        exp.alias_(sqlnames.table(DIGITS), "d0")
    )
    for place in range(1, places):
        spine = spine.join(exp.alias_(sqlnames.table(DIGITS), f"d{place}"), join_type="cross")

    if axis.base_grain.rank > Grain.DAY.rank:
        # A coarser spine: the distinct periods of the days (every month between, say).
        period = dialect.time_trunc(day.copy(), axis.base_grain.value)
        spine = (
            exp.select(exp.alias_(period, sqlnames.identifier(day_column)))
            .distinct()
            .from_(spine.subquery(sqlnames.identifier("days")))
        )
    columns: list[exp.Expr] = [day.copy()]
    for name, grain in axis.time_columns:
        if name != day_column:
            trunc = dialect.time_trunc(day.copy(), grain.value)
            columns.append(exp.alias_(trunc, sqlnames.identifier(name)))
    bounded = (
        exp.select(*columns)
        .from_(spine.subquery(sqlnames.identifier("spine")))
        .where(exp.GTE(this=day.copy(), expression=first))
    )
    shown = exp.select(day.copy()).from_(bounded.subquery(sqlnames.identifier("shown")))
    if axis.time_where:
        shown = shown.where(*(condition.copy() for condition in axis.time_where))
    return shown


def _daily(
    node: AggregateNode,
    step: CumulativeStep,
    dims: list[str],
    names: dict[str, str],
    dialect: Dialect,
) -> exp.Select:
    """For each shown day, the measures over the rows of the window that ends on it."""
    shown_day = sqlnames.column(step.axis.day_column, "d")
    row_day = sqlnames.column(step.axis.day_column, "r")
    condition: exp.Expr = exp.LTE(this=row_day, expression=shown_day)
    start = _window_start(step, shown_day.copy(), dialect)
    if start is not None:
        later = exp.GTE if step.spec.grain_to_date is not None else exp.GT
        condition = exp.And(this=condition, expression=later(this=row_day.copy(), expression=start))

    keys = [shown_day.copy(), *(sqlnames.column(name, "r") for name in dims)]
    by_day = _by_day_first(node)
    values = [
        exp.alias_(
            _BY_DAY_FIRST[m.measure.agg](this=sqlnames.column(m.name, "r"))
            if by_day
            else aggregate_measure(m, dialect, "r"),
            sqlnames.identifier(m.name),
        )
        for m in node.measures
    ]
    return (
        exp.select(
            exp.alias_(shown_day.copy(), sqlnames.identifier(step.axis.day_column)),
            *(sqlnames.column(name, "r") for name in dims),
            *values,
        )
        .from_(exp.alias_(sqlnames.table(names["days"]), "d"))
        .join(exp.alias_(sqlnames.table(names["rows"]), "r"), on=condition, join_type="inner")
        .group_by(*keys)
    )


def _by_day_first(node: AggregateNode) -> bool:
    """True when every measure can be aggregated by day before its window is read."""
    return all(m.measure.agg in _BY_DAY_FIRST for m in node.measures)


def _window_start(step: CumulativeStep, day: exp.Expr, dialect: Dialect) -> exp.Expr | None:
    """The bound a row's day must pass: after the day a window reaches back to, or on or
    after the start of the grain-to-date period; None over all time."""
    window, to_date = step.spec.window, step.spec.grain_to_date
    if to_date is not None:
        return dialect.time_trunc(day, to_date.value)
    if window is None:
        return None
    return shift(window, day, -1, dialect, sub_day=step.axis.base_grain.rank < Grain.DAY.rank)


def _per_period(
    node: AggregateNode, step: CumulativeStep, dims: list[str], daily: str, dialect: Dialect
) -> exp.Select:
    """One value per period of the query's grain: the daily value of its first or last day
    shown, or the average of its daily values."""
    axis = step.axis
    day = sqlnames.column(axis.day_column)
    period = dialect.time_trunc(day.copy(), axis.grain.value)
    measures = [m.name for m in node.measures]
    dim_columns = [sqlnames.column(name) for name in dims]
    time = sqlnames.identifier(axis.time_column)

    if step.spec.period_agg is PeriodAgg.AVERAGE:
        periods = exp.select(
            exp.alias_(period, time), *dim_columns, *map(sqlnames.column, measures)
        )
        averages = [
            exp.alias_(exp.Avg(this=dialect.to_double(sqlnames.column(name))), name)
            for name in measures
        ]
        keys = [sqlnames.column(axis.time_column), *(c.copy() for c in dim_columns)]
        return (
            exp.select(*keys, *averages)
            .from_(periods.from_(sqlnames.table(daily)).subquery("periods"))
            .group_by(*(k.copy() for k in keys))
        )

    order = exp.Ordered(this=day.copy(), desc=step.spec.period_agg is PeriodAgg.LAST)
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[period.copy(), *(c.copy() for c in dim_columns)],
        order=exp.Order(expressions=[order]),
    )
    ranked = exp.select(
        exp.alias_(period.copy(), time),
        *dim_columns,
        *map(sqlnames.column, measures),
        exp.alias_(rank, "sl_pick"),
    ).from_(sqlnames.table(daily))
    picked = exp.EQ(this=sqlnames.column("sl_pick"), expression=exp.Literal.number(1))
    keep = [sqlnames.column(axis.time_column), *map(sqlnames.column, dims + measures)]
    return exp.select(*keep).from_(ranked.subquery("ranked")).where(picked)
