"""Frozen, typed objects of the semantic model: semantic models, metrics, saved queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from semantic_layer.errors import Location


class Grain(Enum):
    """Time granularities, ordered from the finest to the coarsest."""

    MILLISECOND = "millisecond"
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def rank(self) -> int:
        return list(Grain).index(self)

    @classmethod
    def parse(cls, text: str) -> Grain | None:
        """The grain named ``text`` (any case), or None."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            return None


GRAIN_NAMES = tuple(grain.value for grain in Grain)
# Wraps a time-zone-aware dimension's expression until a dialect writes the conversion.
IN_REPORTING_ZONE = "SL_IN_REPORTING_ZONE"


class EntityType(Enum):
    PRIMARY = "primary"
    UNIQUE = "unique"
    FOREIGN = "foreign"
    NATURAL = "natural"

    @property
    def is_one_side(self) -> bool:
        """True when at most one row of the model carries each value of the entity.

        A natural key is unique only together with a validity window (slowly changing
        dimensions), which is not supported yet, so it is not joined to.
        """
        return self in (EntityType.PRIMARY, EntityType.UNIQUE)


class DimensionType(Enum):
    CATEGORICAL = "categorical"
    TIME = "time"


class Agg(Enum):
    SUM = "sum"
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    AVERAGE = "average"
    MIN = "min"
    MAX = "max"
    SUM_BOOLEAN = "sum_boolean"
    MEDIAN = "median"
    PERCENTILE = "percentile"


class MetricType(Enum):
    SIMPLE = "simple"
    RATIO = "ratio"
    DERIVED = "derived"
    CUMULATIVE = "cumulative"
    CONVERSION = "conversion"


@dataclass(frozen=True)
class Filter:
    """A where clause as written: Jinja text with Dimension(), TimeDimension(), Entity()."""

    text: str
    location: Location


@dataclass(frozen=True)
class Relation:
    """What a semantic model reads: ``ref('model')``, ``source('source', 'table')``, or a
    ``table`` named outright (``database.schema.name``, as dbt's semantic_manifest.json does)."""

    kind: str  # "ref", "source" or "table"
    name: str
    source_name: str | None = None
    schema: str | None = None  # only for "table"; None means the target's
    database: str | None = None  # only for "table"; None means the target's

    def __str__(self) -> str:
        if self.kind == "source":
            return f"source('{self.source_name}', '{self.name}')"
        if self.kind == "table":
            return ".".join(part for part in (self.database, self.schema, self.name) if part)
        return f"ref('{self.name}')"


@dataclass(frozen=True)
class Entity:
    name: str
    type: EntityType
    expr: str | None
    location: Location
    description: str | None = None

    @property
    def sql(self) -> str:
        return self.expr if self.expr is not None else self.name


@dataclass(frozen=True)
class Dimension:
    name: str
    type: DimensionType
    expr: str | None
    location: Location
    time_granularity: Grain | None = None
    description: str | None = None
    label: str | None = None
    validity: str | None = None  # "start" or "end" of a row's validity (slowly changing)
    # Instants (timestamps with a time zone), read as wall-clock time of the reporting zone.
    time_zone_aware: bool = False

    @property
    def sql(self) -> str:
        text = self.expr if self.expr is not None else self.name
        return f"{IN_REPORTING_ZONE}({text})" if self.time_zone_aware else text

    @property
    def is_time(self) -> bool:
        return self.type is DimensionType.TIME


@dataclass(frozen=True)
class NonAdditive:
    """A measure that may not be added up along ``dimension`` (a balance over days): only the
    rows on the last (``max``) or first (``min``) value of it count, per ``groupings``."""

    dimension: str
    window_choice: str = "max"
    groupings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    name: str
    agg: Agg
    expr: str | None
    location: Location
    agg_time_dimension: str | None = None
    percentile: float | None = None
    use_discrete_percentile: bool = False
    description: str | None = None
    label: str | None = None
    non_additive: NonAdditive | None = None

    @property
    def sql(self) -> str:
        return self.expr if self.expr is not None else self.name


@dataclass(frozen=True)
class SemanticModel:
    name: str
    relation: Relation
    location: Location
    entities: tuple[Entity, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    measures: tuple[Measure, ...] = ()
    default_agg_time_dimension: str | None = None
    description: str | None = None

    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.name == name), None)

    def dimension(self, name: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.name == name), None)

    def measure(self, name: str) -> Measure | None:
        return next((m for m in self.measures if m.name == name), None)

    def agg_time_dimension(self, measure: Measure) -> str | None:
        return measure.agg_time_dimension or self.default_agg_time_dimension

    @property
    def validity_window(self) -> tuple[Dimension, Dimension] | None:
        """The time dimensions that open and close each row's validity, when both exist."""
        start = next((d for d in self.dimensions if d.validity == "start"), None)
        end = next((d for d in self.dimensions if d.validity == "end"), None)
        return (start, end) if start is not None and end is not None else None

    def is_one_side(self, entity_name: str) -> bool:
        """True when at most one row carries each value of the entity at any moment: a
        primary or unique key, or a natural key with a validity window."""
        entity = self.entity(entity_name)
        if entity is None:
            return False
        if entity.type is EntityType.NATURAL:
            return self.validity_window is not None
        return entity.type.is_one_side


@dataclass(frozen=True)
class Window:
    """A trailing window such as 7 days or 1 month, ending on (and including) each day."""

    count: int
    grain: Grain
    custom: str | None = None  # a custom granularity's name; ``grain`` is then its spine's

    def __str__(self) -> str:
        unit = self.custom or self.grain.value
        return f"{self.count} {unit}{'s' if self.count != 1 and not self.custom else ''}"


class PeriodAgg(Enum):
    """Which daily value of a cumulative metric stands for a coarser period."""

    FIRST = "first"
    LAST = "last"
    AVERAGE = "average"


@dataclass(frozen=True)
class Cumulative:
    """How a cumulative metric accumulates: over a window, to the start of a grain, or over
    all time when neither is set."""

    window: Window | None = None
    grain_to_date: Grain | None = None
    period_agg: PeriodAgg = PeriodAgg.FIRST


@dataclass(frozen=True)
class Offset:
    """A derived metric's input read from an earlier period: ``window`` before each period,
    or at the start of its ``to_grain`` period."""

    window: Window | None = None
    to_grain: Grain | None = None

    def __str__(self) -> str:
        if self.window is not None:
            return f"offset_window {self.window}"
        return f"offset_to_grain {self.to_grain.value if self.to_grain else None}"


@dataclass(frozen=True)
class MeasureInput:
    """The measure a simple metric aggregates, with the options written beside it."""

    name: str
    location: Location
    filters: tuple[Filter, ...] = ()
    fill_nulls_with: int | float | None = None
    join_to_timespine: bool = False


@dataclass(frozen=True)
class MetricInput:
    """A metric used inside a ratio or derived metric, with its alias and own filters."""

    name: str
    location: Location
    alias: str | None = None
    filters: tuple[Filter, ...] = ()
    offset: Offset | None = None

    @property
    def reference(self) -> str:
        """The name the derived expression uses for this input."""
        return self.alias or self.name


@dataclass(frozen=True)
class Conversion:
    """A conversion metric: base events of ``entity`` followed, at or after them and within
    ``window``, by conversion events of the same entity (and the same constant properties)."""

    base: MeasureInput
    conversion: MeasureInput
    entity: str
    calculation: str = "conversion_rate"  # or "conversions"
    window: Window | None = None
    constant_properties: tuple[tuple[str, str], ...] = ()  # (base property, conversion one)


@dataclass(frozen=True)
class Metric:
    name: str
    type: MetricType
    location: Location
    measure: MeasureInput | None = None
    numerator: MetricInput | None = None
    denominator: MetricInput | None = None
    expr: str | None = None
    inputs: tuple[MetricInput, ...] = ()
    filters: tuple[Filter, ...] = ()
    description: str | None = None
    label: str | None = None
    cumulative: Cumulative | None = None
    time_granularity: Grain | None = None  # metric_time's grain when a query names none
    conversion: Conversion | None = None


@dataclass(frozen=True)
class Export:
    """A saved query written to the warehouse, as a view."""

    name: str
    location: Location
    export_as: str = "view"
    schema: str | None = None
    alias: str | None = None

    @property
    def view_name(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class SavedQuery:
    name: str
    location: Location
    metrics: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    group_by_locations: tuple[Location, ...] = ()
    where: tuple[Filter, ...] = ()
    order_by: tuple[str, ...] = ()
    limit: int | None = None
    exports: tuple[Export, ...] = ()
    description: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class CustomGranularity:
    """A period a project names itself (a fiscal quarter, a retail month): the period of each
    day is the value of ``column`` in the time spine's row for that day."""

    name: str
    column: str
    spine: Relation
    spine_column: str  # one row per period of ``spine_grain``
    spine_grain: Grain
    location: Location


@dataclass(frozen=True)
class TimeSpine:
    """A table with one row per day (or per period of ``grain``), declared as in dbt, that
    carries the project's custom granularities as columns."""

    name: str
    relation: Relation
    column: str
    grain: Grain
    location: Location
    custom_granularities: tuple[CustomGranularity, ...] = ()


@dataclass(frozen=True)
class SemanticManifest:
    """Every definition of a project, by name, in the order they were written."""

    semantic_models: dict[str, SemanticModel] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    saved_queries: dict[str, SavedQuery] = field(default_factory=dict)
    time_spines: list[TimeSpine] = field(default_factory=list)

    def window_granularity(self, window: Window) -> CustomGranularity | None:
        """The custom granularity a window counts in (``2 fiscal_quarters`` too), if any."""
        if window.custom is None:
            return None
        return self.custom_granularity(window.custom) or self.custom_granularity(
            window.custom.removesuffix("s")
        )

    def custom_granularity(self, name: str) -> CustomGranularity | None:
        """The custom granularity called ``name`` (any case), if a time spine declares it."""
        for spine in self.time_spines:
            for custom in spine.custom_granularities:
                if custom.name == name.lower():
                    return custom
        return None

    def measure_owner(self, measure_name: str) -> SemanticModel | None:
        """The semantic model that defines ``measure_name``, if any."""
        for model in self.semantic_models.values():
            if model.measure(measure_name) is not None:
                return model
        return None
