"""Plan nodes: the small, frozen pieces a query is planned into before it is rendered."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from semantic_layer.spec.objects import (
    Cumulative,
    CustomGranularity,
    Grain,
    Measure,
    Offset,
    Relation,
    SemanticModel,
    Window,
)


@dataclass(frozen=True)
class RowColumn:
    """A column of an aggregate's input rows: an element, truncated to ``grain`` or reduced
    to an integer ``date_part`` when either is set, or read at a ``custom`` granularity."""

    name: str
    expression: exp.Expr
    grain: Grain | None = None
    date_part: str | None = None
    # Read from the time spine's row for the value cut to ``grain`` (a fiscal quarter, say).
    custom: CustomGranularity | None = None


@dataclass(frozen=True)
class JoinNode:
    """``LEFT JOIN (SELECT columns FROM model) AS alias ON condition``, many rows to one.

    ``columns`` are computed inside the joined model, before the join.
    """

    alias: str
    model: SemanticModel
    condition: exp.Expr
    columns: tuple[tuple[str, exp.Expr], ...]


@dataclass(frozen=True)
class MeasureColumn:
    """One measure aggregated into the column ``name``."""

    name: str
    measure: Measure
    expression: exp.Expr


@dataclass(frozen=True)
class TimeAxis:
    """The metric_time column of an aggregate that works along time.

    ``day_column`` is the day each row falls on (for windows) or the query's time column
    itself; ``time_column`` is the query's metric_time column at ``grain``. ``time_where``
    (query filters on metric_time, over ``time_columns``) chooses the periods shown without
    removing any row a window or an offset reads.
    """

    day_column: str
    time_column: str
    grain: Grain
    time_where: tuple[exp.Expr, ...] = ()
    time_columns: tuple[tuple[str, Grain], ...] = ()
    base_grain: Grain = Grain.DAY  # the step of the spine: a day, or the measure's coarser grain
    # An offset counted in a custom granularity: ``grain`` is then that of its time spine,
    # and the query reads either the custom periods (``time_column``) or the spine's grain.
    custom: CustomGranularity | None = None
    custom_periods: bool = False  # True when read by the custom periods, not by day


@dataclass(frozen=True)
class CumulativeStep:
    """For each day, the measures over the rows of the window that ends on it; at a coarser
    grain the first, last or average daily value of each period stands for it."""

    spec: Cumulative
    axis: TimeAxis


@dataclass(frozen=True)
class OffsetStep:
    """Each period shown takes the value of an earlier period (calendar-aligned at the
    query's grain: month M reads the whole of month M-1)."""

    offset: Offset
    axis: TimeAxis


@dataclass(frozen=True)
class NonAdditiveStep:
    """Only the rows whose ``time_column`` is the latest (``max``) or earliest (``min``) of
    their group count: the query's grain plus ``grouping_columns`` (balances per account)."""

    choice: str
    time_column: str
    grouping_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricJoin:
    """A metric computed per some elements by a plan of its own (``Metric()`` in a filter),
    joined to the rows on those elements and carried as ``column``."""

    alias: str
    plan: QueryPlan
    condition: exp.Expr
    value: str
    column: str


@dataclass(frozen=True)
class ConversionStep:
    """Conversion events matched to base events.

    The rows of the aggregate are the base events and carry ``base_entity``, ``base_time`` and
    ``base_properties`` columns; the conversion events are read from ``model`` through the
    expressions here. A conversion event counts once, for the latest base event of the same
    entity (and properties) at or before it, within ``window`` days or months when set.
    """

    model: SemanticModel
    entity: exp.Expr
    time: exp.Expr
    properties: tuple[exp.Expr, ...]
    window: Window | None
    base_entity: str
    base_time: str
    base_properties: tuple[str, ...]
    columns: tuple[RowColumn, ...] = ()  # of ``model``, read by ``where``
    where: tuple[exp.Expr, ...] = ()  # the conversion measure's filter


@dataclass(frozen=True)
class AggregateNode:
    """Rows of one semantic model, joined many-to-one, filtered and aggregated to the grain.

    Every measure is aggregated inside its own semantic model before measures of different
    models meet, so a join never repeats the rows a measure sums.
    """

    name: str
    model: SemanticModel
    joins: tuple[JoinNode, ...]
    columns: tuple[RowColumn, ...]
    grain: tuple[str, ...]
    measures: tuple[MeasureColumn, ...]
    where: tuple[exp.Expr, ...]
    cumulative: CumulativeStep | None = None
    offset: OffsetStep | None = None
    spine: TimeAxis | None = None  # every period of the time spine, with or without rows
    non_additive: NonAdditiveStep | None = None
    metric_joins: tuple[MetricJoin, ...] = ()
    conversion: ConversionStep | None = None


@dataclass(frozen=True)
class MeasureRef:
    """A metric value read from an aggregated measure column; ``fill`` stands in for NULL."""

    column: str
    fill: int | float | None = None


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator`` at the grain: true division, NULL when dividing by 0."""

    numerator: MetricNode
    denominator: MetricNode


@dataclass(frozen=True)
class Derived:
    """An expression over input metrics, each named by its reference in ``expression``."""

    expression: exp.Expr
    inputs: tuple[tuple[str, MetricNode], ...]


MetricNode = MeasureRef | Ratio | Derived


@dataclass(frozen=True)
class OutputMetric:
    name: str
    node: MetricNode


@dataclass(frozen=True)
class QueryPlan:
    """Aggregates combined on the grain, then the metrics computed from their columns."""

    aggregates: tuple[AggregateNode, ...]
    grain: tuple[str, ...]
    metrics: tuple[OutputMetric, ...]
    order_by: tuple[tuple[str, bool], ...] = ()
    limit: int | None = None
    prefix: str = ""  # before every common table expression's name, for plans inside plans

    @property
    def combined_name(self) -> str:
        return f"{self.prefix}combined"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.grain + tuple(metric.name for metric in self.metrics)

    @property
    def relations(self) -> tuple[Relation, ...]:
        """Every table or view the plan reads: its semantic models' and its time spines'."""
        found = [model.relation for model in self.models]
        for aggregate in self.aggregates:
            found += [c.custom.spine for c in aggregate.columns if c.custom is not None]
            if aggregate.offset is not None and aggregate.offset.axis.custom is not None:
                found.append(aggregate.offset.axis.custom.spine)
            for join in aggregate.metric_joins:
                found += join.plan.relations
        return tuple(dict.fromkeys(found))

    @property
    def models(self) -> tuple[SemanticModel, ...]:
        """Every semantic model the plan reads, joined ones included, without repeats."""
        seen: dict[str, SemanticModel] = {}
        for aggregate in self.aggregates:
            seen.setdefault(aggregate.model.name, aggregate.model)
            for join in aggregate.joins:
                seen.setdefault(join.model.name, join.model)
        return tuple(seen.values())
