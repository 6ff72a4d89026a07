"""Issues found while loading into the definitions they concern, so that later checks skip
what is already reported instead of reporting it again in other words."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from semantic_layer.errors import Location
from semantic_layer.spec.objects import Metric, SemanticManifest
from semantic_layer.validate.issues import Issue, Level


def broken_definitions(manifest: SemanticManifest, issues: Iterable[Issue]) -> set[str]:
    """Names of the metrics and saved queries (``metric:x``, ``saved_query:y``) that hold an
    error, or read a metric or semantic model that holds one or is missing.

    An issue belongs to the definition written at or before its line in the same file: the
    definitions of a file are items of YAML lists, one after the other.
    """
    owners = _owners(manifest)
    faulty = set()
    for issue in issues:
        if issue.level is Level.ERROR:
            owner = _owner_of(owners, issue.location)
            if owner is not None:
                faulty.add(owner)

    models = {f"semantic_model:{name}" for name in manifest.semantic_models}
    broken = {name for name in faulty if not name.startswith("semantic_model:") or name in models}
    broken.add(_MISSING)
    changed = True
    while changed:
        changed = False
        for metric in manifest.metrics.values():
            key = f"metric:{metric.name}"
            if key not in broken and any(part in broken for part in _reads(manifest, metric)):
                broken.add(key)
                changed = True
    for query in manifest.saved_queries.values():
        if any(
            f"metric:{name}" in broken or name not in manifest.metrics for name in query.metrics
        ):
            broken.add(f"saved_query:{query.name}")
    return broken


_MISSING = "missing"  # what a reference to an undefined metric or measure reads


def owner_of(manifest: SemanticManifest, where: Location) -> str | None:
    """The key (``metric:x``, ``saved_query:y``, ``semantic_model:z``) of the definition
    written at or before ``where`` in its file, if any."""
    return _owner_of(_owners(manifest), where)


def _owners(manifest: SemanticManifest) -> dict[str, tuple[list[int], list[str]]]:
    """For each file, the start lines of its definitions (sorted) and their keys."""
    starts: dict[str, list[tuple[int, str]]] = {}
    groups: list[tuple[str, Iterable[tuple[str, Location]]]] = [
        ("semantic_model", ((m.name, m.location) for m in manifest.semantic_models.values())),
        ("metric", ((m.name, m.location) for m in manifest.metrics.values())),
        ("saved_query", ((q.name, q.location) for q in manifest.saved_queries.values())),
    ]
    for kind, items in groups:
        for name, location in items:
            starts.setdefault(location.path, []).append((location.line, f"{kind}:{name}"))
    return {
        path: ([line for line, _ in sorted(found)], [key for _, key in sorted(found)])
        for path, found in starts.items()
    }


def _owner_of(owners: dict[str, tuple[list[int], list[str]]], where: Location) -> str | None:
    lines, keys = owners.get(where.path, ([], []))
    index = bisect.bisect_right(lines, where.line) - 1
    return keys[index] if index >= 0 else None


def _reads(manifest: SemanticManifest, metric: Metric) -> list[str]:
    """The keys of what a metric reads: its input metrics and its measures' semantic models;
    a key that names nothing defined stands for a missing definition."""
    found = []
    inputs = [i for i in (metric.numerator, metric.denominator) if i] + list(metric.inputs)
    for item in inputs:
        found.append(f"metric:{item.name}" if item.name in manifest.metrics else _MISSING)
    measures = [metric.measure] if metric.measure else []
    if metric.conversion is not None:
        measures = [metric.conversion.base, metric.conversion.conversion]
    for measure in measures:
        owner = manifest.measure_owner(measure.name)
        found.append(f"semantic_model:{owner.name}" if owner is not None else _MISSING)
    return found
