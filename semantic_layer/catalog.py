"""Compiled views into ``target/manifest.json``: what each view holds, for BI tools and
reviewers: its grain, its metrics with their definitions, and the relations it reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from semantic_layer import __version__
from semantic_layer.compiler import CompiledView
from semantic_layer.errors import UserError
from semantic_layer.spec.objects import Metric, SemanticManifest


def catalog(views: list[CompiledView], manifest: SemanticManifest, dialect: str) -> dict[str, Any]:
    """The manifest as plain data: deterministic, so pull requests can diff it."""
    return {
        "generator": f"semantic-layer {__version__}",
        "dialect": dialect,
        "views": [_view(view, manifest) for view in views],
    }


def write_catalog(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` as indented JSON with sorted keys.

    Raises:
        UserError: the file cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {path}: {error}") from None
    return path


def _view(view: CompiledView, manifest: SemanticManifest) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": view.name,
        "schema": view.schema,
        "database": view.database,
        "relation": view.qualified_name,
        "kind": "metric view" if view.kind == "export" else "SQL model",
        "defined_at": str(view.defined_at),
        "file": view.file_name,
        "reads": sorted({*view.depends_on, *(table.sql() for table in view.sources)}),
    }
    if view.kind == "export":
        entry["description"] = view.description
        entry["grain"] = list(view.grain)
        entry["columns"] = [*view.grain, *view.metrics]
        entry["column_descriptions"] = dict(view.column_descriptions)
        entry["metrics"] = [_metric(manifest.metrics[name]) for name in view.metrics]
    return entry


def _metric(metric: Metric) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": metric.name,
        "type": metric.type.value,
        "label": metric.label,
        "description": metric.description,
        "defined_at": str(metric.location),
        "filters": [f.text.strip() for f in metric.filters],
    }
    if metric.measure is not None:
        definition["measure"] = metric.measure.name
    if metric.numerator is not None and metric.denominator is not None:
        definition["numerator"] = metric.numerator.name
        definition["denominator"] = metric.denominator.name
    if metric.expr is not None:
        definition["expr"] = metric.expr
        definition["inputs"] = [item.name for item in metric.inputs]
    return definition
