"""Compiled views into the warehouse: created in dependency order, skipped when unchanged."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from semantic_layer.compiler import CompiledView
from semantic_layer.errors import UserError
from semantic_layer.render.dialects import Dialect
from semantic_layer.validate.issues import did_you_mean
from semantic_layer.warehouse.state import (
    STATE_TABLE,
    Key,
    ensure_schema,
    existing_relations,
    key,
    read_state,
    record,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeployResult:
    """What happened to one view: created, replaced or unchanged."""

    view: CompiledView
    action: str


def deploy(
    engine: sa.Engine,
    views: list[CompiledView],
    dialect: Dialect,
    state_schema: str | None,
    progress: Callable[[DeployResult], None] | None = None,
) -> list[DeployResult]:
    """Create or replace every view whose statement changed since the last deploy.

    The fingerprint of each deployed statement is kept in the table ``sl_state`` of
    ``state_schema``. A relation of the same name (compared without case) that this tool did
    not create is never replaced: the deploy stops before its first statement and names it,
    as it does when a source table is missing. Where the engine has transactional DDL the
    whole deploy is one transaction.

    Raises:
        UserError: a name is taken by a relation this tool did not create, or a source
            table is missing.
        sqlalchemy.exc.DBAPIError: the warehouse refused a statement.
    """
    schema = state_schema if dialect.supports_schemas else None
    with engine.begin() as connection:
        # Every check runs before the first statement that changes anything.
        _require_sources(connection, views)
        deployed = read_state(connection, schema)
        _refuse_foreign(connection, views, deployed, dialect)

        schemas = {view_schema for view in views if (view_schema := _schema(view, dialect))}
        for name in sorted(schemas):
            ensure_schema(connection, name)
        return [
            _deploy_one(connection, schema, view, deployed, dialect, progress) for view in views
        ]


def plan_deploy(
    engine: sa.Engine, views: list[CompiledView], dialect: Dialect, state_schema: str | None
) -> list[DeployResult]:
    """What ``deploy`` would do to each view (create, replace or leave unchanged), reading
    the warehouse and changing nothing.

    Raises:
        UserError: as ``deploy`` would, before its first statement.
    """
    schema = state_schema if dialect.supports_schemas else None
    with engine.connect() as connection:
        _require_sources(connection, views)
        deployed = read_state(connection, schema)
        _refuse_foreign(connection, views, deployed, dialect)
        results = []
        for view in views:
            view_schema = _schema(view, dialect)
            exists = view.name.lower() in existing_relations(connection, view_schema)
            same = deployed.get(key(view_schema, view.name)) == ("view", _fingerprint(view))
            action = "unchanged" if same and exists else "replaced" if exists else "created"
            results.append(DeployResult(view, action))
        return results


def select_views(views: list[CompiledView], names: list[str]) -> list[CompiledView]:
    """The views named (by name or schema.name) and every SQL model they read, in order.

    Raises:
        UserError: a name matches no view; the message suggests the closest.
    """
    by_name = {view.name: view for view in views}
    wanted: set[str] = set()
    for name in names:
        match = [v for v in views if name in (v.name, f"{v.schema}.{v.name}")]
        if not match:
            raise UserError(f"--select: no view '{name}'{did_you_mean(name, by_name)}")
        pending = [view.name for view in match]
        while pending:
            current = pending.pop()
            if current not in wanted:
                wanted.add(current)
                pending.extend(d for d in by_name[current].depends_on if d in by_name)
    return [view for view in views if view.name in wanted]


def _fingerprint(view: CompiledView) -> str:
    return hashlib.sha256("\n".join(view.ddl).encode("utf-8")).hexdigest()


def _schema(view: CompiledView, dialect: Dialect) -> str | None:
    return view.schema if dialect.supports_schemas else None


def _deploy_one(
    connection: sa.Connection,
    state_schema: str | None,
    view: CompiledView,
    deployed: dict[Key, tuple[str, str]],
    dialect: Dialect,
    progress: Callable[[DeployResult], None] | None,
) -> DeployResult:
    schema = _schema(view, dialect)
    fingerprint = _fingerprint(view)
    exists = view.name.lower() in existing_relations(connection, schema)
    if deployed.get(key(schema, view.name)) == ("view", fingerprint) and exists:
        result = DeployResult(view, "unchanged")
    else:
        for statement in view.ddl:
            logger.debug("executing %s", statement)
            connection.exec_driver_sql(statement)
        record(connection, state_schema, "view", schema, view.name, fingerprint)
        result = DeployResult(view, "replaced" if exists else "created")
    if progress is not None:
        progress(result)
    return result


def _refuse_foreign(connection, views, deployed, dialect) -> None:  # type: ignore[no-untyped-def]
    """Stop when a view would take the place of a relation this tool did not create."""
    taken = []
    for view in views:
        schema = _schema(view, dialect)
        if view.name.lower() == STATE_TABLE:
            raise UserError(f"view '{view.name}': {STATE_TABLE} is the name of sl's own table")
        ours = deployed.get(key(schema, view.name), ("", ""))[0] == "view"
        found = existing_relations(connection, schema).get(view.name.lower())
        if found is not None and not ours:
            taken.append(f"{schema}.{found}" if schema else found)
    if taken:
        raise UserError(
            "these relations already exist and were not created by sl, so they are left as "
            f"they are and nothing was deployed: {', '.join(taken)}. Rename the view in the "
            "definitions (export alias or schema) or remove the relation yourself."
        )


def _require_sources(connection: sa.Connection, views: list[CompiledView]) -> None:
    """Stop before the first statement when a source table the views read is missing."""
    present: dict[str | None, dict[str, str]] = {}
    missing: dict[str, list[str]] = {}
    for view in views:
        for table in view.sources:
            schema = table.db or None
            if schema not in present:
                present[schema] = existing_relations(connection, schema)
            if table.name.lower() not in present[schema]:
                missing.setdefault(table.sql(), []).append(view.name)
    if missing:
        lines = [
            f"{name} (read by {', '.join(sorted(set(readers)))})"
            for name, readers in sorted(missing.items())
        ]
        raise UserError(
            "these source tables are not in the warehouse, so nothing was deployed: "
            + "; ".join(lines)
            + ". Load them first (the sample's: sl seed) or fix schema/identifier under sources:"
        )


def view_exists(engine: sa.Engine, schema: str | None, name: str) -> bool:
    """True when ``schema.name`` (compared without case) is a relation of the warehouse."""
    with engine.connect() as connection:
        return name.lower() in existing_relations(connection, schema)
