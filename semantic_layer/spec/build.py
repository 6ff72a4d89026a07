"""Raw YAML documents into the typed semantic manifest and the declared sources."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from typing import TypeVar

from semantic_layer.errors import Location
from semantic_layer.load.files import YamlDocument
from semantic_layer.load.latest_spec import translate_metric, translate_models
from semantic_layer.load.yaml_positions import YamlMap
from semantic_layer.spec.objects import (
    Agg,
    Conversion,
    Cumulative,
    Dimension,
    DimensionType,
    Entity,
    EntityType,
    Filter,
    Grain,
    Measure,
    MeasureInput,
    Metric,
    MetricInput,
    MetricType,
    NonAdditive,
    Offset,
    PeriodAgg,
    Relation,
    SemanticManifest,
    SemanticModel,
    Window,
)
from semantic_layer.spec.reader import COMMON_KEYS, Reader, name_of
from semantic_layer.spec.saved_queries import saved_query
from semantic_layer.spec.time_spines import (
    check_custom_granularities,
    configured_time_spines,
    model_time_spines,
)
from semantic_layer.validate.issues import Issues, did_you_mean

E = TypeVar("E", bound=Enum)
# Top-level keys of a dbt YAML file: the semantic ones are read, dbt's own are left to dbt.
FILE_KEYS = {
    "version", "semantic_models", "metrics", "saved_queries", "sources", "models", "seeds",
    "snapshots", "macros", "exposures", "analyses", "groups", "unit_tests", "data_tests",
    "time_spines", "project_configuration",
}  # fmt: skip
_RELATION = re.compile(
    r"""^\s*(?:\{\{\s*)?(ref|source)\(\s*(['"])([^'"]+)\2\s*(?:,\s*(['"])([^'"]+)\4\s*)?\)"""
    r"""\s*(?:\}\})?\s*$"""
)


@dataclass(frozen=True)
class SourceTable:
    """A table declared under ``sources:``; schema and database may hold Jinja (``target``)."""

    source_name: str
    name: str
    location: Location
    schema: str
    database: str | None = None
    identifier: str | None = None
    description: str | None = None


@dataclass
class BuiltProject:
    manifest: SemanticManifest
    sources: dict[tuple[str, str], SourceTable]


def build_manifest(documents: list[YamlDocument], issues: Issues) -> BuiltProject:
    """Turn every document's semantic_models, metrics, saved_queries and sources into objects.

    Models of dbt's latest spec (``models:`` with a ``semantic_model:``) and metrics written in
    it are read too, in the same project as legacy ones.
    """
    manifest = SemanticManifest()
    sources: dict[tuple[str, str], SourceTable] = {}
    metric_inputs: dict[str, set[str]] = {}
    for document in documents:
        data = document.data
        if data is None:
            continue
        if not isinstance(data, YamlMap):
            issues.error(Location(document.path, 1), "a definitions file must be a mapping")
            continue
        for key in data:
            if str(key) not in FILE_KEYS:
                hint = did_you_mean(str(key), FILE_KEYS)
                issues.warning(data.loc(str(key)), f"unknown key '{key}' is ignored{hint}")
        latest = translate_models(data.get("models"), data.loc("models"), issues)
        manifest.time_spines.extend(model_time_spines(data.get("models"), issues))
        configuration = data.get("project_configuration")
        manifest.time_spines.extend(configured_time_spines(configuration, issues))
        for item in _items(data, "semantic_models", issues) + latest.semantic_models:
            model = _semantic_model(Reader(item, "semantic model", name_of(item), issues))
            _add(manifest.semantic_models, model, "semantic model", issues)
            for created in _metrics_from_measures(item, model):
                _add(manifest.metrics, created, "metric", issues)
        written = [
            item if "type_params" in item else translate_metric(item, issues)
            for item in _items(data, "metrics", issues)
        ]
        for item in [item for item in written if item is not None] + latest.metrics:
            if name_of(item) in latest.simple and manifest.measure_owner(name_of(item)) is None:
                continue  # what it aggregates is wrong, and was reported
            metric = _metric(Reader(item, "metric", name_of(item), issues))
            _add(manifest.metrics, metric, "metric", issues)
            if metric is not None and _metric_roles(item):
                metric_inputs[metric.name] = _metric_roles(item)
        for item in _items(data, "saved_queries", issues):
            query = saved_query(Reader(item, "saved query", name_of(item), issues))
            _add(manifest.saved_queries, query, "saved query", issues)
        for item in _items(data, "sources", issues):
            for table in _source_tables(Reader(item, "source", name_of(item), issues)):
                key = (table.source_name, table.name)
                if key in sources:
                    issues.error(table.location, f"source table {key} is declared twice")
                sources[key] = table
    _measures_of_input_metrics(manifest, metric_inputs, issues)
    check_custom_granularities(manifest.time_spines, issues)
    return BuiltProject(manifest, sources)


def _items(data: YamlMap, key: str, issues: Issues) -> list[YamlMap]:
    return Reader(data, "file", data.location.path, issues).mappings(key)


def _add(registry: dict, obj, kind: str, issues: Issues) -> None:  # type: ignore[type-arg]
    if obj is None:
        return
    if obj.name in registry:
        first = registry[obj.name].location
        issues.error(obj.location, f"{kind} '{obj.name}' is already defined at {first}")
        return
    registry[obj.name] = obj


def parse_relation(text: str) -> Relation | None:
    """``ref('x')`` or ``source('s', 't')`` (optionally inside ``{{ }}``) as a Relation."""
    match = _RELATION.match(text)
    if match is None:
        return None
    kind, first, second = match.group(1), match.group(3), match.group(5)
    if kind == "ref" and second is None:
        return Relation("ref", first)
    if kind == "source" and second is not None:
        return Relation("source", second, source_name=first)
    return None


def _semantic_model(reader: Reader) -> SemanticModel | None:
    reader.check_keys(
        COMMON_KEYS
        | {
            "model",
            "defaults",
            "entities",
            "dimensions",
            "measures",
            "primary_entity",
            "node_relation",
        }
    )
    name = reader.definition_name()
    relation = _relation(reader)
    if name is None or relation is None:
        return None

    defaults = reader.mapping("defaults")
    default_time = (
        Reader(defaults, "semantic model", name, reader.issues).text("agg_time_dimension")
        if defaults is not None
        else None
    )
    entities = tuple(
        filter(None, (_entity(item, name, reader.issues) for item in reader.mappings("entities")))
    )
    dimensions = tuple(
        filter(
            None, (_dimension(item, name, reader.issues) for item in reader.mappings("dimensions"))
        )
    )
    measures = tuple(
        filter(None, (_measure(item, name, reader.issues) for item in reader.mappings("measures")))
    )
    primary = reader.text("primary_entity")
    if primary is not None and all(e.name != primary for e in entities):
        entities = entities + (
            Entity(primary, EntityType.PRIMARY, None, reader.loc("primary_entity"), None),
        )
    return SemanticModel(
        name=name,
        relation=relation,
        location=reader.location,
        entities=entities,
        dimensions=dimensions,
        measures=measures,
        default_agg_time_dimension=default_time,
        description=reader.text("description"),
    )


def _relation(reader: Reader) -> Relation | None:
    """``model: ref(...)`` or ``source(...)``, or the ``node_relation`` (a table named
    outright) that dbt writes in semantic_manifest.json."""
    node = reader.mapping("node_relation")
    if node is not None and "model" not in reader.data:
        inner = Reader(node, reader.kind, reader.name, reader.issues)
        inner.check_keys({"alias", "schema_name", "database", "relation_name"})
        alias = inner.text("alias", required=True)
        schema, database = inner.text("schema_name"), inner.text("database")
        return Relation("table", alias, schema=schema, database=database) if alias else None

    model_text = reader.text("model", required=True)
    if model_text is None:
        return None
    relation = parse_relation(model_text)
    if relation is None:
        reader.error(
            "model", f"'model' must be ref('name') or source('source', 'table'), not {model_text!r}"
        )
    return relation


def _choice(reader: Reader, key: str, enum_type: type[E], required: bool = True) -> E | None:
    text = reader.text(key, required=required)
    if text is None:
        return None
    values = [member.value for member in enum_type]
    if text.lower() not in values:
        hint = did_you_mean(text.lower(), values)
        reader.error(key, f"'{key}' is '{text}', which is not one of {', '.join(values)}{hint}")
        return None
    return enum_type(text.lower())


def _entity(data: YamlMap, model: str, issues: Issues) -> Entity | None:
    reader = Reader(data, "entity", f"{model}.{name_of(data)}", issues)
    reader.check_keys(COMMON_KEYS | {"type", "expr", "role"})
    name = reader.definition_name()
    entity_type = _choice(reader, "type", EntityType)
    if name is None or entity_type is None:
        return None
    return Entity(
        name, entity_type, reader.text("expr"), reader.location, reader.text("description")
    )


def _dimension(data: YamlMap, model: str, issues: Issues) -> Dimension | None:
    reader = Reader(data, "dimension", f"{model}.{name_of(data)}", issues)
    reader.check_keys(COMMON_KEYS | {"type", "expr", "type_params", "is_partition"})
    name = reader.definition_name()
    dimension_type = _choice(reader, "type", DimensionType)
    if name is None or dimension_type is None:
        return None

    grain, validity = None, None
    params = reader.mapping("type_params")
    if dimension_type is DimensionType.TIME:
        if params is None:
            reader.error(None, "a time dimension needs type_params.time_granularity")
        else:
            params_reader = Reader(params, "dimension", reader.name, issues)
            params_reader.check_keys({"time_granularity", "validity_params"})
            grain = _choice(params_reader, "time_granularity", Grain)
            validity = _validity(params_reader)
    return Dimension(
        name=name,
        type=dimension_type,
        expr=reader.text("expr"),
        location=reader.location,
        time_granularity=grain,
        description=reader.text("description"),
        label=reader.text("label"),
        validity=validity,
        time_zone_aware=_time_zone_aware(reader, dimension_type),
    )


def _time_zone_aware(reader: Reader, dimension_type: DimensionType) -> bool:
    """``meta: {time_zone_aware: true}`` (or under ``config:``): this project's own setting,
    kept under meta so that dbt still reads the file."""
    config = reader.mapping("config")
    metas = [reader.data.get("meta"), config.get("meta") if config is not None else None]
    for meta in metas:
        if isinstance(meta, YamlMap) and "time_zone_aware" in meta:
            value = Reader(meta, reader.kind, reader.name, reader.issues).boolean("time_zone_aware")
            if value and dimension_type is not DimensionType.TIME:
                reader.error("meta", "time_zone_aware applies to time dimensions only")
                return False
            return value
    return False


def _validity(reader: Reader) -> str | None:
    """'start' or 'end' from validity_params: {is_start: true} or {is_end: true}."""
    params = reader.mapping("validity_params")
    if params is None:
        return None
    inner = Reader(params, "dimension", reader.name, reader.issues)
    inner.check_keys({"is_start", "is_end"})
    start, end = inner.boolean("is_start"), inner.boolean("is_end")
    if start == end:
        inner.error(None, "validity_params needs exactly one of is_start or is_end set to true")
        return None
    return "start" if start else "end"


def _measure(data: YamlMap, model: str, issues: Issues) -> Measure | None:
    reader = Reader(data, "measure", f"{model}.{name_of(data)}", issues)
    reader.check_keys(
        COMMON_KEYS
        | {
            "agg",
            "expr",
            "agg_params",
            "agg_time_dimension",
            "non_additive_dimension",
            "create_metric",
        }
    )
    name = reader.definition_name()
    agg = _choice(reader, "agg", Agg)
    if name is None or agg is None:
        return None

    percentile, discrete = None, False
    params = reader.mapping("agg_params")
    if params is not None:
        params_reader = Reader(params, "measure", reader.name, issues)
        params_reader.check_keys(
            {"percentile", "use_discrete_percentile", "use_approximate_percentile"}
        )
        percentile = params_reader.number("percentile")
        discrete = params_reader.boolean("use_discrete_percentile")
        if params_reader.boolean("use_approximate_percentile"):
            issues.warning(
                params_reader.loc("use_approximate_percentile"),
                f"measure '{reader.name}': the percentile is computed exactly, not approximated",
            )
    if agg is Agg.PERCENTILE and (percentile is None or not 0 <= percentile <= 1):
        reader.error(
            "agg_params", "a percentile measure needs agg_params.percentile between 0 and 1"
        )
    if agg is Agg.MEDIAN:
        percentile = 0.5
    return Measure(
        name=name,
        agg=agg,
        expr=reader.text("expr"),
        location=reader.location,
        agg_time_dimension=reader.text("agg_time_dimension"),
        percentile=float(percentile) if percentile is not None else None,
        use_discrete_percentile=discrete,
        description=reader.text("description"),
        label=reader.text("label"),
        non_additive=_non_additive(reader),
    )


def _non_additive(reader: Reader) -> NonAdditive | None:
    data = reader.mapping("non_additive_dimension")
    if data is None:
        return None
    inner = Reader(data, "measure", reader.name, reader.issues)
    inner.check_keys({"name", "window_choice", "window_groupings"})
    name = inner.text("name", required=True)
    choice = (inner.text("window_choice") or "max").lower()
    if choice not in ("min", "max"):
        inner.error("window_choice", f"window_choice must be min or max, not '{choice}'")
    groupings = tuple(text for text, _ in inner.strings("window_groupings"))
    return NonAdditive(name, choice, groupings) if name else None


def _metrics_from_measures(data: YamlMap, model: SemanticModel | None) -> list[Metric]:
    """Simple metrics for measures written with ``create_metric: true``."""
    if model is None:
        return []
    measures = data.get("measures")
    flagged = {
        str(item.get("name"))
        for item in (measures if isinstance(measures, list) else [])
        if isinstance(item, dict) and item.get("create_metric") is True
    }
    return [
        Metric(
            m.name,
            MetricType.SIMPLE,
            m.location,
            measure=MeasureInput(m.name, m.location),
            description=m.description,
            label=m.label,
        )
        for m in model.measures
        if m.name in flagged
    ]


def _not_yet(reader: Reader, *keys: str) -> None:
    """Report settings this version reads but cannot honour yet, rather than drop them."""
    for key in keys:
        value = reader.data.get(key)
        if value is not None and value is not False:
            reader.error(
                key,
                f"'{key}' is not supported yet; remove it, or the numbers would "
                "silently differ from what it asks for",
            )


def _filters(reader: Reader, key: str = "filter") -> tuple[Filter, ...]:
    return tuple(Filter(text, where) for text, where in reader.strings(key))


def _metric(reader: Reader) -> Metric | None:
    filling = {"fill_nulls_with", "join_to_timespine"}
    reader.check_keys(COMMON_KEYS | {"type", "type_params", "filter", "time_granularity"} | filling)
    name = reader.definition_name()
    metric_type = _choice(reader, "type", MetricType)
    # Written on the metric itself (the latest spec) these apply to a simple metric's measure,
    # which is where they are read; on any other metric they would be lost.
    _not_yet(reader, *sorted(filling))
    if name is None or metric_type is None:
        return None
    params = reader.mapping("type_params")
    if params is None:
        reader.error(None, "'type_params' is required")
        return None

    params_reader = Reader(params, "metric", name, reader.issues)
    params_reader.check_keys(_TYPE_PARAMS[metric_type])
    fields: dict = {}  # type: ignore[type-arg]
    if metric_type in (MetricType.SIMPLE, MetricType.CUMULATIVE):
        key = _either(params, "input_metric", "measure")
        fields["measure"] = _measure_input(params_reader, key)
    if metric_type is MetricType.CUMULATIVE:
        fields["cumulative"] = _cumulative(params_reader)
    if metric_type is MetricType.CONVERSION:
        fields["conversion"] = _conversion(params_reader)
    elif metric_type is MetricType.RATIO:
        fields["numerator"] = _metric_input(params_reader, "numerator")
        fields["denominator"] = _metric_input(params_reader, "denominator")
    elif metric_type is MetricType.DERIVED:
        fields["expr"] = params_reader.text("expr", required=True)
        fields["inputs"] = tuple(
            filter(
                None,
                (
                    _metric_input_map(item, name, reader.issues)
                    for item in params_reader.mappings("metrics")
                ),
            )
        )
    return Metric(
        name=name,
        type=metric_type,
        location=reader.location,
        filters=_filters(reader),
        time_granularity=_choice(reader, "time_granularity", Grain, required=False),
        description=reader.text("description"),
        label=reader.text("label"),
        **fields,
    )


_CUMULATIVE_PARAMS = {"measure", "input_metric", "window", "grain_to_date",
                      "cumulative_type_params"}  # fmt: skip
_TYPE_PARAMS = {
    MetricType.SIMPLE: {"measure"},
    MetricType.CUMULATIVE: _CUMULATIVE_PARAMS,
    MetricType.RATIO: {"numerator", "denominator"},
    MetricType.DERIVED: {"expr", "metrics"},
    MetricType.CONVERSION: {"conversion_type_params"},
}
_WINDOW = re.compile(r"^\s*(\d+)\s+([a-z][a-z0-9_]*)\s*$", re.IGNORECASE)


def _window(reader: Reader, key: str) -> Window | None:
    """A window written like '7 days' or '1 month' under ``key``, or None when absent."""
    text = reader.text(key)
    if text is None:
        return None
    match = _WINDOW.match(text)
    if match is None or int(match.group(1)) < 1:
        reader.error(key, f"{key} '{text}' must read like '7 days' or '1 month'")
        return None
    count, unit = int(match.group(1)), match.group(2).lower()
    grain = Grain.parse(unit) or Grain.parse(unit.removesuffix("s"))
    if grain is not None and grain.rank < Grain.HOUR.rank:
        reader.error(key, f"{key} '{text}': windows shorter than an hour are not supported yet")
        return None
    if grain is None:
        # A custom granularity, checked once every time spine is read.
        return Window(count, Grain.DAY, custom=unit)
    return Window(count, grain)


def _cumulative(reader: Reader) -> Cumulative:
    """Window, grain_to_date and period_agg, from cumulative_type_params or (as older files
    write them) straight under type_params."""
    nested = reader.mapping("cumulative_type_params")
    inner = Reader(nested, "metric", reader.name, reader.issues) if nested is not None else None
    for key in ("window", "grain_to_date"):
        if inner is not None and key in reader.data and key in inner.data:
            reader.error(key, f"'{key}' is written twice; keep the one in cumulative_type_params")
    source = inner if inner is not None else reader

    window = _window(source if "window" in source.data else reader, "window")
    grain_to_date = None
    if "grain_to_date" in source.data or "grain_to_date" in reader.data:
        holder = source if "grain_to_date" in source.data else reader
        grain_to_date = _choice(holder, "grain_to_date", Grain)
    if window is not None and grain_to_date is not None:
        reader.error(None, "a cumulative metric takes a window or a grain_to_date, not both")
    period_agg = PeriodAgg.FIRST
    if inner is not None and "period_agg" in inner.data:
        period_agg = _choice(inner, "period_agg", PeriodAgg) or PeriodAgg.FIRST
    return Cumulative(window, grain_to_date, period_agg)


def _conversion(reader: Reader) -> Conversion | None:
    data = reader.mapping("conversion_type_params")
    if data is None:
        reader.error(None, "a conversion metric needs type_params.conversion_type_params")
        return None
    inner = Reader(data, "metric", reader.name, reader.issues)
    inner.check_keys({"base_measure", "conversion_measure", "base_metric", "conversion_metric",
                      "entity", "calculation", "window", "constant_properties"})  # fmt: skip
    base = _measure_input(inner, _either(data, "base_metric", "base_measure"))
    conversion = _measure_input(inner, _either(data, "conversion_metric", "conversion_measure"))
    entity = inner.text("entity", required=True)
    calculation = (inner.text("calculation") or "conversion_rate").lower()
    if calculation not in ("conversion_rate", "conversions"):
        inner.error("calculation", f"calculation must be conversion_rate or conversions, "
                                   f"not '{calculation}'")  # fmt: skip
    window = _window(inner, "window")
    properties = []
    for item in inner.mappings("constant_properties"):
        pair = Reader(item, "metric", reader.name, reader.issues)
        pair.check_keys({"base_property", "conversion_property"})
        base_property = pair.text("base_property", required=True)
        conversion_property = pair.text("conversion_property", required=True)
        if base_property and conversion_property:
            properties.append((base_property, conversion_property))
    if base is None or conversion is None or entity is None:
        return None
    return Conversion(base, conversion, entity, calculation, window, tuple(properties))


def _either(data: YamlMap, metric_key: str, measure_key: str) -> str:
    """The key naming an input metric (latest spec) when written, else the one naming a
    measure (legacy spec)."""
    return metric_key if metric_key in data else measure_key


# Keys under which the latest spec names a simple metric where the legacy spec names a measure.
_METRIC_INPUT_KEYS = {"input_metric": "measure", "base_metric": "base",
                      "conversion_metric": "conversion"}  # fmt: skip


def _metric_roles(item: YamlMap) -> set[str]:
    """Which measure inputs of a metric were written as simple metrics' names."""
    params = item.get("type_params")
    if not isinstance(params, YamlMap):
        return set()
    holders = [params, params.get("conversion_type_params")]
    return {
        role
        for holder in holders
        if isinstance(holder, YamlMap)
        for key, role in _METRIC_INPUT_KEYS.items()
        if key in holder
    }


def _measures_of_input_metrics(
    manifest: SemanticManifest, roles: dict[str, set[str]], issues: Issues
) -> None:
    """Cumulative and conversion metrics of the latest spec read simple metrics, not measures:
    each such input becomes the measure of that metric, with its filters and options."""
    for name, used in roles.items():
        metric = manifest.metrics[name]
        changes: dict = {}  # type: ignore[type-arg]
        if "measure" in used and metric.measure is not None:
            changes["measure"] = _through_metric(metric, metric.measure, manifest, issues)
        spec = metric.conversion
        if spec is not None and used & {"base", "conversion"}:
            base = _through_metric(metric, spec.base, manifest, issues, "base" in used)
            conversion = _through_metric(
                metric, spec.conversion, manifest, issues, "conversion" in used
            )
            changes["conversion"] = (
                replace(spec, base=base, conversion=conversion)
                if base is not None and conversion is not None
                else None
            )
        if any(value is None for value in changes.values()):
            del manifest.metrics[name]  # reported; its measure would be reported again
            continue
        manifest.metrics[name] = replace(metric, **changes)


def _through_metric(
    metric: Metric,
    used: MeasureInput,
    manifest: SemanticManifest,
    issues: Issues,
    names_metric: bool = True,
) -> MeasureInput | None:
    """The measure input of the simple metric ``used`` names, when it names a metric."""
    if not names_metric:
        return used
    source = manifest.metrics.get(used.name)
    if source is None or source.measure is None or source.type is not MetricType.SIMPLE:
        simple = [m.name for m in manifest.metrics.values() if m.type is MetricType.SIMPLE]
        problem = "is not defined" if source is None else "is not a simple metric"
        issues.error(
            used.location,
            f"metric '{metric.name}': input metric '{used.name}' {problem}"
            f"{did_you_mean(used.name, simple)}",
        )
        return None
    inner = source.measure
    fill = used.fill_nulls_with if used.fill_nulls_with is not None else inner.fill_nulls_with
    return MeasureInput(
        name=inner.name,
        location=used.location,
        filters=used.filters + inner.filters + source.filters,
        fill_nulls_with=fill,
        join_to_timespine=used.join_to_timespine or inner.join_to_timespine,
    )


def _measure_input(reader: Reader, key: str = "measure") -> MeasureInput | None:
    value = reader.data.get(key)
    if isinstance(value, str):
        return MeasureInput(value, reader.loc(key))
    if isinstance(value, YamlMap):
        inner = Reader(value, "metric", reader.name, reader.issues)
        inner.check_keys({"name", "filter", "alias", "fill_nulls_with", "join_to_timespine"})
        name = inner.text("name", required=True)
        if name is None:
            return None
        return MeasureInput(
            name=name,
            location=inner.location,
            filters=_filters(inner),
            fill_nulls_with=inner.number("fill_nulls_with"),
            join_to_timespine=inner.boolean("join_to_timespine"),
        )
    reader.error(key if value is not None else None, f"'{key}' is required")
    return None


def _metric_input(reader: Reader, key: str) -> MetricInput | None:
    value = reader.data.get(key)
    if isinstance(value, str):
        return MetricInput(value, reader.loc(key))
    if isinstance(value, YamlMap):
        return _metric_input_map(value, reader.name, reader.issues, offsets=False)
    reader.error(key if value is not None else None, f"'type_params.{key}' is required")
    return None


def _metric_input_map(
    data: YamlMap, metric: str, issues: Issues, offsets: bool = True
) -> MetricInput | None:
    reader = Reader(data, "metric", metric, issues)
    reader.check_keys({"name", "alias", "filter", "offset_window", "offset_to_grain"})
    name = reader.definition_name()
    if name is None:
        return None
    offset = _offset(reader) if offsets else None
    if not offsets:
        for key in ("offset_window", "offset_to_grain"):
            if key in data:
                reader.error(key, f"'{key}' is allowed only on the inputs of a derived metric")
    return MetricInput(name, reader.location, reader.text("alias"), _filters(reader), offset)


def _offset(reader: Reader) -> Offset | None:
    window = _window(reader, "offset_window")
    to_grain = _choice(reader, "offset_to_grain", Grain, required=False)
    if window is not None and to_grain is not None:
        reader.error(None, "an input takes offset_window or offset_to_grain, not both")
    return Offset(window, to_grain) if window or to_grain else None


def _source_tables(reader: Reader) -> list[SourceTable]:
    reader.check_keys(
        COMMON_KEYS
        | {
            "schema",
            "database",
            "tables",
            "loader",
            "freshness",
            "loaded_at_field",
            "quoting",
            "overrides",
        }
    )
    source = reader.text("name", required=True)
    if source is None:
        return []
    schema = reader.text("schema") or source
    database = reader.text("database")
    tables = []
    for item in reader.mappings("tables"):
        table_reader = Reader(item, "source table", f"{source}.{name_of(item)}", reader.issues)
        name = table_reader.text("name", required=True)
        if name is None:
            continue
        tables.append(
            SourceTable(
                source_name=source,
                name=name,
                location=table_reader.location,
                schema=schema,
                database=database,
                identifier=table_reader.text("identifier"),
                description=table_reader.text("description"),
            )
        )
    return tables
