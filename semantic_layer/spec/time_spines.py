"""Time spine declarations (dbt's ``time_spine:`` on a model, or ``project_configuration``)
into TimeSpine objects that carry the project's custom granularities."""

from __future__ import annotations

from typing import Any

from semantic_layer.load.yaml_positions import YamlList, YamlMap
from semantic_layer.spec.objects import GRAIN_NAMES, CustomGranularity, Grain, Relation, TimeSpine
from semantic_layer.spec.reader import Reader
from semantic_layer.validate.issues import Issues


def model_time_spines(models: Any, issues: Issues) -> list[TimeSpine]:
    """The time spines declared on dbt models (``models: - name: x, time_spine: ...``).

    >>> from semantic_layer.load.yaml_positions import parse_yaml
    >>> text = '''
    ... - name: all_days
    ...   time_spine:
    ...     standard_granularity_column: date_day
    ...     custom_granularities: [{name: fiscal_quarter, column_name: fq}]
    ...   columns: [{name: date_day, granularity: day}]
    ... '''
    >>> spine = model_time_spines(parse_yaml(text, "m.yml"), Issues())[0]
    >>> spine.relation, spine.column, spine.custom_granularities[0].column
    (Relation(kind='ref', name='all_days', source_name=None, schema=None, database=None), \
'date_day', 'fq')
    """
    spines = []
    for entry in models if isinstance(models, YamlList) else []:
        if not isinstance(entry, YamlMap) or entry.get("time_spine") is None:
            continue
        name = str(entry.get("name", ""))
        model = Reader(entry, "time spine", name, issues)
        settings = model.mapping("time_spine")
        if settings is None or not model.text("name", required=True):
            continue
        reader = Reader(settings, "time spine", name, issues)
        reader.check_keys({"standard_granularity_column", "custom_granularities"})
        column = reader.text("standard_granularity_column", required=True)
        if column is None:
            continue
        grain = _column_grain(model, column)
        relation = Relation("ref", name)
        spines.append(_spine(reader, name, relation, column, grain))
    return spines


def configured_time_spines(configuration: Any, issues: Issues) -> list[TimeSpine]:
    """The time spines of a ``project_configuration`` (dbt's semantic_manifest.json, and
    MetricFlow's own files), whose tables are named outright by ``node_relation``."""
    if not isinstance(configuration, YamlMap):
        return []
    outer = Reader(configuration, "project configuration", "", issues)
    # The older time_spine_table_configurations name a day spine, which is generated here.
    outer.check_keys({"time_spines", "time_spine_table_configurations", "metadata",
                      "dsi_package_version"})  # fmt: skip
    spines = []
    for item in outer.mappings("time_spines"):
        reader = Reader(item, "time spine", "", issues)
        reader.check_keys({"node_relation", "primary_column", "custom_granularities"})
        node, primary = reader.mapping("node_relation"), reader.mapping("primary_column")
        if node is None or primary is None:
            reader.error(None, "'node_relation' and 'primary_column' are required")
            continue
        table = Reader(node, "time spine", "", issues)
        table.check_keys({"alias", "schema_name", "database", "relation_name"})
        alias = table.text("alias", required=True)
        column_reader = Reader(primary, "time spine", alias or "", issues)
        column_reader.check_keys({"name", "time_granularity"})
        column = column_reader.text("name", required=True)
        if alias is None or column is None or _finer_than_supported(reader, column_reader):
            continue
        grain = _grain(column_reader, "time_granularity")
        relation = Relation("table", alias, schema=table.text("schema_name"),
                            database=table.text("database"))  # fmt: skip
        reader.name = alias
        spines.append(_spine(reader, alias, relation, column, grain))
    return spines


def check_custom_granularities(spines: list[TimeSpine], issues: Issues) -> None:
    """A custom granularity's name is declared once and is not a standard grain's."""
    seen: dict[str, CustomGranularity] = {}
    for spine in spines:
        for custom in spine.custom_granularities:
            if custom.name in GRAIN_NAMES:
                issues.error(
                    custom.location,
                    f"custom granularity '{custom.name}' has the name of a standard grain; "
                    "name it differently (e.g. 'fiscal_" + custom.name + "')",
                )
            elif custom.name in seen:
                issues.error(
                    custom.location,
                    f"custom granularity '{custom.name}' is already declared at "
                    f"{seen[custom.name].location}",
                )
            seen.setdefault(custom.name, custom)


def _spine(reader: Reader, name: str, relation: Relation, column: str, grain: Grain) -> TimeSpine:
    customs = []
    for item in reader.mappings("custom_granularities"):
        custom = Reader(item, "custom granularity", str(item.get("name", "")), reader.issues)
        custom.check_keys({"name", "column_name"})
        custom_name = custom.definition_name()
        if custom_name is None:
            continue
        custom_column = custom.text("column_name") or custom_name
        customs.append(
            CustomGranularity(custom_name, custom_column, relation, column, grain, item.location)
        )
    return TimeSpine(name, relation, column, grain, reader.location, tuple(customs))


_FINER = ("microsecond", "nanosecond")


def _finer_than_supported(spine: Reader, column: Reader) -> bool:
    """A spine at a grain finer than a millisecond is passed over with a warning when it
    declares no custom granularity, since standard periods never read a spine here."""
    text = str(column.data.get("time_granularity", "")).lower()
    if text not in _FINER:
        return False
    if spine.data.get("custom_granularities"):
        column.error("time_granularity", f"'{text}' grain is not supported (finest: millisecond)")
    else:
        column.issues.warning(
            column.loc("time_granularity"),
            f"time spine '{column.name}' at {text} grain is not read: grains finer than a "
            "millisecond are not supported, and it declares no custom granularity",
        )
    return True


def _column_grain(model: Reader, column: str) -> Grain:
    """The granularity dbt asks the standard column to declare under ``columns:``; a day
    when the column is not listed, as in the older time spine models."""
    for item in model.mappings("columns"):
        if str(item.get("name", "")).lower() == column.lower():
            reader = Reader(item, "time spine", model.name, model.issues)
            return _grain(reader, "granularity") if "granularity" in item else Grain.DAY
    return Grain.DAY


def _grain(reader: Reader, key: str) -> Grain:
    text = reader.text(key)
    grain = Grain.parse(text) if text is not None else Grain.DAY
    if grain is None:
        reader.error(key, f"'{key}' is '{text}', which is not one of {', '.join(GRAIN_NAMES)}")
        return Grain.DAY
    return grain
