"""A query (metrics, group-by, filters, order) into a QueryPlan over the semantic manifest."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import jinja2
from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.errors import Location, UserError
from semantic_layer.plan.along_time import (
    check_hourly,
    finest_step,
    is_metric_time,
    is_metric_time_part,
    nested_offset,
    on_metric_time,
    rank,
)
from semantic_layer.plan.conversions import conversion_step
from semantic_layer.plan.expressions import ExpressionParser
from semantic_layer.plan.filters import MetricRef, ParsedFilter, parse_filter
from semantic_layer.plan.join_columns import JoinColumns
from semantic_layer.plan.names import (
    METRIC_TIME,
    ElementRef,
    parse_element_name,
)
from semantic_layer.plan.nodes import (
    AggregateNode,
    CumulativeStep,
    Derived,
    JoinNode,
    MeasureColumn,
    MeasureRef,
    MetricJoin,
    MetricNode,
    NonAdditiveStep,
    OffsetStep,
    OutputMetric,
    QueryPlan,
    Ratio,
    RowColumn,
    TimeAxis,
)
from semantic_layer.plan.query import (
    GroupByItem,
    NeedsCustomGrain,
    NeedsMetricTime,
    QuerySpec,
    order_column,
    with_default_grain,
)
from semantic_layer.plan.resolve import JoinStep, ResolvedElement, Resolver, TimeReadingError
from semantic_layer.spec.objects import (
    Agg,
    Conversion,
    Cumulative,
    CustomGranularity,
    Filter,
    Grain,
    Measure,
    MeasureInput,
    Metric,
    MetricType,
    Offset,
    SemanticManifest,
    SemanticModel,
)
from semantic_layer.validate.issues import did_you_mean


@dataclass
class _Leaf:
    """A measure read under a set of filters: one aggregated column of the plan."""

    column: str
    model: SemanticModel
    measure: Measure
    filters: tuple[ParsedFilter, ...]
    cumulative: Cumulative | None = None
    metric: str = ""
    offset: Offset | None = None
    spine: bool = False
    conversion: Conversion | None = None


@dataclass
class _Planner:
    manifest: SemanticManifest
    environment: jinja2.Environment
    dialect: str
    query: QuerySpec
    leaves: dict[tuple[object, ...], _Leaf] = field(default_factory=dict)
    filter_cache: dict[tuple[str, Location], ParsedFilter] = field(default_factory=dict)
    # A metric read under the same filters is planned once, however often it is used.
    nodes: dict[tuple[object, ...], MetricNode] = field(default_factory=dict)
    prefix: str = ""
    # Metrics being planned for Metric() filters, outermost first, to refuse a cycle.
    filter_metrics: tuple[str, ...] = ()
    metric_join_count: int = 0

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.manifest)
        self.expressions = ExpressionParser(self.environment, self.dialect)
        self.entity_names = {
            e.name for model in self.manifest.semantic_models.values() for e in model.entities
        }

    # -- metrics into metric nodes and leaves ------------------------------------------------

    def metric_node(
        self,
        name: str,
        filters: tuple[ParsedFilter, ...],
        stack: tuple[str, ...],
        location: Location | None,
        offset: Offset | None = None,
    ) -> MetricNode:
        metric = self.manifest.metrics.get(name)
        if metric is None:
            hint = did_you_mean(name, self.manifest.metrics)
            raise UserError(f"metric '{name}' is not defined{hint}", location)
        if name in stack:
            raise UserError(
                f"metric '{name}' depends on itself: {' -> '.join(stack + (name,))}",
                metric.location,
            )

        memo = (name, tuple(sorted({f.sql for f in filters})), offset)
        if memo in self.nodes:
            return self.nodes[memo]
        self.nodes[memo] = self.fresh_node(metric, filters, stack + (name,), offset)
        return self.nodes[memo]

    def fresh_node(
        self,
        metric: Metric,
        filters: tuple[ParsedFilter, ...],
        stack: tuple[str, ...],
        offset: Offset | None,
    ) -> MetricNode:
        name = metric.name
        filters = filters + self.parsed(metric.filters)
        if metric.type in (MetricType.SIMPLE, MetricType.CUMULATIVE):
            return self.simple(metric, filters, offset)
        if metric.type is MetricType.RATIO:
            assert metric.numerator is not None and metric.denominator is not None
            parts = [
                self.metric_node(
                    part.name, filters + self.parsed(part.filters), stack, part.location, offset
                )
                for part in (metric.numerator, metric.denominator)
            ]
            return Ratio(parts[0], parts[1])
        if metric.type is MetricType.DERIVED:
            return self.derived(metric, filters, stack, offset)
        if metric.type is MetricType.CONVERSION:
            return self.conversion(metric, filters, offset)
        raise UserError(
            f"metric '{name}': {metric.type.value} metrics are not supported yet", metric.location
        )

    def simple(
        self,
        metric: Metric,
        filters: tuple[ParsedFilter, ...],
        offset: Offset | None = None,
        measure_input: MeasureInput | None = None,
        conversion: Conversion | None = None,
    ) -> MetricNode:
        measure_input = measure_input or metric.measure
        assert measure_input is not None
        model, measure = self.owner(metric, measure_input)
        filters = filters + self.parsed(measure_input.filters)

        unique = tuple(sorted({f.sql: f for f in filters}.values(), key=lambda f: f.sql))
        cumulative = metric.cumulative
        spine = measure_input.join_to_timespine
        key = (measure.name, tuple(f.sql for f in unique), cumulative, offset, spine, conversion)
        if key not in self.leaves:
            preferred = measure.name
            if cumulative is not None or conversion is not None:
                preferred = f"{measure.name}__{metric.name}"
            elif unique:
                preferred = f"{measure.name}__filtered"
            if offset is not None:
                preferred = f"{preferred}__offset"
            column = self.leaf_column(preferred)
            self.leaves[key] = _Leaf(
                column, model, measure, unique, cumulative, metric.name, offset, spine, conversion
            )
        return MeasureRef(self.leaves[key].column, measure_input.fill_nulls_with)

    def owner(self, metric: Metric, measure_input: MeasureInput) -> tuple[SemanticModel, Measure]:
        model = self.manifest.measure_owner(measure_input.name)
        if model is None:
            known = [m.name for s in self.manifest.semantic_models.values() for m in s.measures]
            raise UserError(
                f"metric '{metric.name}': measure '{measure_input.name}' is not defined"
                f"{did_you_mean(measure_input.name, known)}",
                measure_input.location,
            )
        measure = model.measure(measure_input.name)
        assert measure is not None
        return model, measure

    def conversion(
        self, metric: Metric, filters: tuple[ParsedFilter, ...], offset: Offset | None
    ) -> MetricNode:
        """Conversions counted at the base events' grain, and the rate over the base measure.

        The aggregate of conversions is keyed by the base measure (its model gives the grain
        and the base events); the conversion measure is aggregated over the matched events.
        """
        spec = metric.conversion
        assert spec is not None
        base = self.simple(metric, filters, offset, spec.base)
        converted = self.simple(metric, filters, offset, spec.base, conversion=spec)
        assert isinstance(converted, MeasureRef)
        # Where there were base events but none converted, the count is 0, not unknown.
        converted = MeasureRef(converted.column, 0)
        if spec.calculation == "conversions":
            return converted
        return Ratio(converted, base)

    def leaf_column(self, preferred: str) -> str:
        """A name for an aggregated measure column that no other column of the query uses.

        It must differ from every output name too: ClickHouse reads a bare name in a SELECT
        as the alias of that name when there is one, so a measure column called like another
        metric would be silently replaced by that metric.
        """
        taken = {leaf.column for leaf in self.leaves.values()} | set(self.query.metrics)
        taken |= {reading.text for item in self.query.group_by for reading in item.readings}
        # Rows also carry the elements that filters read; a bare entity name is the only such
        # column without '__' in it, so no measure column may take one.
        taken |= self.entity_names
        name, counter = preferred, 1
        while name in taken:
            counter += 1
            name = f"{preferred}__{counter}"
        return name

    def derived(
        self,
        metric: Metric,
        filters: tuple[ParsedFilter, ...],
        stack: tuple[str, ...],
        offset: Offset | None,
    ) -> MetricNode:
        assert metric.expr is not None
        expression = self.expressions.parse(metric.expr, metric.location)
        references = {item.reference: item for item in metric.inputs}
        inputs = []
        for column in expression.find_all(exp.Column):
            if column.table:
                raise UserError(
                    f"metric '{metric.name}': expr names '{column.sql()}'; name an input metric "
                    "by its name or alias alone",
                    metric.location,
                )
            item = references.get(column.name)
            if item is None:
                raise UserError(
                    f"metric '{metric.name}': expr uses '{column.name}', which is not one of its "
                    f"input metrics{did_you_mean(column.name, references)}",
                    metric.location,
                )
            combined = item.offset or offset
            if offset is not None and item.offset is not None:
                combined = nested_offset(item.offset, offset)
            if offset is not None and item.offset is not None and combined is None:
                raise UserError(
                    f"metric '{metric.name}': its input '{item.reference}' has an offset "
                    f"({item.offset}) and is itself read with an offset ({offset}); offsets "
                    "nest only as windows in hours, days and weeks, or in months, quarters and "
                    "years",
                    item.location,
                )
            node = self.metric_node(
                item.name,
                filters + self.parsed(item.filters),
                stack,
                item.location,
                combined,
            )
            inputs.append((column.name, node))
        if not inputs:
            raise UserError(
                f"metric '{metric.name}': expr must use at least one of its input metrics",
                metric.location,
            )
        return Derived(expression, tuple(dict(inputs).items()))

    def parsed(self, filters: tuple[Filter, ...]) -> tuple[ParsedFilter, ...]:
        result = []
        for item in filters:
            key = (item.text, item.location)
            if key not in self.filter_cache:
                self.filter_cache[key] = parse_filter(item, self.environment, self.dialect)
            result.append(self.filter_cache[key])
        return tuple(result)

    # -- leaves into aggregates ---------------------------------------------------------------

    def aggregates(self, query_filters: tuple[ParsedFilter, ...]) -> tuple[AggregateNode, ...]:
        groups: dict[tuple[object, ...], list[_Leaf]] = {}
        for leaf in self.leaves.values():
            time = leaf.model.agg_time_dimension(leaf.measure) or ""
            filters = tuple(f.sql for f in leaf.filters)
            key = (
                leaf.model.name,
                time,
                filters,
                leaf.cumulative,
                leaf.offset,
                leaf.spine,
                leaf.measure.non_additive,
                leaf.conversion,
            )
            groups.setdefault(key, []).append(leaf)

        nodes = []
        for index, leaves in enumerate(groups.values(), start=1):
            name = (
                f"{self.prefix}{leaves[0].model.name}__agg"
                if len(groups) == 1
                else f"{self.prefix}{leaves[0].model.name}__agg{index}"
            )
            nodes.append(self.aggregate(name, leaves, query_filters))
        return tuple(nodes)

    def aggregate(
        self, name: str, leaves: list[_Leaf], query_filters: tuple[ParsedFilter, ...]
    ) -> AggregateNode:
        model, measure = leaves[0].model, leaves[0].measure
        elements: dict[str, ResolvedElement] = {}
        grain = []
        for item in self.query.group_by:
            found = self.resolver.resolve_any(list(item.readings), model, measure, item.location)
            elements.setdefault(found.name, found)
            if found.name not in grain:
                grain.append(found.name)

        cumulative = leaves[0].cumulative
        along_time = cumulative is not None or leaves[0].offset is not None or leaves[0].spine
        shown_filters = tuple(f for f in query_filters if along_time and on_metric_time(f))
        where = []
        pending: list[tuple[MetricRef, list[str], QueryPlan]] = []
        for parsed in query_filters + leaves[0].filters:
            if parsed in shown_filters:
                continue
            where.append(self.condition(parsed, model, measure, elements, pending))

        step, shift = None, None
        offset = leaves[0].offset
        if cumulative is not None:
            axis = self.time_axis(leaves[0], grain, elements, () if offset else shown_filters, True)
            step = CumulativeStep(cumulative, axis)
        if offset is not None:
            axis = self.time_axis(leaves[0], grain, elements, shown_filters, False)
            shift = OffsetStep(offset, axis)
        spine = None
        if leaves[0].spine:
            try:
                spine = self.time_axis(leaves[0], grain, elements, shown_filters, False)
            except NeedsMetricTime:
                # Without metric_time there is no period to fill; the rows stand as they are.
                where.extend(self.condition(f, model, measure, elements) for f in shown_filters)

        extra_columns, semi = self.non_additive(leaves[0])
        conversion_columns, conversion, converted = conversion_step(self, leaves[0])
        extra_columns += conversion_columns

        joins: dict[str, JoinStep] = {}
        for element in elements.values():
            for join in element.joins:
                joins.setdefault(join.alias, join)
        exposed = JoinColumns(self.expressions, model.name)
        columns = (
            tuple(
                RowColumn(
                    e.name,
                    exposed.column(e.table_alias, e.model, e.sql, e.name),
                    e.grain,
                    e.date_part,
                    e.custom,
                )
                for e in elements.values()
            )
            + extra_columns
        )
        measures = tuple(
            MeasureColumn(
                leaf.column,
                leaf.measure,
                self.expressions.on_table(leaf.measure.sql, model.name, leaf.measure.location),
            )
            for leaf in leaves
        )
        if converted is not None:
            measures = (converted,)
        conditions = {
            join.alias: self.join_condition(join, exposed, leaves[0]) for join in joins.values()
        }
        # Before the join nodes: a key may add a column to a joined model's subquery.
        metric_joins = tuple(
            self.metric_join(ref, keys, nested, elements, exposed) for ref, keys, nested in pending
        )
        join_nodes = tuple(
            JoinNode(alias, join.model, conditions[alias], exposed.selected(alias))
            for alias, join in joins.items()
        )
        return AggregateNode(
            name,
            model,
            join_nodes,
            columns,
            tuple(grain),
            measures,
            tuple(where),
            step,
            shift,
            spine,
            semi,
            metric_joins,
            conversion,
        )

    def join_condition(self, join: JoinStep, exposed: JoinColumns, leaf: _Leaf) -> exp.Expr:
        """Keys equal; for a slowly changing model, also the row valid when the fact happened:
        from its start (inclusive) to its end (exclusive, open when NULL)."""
        keys: exp.Expr = exp.EQ(
            this=exposed.column(join.left_alias, join.left_model, join.left_sql, join.entity),
            expression=exposed.column(join.alias, join.model, join.right_sql, join.entity),
        )
        window = join.model.validity_window
        if window is None:
            return keys
        time_name = leaf.model.agg_time_dimension(leaf.measure)
        time = leaf.model.dimension(time_name) if time_name else None
        if time is None:
            raise UserError(
                f"joining '{join.model.name}', whose rows are valid over time, needs the time of "
                f"each row of measure '{leaf.measure.name}', which has no agg_time_dimension",
                leaf.measure.location,
            )
        happened = self.expressions.on_table(time.sql, leaf.model.name, time.location)
        start = exposed.column(join.alias, join.model, window[0].sql, window[0].name)
        end = exposed.column(join.alias, join.model, window[1].sql, window[1].name)
        open_end = exp.Or(
            this=exp.Is(this=end, expression=exp.Null()),
            expression=exp.LT(this=happened.copy(), expression=end.copy()),
        )
        started = exp.GTE(this=happened, expression=start)
        return exp.and_(keys, started, exp.Paren(this=open_end))

    def metric_join(
        self,
        ref: MetricRef,
        keys: list[str],
        nested: QueryPlan,
        elements: dict[str, ResolvedElement],
        exposed: JoinColumns,
    ) -> MetricJoin:
        alias = f"{nested.prefix}joined"
        pairs: list[exp.Expr] = []
        for name, nested_column in zip(keys, nested.grain, strict=True):
            element = elements[name]
            ours = exposed.column(element.table_alias, element.model, element.sql, element.name)
            pairs.append(exp.EQ(this=ours, expression=sqlnames.column(nested_column, alias)))
        condition = pairs[0]
        for pair in pairs[1:]:
            condition = exp.And(this=condition, expression=pair)
        return MetricJoin(alias, nested, condition, ref.metric, ref.column)

    def non_additive(self, leaf: _Leaf) -> tuple[tuple[RowColumn, ...], NonAdditiveStep | None]:
        """The columns a semi-additive measure needs: its non-additive time dimension and the
        entities of its window_groupings."""
        spec = leaf.measure.non_additive
        if spec is None:
            return (), None
        if leaf.cumulative is not None:
            raise UserError(
                f"cumulative metric '{leaf.metric}': measure '{leaf.measure.name}' has a "
                "non_additive_dimension, so it cannot be accumulated over time",
                leaf.measure.location,
            )
        model = leaf.model
        dimension = model.dimension(spec.dimension)
        assert dimension is not None and dimension.time_granularity is not None
        time = RowColumn(
            _NON_ADDITIVE_TIME,
            self.expressions.on_table(dimension.sql, model.name, dimension.location),
            dimension.time_granularity,
        )
        groupings = []
        for name in spec.groupings:
            entity = model.entity(name)
            assert entity is not None
            expression = self.expressions.on_table(entity.sql, model.name, entity.location)
            groupings.append(RowColumn(f"{_NON_ADDITIVE_TIME}__{name}", expression))
        step = NonAdditiveStep(
            spec.window_choice, time.name, tuple(column.name for column in groupings)
        )
        return (time, *groupings), step

    def condition(
        self,
        parsed: ParsedFilter,
        model: SemanticModel,
        measure: Measure,
        elements: dict[str, ResolvedElement],
        pending: list[tuple[MetricRef, list[str], QueryPlan]] | None = None,
    ) -> exp.Expr:
        """A filter with each element name replaced by the column the rows carry for it; each
        Metric() it reads is planned and left in ``pending`` to be joined to the rows."""
        for ref in parsed.metrics:
            if pending is None:
                raise UserError(
                    f"Metric('{ref.metric}') may not filter the periods of a metric that works "
                    "along time; filter its rows with a dimension instead",
                    parsed.location,
                )
            pending.append(self.filter_metric(ref, model, measure, elements, parsed.location))
        condition = parsed.condition.copy()
        for text, readings in parsed.columns:
            found = self.resolver.resolve_any(list(readings), model, measure, parsed.location)
            elements.setdefault(found.name, found)
            for node in list(condition.find_all(exp.Column)):
                if node.name == text:
                    node.replace(sqlnames.column(found.name))
        return condition

    def filter_metric(
        self,
        ref: MetricRef,
        model: SemanticModel,
        measure: Measure,
        elements: dict[str, ResolvedElement],
        location: Location,
    ) -> tuple[MetricRef, list[str], QueryPlan]:
        """Plan the metric a filter reads, per its group-by, and find those elements here."""
        if ref.metric in self.filter_metrics:
            chain = " -> ".join((*self.filter_metrics, ref.metric))
            raise UserError(f"Metric() filters refer to each other in a cycle: {chain}", location)
        keys = []
        items = []
        for text in ref.group_by:
            readings = parse_element_name(text, location)
            found = self.resolver.resolve_any(list(readings), model, measure, location)
            elements.setdefault(found.name, found)
            keys.append(found.name)
            items.append(GroupByItem(text, tuple(readings), location))
        self.metric_join_count += 1
        prefix = f"{self.prefix}metric{self.metric_join_count}__"
        spec = QuerySpec((ref.metric,), tuple(items), location=location)
        nested = build_plan(
            self.manifest,
            self.environment,
            self.dialect,
            spec,
            prefix=prefix,
            filter_metrics=(*self.filter_metrics, ref.metric),
        )
        return ref, keys, nested

    def time_axis(
        self,
        leaf: _Leaf,
        grain: list[str],
        elements: dict[str, ResolvedElement],
        shown_filters: tuple[ParsedFilter, ...],
        needs_days: bool,
    ) -> TimeAxis:
        """The metric_time column of an aggregate that works along time, and the days shown.

        Query filters on metric_time choose the periods shown, never the rows a window or an
        offset reads, so the first period shown still sees the periods before it.
        """
        kind = "cumulative" if leaf.cumulative is not None else "offset"
        kind = "time-spine" if leaf.spine and not (leaf.cumulative or leaf.offset) else kind
        parts = [name for name in grain if is_metric_time_part(elements[name])]
        if parts:
            raise UserError(
                f"{kind} metric '{leaf.metric}' cannot be read by {parts[0]}: its values run "
                "along metric_time and a date part would split them; group by metric_time at "
                "a grain instead",
                self.query.location,
            )
        times = [elements[name] for name in grain if is_metric_time(elements[name])]
        location = self.query.location
        finest = finest_step(
            leaf.cumulative, leaf.offset, needs_days, times[0].grain if len(times) == 1 else None
        )
        if len(times) != 1 or times[0].grain is None or times[0].grain.rank < finest.rank:
            raise NeedsMetricTime(
                f"{kind} metric '{leaf.metric}' needs exactly one metric_time column in the "
                f"group-by, at {finest.value} grain or coarser (e.g. metric_time__month)",
                location,
            )
        custom = self.custom_axis(leaf, times[0], shown_filters, kind)
        day_column, base_grain = times[0].name, min(Grain.DAY, finest, key=rank)
        if base_grain.rank < Grain.DAY.rank:
            check_hourly(leaf.cumulative, leaf.offset, leaf.metric, kind, location)
        if needs_days:
            day = self.base_period(leaf, location, kind, base_grain)
            elements.setdefault(day.name, day)
            day_column = day.name
            base_grain = day.grain or Grain.DAY

        shown: dict[str, ResolvedElement] = {}
        conditions = tuple(
            self.condition(parsed, leaf.model, leaf.measure, shown) for parsed in shown_filters
        )
        custom_filters = [element.name for element in shown.values() if element.custom]
        if custom_filters:
            # The periods shown are chosen on the spine of days, which knows standard grains
            # only; filtering the rows instead would take history from the windows.
            raise UserError(
                f"{kind} metric '{leaf.metric}' cannot be filtered by {custom_filters[0]}: a "
                "filter on metric_time chooses the periods it shows, and only a standard grain "
                "(day, week, month, ...) can choose them; filter by one of those",
                shown_filters[0].location,
            )
        time_columns = tuple((e.name, e.grain) for e in shown.values() if e.grain is not None)
        return TimeAxis(
            day_column,
            times[0].name,
            times[0].grain,
            conditions,
            time_columns,
            base_grain,
            custom,
            times[0].custom is not None,
        )

    def custom_axis(
        self,
        leaf: _Leaf,
        time: ResolvedElement,
        shown_filters: tuple[ParsedFilter, ...],
        kind: str,
    ) -> CustomGranularity | None:
        """The custom granularity an offset counts in, when it is read at that granularity or
        at its time spine's own grain; None for an axis of standard grains.

        Raises:
            UserError: a custom granularity that no step along time can honour yet.
        """
        window = leaf.offset.window if leaf.offset is not None else None
        counted = self.manifest.window_granularity(window) if window is not None else None
        if time.custom is None and counted is None:
            return None
        location = self.query.location
        if kind != "offset" or counted is None or time.custom not in (None, counted):
            shown = time.custom.name if time.custom is not None else "a custom granularity"
            raise UserError(
                f"{kind} metric '{leaf.metric}' cannot be read by {time.name}: along "
                f"{shown} only an offset_window counted in the same granularity is supported",
                location,
            )
        if time.custom is None and time.grain is not counted.spine_grain:
            raise NeedsCustomGrain(
                counted.name,
                f"offset metric '{leaf.metric}' counts its offset in {counted.name}s, so it is "
                f"read by metric_time__{counted.name} or metric_time__"
                f"{counted.spine_grain.value}, not {time.name}",
                location,
            )
        if shown_filters:
            raise UserError(
                f"offset metric '{leaf.metric}' counts its offset in {counted.name}s; a filter "
                "on metric_time would hide the periods it reads, so it takes none",
                shown_filters[0].location,
            )
        return counted

    def base_period(
        self, leaf: _Leaf, location: Location | None, kind: str, step: Grain = Grain.DAY
    ) -> ResolvedElement:
        """metric_time at day grain (an hour for windows in hours), or at the measure's own
        grain when its time dimension is recorded more coarsely (a monthly snapshot
        accumulates month by month)."""
        try:
            return self.resolver.resolve(
                ElementRef(METRIC_TIME, (), step), leaf.model, leaf.measure, location
            )
        except TimeReadingError:
            if step is not Grain.DAY:
                raise
        except UserError as error:
            raise UserError(
                f"{kind} metric '{leaf.metric}' accumulates over time: {error.message}", location
            ) from None
        try:
            return self.resolver.resolve(
                ElementRef(METRIC_TIME), leaf.model, leaf.measure, location
            )
        except UserError as error:
            raise UserError(
                f"{kind} metric '{leaf.metric}' accumulates over time: {error.message}", location
            ) from None


_NON_ADDITIVE_TIME = "sl_non_additive_time"


def _values_plan(planner: _Planner, query: QuerySpec, prefix: str) -> QueryPlan:
    """A query without metrics: the distinct values of its group-by, read from the semantic
    model its first item's entity belongs to (where that entity is primary or unique)."""
    first = query.group_by[0].readings[-1]
    entity = first.entity_path[0] if first.entity_path else first.element
    roots = [m for m in planner.manifest.semantic_models.values() if m.is_one_side(entity)]
    if not roots:
        raise UserError(
            f"'{query.group_by[0].text}': a query without metrics reads the values of a "
            "dimension from the model whose primary entity starts its path; none has "
            f"'{entity}' as primary or unique",
            query.group_by[0].location,
        )
    errors = []
    for root in roots:
        placeholder = Measure("", Agg.COUNT, "1", root.location)
        leaf = _Leaf("", root, placeholder, (), metric="")
        try:
            node = planner.aggregate(
                f"{prefix}{root.name}__values", [leaf], planner.parsed(query.where)
            )
        except UserError as error:
            errors.append(error)
            continue
        node = dataclasses.replace(node, measures=())
        order_by = [order_column(text, node.grain, query) for text in query.order_by]
        return QueryPlan((node,), node.grain, (), tuple(order_by), query.limit, prefix=prefix)
    raise errors[0]


def build_plan(
    manifest: SemanticManifest,
    environment: jinja2.Environment,
    dialect: str,
    query: QuerySpec,
    prefix: str = "",
    filter_metrics: tuple[str, ...] = (),
) -> QueryPlan:
    """Plan ``query``; ``dialect`` is the one the definitions' SQL is written in.

    Raises:
        UserError: an unknown metric or element, an impossible join, a grain mismatch.
    """
    if not query.metrics and not query.group_by:
        raise UserError("a query needs a metric or a group-by", query.location)
    query = with_default_grain(manifest, query)
    planner = _Planner(
        manifest, environment, dialect, query, prefix=prefix, filter_metrics=filter_metrics
    )
    if not query.metrics:
        return _values_plan(planner, query, prefix)
    outputs = []
    for name in dict.fromkeys(query.metrics):
        outputs.append(OutputMetric(name, planner.metric_node(name, (), (), query.location)))
    aggregates = planner.aggregates(planner.parsed(query.where))

    grain = aggregates[0].grain
    for aggregate in aggregates[1:]:
        if aggregate.grain != grain:
            raise UserError(
                f"the metrics read the group-by at different grains ({', '.join(grain)} and "
                f"{', '.join(aggregate.grain)}); name the grain of each time dimension",
                query.location,
            )
    clash = set(grain) & set(query.metrics)
    if clash:
        raise UserError(
            f"'{sorted(clash)[0]}' is both a metric and a group-by column", query.location
        )

    order_by = [order_column(text, grain, query) for text in query.order_by]
    return QueryPlan(aggregates, grain, tuple(outputs), tuple(order_by), query.limit, prefix=prefix)
