"""A conversion metric's steps: the base events' columns, and how the conversion events are
read and filtered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from semantic_layer.errors import UserError
from semantic_layer.plan.nodes import ConversionStep, MeasureColumn, RowColumn
from semantic_layer.plan.resolve import ResolvedElement
from semantic_layer.spec.objects import Filter, Measure, SemanticModel

if TYPE_CHECKING:
    from semantic_layer.plan.builder import _Leaf, _Planner

_CONVERSION_ENTITY = "sl_conversion_entity"
_CONVERSION_TIME = "sl_conversion_time"
_CONVERSION_PROPERTY = "sl_conversion_property_"


def conversion_step(
    planner: _Planner, leaf: _Leaf
) -> tuple[tuple[RowColumn, ...], ConversionStep | None, MeasureColumn | None]:
    """For the conversions of a conversion metric: the base events' entity, time and
    constant properties as row columns, how to read the conversion events, and the
    conversion measure aggregated over the matched ones."""
    spec = leaf.conversion
    if spec is None:
        return (), None, None
    base_model, base_measure = leaf.model, leaf.measure
    model, measure = planner.owner(planner.manifest.metrics[leaf.metric], spec.conversion)

    def local(on: SemanticModel, name: str) -> exp.Expr:
        element = on.dimension(name) or on.entity(name)
        assert element is not None  # checked when the project was loaded
        return planner.expressions.on_table(element.sql, on.name, element.location)

    def time_of(on: SemanticModel, of: Measure) -> exp.Expr:
        name = on.agg_time_dimension(of)
        if name is None or on.dimension(name) is None:
            raise UserError(
                f"conversion metric '{leaf.metric}': measure '{of.name}' needs an "
                "agg_time_dimension, the time of its events",
                of.location,
            )
        return local(on, name)

    base_columns = [
        RowColumn(_CONVERSION_ENTITY, local(base_model, spec.entity)),
        RowColumn(_CONVERSION_TIME, time_of(base_model, base_measure)),
    ]
    for index, (base_property, _) in enumerate(spec.constant_properties, start=1):
        base_columns.append(
            RowColumn(f"{_CONVERSION_PROPERTY}{index}", local(base_model, base_property))
        )
    columns, where = event_filter(planner, leaf.metric, spec.conversion.filters, model, measure)
    step = ConversionStep(
        model=model,
        entity=local(model, spec.entity),
        time=time_of(model, measure),
        properties=tuple(local(model, pair[1]) for pair in spec.constant_properties),
        window=spec.window,
        base_entity=_CONVERSION_ENTITY,
        base_time=_CONVERSION_TIME,
        base_properties=tuple(column.name for column in base_columns[2:]),
        columns=columns,
        where=where,
    )
    value = planner.expressions.on_table(measure.sql, model.name, measure.location)
    return tuple(base_columns), step, MeasureColumn(leaf.column, measure, value)


def event_filter(
    planner: _Planner,
    metric: str,
    filters: tuple[Filter, ...],
    model: SemanticModel,
    measure: Measure,
) -> tuple[tuple[RowColumn, ...], tuple[exp.Expr, ...]]:
    """The conditions a conversion event must meet (the conversion measure's filter), and
    the columns of its own semantic model they read."""
    parsed = planner.parsed(filters)
    for item in parsed:
        if item.metrics:
            raise UserError(
                f"conversion metric '{metric}': the filter on its conversion measure may "
                "not read a Metric(); filter the base measure or the metric instead",
                item.location,
            )
    elements: dict[str, ResolvedElement] = {}
    where = tuple(planner.condition(item, model, measure, elements) for item in parsed)
    columns = []
    for element in elements.values():
        if element.joins or element.custom:
            raise UserError(
                f"conversion metric '{metric}': the filter on its conversion measure reads "
                f"'{element.name}', through a join or a time spine; it may read only "
                f"dimensions and entities of semantic model '{model.name}' itself",
                parsed[0].location,
            )
        value = planner.expressions.on_table(element.sql, model.name, model.location)
        columns.append(RowColumn(element.name, value, element.grain, element.date_part))
    return tuple(columns), where
