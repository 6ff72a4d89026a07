"""dbt's semantic_manifest.json into one definitions document of the legacy YAML shape.

dbt writes every optional key, mostly as null, plus metadata of its own; filters are
``{"where_filters": [{"where_sql_template": ...}]}``, windows ``{"count", "granularity"}``, and
a semantic model names its table in ``node_relation``. Only what the spec builder reads is
kept, so nothing machine-written draws a warning; but a setting that would change the numbers
and is not read here is an error at its line, never dropped in silence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from semantic_layer.errors import Location, UserError
from semantic_layer.load.latest_spec import new_list, new_map, put
from semantic_layer.load.yaml_positions import YamlList, YamlMap, parse_yaml
from semantic_layer.validate.issues import Issues

_ABOUT = {"name", "description", "label"}
_MEASURE = {"name", "agg", "expr", "agg_params", "agg_time_dimension", "non_additive_dimension"}
# Keys dbt fills in that never change a number; anything else unread, when set, is refused.
_PASSIVE = {"metadata", "config", "label", "description", "alias", "input_measures", "is_private",
            "create_metric", "semantic_model", "meta", "tags"}  # fmt: skip


def load_semantic_manifest(text: str, path: str, issues: Issues) -> YamlMap:
    """The semantic models, metrics and saved queries of a semantic_manifest.json.

    Raises:
        UserError: the text is not a JSON object; the message carries the line.
    """
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        where = Location(path, error.lineno)
        raise UserError(f"not valid JSON: {error.msg} (column {error.colno})", where) from None
    data = _parse(text, path)
    if not isinstance(data, YamlMap):
        raise UserError("a semantic manifest must be a JSON object", Location(path, 1))

    document = new_map(data.location)
    measures: dict[str, list[YamlMap]] = {}
    metrics = [_metric(item, measures, issues) for item in _mappings(data, "metrics")]
    models = [
        _semantic_model(item, measures, issues) for item in _mappings(data, "semantic_models")
    ]
    for name, extra in measures.items():
        for measure in extra:
            issues.error(measure.location, f"metric '{measure['name']}': semantic model '{name}' "
                                           "is not in the semantic manifest")  # fmt: skip
    queries = [_saved_query(item, issues) for item in _mappings(data, "saved_queries")]
    for key, items in (("semantic_models", models), ("metrics", metrics),
                       ("saved_queries", queries)):  # fmt: skip
        put(document, key, _list(items, data.loc(key)), data.loc(key))
    configuration = data.get("project_configuration")
    if isinstance(configuration, YamlMap) and isinstance(configuration.get("time_spines"), list):
        # The time spines, with their custom granularities; the rest is dbt's bookkeeping.
        spines = new_map(configuration.location)
        put(spines, "time_spines", configuration["time_spines"], configuration.loc("time_spines"))
        put(document, "project_configuration", spines, data.loc("project_configuration"))
    return document


def _parse(text: str, path: str) -> Any:
    """JSON is YAML, so the YAML reader gives positions."""
    return parse_yaml(text, path)


def _mappings(data: YamlMap, key: str) -> list[YamlMap]:
    value = data.get(key)
    return [item for item in value if isinstance(item, YamlMap)] if isinstance(value, list) else []


def _list(items: list[YamlMap], location: Location) -> YamlList:
    return new_list(location, items, [item.location for item in items])


def _set(value: Any) -> bool:
    """True when a value says something: not null, false, empty or zero-length."""
    return value is not None and value is not False and value != [] and value != {}


def _keep(
    data: YamlMap, keys: Iterable[str], what: str, issues: Issues, strict: bool = False
) -> YamlMap:
    """The keys of ``data`` named in ``keys`` that are set. With ``strict`` (settings that
    compute numbers), any other key that is set is reported."""
    wanted = set(keys)
    result = new_map(data.location)
    for key, value in data.items():
        if str(key) in wanted and value is not None:
            put(result, str(key), value, data.loc(str(key)))
        elif strict and str(key) not in wanted | _PASSIVE and _set(value):
            issues.error(
                data.loc(str(key)),
                f"{what}: '{key}' is not supported yet, and leaving it out would change the "
                "numbers; remove it from the definitions that dbt read",
            )
    return result


def _reshape(result: YamlMap, key: str, change: Any) -> None:
    if key in result:
        result[key] = change(result[key])


def _filters(value: Any) -> Any:
    """``{"where_filters": [{"where_sql_template": text}]}`` as a list of texts."""
    if not isinstance(value, YamlMap):
        return value
    items = [f for f in value.get("where_filters") or [] if isinstance(f, YamlMap)]
    texts = [f.get("where_sql_template") for f in items]
    return new_list(value.location, texts, [f.loc("where_sql_template") for f in items])


def _window(value: Any) -> Any:
    """``{"count": 7, "granularity": "day"}`` as ``7 day``."""
    if isinstance(value, YamlMap):
        return f"{value.get('count')} {str(value.get('granularity')).lower()}"
    return value


def _semantic_model(data: YamlMap, measures: dict[str, list[YamlMap]], issues: Issues) -> YamlMap:
    what = f"semantic model '{data.get('name')}'"
    keys = _ABOUT | {"node_relation", "defaults", "primary_entity", "entities", "dimensions",
                     "measures"}  # fmt: skip
    result = _keep(data, keys, what, issues)
    _reshape(result, "node_relation", lambda v: _keep(v, {"alias", "schema_name", "database"},
                                                      what, issues))  # fmt: skip
    _reshape(result, "defaults", lambda v: _keep(v, {"agg_time_dimension"}, what, issues))
    entity = _ABOUT | {"type", "expr", "role"}
    _reshape(result, "entities", lambda v: _each(v, lambda e: _keep(e, entity, what, issues)))
    _reshape(result, "dimensions", lambda v: _each(v, lambda d: _dimension(d, what, issues)))
    _reshape(result, "measures", lambda v: _each(v, lambda m: _measure(m, what, issues)))
    extra = measures.pop(str(data.get("name")), [])
    if extra:
        listed = result.get("measures") or _list([], data.location)
        put(result, "measures", _list([*listed, *extra], listed.location), listed.location)
    return result


def _each(value: Any, change: Any) -> Any:
    if not isinstance(value, YamlList):
        return value
    items = [change(item) if isinstance(item, YamlMap) else item for item in value]
    return new_list(value.location, items, value.item_locations)


def _dimension(data: YamlMap, what: str, issues: Issues) -> YamlMap:
    result = _keep(data, _ABOUT | {"type", "expr", "type_params", "is_partition"}, what, issues)
    params = result.get("type_params")
    if isinstance(params, YamlMap):
        params = _keep(params, {"time_granularity", "validity_params"}, what, issues, strict=True)
        _reshape(params, "validity_params", lambda v: _keep(v, {"is_start", "is_end"}, what,
                                                            issues, strict=True))  # fmt: skip
        put(result, "type_params", params, data.loc("type_params"))
    return result


def _measure(data: YamlMap, what: str, issues: Issues) -> YamlMap:
    what = f"{what}, measure '{data.get('name')}'"
    result = _keep(data, _MEASURE, what, issues, strict=True)
    percentile = {"percentile", "use_discrete_percentile", "use_approximate_percentile"}
    _reshape(result, "agg_params", lambda v: _keep(v, percentile, what, issues, strict=True))
    additive = {"name", "window_choice", "window_groupings"}
    _reshape(result, "non_additive_dimension", lambda v: _keep(v, additive, what, issues, True))
    return result


def _metric(data: YamlMap, measures: dict[str, list[YamlMap]], issues: Issues) -> YamlMap:
    what = f"metric '{data.get('name')}'"
    result = _keep(data, _ABOUT | {"type", "type_params", "filter", "time_granularity"}, what,
                   issues)  # fmt: skip
    _reshape(result, "filter", _filters)
    params = data.get("type_params")
    if isinstance(params, YamlMap):
        kind = str(data.get("type", "")).lower()
        put(result, "type_params", _type_params(params, kind, what, measures, issues),
            data.loc("type_params"))  # fmt: skip
    return result


def _type_params(
    data: YamlMap, kind: str, what: str, measures: dict[str, list[YamlMap]], issues: Issues
) -> YamlMap:
    """The settings of one metric type; the shapes dbt adds for the latest spec (a simple
    metric's own aggregation, cumulative and conversion metrics reading metrics) included."""
    keys = {
        "simple": {"measure", "metric_aggregation_params", "join_to_timespine", "fill_nulls_with"},
        "cumulative": {"measure", "window", "grain_to_date", "cumulative_type_params"},
        "ratio": {"numerator", "denominator"},
        "derived": {"expr", "metrics"},
        "conversion": {"conversion_type_params"},
    }.get(kind, set())
    result = _keep(data, keys, what, issues, strict=True)
    for key in ("measure", "numerator", "denominator"):
        _reshape(result, key, lambda v: _input(v, what, issues))
    _reshape(result, "metrics", lambda v: _each(v, lambda m: _input(m, what, issues)))
    if kind == "simple":
        _simple(result, what, measures, issues)
    if kind == "cumulative":
        _cumulative(result, what, issues)
    _reshape(result, "conversion_type_params", lambda v: _conversion(v, what, issues))
    return result


def _input(data: Any, what: str, issues: Issues) -> Any:
    """A measure or metric read by a metric, with its filter and options."""
    if not isinstance(data, YamlMap):
        return data
    keys = {"name", "filter", "join_to_timespine", "fill_nulls_with", "alias", "offset_window",
            "offset_to_grain"}  # fmt: skip
    result = _keep(data, keys, what, issues, strict=True)
    _reshape(result, "filter", _filters)
    _reshape(result, "offset_window", _window)
    for key in ("alias", "join_to_timespine"):
        if result.get(key) in (False, None):
            result.pop(key, None)
    return result


def _simple(params: YamlMap, what: str, measures: dict[str, list[YamlMap]], issues: Issues) -> None:
    """A simple metric with its own aggregation (latest spec) reads a measure named after it,
    added to its semantic model; options written beside the measure move onto it."""
    name = what.split("'")[1]
    aggregation = params.pop("metric_aggregation_params", None)
    if isinstance(aggregation, YamlMap) and "measure" not in params:
        measure = _measure(_keep(aggregation, _MEASURE, what, issues, strict=True), what, issues)
        put(measure, "name", name, aggregation.location)
        measures.setdefault(str(aggregation.get("semantic_model")), []).append(measure)
        put(params, "measure", new_map(aggregation.location), aggregation.location)
        put(params["measure"], "name", name, aggregation.location)
    used = params.get("measure")
    for key in ("join_to_timespine", "fill_nulls_with"):
        value = params.pop(key, None)
        if isinstance(used, YamlMap) and _set(value) and key not in used:
            put(used, key, value, params.loc(key))


def _cumulative(params: YamlMap, what: str, issues: Issues) -> None:
    """Window and grain_to_date once, in cumulative_type_params, which dbt may repeat at the top;
    a cumulative metric of the latest spec names its input metric there."""
    keys = {"window", "grain_to_date", "period_agg", "metric"}
    inner = params.get("cumulative_type_params")
    inner = _keep(inner, keys, what, issues, strict=True) if isinstance(inner, YamlMap) else None
    for key in ("window", "grain_to_date"):
        outer = params.pop(key, None)
        if outer is not None and inner is not None and key not in inner:
            put(inner, key, outer, params.loc(key))
        elif outer is not None and inner is None:
            put(params, key, outer, params.loc(key))
    if inner is not None:
        _reshape(inner, "window", _window)
        metric = inner.pop("metric", None)
        if metric is not None and "measure" not in params:
            put(params, "input_metric", _input(metric, what, issues), inner.location)
        put(params, "cumulative_type_params", inner, inner.location)
    _reshape(params, "window", _window)


def _conversion(data: Any, what: str, issues: Issues) -> Any:
    if not isinstance(data, YamlMap):
        return data
    keys = {"base_measure", "conversion_measure", "base_metric", "conversion_metric", "entity",
            "calculation", "window", "constant_properties"}  # fmt: skip
    result = _keep(data, keys, what, issues, strict=True)
    for key in ("base_measure", "conversion_measure", "base_metric", "conversion_metric"):
        _reshape(result, key, lambda v: _input(v, what, issues))
    for measure_key, metric_key in (("base_measure", "base_metric"),
                                    ("conversion_measure", "conversion_metric")):  # fmt: skip
        if measure_key in result:
            result.pop(metric_key, None)
    _reshape(result, "window", _window)
    pair = {"base_property", "conversion_property"}
    _reshape(result, "constant_properties",
             lambda v: _each(v, lambda p: _keep(p, pair, what, issues, strict=True)))  # fmt: skip
    return result


def _saved_query(data: YamlMap, issues: Issues) -> YamlMap:
    what = f"saved query '{data.get('name')}'"
    result = _keep(data, _ABOUT | {"query_params", "exports"}, what, issues)
    query = {"metrics", "group_by", "where", "order_by", "limit"}
    _reshape(result, "query_params", lambda v: _keep(v, query, what, issues, strict=True))
    if isinstance(result.get("query_params"), YamlMap):
        _reshape(result["query_params"], "where", _filters)
    _reshape(result, "exports", lambda v: _each(v, lambda e: _export(e, what, issues)))
    return result


def _export(data: YamlMap, what: str, issues: Issues) -> YamlMap:
    result = _keep(data, {"name", "config"}, what, issues)
    config = result.get("config")
    if isinstance(config, YamlMap):
        kept = _keep(config, {"export_as", "alias"}, what, issues)
        if config.get("schema_name") is not None:
            put(kept, "schema", config["schema_name"], config.loc("schema_name"))
        put(result, "config", kept, data.loc("config"))
    return result
