"""User SQL fragments (expr fields, filters) into one sqlglot value expression, or a refusal."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from semantic_layer.errors import Location, UserError

# Node types that make a fragment more than a value: statements, queries, blocks of several
# statements, parameters. A fragment holding one of them anywhere is refused, so nothing but a
# value can reach the views' text.
_STATEMENT_TYPES = tuple(
    getattr(exp, name)
    for name in (
        "Query", "Subquery", "DDL", "DML", "Command", "Block", "Placeholder", "Parameter",
        "Pragma", "Set", "Use", "Copy", "Attach", "Detach", "Transaction", "Commit",
        "Rollback", "Describe", "Show", "Kill", "Grant", "Revoke", "Analyze", "Export",
    )
    if hasattr(exp, name)
)  # fmt: skip


def parse_value(text: str, dialect: str, what: str, location: Location | None) -> exp.Expr:
    """Parse ``text`` as exactly one SQL value expression.

    Raises:
        UserError: the text does not parse, holds several statements, or holds a statement,
            a query or a parameter anywhere inside.
    """
    shown = text.strip()
    if _has_separator(text, dialect):  # before parsing: a second statement is never read
        raise UserError(f"{what} {shown!r} must be a single expression, without ';'", location)
    try:
        statements = sqlglot.parse(text, read=dialect)
    except SqlglotError as error:
        first = (str(error).splitlines() or ["cannot be parsed"])[0]
        raise UserError(f"{what} {shown!r} is not valid SQL: {first}", location) from None
    except (ValueError, KeyError) as error:  # sqlglot's tokenizer on malformed literals
        raise UserError(f"{what} {shown!r} is not valid SQL: {error}", location) from None

    values = [statement for statement in statements if statement is not None]
    if len(values) != 1:
        raise UserError(f"{what} {shown!r} must be a single expression", location)
    for node in values[0].walk():
        if isinstance(node, _STATEMENT_TYPES):
            kind = node.key.upper()
            raise UserError(f"{what} {shown!r} may hold only a value, not {kind}", location)
    return values[0]


def _has_separator(text: str, dialect: str) -> bool:
    """Whether ``text`` holds a statement separator; a trailing one too, which the parser
    drops silently. Text that cannot be tokenized is left for the parser to report."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(text)
    except (SqlglotError, ValueError, KeyError):
        return False
    return any(token.token_type == TokenType.SEMICOLON for token in tokens)
