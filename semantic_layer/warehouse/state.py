"""What this tool created in a warehouse (views, seed tables), kept in a small state table.

Names are compared without case, since most engines fold unquoted names, so a relation that
differs from ours only in case is still recognised as not ours.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from semantic_layer.errors import UserError

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


def actual_schema(connection: sa.Connection, schema: str) -> str | None:
    """The warehouse's own spelling of ``schema``, compared without case; None when absent.

    Lookups by name are exact in SQLAlchemy, while most engines fold unquoted names, so
    ``MAIN`` and ``main`` are one schema there.
    """
    inspector = sa.inspect(connection)
    if inspector.has_schema(schema):
        return schema
    for listed in inspector.get_schema_names():
        bare = _last_part(listed)
        if bare.lower() == schema.lower() and inspector.has_schema(bare):
            return bare
    return None


def _last_part(name: str) -> str:
    """``schema`` from names listed as ``catalog.schema`` (DuckDB), quotes removed."""
    parts, current, quoted = [], "", False
    for char in name:
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return current if not parts else current or parts[-1]


def existing_relations(connection: sa.Connection, schema: str | None) -> dict[str, str]:
    """Tables and views of ``schema``, by lower-case name, as the warehouse spells them."""
    inspector = sa.inspect(connection)
    real = actual_schema(connection, schema) if schema is not None else None
    if schema is not None and real is None:
        return {}
    names = inspector.get_table_names(schema=real) + inspector.get_view_names(schema=real)
    return {name.lower(): name for name in names}


def ensure_schema(connection: sa.Connection, schema: str) -> str:
    """The schema's spelling in the warehouse, after creating it when it is missing."""
    real = actual_schema(connection, schema)
    if real is not None:
        return real
    connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    return schema


def read_state(connection: sa.Connection, schema: str | None) -> dict[Key, tuple[str, str]]:
    """(kind, fingerprint) of every relation recorded, by key; nothing before a first run.

    Raises:
        UserError: a relation named sl_state exists but is not this tool's state table.
    """
    real = actual_schema(connection, schema) if schema is not None else None
    if schema is not None and real is None:
        return {}
    if STATE_TABLE not in existing_relations(connection, real):
        return {}
    state = state_table(real)
    try:
        rows = connection.execute(sa.select(state)).fetchall()
    except sa.exc.DBAPIError:
        where = f"schema {real}" if real else "the database"
        raise UserError(
            f"{where} holds a relation named {STATE_TABLE} that sl did not create; sl keeps "
            "its record of what it created under that name, so rename yours"
        ) from None
    return {
        key(row.relation_schema, row.relation_name): (row.kind, row.fingerprint) for row in rows
    }


def record(
    connection: sa.Connection,
    schema: str | None,
    kind: str,
    relation_schema: str | None,
    name: str,
    fingerprint: str,
) -> None:
    """Record (or re-record) a relation this tool has just created, in ``schema``'s state."""
    real = ensure_schema(connection, schema) if schema is not None else None
    state = state_table(real)
    state.create(connection, checkfirst=True)
    same = (
        state.c.relation_schema == relation_schema
        if relation_schema
        else state.c.relation_schema.is_(None)
    )
    connection.execute(sa.delete(state).where(same, state.c.relation_name == name))
    connection.execute(
        sa.insert(state).values(
            kind=kind,
            relation_schema=relation_schema,
            relation_name=name,
            fingerprint=fingerprint,
            updated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
    )


def forget(
    connection: sa.Connection, schema: str | None, relation_schema: str | None, name: str
) -> None:
    """Remove a relation's record from ``schema``'s state, once it is dropped."""
    real = actual_schema(connection, schema) if schema is not None else None
    if schema is not None and real is None:
        return
    state = state_table(real)
    same = (
        state.c.relation_schema == relation_schema
        if relation_schema
        else state.c.relation_schema.is_(None)
    )
    connection.execute(sa.delete(state).where(same, state.c.relation_name == name))


def recorded(
    connection: sa.Connection, schema: str | None, kind: str
) -> list[tuple[str | None, str]]:
    """(schema, name) of every relation of ``kind`` in ``schema``'s state, as recorded."""
    real = actual_schema(connection, schema) if schema is not None else None
    if schema is not None and real is None:
        return []
    if STATE_TABLE not in existing_relations(connection, real):
        return []
    state = state_table(real)
    query = sa.select(state.c.relation_schema, state.c.relation_name).where(state.c.kind == kind)
    return [(row[0], row[1]) for row in connection.execute(query)]
