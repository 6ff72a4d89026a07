"""Descriptions of a view and of its columns into COMMENT statements, for BI tools to show."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.errors import UserError
from semantic_layer.plan.names import METRIC_TIME, parse_element_name
from semantic_layer.render.dialects import Dialect, render_sql
from semantic_layer.spec.objects import SemanticManifest


def column_descriptions(
    manifest: SemanticManifest, grain: tuple[str, ...], metrics: tuple[str, ...]
) -> dict[str, str]:
    """Each column's description: a metric's own, or the dimension's or entity's it shows."""
    described = {}
    for column in grain:
        text = _element_description(manifest, column)
        if text:
            described[column] = text
    for name in metrics:
        metric = manifest.metrics.get(name)
        if metric is not None and (metric.description or metric.label):
            described[name] = (metric.description or metric.label or "").strip()
    return described


def comment_statements(
    table: exp.Table, description: str | None, columns: dict[str, str], dialect: Dialect
) -> tuple[str, ...]:
    """COMMENT ON VIEW and COMMENT ON COLUMN statements; none where the engine has no view
    comments (MySQL and MariaDB keep comments on tables only)."""
    if not dialect.supports_view_comments:
        return ()
    statements = []
    if description and description.strip():
        said = exp.Literal.string(description.strip())
        statements.append(exp.Comment(this=table.copy(), kind="VIEW", expression=said))
    for name, text in columns.items():
        column = exp.Column(
            this=sqlnames.identifier(name),
            table=table.this.copy(),
            db=table.args["db"].copy() if table.args.get("db") else None,
        )
        statements.append(
            exp.Comment(this=column, kind="COLUMN", expression=exp.Literal.string(text))
        )
    return tuple(render_sql(statement, dialect, pretty=False) for statement in statements)


def _element_description(manifest: SemanticManifest, column: str) -> str | None:
    """The description of the dimension or entity a grain column shows, if one has any."""
    try:
        reading = parse_element_name(column)[0]
    except UserError:
        return None
    if reading.element == METRIC_TIME:
        return None
    via = reading.entity_path[-1] if reading.entity_path else None
    for model in manifest.semantic_models.values():
        if via is not None and model.entity(via) is None:
            continue
        dimension = model.dimension(reading.element)
        entity = model.entity(reading.element)
        for found in (dimension, entity):
            if found is not None and found.description:
                return found.description.strip()
    return None
