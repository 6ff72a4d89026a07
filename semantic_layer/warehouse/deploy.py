"""Compiled views into the warehouse: created in dependency order, skipped when unchanged."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from semantic_layer.compiler import CompiledView
from semantic_layer.errors import UserError, WarehouseError
from semantic_layer.render.dialects import Dialect
from semantic_layer.warehouse.state import (
    existing_relations,
    key,
    read_state,
    record,
    state_table,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeployResult:
    """What happened to one view: created, replaced or unchanged."""

    view: CompiledView
    action: str


def _fingerprint(view: CompiledView) -> str:
    return hashlib.sha256("\n".join(view.ddl).encode("utf-8")).hexdigest()


def deploy(
    engine: sa.Engine,
    views: list[CompiledView],
    dialect: Dialect,
    state_schema: str | None,
    progress: Callable[[DeployResult], None] | None = None,
) -> list[DeployResult]:
    """Create or replace every view whose statement changed since the last deploy.

    The fingerprint of each deployed statement is kept in the table ``sl_state`` of
    ``state_schema``. A relation of the same name that this tool did not create is never
    replaced: the deploy stops before its first statement and names it. Where the engine has
    transactional DDL the whole deploy is one transaction.

    Raises:
        UserError: a name is taken by a relation this tool did not create.
        WarehouseError: the warehouse refused a statement.
    """
    schema = state_schema if dialect.supports_schemas else None
    state = state_table(schema)
    try:
        with engine.begin() as connection:
            # Every check runs before the first statement that changes anything.
            _require_sources(connection, views)
            deployed = read_state(connection, state)
            _refuse_foreign(connection, views, deployed, dialect)

            wanted = {v.schema for v in views if v.schema} | ({schema} if schema else set())
            for name in sorted(wanted):
                if dialect.supports_schemas:
                    _create_schema(connection, name)
            return [
                _deploy_one(connection, state, view, deployed, dialect, progress) for view in views
            ]
    except sa.exc.DBAPIError as error:
        message = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise WarehouseError(
            f"the warehouse refused the deploy, which was rolled back: {message}"
        ) from None


def _deploy_one(connection, state, view, deployed, dialect, progress) -> DeployResult:  # type: ignore[no-untyped-def]
    schema = _schema(view, dialect)
    fingerprint = _fingerprint(view)
    exists = view.name.lower() in existing_relations(connection, schema)
    if deployed.get(key(schema, view.name)) == ("view", fingerprint) and exists:
        result = DeployResult(view, "unchanged")
    else:
        for statement in view.ddl:
            logger.debug("executing %s", statement)
            connection.exec_driver_sql(statement)
        record(connection, state, "view", schema, view.name, fingerprint)
        result = DeployResult(view, "replaced" if exists else "created")
    if progress is not None:
        progress(result)
    return result


def _schema(view: CompiledView, dialect: Dialect) -> str | None:
    return view.schema if dialect.supports_schemas else None


def _refuse_foreign(connection, views, deployed, dialect) -> None:  # type: ignore[no-untyped-def]
    """Stop when a view would take the place of a relation this tool did not create."""
    taken = []
    for view in views:
        schema = _schema(view, dialect)
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
    inspector = sa.inspect(connection)
    present: dict[str | None, set[str]] = {}
    missing: dict[str, list[str]] = {}
    for view in views:
        for table in view.sources:
            schema = table.db or None
            if schema not in present:
                names = set()
                if schema is None or inspector.has_schema(schema):
                    names = set(inspector.get_table_names(schema=schema))
                    names |= set(inspector.get_view_names(schema=schema))
                present[schema] = names
            if table.name not in present[schema]:
                missing.setdefault(table.sql(), []).append(view.name)
    if missing:
        lines = [f"{name} (read by {', '.join(sorted(set(readers)))})"
                 for name, readers in sorted(missing.items())]  # fmt: skip
        raise UserError(
            "these source tables are not in the warehouse, so nothing was deployed: "
            + "; ".join(lines)
            + ". Load them first (the sample's: sl seed) or fix schema/identifier under sources:"
        )


def view_exists(engine: sa.Engine, schema: str | None, name: str) -> bool:
    """True when ``schema.name`` is a view of the warehouse."""
    inspector = sa.inspect(engine)
    if schema is not None and not inspector.has_schema(schema):
        return False
    return name in inspector.get_view_names(schema=schema)


def _create_schema(connection: sa.Connection, schema: str) -> None:
    if sa.inspect(connection).has_schema(schema):
        return
    connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
