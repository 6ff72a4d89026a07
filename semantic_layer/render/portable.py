"""Expressions as each engine must receive them to compute what DuckDB computes: the
rewrites that a dialect's flags and templates ask for, applied just before generation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from semantic_layer.render.dialects import Dialect


def portable(expression: exp.Expr, dialect: Dialect) -> exp.Expr:
    """``expression`` rewritten where ``dialect`` needs it; a copy when anything changes."""
    if dialect.alias_qualified_outputs:
        expression = _name_qualified_outputs(expression.copy())
    if dialect.round_sql is not None or dialect.concat_with_pipes:
        expression = expression.copy().transform(lambda node: _portable(node, dialect))
    # After ROUND is rewritten, since decimal_round_sql holds the engine's own round().
    if dialect.decimal_round_sql is not None:
        expression = _round_decimal_casts(expression.copy(), dialect)
    return expression


def _portable(node: exp.Expr, dialect: Dialect) -> exp.Expr:
    """ROUND and CONCAT in the dialect's own terms, where its built-in ones differ."""
    if isinstance(node, exp.Round) and dialect.round_sql is not None:
        digits = node.args.get("decimals") or exp.Literal.number(0)
        if isinstance(digits, exp.Literal) and digits.is_int and int(digits.this) >= 0:
            scale = exp.Literal.number(10 ** int(digits.this))
            return exp.paren(dialect._fill(dialect.round_sql, value=node.this, scale=scale))
    if isinstance(node, exp.Concat) and dialect.concat_with_pipes:
        parts = [exp.func("COALESCE", part, exp.Literal.string("")) for part in node.expressions]
        joined: exp.Expr = parts[0] if parts else exp.Literal.string("")
        for part in parts[1:]:
            joined = exp.DPipe(this=joined, expression=part)
        return exp.paren(joined)
    return node


def _round_decimal_casts(expression: exp.Expr, dialect: Dialect) -> exp.Expr:
    """Round the value of every cast to a DECIMAL with a scale, where the cast would cut."""
    assert dialect.decimal_round_sql is not None
    for cast in list(expression.find_all(exp.Cast)):
        to = cast.to
        if not to.is_type(exp.DataType.Type.DECIMAL) or len(to.expressions) != 2:
            continue
        scale = to.expressions[1].this
        if isinstance(cast.this, exp.Literal) or not isinstance(scale, exp.Literal):
            continue
        rounded = dialect._fill(dialect.decimal_round_sql, value=cast.this, scale=scale)
        cast.this.replace(rounded)
    return expression


def _name_qualified_outputs(expression: exp.Expr) -> exp.Expr:
    """Each selected ``t.c`` without an alias, in every SELECT, becomes ``t.c AS c``."""
    for select in expression.find_all(exp.Select):
        for projection in list(select.expressions):
            if (
                isinstance(projection, exp.Column)
                and projection.table
                and isinstance(projection.this, exp.Identifier)
            ):
                projection.replace(exp.alias_(projection.copy(), projection.this.copy()))
    return expression
