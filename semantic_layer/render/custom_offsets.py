"""An offset counted in a custom granularity (``offset_window: 1 fiscal_quarter``) into common
table expressions over the time spine that declares it.

Custom periods are numbered in the order of their first day. Read by those periods, period k
takes the values of period k - n. Read by day, a day takes the values of the day at the same
place (the first, the second, ...) in the period n earlier; when that period is shorter, the
day has none.
"""

from __future__ import annotations

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.plan.nodes import AggregateNode, OffsetStep
from semantic_layer.render.dialects import Dialect

_PERIOD, _FIRST, _NUMBER = "sl_period", "sl_first_day", "sl_number"
_DAY, _PLACE = "sl_day", "sl_place"


def custom_offset_ctes(
    node: AggregateNode,
    step: OffsetStep,
    base: str,
    final: str,
    dialect: Dialect,
    spine_table: exp.Table,
) -> list[tuple[str, exp.Select]]:
    """Each period (or day) from the first to the last of ``base``, with the values ``base``
    holds for the one the offset names."""
    custom = step.axis.custom
    assert custom is not None and step.offset.window is not None
    day = dialect.time_trunc(sqlnames.column(custom.spine_column), custom.spine_grain.value)
    label = sqlnames.column(custom.column)
    # One row per day, as where the periods are read (render/sql.py): the smaller label.
    days = (
        exp.select(exp.alias_(day, _DAY), exp.alias_(exp.Min(this=label), _PERIOD))
        .from_(spine_table)
        .where(exp.Not(this=exp.Is(this=label.copy(), expression=exp.Null())))
        .group_by(day.copy())
    )
    names = {part: f"{final}__{part}" for part in ("days", "periods", "numbered")}
    ctes = [(names["days"], days), (names["periods"], _periods(names["days"]))]
    if step.axis.custom_periods:
        return [*ctes, (final, _by_period(node, step, base, names["periods"]))]
    ctes.append((names["numbered"], _numbered_days(names)))
    return [*ctes, (final, _by_day(node, step, base, names["numbered"]))]


def _periods(days: str) -> exp.Select:
    """Each custom period, its first day and its number in the order of first days."""
    firsts = (
        exp.select(
            sqlnames.column(_PERIOD),
            exp.alias_(exp.Min(this=sqlnames.column(_DAY)), _FIRST),
        )
        .from_(sqlnames.table(days))
        .group_by(sqlnames.column(_PERIOD))
    )
    order = exp.Order(expressions=[exp.Ordered(this=sqlnames.column(_FIRST))])
    number = exp.Window(this=exp.RowNumber(), order=order)
    return exp.select(
        sqlnames.column(_PERIOD), sqlnames.column(_FIRST), exp.alias_(number, _NUMBER)
    ).from_(firsts.subquery("firsts"))


def _numbered_days(names: dict[str, str]) -> exp.Select:
    """Each day with its period's number and its place in that period (1 for the first)."""
    order = exp.Order(expressions=[exp.Ordered(this=sqlnames.column(_DAY, "d"))])
    place = exp.Window(
        this=exp.RowNumber(), partition_by=[sqlnames.column(_PERIOD, "d")], order=order
    )
    return (
        exp.select(
            sqlnames.column(_DAY, "d"),
            sqlnames.column(_NUMBER, "p"),
            exp.alias_(place, _PLACE),
        )
        .from_(exp.alias_(sqlnames.table(names["days"]), "d"))
        .join(
            exp.alias_(sqlnames.table(names["periods"]), "p"),
            on=exp.EQ(this=sqlnames.column(_PERIOD, "p"), expression=sqlnames.column(_PERIOD, "d")),
            join_type="inner",
        )
    )


def _by_period(node: AggregateNode, step: OffsetStep, base: str, periods: str) -> exp.Select:
    """Period k, shown between the first and last period of ``base``, reads period k - n."""
    time = step.axis.time_column
    in_base = (
        exp.select(sqlnames.column(_NUMBER, "q"))
        .from_(exp.alias_(sqlnames.table(periods), "q"))
        .join(
            exp.alias_(sqlnames.table(base), "c"),
            on=exp.EQ(this=sqlnames.column(time, "c"), expression=sqlnames.column(_PERIOD, "q")),
            join_type="inner",
        )
    )
    return _joined(node, step, base, periods, _PERIOD, in_base, (_NUMBER,))


def _by_day(node: AggregateNode, step: OffsetStep, base: str, numbered: str) -> exp.Select:
    """A day, shown between the first and last day of ``base``, reads the day at its place
    in the period n earlier."""
    in_base = exp.select(sqlnames.column(step.axis.time_column, "c")).from_(
        exp.alias_(sqlnames.table(base), "c")
    )
    return _joined(node, step, base, numbered, _DAY, in_base, (_NUMBER, _PLACE))


def _joined(
    node: AggregateNode,
    step: OffsetStep,
    base: str,
    shown: str,
    key: str,
    in_base: exp.Select,
    matched: tuple[str, ...],
) -> exp.Select:
    """``shown`` rows (p) inside the range of ``in_base``, each joined to the earlier row (e)
    whose number is n lower (and whose other ``matched`` columns agree), and that row to
    ``base`` (b) on ``key``."""
    assert step.offset.window is not None
    time = step.axis.time_column
    dims = [name for name in node.grain if name != time]
    earlier = [
        exp.EQ(
            this=sqlnames.column(_NUMBER, "e"),
            expression=exp.Sub(
                this=sqlnames.column(_NUMBER, "p"),
                expression=exp.Literal.number(step.offset.window.count),
            ),
        ),
        *(
            exp.EQ(this=sqlnames.column(name, "e"), expression=sqlnames.column(name, "p"))
            for name in matched[1:]
        ),
    ]
    bound = matched[0] if key == _PERIOD else _DAY
    first = in_base.copy().select(exp.Min(this=in_base.selects[0].copy()), append=False)
    last = in_base.copy().select(exp.Max(this=in_base.selects[0].copy()), append=False)
    inside = exp.Between(
        this=sqlnames.column(bound, "p"), low=first.subquery(), high=last.subquery()
    )
    return (
        exp.select(
            exp.alias_(sqlnames.column(key, "p"), sqlnames.identifier(time)),
            *(sqlnames.column(name, "b") for name in dims),
            *(sqlnames.column(m.name, "b") for m in node.measures),
        )
        .from_(exp.alias_(sqlnames.table(shown), "p"))
        .join(exp.alias_(sqlnames.table(shown), "e"), on=exp.and_(*earlier), join_type="inner")
        .join(
            exp.alias_(sqlnames.table(base), "b"),
            on=exp.EQ(this=sqlnames.column(time, "b"), expression=sqlnames.column(key, "e")),
            join_type="inner",
        )
        .where(inside)
    )
