"""A QueryPlan into one sqlglot SELECT for a dialect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.plan.nodes import (
    AggregateNode,
    Derived,
    MeasureRef,
    MetricNode,
    NonAdditiveStep,
    OffsetStep,
    QueryPlan,
    Ratio,
    RowColumn,
)
from semantic_layer.render.conversion import conversion_ctes
from semantic_layer.render.custom_offsets import custom_offset_ctes
from semantic_layer.render.dialects import Dialect
from semantic_layer.render.measures import ROWS_ALIAS, aggregate_measure, row_value
from semantic_layer.render.timeline import (
    DIGITS,
    cumulative_ctes,
    digits_select,
    offset_ctes,
    spine_ctes,
)
from semantic_layer.spec.objects import IN_REPORTING_ZONE, Relation

RelationNamer = Callable[[Relation], exp.Table]


def render_plan(plan: QueryPlan, dialect: Dialect, relation_table: RelationNamer) -> exp.Select:
    """The SELECT that computes ``plan``; ``relation_table`` names each model's relation."""
    ctes, select = plan_parts(plan, dialect, relation_table)
    for name, query in ctes:
        select = select.with_(sqlnames.identifier(name), as_=query, copy=False)
    if plan.order_by:
        select = select.order_by(
            *(
                exp.Ordered(this=sqlnames.column(name), desc=descending)
                for name, descending in plan.order_by
            )
        )
    if plan.limit is not None:
        select = select.limit(plan.limit)
    return _in_reporting_zone(select, dialect)


def _in_reporting_zone(select: exp.Select, dialect: Dialect) -> exp.Select:
    """Each time-zone-aware dimension's value as wall-clock time in the reporting zone."""

    def convert(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Anonymous) and node.name == IN_REPORTING_ZONE:
            return dialect.in_reporting_zone(node.expressions[0])
        return node

    converted = select.transform(convert)
    assert isinstance(converted, exp.Select)
    return converted


def plan_parts(
    plan: QueryPlan, dialect: Dialect, relation_table: RelationNamer
) -> tuple[list[tuple[str, exp.Select]], exp.Select]:
    """The common table expressions of ``plan`` (those of plans inside it first, each name
    once) and the SELECT that reads them; a plan inside another is hoisted this way because
    SQL Server allows no WITH inside a subquery."""
    ctes = [
        cte for node in plan.aggregates for cte in _aggregate_ctes(node, dialect, relation_table)
    ]
    if any(node.cumulative or node.offset or node.spine for node in plan.aggregates):
        ctes.insert(0, (DIGITS, digits_select()))
    source = plan.aggregates[0].name
    if len(plan.aggregates) > 1:
        ctes.append((plan.combined_name, _combine(plan)))
        source = plan.combined_name

    columns: list[exp.Expr] = [sqlnames.column(name) for name in plan.grain]
    for metric in plan.metrics:
        columns.append(exp.alias_(_metric(metric.node, dialect), sqlnames.identifier(metric.name)))
    unique: dict[str, exp.Select] = {}
    for name, query in ctes:
        unique.setdefault(name, query)  # the digits may be asked for by several plans
    return list(unique.items()), exp.select(*columns).from_(sqlnames.table(source))


def _aggregate_ctes(
    node: AggregateNode, dialect: Dialect, relation_table: RelationNamer
) -> list[tuple[str, exp.Select]]:
    """The common table expressions that end in ``node.name``: one, or a chain that
    accumulates over time, reads an earlier period, or joins every period of the spine."""
    stages = [step for step in (node.offset, node.spine) if step is not None]
    names = [f"{node.name}__stage{i}" for i in range(len(stages))] + [node.name]

    if node.conversion is not None:
        rows, nested = rows_select(replace(node, measures=()), dialect, relation_table)
        events = relation_table(node.conversion.model.relation)
        return nested + conversion_ctes(node, node.conversion, rows, node.name, dialect, events)
    rows, nested = rows_select(node, dialect, relation_table)
    if node.cumulative is not None:
        ctes = cumulative_ctes(node, node.cumulative, rows, dialect, names[0])
    else:
        ctes = [(names[0], _grouped(node, rows, dialect))]
    for index, stage in enumerate(stages):
        source, target = names[index], names[index + 1]
        if isinstance(stage, OffsetStep) and stage.axis.custom is not None:
            spine = relation_table(stage.axis.custom.spine)
            ctes += custom_offset_ctes(node, stage, source, target, dialect, spine)
        elif isinstance(stage, OffsetStep):
            ctes += offset_ctes(node, stage, source, target, dialect)
        else:
            ctes += spine_ctes(node, stage, source, target, dialect)
    return nested + ctes


def _grouped(node: AggregateNode, rows: exp.Select, dialect: Dialect) -> exp.Select:
    grain = [sqlnames.column(name) for name in node.grain]
    aggregates = [
        exp.alias_(aggregate_measure(m, dialect), sqlnames.identifier(m.name))
        for m in node.measures
    ]
    source = rows.subquery(sqlnames.identifier(ROWS_ALIAS))
    where = [condition.copy() for condition in node.where]
    if node.non_additive is not None:
        source = _edge_rows(node, node.non_additive, rows, where)
        where = []
    outer = exp.select(*grain, *aggregates).from_(source)
    if where:
        outer = outer.where(*where)
    if grain:
        outer = outer.group_by(*grain)
    return outer


def _edge_rows(
    node: AggregateNode, step: NonAdditiveStep, rows: exp.Select, where: list[exp.Expr]
) -> exp.Subquery:
    """The filtered rows that sit on the last (or first) value of the non-additive time
    dimension within their group: the query's grain plus the window groupings."""
    time = sqlnames.column(step.time_column, ROWS_ALIAS)
    edge_function = exp.Max if step.choice == "max" else exp.Min
    partition = [
        sqlnames.column(name, ROWS_ALIAS) for name in (*node.grain, *step.grouping_columns)
    ]
    edge = exp.Window(this=edge_function(this=time.copy()), partition_by=partition)
    marked = exp.select(exp.Star(), exp.alias_(edge, "sl_edge")).from_(
        rows.subquery(sqlnames.identifier(ROWS_ALIAS))
    )
    if where:
        marked = marked.where(*where)
    on_edge = exp.EQ(this=sqlnames.column(step.time_column), expression=exp.column("sl_edge"))
    kept = exp.select(exp.Star()).from_(marked.subquery("marked")).where(on_edge)
    return kept.subquery(sqlnames.identifier(ROWS_ALIAS))


def rows_select(
    node: AggregateNode, dialect: Dialect, relation_table: RelationNamer
) -> tuple[exp.Select, list[tuple[str, exp.Select]]]:
    """The rows an aggregate reads (its model joined many-to-one, each element and measure
    input as a named column), and the common table expressions of the metrics its filters
    read."""
    rows: list[exp.Expr] = []
    spines: list[tuple[str, RowColumn]] = []
    for column in node.columns:
        value: exp.Expr
        if column.custom is not None:
            alias = f"sl_spine{len(spines) + 1}"
            spines.append((alias, column))
            value = sqlnames.column(_PERIOD, alias)
        else:
            value = row_value(column, dialect)
        rows.append(exp.alias_(value, sqlnames.identifier(column.name)))
    for measure in node.measures:
        rows.append(exp.alias_(measure.expression, sqlnames.identifier(measure.name)))
    for metric in node.metric_joins:
        value = sqlnames.column(metric.value, metric.alias)
        rows.append(exp.alias_(value, sqlnames.identifier(metric.column)))

    inner = exp.select(*rows).from_(_aliased(relation_table(node.model.relation), node.model.name))
    for join in node.joins:
        joined = exp.select(
            *(exp.alias_(value.copy(), sqlnames.identifier(name)) for name, value in join.columns)
        ).from_(_aliased(relation_table(join.model.relation), join.model.name))
        inner = inner.join(
            joined.subquery(sqlnames.identifier(join.alias)),
            on=join.condition.copy(),
            join_type="left",
        )

    for alias, column in spines:
        inner = _join_spine(inner, alias, column, dialect, relation_table)

    nested: list[tuple[str, exp.Select]] = []
    for metric in node.metric_joins:
        ctes, select = plan_parts(metric.plan, dialect, relation_table)
        nested += ctes
        inner = inner.join(
            select.subquery(sqlnames.identifier(metric.alias)),
            on=metric.condition.copy(),
            join_type="left",
        )
    return inner, nested


_PERIOD = "sl_period"
_DAY = "sl_day"


def _join_spine(
    rows: exp.Select,
    alias: str,
    column: RowColumn,
    dialect: Dialect,
    relation_table: RelationNamer,
) -> exp.Select:
    """Rows joined, many to one, to the time spine's row of their period, which holds the
    period's custom granularity; a day the spine does not cover has none (NULL)."""
    custom = column.custom
    assert custom is not None and column.grain is not None
    spine_day = dialect.time_trunc(sqlnames.column(custom.spine_column), custom.spine_grain.value)
    # One row per day, whatever the table holds, so the join can never repeat a fact row; a
    # day written twice with two periods takes the smaller.
    spine = (
        exp.select(
            exp.alias_(spine_day, _DAY),
            exp.alias_(exp.Min(this=sqlnames.column(custom.column)), _PERIOD),
        )
        .from_(relation_table(custom.spine))
        .group_by(spine_day.copy())
    )
    row_day = dialect.time_trunc(column.expression, column.grain.value)
    return rows.join(
        spine.subquery(alias),
        on=exp.EQ(this=row_day, expression=sqlnames.column(_DAY, alias)),
        join_type="left",
    )


def _aliased(table: exp.Table, alias: str) -> exp.Table:
    table = table.copy()
    table.set("alias", exp.TableAlias(this=sqlnames.identifier(alias)))
    return table


def _combine(plan: QueryPlan) -> exp.Select:
    """Aggregates joined on the grain by UNION ALL and GROUP BY, which matches NULL keys alike
    on every engine (a FULL JOIN on ``a = b`` would split rows whose grain value is NULL)."""
    every = [m.name for node in plan.aggregates for m in node.measures]
    branches = [_typed_empty_branch(plan)]
    for node in plan.aggregates:
        own = {m.name for m in node.measures}
        values = [
            sqlnames.column(name)
            if name in own
            else exp.alias_(exp.Null(), sqlnames.identifier(name))
            for name in every
        ]
        grain = [sqlnames.column(name) for name in plan.grain]
        branches.append(exp.select(*grain, *values).from_(sqlnames.table(node.name)))

    union: exp.Expr = branches[0]
    for branch in branches[1:]:
        union = exp.union(union, branch, distinct=False)
    grain = [sqlnames.column(name) for name in plan.grain]
    # Qualified, because ClickHouse resolves a bare name to a SELECT alias of the same name.
    maxima = [
        exp.alias_(exp.Max(this=sqlnames.column(name, ROWS_ALIAS)), sqlnames.identifier(name))
        for name in every
    ]
    combined = exp.select(*grain, *maxima).from_(
        exp.Subquery(this=union, alias=exp.TableAlias(this=sqlnames.identifier(ROWS_ALIAS)))
    )
    return combined.group_by(*grain) if grain else combined


def _typed_empty_branch(plan: QueryPlan) -> exp.Select:
    """A first UNION ALL branch with no rows and every column read from its aggregate.

    PostgreSQL types a UNION pairwise from the left, so a column that is a bare NULL in the
    first two branches becomes text and then clashes with the number of the third; this
    branch gives every column its real type first.
    """
    first = plan.aggregates[0].name
    columns = [sqlnames.column(name, first) for name in plan.grain]
    columns += [sqlnames.column(m.name, n.name) for n in plan.aggregates for m in n.measures]
    branch = exp.select(*columns).from_(sqlnames.table(first))
    for node in plan.aggregates[1:]:
        branch = branch.join(sqlnames.table(node.name), join_type="cross")
    return branch.where(exp.EQ(this=exp.Literal.number(1), expression=exp.Literal.number(0)))


def _metric(node: MetricNode, dialect: Dialect) -> exp.Expr:
    if isinstance(node, MeasureRef):
        if node.fill is None:
            return sqlnames.column(node.column)
        fill = exp.Literal.number(node.fill)
        return exp.Coalesce(this=sqlnames.column(node.column), expressions=[fill])
    if isinstance(node, Ratio):
        return dialect.safe_divide(
            _metric(node.numerator, dialect), _metric(node.denominator, dialect)
        )
    return _derived(node, dialect)


def _derived(node: Derived, dialect: Dialect) -> exp.Expr:
    expression = node.expression.copy()
    wrapper = exp.Paren(this=expression)
    # Children before parents, so a nested division is rewritten before the one around it.
    for division in reversed(list(expression.find_all(exp.Div, exp.Mod, exp.IntDiv))):
        if isinstance(division, exp.Div):
            division.replace(dialect.safe_divide(division.this, division.expression))
        else:  # a remainder or whole division by 0 is NULL too, not an error
            zero_is_null = exp.Nullif(this=division.expression, expression=exp.Literal.number(0))
            division.set("expression", zero_is_null)

    inputs = dict(node.inputs)
    for column in list(wrapper.find_all(exp.Column)):
        if column.name in inputs and not column.table:
            column.replace(exp.Paren(this=_metric(inputs[column.name], dialect)))
    return wrapper.this
