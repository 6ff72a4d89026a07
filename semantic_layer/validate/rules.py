"""Checks across definitions: references resolve, time dimensions fit, names are unique."""

from __future__ import annotations

from semantic_layer.spec.build import SourceTable
from semantic_layer.spec.objects import (
    GRAIN_NAMES,
    EntityType,
    Metric,
    SemanticManifest,
    SemanticModel,
)
from semantic_layer.validate.issues import Issues, did_you_mean


def check_manifest(
    manifest: SemanticManifest,
    sql_models: set[str],
    sources: dict[tuple[str, str], SourceTable],
    issues: Issues,
) -> None:
    """Add an issue for every reference in ``manifest`` that does not resolve."""
    _check_semantic_models(manifest, sql_models, sources, issues)
    for spine in manifest.time_spines:
        if spine.relation.kind == "ref" and spine.relation.name not in sql_models:
            issues.error(
                spine.location,
                f"time spine '{spine.name}': model {spine.relation} is not a SQL model of the "
                f"project{did_you_mean(spine.relation.name, sql_models)}",
            )
    _check_metrics(manifest, issues)
    _check_cycles(manifest, issues)
    _check_saved_queries(manifest, issues)


def _check_semantic_models(
    manifest: SemanticManifest,
    sql_models: set[str],
    sources: dict[tuple[str, str], SourceTable],
    issues: Issues,
) -> None:
    measure_owner: dict[str, str] = {}
    for model in manifest.semantic_models.values():
        relation = model.relation
        where = model.location
        if relation.kind == "ref" and relation.name not in sql_models:
            issues.error(
                where,
                f"semantic model '{model.name}': model {relation} is not a SQL "
                f"model of the project{did_you_mean(relation.name, sql_models)}",
            )
        if relation.kind == "source" and (relation.source_name, relation.name) not in sources:
            declared = [f"{s}.{t}" for s, t in sources]
            hint = did_you_mean(f"{relation.source_name}.{relation.name}", declared)
            issues.error(
                where,
                f"semantic model '{model.name}': {relation} is not declared under sources:{hint}",
            )

        for kind, items in (
            ("entity", model.entities),
            ("dimension", model.dimensions),
            ("measure", model.measures),
        ):
            seen: set[str] = set()
            for item in items:
                if item.name in seen:
                    issues.error(
                        item.location,
                        f"semantic model '{model.name}': {kind} '{item.name}' is defined twice",
                    )
                seen.add(item.name)
        _check_validity(model, issues)
        primaries = [e.name for e in model.entities if e.type.value == "primary"]
        if len(primaries) > 1:
            issues.error(
                where,
                f"semantic model '{model.name}' has {len(primaries)} primary "
                f"entities ({', '.join(primaries)}); a model has at most one",
            )

        _check_reachable_dimensions(model, issues)
        for measure in model.measures:
            _check_non_additive(model, measure, issues)
            if measure.name in measure_owner:
                issues.error(
                    measure.location,
                    f"measure '{measure.name}' is also defined in "
                    f"semantic model '{measure_owner[measure.name]}'",
                )
            measure_owner.setdefault(measure.name, model.name)
            time_name = model.agg_time_dimension(measure)
            if time_name is None:
                issues.error(
                    measure.location,
                    f"measure '{measure.name}' has no agg_time_dimension: set one on the measure, "
                    f"or under defaults: of semantic model '{model.name}'",
                )
                continue
            dimension = model.dimension(time_name)
            times = [d.name for d in model.dimensions if d.is_time]
            if dimension is None or not dimension.is_time:
                issues.error(
                    measure.location,
                    f"measure '{measure.name}': agg_time_dimension "
                    f"'{time_name}' is not a time dimension of semantic "
                    f"model '{model.name}'{did_you_mean(time_name, times)}",
                )


def _check_reachable_dimensions(model: SemanticModel, issues: Issues) -> None:
    """Dimensions are read through a primary, unique or natural entity of their model; without
    one, only a time dimension that measures aggregate on is of any use."""
    if any(e.type is not EntityType.FOREIGN for e in model.entities):
        return
    times = {model.agg_time_dimension(m) for m in model.measures}
    unreachable = [d.name for d in model.dimensions if d.name not in times]
    if unreachable:
        issues.error(
            model.location,
            f"semantic model '{model.name}' has dimensions ({', '.join(unreachable)}) but no "
            "primary, unique or natural entity to reach them by; add one, e.g. "
            f"primary_entity: {model.name}",
        )


def _check_metrics(manifest: SemanticManifest, issues: Issues) -> None:
    measures = {m.name for s in manifest.semantic_models.values() for m in s.measures}
    metrics = manifest.metrics
    for metric in metrics.values():
        used = [metric.measure] if metric.measure else []
        if metric.conversion is not None:
            used = [metric.conversion.base, metric.conversion.conversion]
            _check_conversion(manifest, metric, issues)
        for measure in used:
            if measure.name not in measures:
                issues.error(
                    measure.location,
                    f"metric '{metric.name}': measure '{measure.name}' "
                    f"is not defined{did_you_mean(measure.name, measures)}",
                )
        _check_custom_windows(manifest, metric, issues)
        inputs = [i for i in (metric.numerator, metric.denominator) if i] + list(metric.inputs)
        for item in inputs:
            if item.name not in metrics:
                issues.error(
                    item.location,
                    f"metric '{metric.name}': input metric '{item.name}' "
                    f"is not defined{did_you_mean(item.name, metrics)}",
                )


def _check_custom_windows(manifest: SemanticManifest, metric: Metric, issues: Issues) -> None:
    """A window in a custom granularity names one that a time spine declares, and is an
    offset: windows of cumulative and conversion metrics run in days and calendar months."""
    windows = [
        (item.offset.window, item.location, True)
        for item in metric.inputs
        if item.offset is not None and item.offset.window is not None
    ]
    if metric.cumulative is not None and metric.cumulative.window is not None:
        windows.append((metric.cumulative.window, metric.location, False))
    if metric.conversion is not None and metric.conversion.window is not None:
        windows.append((metric.conversion.window, metric.location, False))
    declared = [c.name for spine in manifest.time_spines for c in spine.custom_granularities]
    known = declared + [f"{grain}s" for grain in GRAIN_NAMES]  # '7 dayz': did you mean 'days'?
    for window, where, is_offset in windows:
        if window.custom is None:
            continue
        if manifest.window_granularity(window) is None:
            issues.error(
                where,
                f"metric '{metric.name}': '{window}' names no grain nor custom granularity"
                f"{did_you_mean(window.custom, known)}; custom granularities are declared "
                "on a time spine model (time_spine: custom_granularities:)",
            )
        elif not is_offset:
            issues.error(
                where,
                f"metric '{metric.name}': a window of '{window}' is not supported yet; custom "
                "granularities may be read in a group-by or used as an offset_window",
            )


def _check_cycles(manifest: SemanticManifest, issues: Issues) -> None:
    """Report each cycle among ratio and derived inputs once, at its first metric."""
    metrics = manifest.metrics

    def inputs(metric: Metric) -> list[str]:
        found = [i for i in (metric.numerator, metric.denominator) if i] + list(metric.inputs)
        return [item.name for item in found if item.name in metrics]

    reported: set[frozenset[str]] = set()
    for start in sorted(metrics.values(), key=lambda m: m.location):
        stack: list[tuple[str, tuple[str, ...]]] = [(start.name, (start.name,))]
        seen: set[str] = set()
        while stack:
            name, path = stack.pop()
            for following in inputs(metrics[name]):
                if following == start.name and frozenset(path) not in reported:
                    reported.add(frozenset(path))
                    issues.error(
                        start.location,
                        f"metric '{start.name}' depends on itself: "
                        f"{' -> '.join(path + (start.name,))}; break the cycle by removing one of "
                        "these inputs",
                    )
                elif following not in seen:
                    seen.add(following)
                    stack.append((following, path + (following,)))


def _check_conversion(manifest: SemanticManifest, metric: Metric, issues: Issues) -> None:
    """The entity links both measures' models, and each constant property is a dimension or
    an entity of its side."""
    spec = metric.conversion
    if spec is None:
        return
    sides = (
        (spec.base, manifest.measure_owner(spec.base.name), 0),
        (spec.conversion, manifest.measure_owner(spec.conversion.name), 1),
    )
    lacking = [m for _, m, _ in sides if m is not None and m.entity(spec.entity) is None]
    if lacking:
        names = " and ".join(f"'{m}'" for m in dict.fromkeys(m.name for m in lacking))
        hint = did_you_mean(spec.entity, [e.name for m in lacking for e in m.entities])
        issues.error(
            spec.base.location,
            f"metric '{metric.name}': entity '{spec.entity}' is not an entity of semantic "
            f"model {names}{hint}",
        )
    for _measure, model, side in sides:
        if model is None:
            continue
        for pair in spec.constant_properties:
            name = pair[side]
            if model.dimension(name) is None and model.entity(name) is None:
                issues.error(
                    metric.location,
                    f"metric '{metric.name}': constant property '{name}' is neither a dimension "
                    f"nor an entity of semantic model '{model.name}'",
                )


def _check_saved_queries(manifest: SemanticManifest, issues: Issues) -> None:
    views: dict[tuple[str | None, str], str] = {}
    for query in manifest.saved_queries.values():
        for name in query.metrics:
            if name not in manifest.metrics:
                issues.error(
                    query.location,
                    f"saved query '{query.name}': metric '{name}' is not "
                    f"defined{did_you_mean(name, manifest.metrics)}",
                )
        for export in query.exports:
            key = (export.schema, export.view_name)
            if key in views:
                issues.error(
                    export.location,
                    f"export '{export.name}': view '{export.view_name}' "
                    f"is also exported by saved query '{views[key]}'",
                )
            views.setdefault(key, query.name)


def _check_non_additive(model, measure, issues: Issues) -> None:  # type: ignore[no-untyped-def]
    spec = measure.non_additive
    if spec is None:
        return
    dimension = model.dimension(spec.dimension)
    if dimension is None or not dimension.is_time:
        times = [d.name for d in model.dimensions if d.is_time]
        issues.error(
            measure.location,
            f"measure '{measure.name}': non_additive_dimension '{spec.dimension}' is not a time "
            f"dimension of semantic model '{model.name}'{did_you_mean(spec.dimension, times)}",
        )
    for name in spec.groupings:
        if model.entity(name) is None:
            entities = [e.name for e in model.entities]
            issues.error(
                measure.location,
                f"measure '{measure.name}': window_groupings names '{name}', which is not an "
                f"entity of semantic model '{model.name}'{did_you_mean(name, entities)}",
            )


def _check_validity(model, issues: Issues) -> None:  # type: ignore[no-untyped-def]
    """A slowly changing dimension table opens and closes each row's validity exactly once,
    and a natural key joins only through such a window."""
    for kind in ("start", "end"):
        marked = [d for d in model.dimensions if d.validity == kind]
        if len(marked) > 1:
            issues.error(
                marked[1].location,
                f"semantic model '{model.name}': {len(marked)} dimensions mark the validity "
                f"{kind} ({', '.join(d.name for d in marked)}); keep one",
            )
    marked_any = any(d.validity for d in model.dimensions)
    natural = [e for e in model.entities if e.type.value == "natural"]
    if marked_any and model.validity_window is None:
        issues.error(
            model.location,
            f"semantic model '{model.name}': validity_params needs both an is_start and an is_end "
            "time dimension",
        )
    if model.validity_window is not None and not natural:
        issues.error(
            model.location,
            f"semantic model '{model.name}' has a validity window but no natural entity to join "
            "it on",
        )
