"""A conversion aggregate into common table expressions: base events, conversion events, the
matches between them, and the conversions counted at the base events' grain."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.plan.nodes import AggregateNode, ConversionStep
from semantic_layer.render.dialects import Dialect
from semantic_layer.render.measures import aggregate_measure, row_value
from semantic_layer.render.timeline import shift
from semantic_layer.spec.objects import Grain

_EVENT = "sl_event"
_PICK = "sl_pick"


def conversion_ctes(
    node: AggregateNode,
    step: ConversionStep,
    rows: exp.Select,
    final: str,
    dialect: Dialect,
    events: exp.Table,
) -> list[tuple[str, exp.Select]]:
    """Each conversion event (read from ``events``) is credited once, to the latest base event
    of the same entity (and constant properties) at or before it and inside the window; the
    conversion measure is then aggregated at the base events' grain."""
    names = {part: f"{node.name}__{part}" for part in ("base", "converted", "matched")}
    base_columns = [*node.grain, step.base_entity, step.base_time, *step.base_properties]
    base = exp.select(*(sqlnames.column(name) for name in dict.fromkeys(base_columns))).from_(
        rows.subquery(sqlnames.identifier("src"))
    )
    if node.where:
        base = base.where(*(condition.copy() for condition in node.where))

    return [
        (names["base"], base),
        (names["converted"], _events(node, step, events, dialect)),
        (names["matched"], _matched(node, step, names, dialect)),
        (final, _counted(node, names["matched"], dialect)),
    ]


def _events(
    node: AggregateNode, step: ConversionStep, events: exp.Table, dialect: Dialect
) -> exp.Select:
    """The conversion events that pass the conversion measure's filter, each numbered."""
    (measure,) = node.measures
    values = [
        (step.entity, step.base_entity),
        (step.time, step.base_time),
        *zip(step.properties, step.base_properties, strict=True),
        (measure.expression, measure.name),
        *((row_value(column, dialect), column.name) for column in step.columns),
    ]
    read = exp.select(
        *(exp.alias_(value.copy(), sqlnames.identifier(name)) for value, name in values)
    ).from_(exp.alias_(events, step.model.name))

    event_order = exp.Order(
        expressions=[
            exp.Ordered(this=sqlnames.column(step.base_entity)),
            exp.Ordered(this=sqlnames.column(step.base_time)),
        ]
    )
    kept = [step.base_entity, step.base_time, *step.base_properties, measure.name]
    numbered = exp.select(
        *(sqlnames.column(name) for name in kept),
        exp.alias_(exp.Window(this=exp.RowNumber(), order=event_order), _EVENT),
    ).from_(read.subquery(sqlnames.identifier("events")))
    if step.where:
        numbered = numbered.where(*(condition.copy() for condition in step.where))
    return numbered


def _matched(
    node: AggregateNode, step: ConversionStep, names: dict[str, str], dialect: Dialect
) -> exp.Select:
    (measure,) = node.measures
    b, c = "b", "c"

    def both(name: str) -> tuple[exp.Column, exp.Column]:
        return sqlnames.column(name, c), sqlnames.column(name, b)

    converted_entity, base_entity = both(step.base_entity)
    converted_time, base_time = both(step.base_time)
    conditions: list[exp.Expr] = [
        exp.EQ(this=converted_entity, expression=base_entity),
        exp.GTE(this=converted_time, expression=base_time),
    ]
    for name in step.base_properties:
        converted_value, base_value = both(name)
        conditions.append(exp.EQ(this=converted_value, expression=base_value))
    if step.window is not None:
        conditions.append(_inside_window(step, b, c, dialect))
    latest = exp.Order(
        expressions=[exp.Ordered(this=sqlnames.column(step.base_time, b), desc=True)]
    )
    pick = exp.Window(this=exp.RowNumber(), partition_by=[sqlnames.column(_EVENT, c)], order=latest)
    return (
        exp.select(
            *(sqlnames.column(name, b) for name in node.grain),
            sqlnames.column(measure.name, c),
            exp.alias_(pick, _PICK),
        )
        .from_(exp.alias_(sqlnames.table(names["base"]), b))
        .join(
            exp.alias_(sqlnames.table(names["converted"]), c),
            on=exp.and_(*conditions),
            join_type="inner",
        )
    )


def _inside_window(step: ConversionStep, b: str, c: str, dialect: Dialect) -> exp.Expr:
    """The conversion's day is no later than the base event's day plus the window."""
    assert step.window is not None
    if step.window.grain is Grain.HOUR:
        # Hours are counted from the base event's time itself, not from its day.
        last_time = shift(step.window, sqlnames.column(step.base_time, b), 1, dialect)
        return exp.LTE(this=sqlnames.column(step.base_time, c), expression=last_time)
    base_day = dialect.time_trunc(sqlnames.column(step.base_time, b), Grain.DAY.value)
    converted_day = dialect.time_trunc(sqlnames.column(step.base_time, c), Grain.DAY.value)
    last = shift(step.window, base_day, 1, dialect)
    return exp.LTE(this=converted_day, expression=last)


def _counted(node: AggregateNode, matched: str, dialect: Dialect) -> exp.Select:
    (measure,) = node.measures
    grain = [sqlnames.column(name) for name in node.grain]
    picked = (
        exp.select(exp.Star())
        .from_(sqlnames.table(matched))
        .where(exp.EQ(this=sqlnames.column(_PICK), expression=exp.Literal.number(1)))
    )
    value = exp.alias_(aggregate_measure(measure, dialect), sqlnames.identifier(measure.name))
    counted = exp.select(*grain, value).from_(picked.subquery(sqlnames.identifier("src")))
    return counted.group_by(*grain) if grain else counted
