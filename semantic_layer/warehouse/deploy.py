"""Compiled views into the warehouse: created in dependency order, skipped when unchanged."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from semantic_layer.compiler import CompiledView
from semantic_layer.errors import UserError, WarehouseError
from semantic_layer.render.dialects import Dialect

logger = logging.getLogger(__name__)

STATE_TABLE = "sl_deployed_views"


@dataclass(frozen=True)
class DeployResult:
    """What happened to one view: created, replaced or unchanged."""

    view: CompiledView
    action: str


def _fingerprint(view: CompiledView) -> str:
    return hashlib.sha256("\n".join(view.ddl).encode("utf-8")).hexdigest()


def _state_table(schema: str | None) -> sa.Table:
    return sa.Table(
        STATE_TABLE,
        sa.MetaData(),
        sa.Column("view_schema", sa.String(255)),
        sa.Column("view_name", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("deployed_at", sa.String(32), nullable=False),
        schema=schema,
    )


def deploy(
    engine: sa.Engine,
    views: list[CompiledView],
    dialect: Dialect,
    state_schema: str | None,
    progress: Callable[[DeployResult], None] | None = None,
) -> list[DeployResult]:
    """Create or replace every view whose statement changed since the last deploy.

    The fingerprint of each deployed statement is kept in the table ``sl_deployed_views`` of
    ``state_schema``. A relation of the same name that this tool did not create is never
    replaced: the deploy stops before its first statement and names it. Where the engine has
    transactional DDL the whole deploy is one transaction.

    Raises:
        UserError: a name is taken by a relation this tool did not create.
        WarehouseError: the warehouse refused a statement.
    """
    schema = state_schema if dialect.supports_schemas else None
    state = _state_table(schema)
    try:
        with engine.begin() as connection:
            # Every check runs before the first statement that changes anything.
            _require_sources(connection, views)
            deployed = _read_state(connection, state)
            _refuse_foreign(connection, views, deployed, dialect)

            wanted = {v.schema for v in views if v.schema} | ({schema} if schema else set())
            for name in sorted(wanted):
                if dialect.supports_schemas:
                    _create_schema(connection, name)
            state.create(connection, checkfirst=True)
            return [
                _deploy_one(connection, state, view, deployed, dialect, progress) for view in views
            ]
    except sa.exc.DBAPIError as error:
        message = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise WarehouseError(
            f"the warehouse refused the deploy, which was rolled back: {message}"
        ) from None


def _read_state(connection: sa.Connection, state: sa.Table) -> dict[tuple[str | None, str], str]:
    """The fingerprint of every view deployed before, by (schema, name); none on a first run."""
    inspector = sa.inspect(connection)
    schema = state.schema
    if schema is not None and not inspector.has_schema(schema):
        return {}
    if state.name not in inspector.get_table_names(schema=schema):
        return {}
    rows = connection.execute(sa.select(state))
    return {(row.view_schema, row.view_name): row.fingerprint for row in rows}


def _deploy_one(connection, state, view, deployed, dialect, progress) -> DeployResult:  # type: ignore[no-untyped-def]
    key = (_schema(view, dialect), view.name)
    fingerprint = _fingerprint(view)
    exists = _exists(connection, view, dialect)
    if deployed.get(key) == fingerprint and exists:
        result = DeployResult(view, "unchanged")
    else:
        for statement in view.ddl:
            logger.debug("executing %s", statement)
            connection.exec_driver_sql(statement)
        connection.execute(
            sa.delete(state).where(
                state.c.view_schema == key[0] if key[0] else state.c.view_schema.is_(None),
                state.c.view_name == key[1],
            )
        )
        connection.execute(
            sa.insert(state).values(
                view_schema=key[0],
                view_name=key[1],
                fingerprint=fingerprint,
                deployed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
        )
        result = DeployResult(view, "replaced" if exists else "created")
    if progress is not None:
        progress(result)
    return result


def _schema(view: CompiledView, dialect: Dialect) -> str | None:
    return view.schema if dialect.supports_schemas else None


def _exists(connection: sa.Connection, view: CompiledView, dialect: Dialect) -> bool:
    inspector = sa.inspect(connection)
    schema = _schema(view, dialect)
    return view.name in inspector.get_view_names(schema=schema)


def _refuse_foreign(connection, views, deployed, dialect) -> None:  # type: ignore[no-untyped-def]
    inspector = sa.inspect(connection)
    taken = []
    for view in views:
        schema = _schema(view, dialect)
        if (schema, view.name) in deployed:
            continue
        if schema is not None and not inspector.has_schema(schema):
            continue
        names = set(inspector.get_view_names(schema=schema))
        names |= set(inspector.get_table_names(schema=schema))
        if view.name in names:
            taken.append(view.qualified_name)
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
