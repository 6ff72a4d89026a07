"""Saved queries, with their exports, into SavedQuery objects."""

from __future__ import annotations

from semantic_layer.load.yaml_positions import YamlMap
from semantic_layer.spec.objects import Export, Filter, SavedQuery
from semantic_layer.spec.reader import COMMON_KEYS, Reader, name_of
from semantic_layer.validate.issues import Issues


def saved_query(reader: Reader) -> SavedQuery | None:
    reader.check_keys(COMMON_KEYS | {"query_params", "exports"})
    name = reader.definition_name()
    params = reader.mapping("query_params")
    if name is None:
        return None
    if params is None:
        reader.error(None, "'query_params' is required")
        return None

    params_reader = Reader(params, "saved query", name, reader.issues)
    params_reader.check_keys({"metrics", "group_by", "where", "order_by", "limit"})
    metrics = [text for text, _ in params_reader.strings("metrics")]
    group_by = params_reader.strings("group_by")
    if not metrics and not group_by:
        params_reader.error(None, "'query_params' needs metrics, a group_by, or both")
    exports = tuple(
        filter(None, (_export(item, name, reader.issues) for item in reader.mappings("exports")))
    )
    return SavedQuery(
        name=name,
        location=reader.location,
        metrics=tuple(metrics),
        group_by=tuple(text for text, _ in group_by),
        group_by_locations=tuple(where for _, where in group_by),
        where=tuple(Filter(text, at) for text, at in params_reader.strings("where")),
        order_by=tuple(text for text, _ in params_reader.strings("order_by")),
        limit=_limit(params_reader),
        exports=exports,
        description=reader.text("description"),
        label=reader.text("label"),
    )


def _limit(reader: Reader) -> int | None:
    value = reader.number("limit")
    if value is not None and (not isinstance(value, int) or value < 0):
        reader.error("limit", "'limit' must be a whole number of rows, 0 or more")
        return None
    return value  # type: ignore[return-value]


def _export(data: YamlMap, query: str, issues: Issues) -> Export | None:
    reader = Reader(data, "export", f"{query}.{name_of(data)}", issues)
    reader.check_keys({"name", "config"})
    name = reader.definition_name()
    if name is None:
        return None
    config = reader.mapping("config")
    config_reader = Reader(config if config is not None else YamlMap(), "export", name, issues)
    if config is None:
        config_reader.data.location = reader.location
        config_reader.data.key_locations = {}
    else:
        config_reader.check_keys({"export_as", "schema", "alias"})
    export_as = (config_reader.text("export_as") or "view").lower()
    if export_as not in ("view", "table"):
        config_reader.error("export_as", f"export_as must be 'view' or 'table', not '{export_as}'")
    if export_as == "table":
        config_reader.error("export_as", "only views are deployed for now; use export_as: view")
    return Export(
        name=name,
        location=reader.location,
        export_as=export_as,
        schema=config_reader.relation_name("schema"),
        alias=config_reader.relation_name("alias"),
    )
