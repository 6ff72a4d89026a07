"""SQL fragments of the definitions (``expr`` fields) into sqlglot expressions on a table."""

from __future__ import annotations

import re

import jinja2
from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.errors import Location
from semantic_layer.load.jinja_env import render
from semantic_layer.spec.objects import IN_REPORTING_ZONE
from semantic_layer.sqltext import parse_value

_NAME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_AWARE = re.compile(rf"^{IN_REPORTING_ZONE}\((.*)\)$", re.DOTALL)
# Bare words that are values, not columns, when written as an expr.
_VALUE_WORDS = frozenset(
    "true false null current_date current_time current_timestamp localtime localtimestamp".split()
)


class ExpressionParser:
    """Parses ``expr`` text once (Jinja first, then sqlglot in the project's dialect)."""

    def __init__(self, environment: jinja2.Environment, dialect: str) -> None:
        self.environment = environment
        self.dialect = dialect
        self._cache: dict[str, exp.Expr] = {}

    def parse(self, text: str, location: Location) -> exp.Expr:
        """The expression written as ``text``; a bare name becomes a column."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached.copy()

        aware = _AWARE.match(text)
        if aware is not None:
            inner = self.parse(aware.group(1), location)
            wrapped = exp.Anonymous(this=IN_REPORTING_ZONE, expressions=[inner])
            self._cache[text] = wrapped
            return wrapped.copy()

        rendered = render(self.environment, text, location)
        plain = _NAME.match(rendered)
        if plain and plain.group(1).lower() not in _VALUE_WORDS:
            parsed: exp.Expr = sqlnames.column(plain.group(1))
        else:
            parsed = parse_value(rendered, self.dialect, "expression", location)
        self._cache[text] = parsed
        return parsed.copy()

    def on_table(self, text: str, table_alias: str, location: Location) -> exp.Expr:
        """The expression with every unqualified column read from ``table_alias``."""
        expression = self.parse(text, location)
        for node in list(expression.find_all(exp.Column)):
            if not node.table:
                node.set("table", sqlnames.identifier(table_alias))
        return expression
