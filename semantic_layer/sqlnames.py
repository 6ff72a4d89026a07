"""Names into sqlglot identifiers, quoted only when a dialect could misread them."""

from __future__ import annotations

import re

from sqlglot import exp

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")

# Words reserved by at least one supported engine (ANSI SQL and the engines' manuals); a column
# named like one is quoted everywhere, so the same view text works on every dialect.
RESERVED = frozenset(
    """
    all alter analyse analyze and any array as asc asymmetric authorization between bigint binary
    both by case cast check collate column constraint create cross cube current current_date
    current_time current_timestamp current_user database default delete desc describe distinct
    do drop else end except exists extract false fetch filter for foreign from full function
    grant group grouping having if ilike in index inner insert intersect interval into is join
    key lateral leading left like limit localtime localtimestamp natural not null of offset on
    only or order outer over overlaps partition pivot primary qualify range recursive references
    returning right rollup row rows select session_user set similar some symmetric table
    tablesample then to top trailing true union unique unnest unpivot update user using values
    variadic verbose when where window with within
    """.split()
)


def needs_quotes(name: str) -> bool:
    """True when ``name`` is not a plain lower-case word, or is reserved somewhere."""
    return not _PLAIN.match(name) or name in RESERVED


def identifier(name: str) -> exp.Identifier:
    """An identifier for ``name``, quoted when needed."""
    return exp.Identifier(this=name, quoted=needs_quotes(name))


def column(name: str, table: str | None = None) -> exp.Column:
    """A column reference ``table.name`` with each part quoted when needed."""
    return exp.Column(this=identifier(name), table=identifier(table) if table else None)


def table(name: str, schema: str | None = None, database: str | None = None) -> exp.Table:
    """A table reference ``database.schema.name`` with each part quoted when needed."""
    return exp.Table(
        this=identifier(name),
        db=identifier(schema) if schema else None,
        catalog=identifier(database) if database else None,
    )
