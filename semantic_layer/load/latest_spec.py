"""Definitions in dbt's latest YAML spec into the legacy shape that the spec builder reads.

In the latest spec (dbt Core 1.12, Fusion) a model under ``models:`` carries a
``semantic_model:``; its columns carry ``entity:`` and ``dimension:``; and ``metrics:`` beside
them define simple metrics with ``agg`` straight away, without measures. Each simple metric
becomes a measure of the same name, kept internal, plus a legacy metric that reads it. Ratio,
derived, cumulative and conversion metrics write their settings at the top of the metric; they
move under ``type_params``. Every node built here keeps the file and line of the one it came
from, so messages point at what the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from semantic_layer.errors import Location
from semantic_layer.load.yaml_positions import YamlList, YamlMap
from semantic_layer.validate.issues import Issues

_COMMON = {"name", "type", "description", "label", "filter", "time_granularity", "config", "meta",
           "tags"}  # fmt: skip
# Settings of a simple metric that describe its aggregation, which a measure holds.
_AGGREGATION = {"agg", "expr", "agg_time_dimension", "percentile", "percentile_type",
                "non_additive_dimension"}  # fmt: skip
_CONVERSION_KEYS = ("entity", "calculation", "window", "constant_properties", "base_metric",
                    "conversion_metric")  # fmt: skip
# Where each type's own settings go in the legacy shape: a path under type_params.
_PARAMS: dict[str, dict[str, tuple[str, ...]]] = {
    "ratio": {"numerator": ("numerator",), "denominator": ("denominator",)},
    "derived": {"expr": ("expr",), "input_metrics": ("metrics",), "metrics": ("metrics",)},
    "cumulative": {
        "input_metric": ("input_metric",),
        "window": ("cumulative_type_params", "window"),
        "grain_to_date": ("cumulative_type_params", "grain_to_date"),
        "period_agg": ("cumulative_type_params", "period_agg"),
    },
    "conversion": {key: ("conversion_type_params", key) for key in _CONVERSION_KEYS},
}
_SEMANTIC_MODEL_KEYS = {"enabled", "group", "config", "name", "description", "label",
                        "agg_time_dimension", "primary_entity"}  # fmt: skip
_PERCENTILE_TYPES = ("continuous", "discrete", "approximate_continuous", "approximate_discrete")


@dataclass
class Translated:
    """Legacy-shaped semantic models and metrics built from one file's ``models:``."""

    semantic_models: list[YamlMap] = field(default_factory=list)
    metrics: list[YamlMap] = field(default_factory=list)
    simple: set[str] = field(default_factory=set)  # simple metrics, each with its own measure


def new_map(location: Location) -> YamlMap:
    """An empty mapping that reports ``location`` for itself and for keys put without one."""
    result = YamlMap()
    result.location = location
    result.key_locations = {}
    return result


def new_list(location: Location, items: list[Any], locations: list[Location]) -> YamlList:
    result = YamlList(items)
    result.location = location
    result.item_locations = locations
    return result


def put(target: YamlMap, key: str, value: Any, where: Location) -> None:
    target[key] = value
    target.key_locations[key] = where


def _move(source: YamlMap, target: YamlMap, key: str, as_key: str | None = None) -> None:
    if source.get(key) is not None:
        put(target, as_key or key, source[key], source.loc(key))


def translate_models(models: Any, where: Location, issues: Issues) -> Translated:
    """The semantic models and metrics of every model under ``models:`` that enables one.

    Models without ``semantic_model`` are dbt's business and are passed over in silence.
    """
    translated = Translated()
    if not isinstance(models, YamlList):
        if models is not None:
            issues.error(where, "'models' must be a list")
        return translated
    for entry in models:
        settings = _settings(entry, issues) if isinstance(entry, YamlMap) else None
        if settings is None:
            continue
        model = _semantic_model(entry, settings, issues)
        if model is None:
            continue
        translated.semantic_models.append(model)
        for metric in _model_metrics(entry, model, issues):
            translated.metrics.append(metric)
            if str(metric["type"]).lower() == "simple":
                translated.simple.add(str(metric.get("name")))
    return translated


def translate_metric(item: YamlMap, issues: Issues) -> YamlMap | None:
    """A ratio, derived, cumulative or conversion metric of the latest spec, legacy-shaped.

    Keys this does not know stay at the top, where the builder warns about them.
    """
    kind = str(item.get("type", "")).lower()
    if kind == "simple" or "agg" in item:
        issues.error(
            item.location,
            f"metric '{item.get('name')}': a simple metric is written under its model's "
            "'metrics:' with 'agg' (latest spec), or with type_params.measure (legacy spec)",
        )
        return None
    metric, params = new_map(item.location), new_map(item.location)
    places = _PARAMS.get(kind, {})
    for key, value in item.items():
        path = places.get(str(key))
        if path is None or str(key) in _COMMON:
            put(metric, str(key), value, item.loc(str(key)))
            continue
        holder = params
        for step in path[:-1]:
            holder = holder.setdefault(step, new_map(item.loc(str(key))))
        put(holder, path[-1], value, item.loc(str(key)))
    put(metric, "type_params", params, item.location)
    return metric


def _settings(entry: YamlMap, issues: Issues) -> YamlMap | None:
    """The model's ``semantic_model`` mapping (``true`` gives an empty one), None when off."""
    value = entry.get("semantic_model")
    if value is None or value is False:
        return None
    if value is True:
        return new_map(entry.loc("semantic_model"))
    if not isinstance(value, YamlMap):
        issues.error(
            entry.loc("semantic_model"),
            f"model '{entry.get('name')}': 'semantic_model' must be true, false or a mapping",
        )
        return None

    enabled = value.get("enabled", True)
    config = value.get("config")
    if isinstance(config, YamlMap) and config.get("enabled") is False:
        enabled = False
    if not isinstance(enabled, bool):
        issues.error(value.loc("enabled"), "semantic_model: 'enabled' must be true or false")
        return None
    return value if enabled else None


def _semantic_model(entry: YamlMap, settings: YamlMap, issues: Issues) -> YamlMap | None:
    model_name = entry.get("name")
    if not isinstance(model_name, str):
        issues.error(entry.location, "a model with a semantic_model needs a 'name'")
        return None
    result = new_map(settings.location)
    put(result, "name", model_name, entry.loc("name"))
    put(result, "model", f"ref('{model_name}')", entry.loc("name"))
    _move(entry, result, "description")
    for key in ("name", "description", "label"):
        _move(settings, result, key)
    for key, value in settings.items():
        if str(key) not in _SEMANTIC_MODEL_KEYS:
            put(result, str(key), value, settings.loc(str(key)))  # the builder warns

    for key in ("agg_time_dimension", "primary_entity"):
        holder = entry if key in entry else settings
        if holder.get(key) is None:
            continue
        if key == "primary_entity":
            _move(holder, result, key)
        else:
            defaults = new_map(holder.loc(key))
            _move(holder, defaults, key)
            put(result, "defaults", defaults, holder.loc(key))

    entities, dimensions = _columns(entry, issues)
    derived = entry.get("derived_semantics")
    if isinstance(derived, YamlMap):
        entities += [e for e in derived.get("entities") or [] if isinstance(e, YamlMap)]
        for item in derived.get("dimensions") or []:
            dimension = _dimension(item, None, issues) if isinstance(item, YamlMap) else None
            dimensions += [dimension] if dimension is not None else []
    put(result, "entities", _list(entities, result.location), result.location)
    put(result, "dimensions", _list(dimensions, result.location), result.location)
    put(result, "measures", _list([], result.location), result.location)
    return result


def _list(items: list[YamlMap], location: Location) -> YamlList:
    return new_list(location, items, [item.location for item in items])


def _columns(entry: YamlMap, issues: Issues) -> tuple[list[YamlMap], list[YamlMap]]:
    """Entities and dimensions written on the model's columns."""
    entities: list[YamlMap] = []
    dimensions: list[YamlMap] = []
    columns = entry.get("columns")
    for column in columns if isinstance(columns, YamlList) else []:
        if not isinstance(column, YamlMap):
            continue
        marked = [key for key in ("entity", "dimension") if column.get(key) is not None]
        if marked and not isinstance(column.get("name"), str):
            issues.error(column.location, f"a column with '{marked[0]}' needs a 'name'")
            continue
        if "entity" in marked:
            entity = _annotation(column, "entity", issues)
            entities += [entity] if entity is not None else []
        if "dimension" in marked:
            annotation = _annotation(column, "dimension", issues)
            dimension = _dimension(annotation, column, issues) if annotation is not None else None
            dimensions += [dimension] if dimension is not None else []
    return entities, dimensions


def _annotation(column: YamlMap, key: str, issues: Issues) -> YamlMap | None:
    """A column's ``entity:`` or ``dimension:`` as a legacy entity or dimension, named after the
    column unless it says otherwise, reading the column when the names differ."""
    value = column[key]
    if isinstance(value, str):
        value_map = new_map(column.loc(key))
        put(value_map, "type", value, column.loc(key))
        value = value_map
    if not isinstance(value, YamlMap):
        issues.error(
            column.loc(key),
            f"column '{column['name']}': '{key}' must be a mapping (with 'type') or a type",
        )
        return None
    result = new_map(column.loc(key))
    for inner, item in value.items():
        put(result, str(inner), item, value.loc(str(inner)))
    if result.get("name") is None:
        put(result, "name", column["name"], column.loc("name"))
    if result["name"] != column["name"] and result.get("expr") is None:
        put(result, "expr", column["name"], column.loc("name"))
    return result


def _dimension(data: YamlMap, column: YamlMap | None, issues: Issues) -> YamlMap | None:
    """Moves ``granularity`` (on the dimension or its column) and ``validity_params`` under
    type_params, where the legacy spec keeps them."""
    result = new_map(data.location)
    params = new_map(data.location)
    for key, value in data.items():
        if key in ("granularity", "time_granularity"):
            put(params, "time_granularity", value, data.loc(str(key)))
        elif key == "validity_params":
            put(params, "validity_params", value, data.loc(str(key)))
        else:
            put(result, str(key), value, data.loc(str(key)))
    if column is not None and "time_granularity" not in params:
        _move(column, params, "granularity", "time_granularity")

    if str(result.get("type", "")).lower() == "time" and "time_granularity" not in params:
        issues.error(
            data.location,
            f"dimension '{result.get('name')}': a time dimension needs a 'granularity' "
            "(on its column, such as 'granularity: day')",
        )
        return None
    if params:
        put(result, "type_params", params, data.location)
    return result


def _model_metrics(entry: YamlMap, model: YamlMap, issues: Issues) -> list[YamlMap]:
    """The metrics written beside a semantic model; simple ones add a measure to it."""
    metrics = []
    items = entry.get("metrics")
    for item in items if isinstance(items, YamlList) else []:
        if not isinstance(item, YamlMap):
            where = entry.loc("metrics")
            issues.error(where, f"model '{entry.get('name')}': metrics must be mappings")
            continue
        if str(item.get("type", "simple")).lower() != "simple":
            metric = translate_metric(item, issues)
            metrics += [metric] if metric is not None else []
            continue
        if item.get("agg") is None:
            issues.error(item.location, f"metric '{item.get('name')}': a simple metric needs 'agg'")
            continue
        model["measures"].append(_measure(item, issues))
        model["measures"].item_locations.append(item.location)
        metrics.append(_simple_metric(item))
    return metrics


def _measure(item: YamlMap, issues: Issues) -> YamlMap:
    """The measure a simple metric aggregates, named after it."""
    measure = new_map(item.location)
    for key in ("name", "agg", "expr", "agg_time_dimension", "description", "label"):
        _move(item, measure, key)

    percentile_type = str(item.get("percentile_type") or "continuous").lower()
    if percentile_type not in _PERCENTILE_TYPES:
        issues.error(
            item.loc("percentile_type"),
            f"metric '{item.get('name')}': percentile_type must be one of "
            f"{', '.join(_PERCENTILE_TYPES)}, not '{percentile_type}'",
        )
    if item.get("percentile") is not None or "percentile_type" in item:
        params = new_map(item.loc("percentile"))
        _move(item, params, "percentile")
        where = item.loc("percentile_type")
        put(params, "use_discrete_percentile", percentile_type.endswith("discrete"), where)
        if percentile_type.startswith("approximate"):
            put(params, "use_approximate_percentile", True, where)
        put(measure, "agg_params", params, params.location)

    additive = item.get("non_additive_dimension")
    if isinstance(additive, str):
        additive_map = new_map(item.loc("non_additive_dimension"))
        put(additive_map, "name", additive, item.loc("non_additive_dimension"))
        additive = additive_map
    if isinstance(additive, YamlMap):
        renamed = new_map(additive.location)
        for key, value in additive.items():
            legacy = {"window_agg": "window_choice", "group_by": "window_groupings"}.get(str(key))
            put(renamed, legacy or str(key), value, additive.loc(str(key)))
        put(measure, "non_additive_dimension", renamed, item.loc("non_additive_dimension"))
    elif additive is not None:
        _move(item, measure, "non_additive_dimension")  # the builder says it must be a mapping
    return measure


def _simple_metric(item: YamlMap) -> YamlMap:
    """The legacy simple metric reading the measure named after it."""
    metric = new_map(item.location)
    used = new_map(item.location)
    put(used, "name", item.get("name"), item.loc("name"))
    for key, value in item.items():
        if key in ("join_to_timespine", "fill_nulls_with"):
            put(used, str(key), value, item.loc(str(key)))
        elif str(key) not in _AGGREGATION:
            put(metric, str(key), value, item.loc(str(key)))
    if "type" not in metric:
        put(metric, "type", "simple", item.location)
    params = new_map(item.location)
    put(params, "measure", used, item.location)
    put(metric, "type_params", params, item.location)
    return metric
