"""One measure's aggregation (sum, count, distinct count, ...) as a sqlglot expression."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.plan.nodes import MeasureColumn, RowColumn
from semantic_layer.render.dialects import Dialect
from semantic_layer.spec.objects import Agg

ROWS_ALIAS = "src"


def aggregate_measure(
    column: MeasureColumn, dialect: Dialect, rows_alias: str = ROWS_ALIAS
) -> exp.Expr:
    """The aggregation of one measure over the rows called ``rows_alias``."""
    value = sqlnames.column(column.name, rows_alias)
    agg = column.measure.agg
    if agg is Agg.SUM:
        return exp.Sum(this=value)
    if agg is Agg.COUNT:
        return exp.Count(this=value)
    if agg is Agg.COUNT_DISTINCT:
        return exp.Count(this=exp.Distinct(expressions=[value]))
    if agg is Agg.AVERAGE:
        return exp.Avg(this=dialect.to_double(value))
    if agg is Agg.MIN:
        return exp.Min(this=value)
    if agg is Agg.MAX:
        return exp.Max(this=value)
    if agg is Agg.SUM_BOOLEAN:
        return exp.Sum(this=dialect.bool_to_int(value))
    if agg in (Agg.MEDIAN, Agg.PERCENTILE):
        fraction = column.measure.percentile if column.measure.percentile is not None else 0.5
        return dialect.percentile(value, fraction, column.measure.use_discrete_percentile)
    raise AssertionError(f"unhandled aggregation {agg}")


def row_value(column: RowColumn, dialect: Dialect) -> exp.Expr:
    """A row column's value: its expression, reduced to a date part or cut to a grain."""
    if column.date_part is not None:
        return dialect.date_part(column.expression, column.date_part)
    if column.grain is not None:
        return dialect.time_trunc(column.expression, column.grain.value)
    return column.expression
