"""What this tool created in a warehouse (views, seed tables), kept in a small state table.

Names are compared without case, since most engines fold unquoted names, so a relation that
differs from ours only in case is still recognised as not ours.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

STATE_TABLE = "sl_state"
Key = tuple[str, str]  # (schema in lower case or "", name in lower case)


def key(schema: str | None, name: str) -> Key:
    return ((schema or "").lower(), name.lower())


def state_table(schema: str | None) -> sa.Table:
    """The state table: one row per relation this tool created, with a fingerprint."""
    return sa.Table(
        STATE_TABLE,
        sa.MetaData(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("relation_schema", sa.String(255)),
        sa.Column("relation_name", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        schema=schema,
    )


def read_state(connection: sa.Connection, state: sa.Table) -> dict[Key, tuple[str, str]]:
    """(kind, fingerprint) of every relation recorded, by key; nothing before a first run."""
    inspector = sa.inspect(connection)
    if state.schema is not None and not inspector.has_schema(state.schema):
        return {}
    if state.name not in inspector.get_table_names(schema=state.schema):
        return {}
    rows = connection.execute(sa.select(state))
    return {
        key(row.relation_schema, row.relation_name): (row.kind, row.fingerprint) for row in rows
    }


def record(
    connection: sa.Connection,
    state: sa.Table,
    kind: str,
    schema: str | None,
    name: str,
    fingerprint: str,
) -> None:
    """Record (or re-record) a relation this tool has just created."""
    if state.schema is not None and not sa.inspect(connection).has_schema(state.schema):
        connection.execute(sa.schema.CreateSchema(state.schema, if_not_exists=True))
    state.create(connection, checkfirst=True)
    schema_match = (
        state.c.relation_schema == schema if schema else state.c.relation_schema.is_(None)
    )
    connection.execute(sa.delete(state).where(schema_match, state.c.relation_name == name))
    connection.execute(
        sa.insert(state).values(
            kind=kind,
            relation_schema=schema,
            relation_name=name,
            fingerprint=fingerprint,
            updated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
    )


def existing_relations(connection: sa.Connection, schema: str | None) -> dict[str, str]:
    """Tables and views of ``schema``, by lower-case name, as the warehouse spells them."""
    inspector = sa.inspect(connection)
    if schema is not None and not inspector.has_schema(schema):
        return {}
    names = inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema)
    return {name.lower(): name for name in names}
