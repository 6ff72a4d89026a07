"""A query as asked: metrics, group-by items with their readings, filters, order and limit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from semantic_layer.errors import Location, UserError
from semantic_layer.plan.names import METRIC_TIME, SEPARATOR, ElementRef, parse_order_by_item
from semantic_layer.spec.objects import GRAIN_NAMES, Filter, SemanticManifest
from semantic_layer.validate.issues import did_you_mean


class NeedsMetricTime(UserError):
    """A metric that accumulates over time was asked for without metric_time."""


class NeedsCustomGrain(UserError):
    """An offset counted in a custom granularity was read at a grain it cannot be; ``grain``
    names the custom granularity it can be read at."""

    def __init__(self, grain: str, message: str, location: Location | None = None) -> None:
        super().__init__(message, location)
        self.grain = grain


@dataclass(frozen=True)
class GroupByItem:
    """One group-by item as written, with its possible readings."""

    text: str
    readings: tuple[ElementRef, ...]
    location: Location | None = None


@dataclass(frozen=True)
class QuerySpec:
    metrics: tuple[str, ...]
    group_by: tuple[GroupByItem, ...] = ()
    where: tuple[Filter, ...] = ()
    order_by: tuple[str, ...] = ()
    limit: int | None = None
    location: Location | None = None


def with_default_grain(manifest: SemanticManifest, query: QuerySpec) -> QuerySpec:
    """``metric_time`` named without a grain takes the coarsest ``time_granularity`` that the
    query's metrics declare, as in MetricFlow; without one, its time dimension's own grain."""
    declared = [
        metric.time_granularity
        for name in query.metrics
        if (metric := manifest.metrics.get(name)) is not None and metric.time_granularity
    ]
    if not declared:
        return query
    coarsest = max(declared, key=lambda grain: grain.rank)
    items = []
    for item in query.group_by:
        readings = tuple(
            ElementRef(METRIC_TIME, (), coarsest) if reading == ElementRef(METRIC_TIME) else reading
            for reading in item.readings
        )
        items.append(GroupByItem(item.text, readings, item.location))
    return dataclasses.replace(query, group_by=tuple(items))


def order_column(text: str, grain: tuple[str, ...], query: QuerySpec) -> tuple[str, bool]:
    """The output column an order-by item names, and whether it sorts descending.

    A time dimension named without its grain (``metric_time``) means the one grain column of
    the query that reads it.
    """
    candidates, descending = parse_order_by_item(text, query.location)
    known = set(grain) | set(query.metrics)
    for name in candidates:
        if name in known:
            return name, descending
        widened = [column for column in grain if column.startswith(f"{name}{SEPARATOR}")]
        if len(widened) == 1 and widened[0].rsplit(SEPARATOR, 1)[-1] in GRAIN_NAMES:
            return widened[0], descending
    raise UserError(
        f"cannot order by '{candidates[0]}': it is not a metric or group-by column of the "
        f"query{did_you_mean(candidates[0], known)}",
        query.location,
    )
