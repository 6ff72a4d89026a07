"""The columns each joined semantic model exposes to an aggregate's rows."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.plan.expressions import ExpressionParser
from semantic_layer.spec.objects import SemanticModel


class JoinColumns:
    """The columns each joined semantic model exposes to the rows of an aggregate.

    A joined model is read through a subquery that computes its expressions first, so a fact
    row without a match gets NULL for every joined column, never an expression evaluated on
    NULL inputs (``COALESCE(region, 'unknown')`` would otherwise claim unmatched rows).
    """

    def __init__(self, expressions: ExpressionParser, base_alias: str) -> None:
        self.expressions = expressions
        self.base_alias = base_alias
        self.columns: dict[str, dict[str, exp.Expr]] = {}

    def column(self, alias: str, model: SemanticModel, sql: str, preferred: str) -> exp.Expr:
        """``sql`` of ``model`` as seen from the aggregate's rows, through ``alias``."""
        if alias == self.base_alias:
            return self.expressions.on_table(sql, alias, model.location)
        value = self.expressions.on_table(sql, model.name, model.location)
        own = self.columns.setdefault(alias, {})
        for name, existing in own.items():
            if existing == value:
                return sqlnames.column(name, alias)
        name, counter = preferred, 1
        while name in own:
            counter += 1
            name = f"{preferred}__{counter}"
        own[name] = value
        return sqlnames.column(name, alias)

    def selected(self, alias: str) -> tuple[tuple[str, exp.Expr], ...]:
        return tuple(self.columns.get(alias, {}).items())
