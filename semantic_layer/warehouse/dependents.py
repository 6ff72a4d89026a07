"""The warehouse's catalog into a map from each relation to the views that read it."""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from semantic_layer.render.dialects import Dialect
from semantic_layer.warehouse.state import Key, key

logger = logging.getLogger(__name__)

# A view whose text cannot be parsed is taken to read every relation whose name it contains:
# blocking a deploy by mistake is safe, breaking a user's view is not.
_ANY = ("*", "*")


def view_readers(connection: sa.Connection, dialect: Dialect) -> dict[Key, set[Key]]:
    """For each relation, the views that read it (keys compared without case).

    Engines whose dialect names neither catalog query get an empty map.
    """
    readers: dict[Key, set[Key]] = {}
    if dialect.view_reads_sql is not None:
        for view_schema, view, read_schema, read in connection.exec_driver_sql(
            dialect.view_reads_sql
        ):
            readers.setdefault(key(read_schema, read), set()).add(key(view_schema, view))
    elif dialect.view_definitions_sql is not None:
        for schema, view, definition in connection.exec_driver_sql(dialect.view_definitions_sql):
            for read in _reads(definition or "", schema, view, dialect):
                readers.setdefault(read, set()).add(key(schema, view))
    return readers


def readers_of(readers: dict[Key, set[Key]], relation: Key) -> set[Key]:
    """The views reading ``relation``, including those whose text could not be parsed."""
    found = set(readers.get(relation, set()))
    found |= readers.get(("*", relation[1]), set())
    found.discard(relation)
    return found


def _reads(definition: str, schema: str | None, view: str, dialect: Dialect) -> set[Key]:
    """The relations a view's text names; unqualified names are in the view's own schema."""
    try:
        tree = sqlglot.parse_one(definition, read=dialect.sqlglot_name)
    except (SqlglotError, ValueError):
        logger.debug("cannot parse the definition of view %s.%s", schema, view)
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_$]*", definition))
        return {(_ANY[0], word.lower()) for word in words}

    body = tree.expression if isinstance(tree, exp.Create) else tree
    if not isinstance(body, exp.Expr):
        return set()
    ctes = {cte.alias_or_name.lower() for cte in body.find_all(exp.CTE)}
    reads = set()
    for table in body.find_all(exp.Table):
        if not table.name or (not table.db and table.name.lower() in ctes):
            continue
        if table.db and dialect.supports_schemas:
            reads.add(key(table.db, table.name))
        else:
            # An unqualified name is looked up on the engine's search path, which need not be
            # the view's own schema (DuckDB reads main): any schema may be meant. Without
            # schemas (SQLite) a qualifier such as main. names the one database.
            reads.add((_ANY[0], table.name.lower()))
    return reads
