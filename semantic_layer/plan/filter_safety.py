"""A parsed where clause against the safe list: only known kinds of node, no comment, and no
condition that compares constants alone."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer.errors import Location, UserError

# Everything a condition is built of: element references, literals, operators, CASE.
_STRUCTURE = (
    exp.Column, exp.Identifier, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Tuple,
    exp.Var, exp.DataType, exp.DataTypeParam, exp.Interval, exp.Star,
    exp.And, exp.Or, exp.Not, exp.Xor,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ,
    exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.Neg, exp.DPipe,
    exp.Case, exp.If,
)  # fmt: skip

# Functions that read only their arguments: text, numbers, dates, NULL handling, casts. No
# function that reads files, settings, the session or the environment, sleeps or has effects.
_SAFE_FUNCTIONS = (
    exp.Lower, exp.Upper, exp.Length, exp.Trim, exp.Substring, exp.Concat, exp.Replace,
    exp.Left, exp.Right, exp.StartsWith, exp.Initcap,
    exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Sign, exp.Greatest, exp.Least,
    exp.Coalesce, exp.Nullif, exp.Cast, exp.TryCast,
    exp.CurrentDate, exp.CurrentTimestamp, exp.Extract, exp.Date, exp.DateTrunc,
    exp.TimestampTrunc, exp.DateAdd, exp.DateSub, exp.DateDiff, exp.Year, exp.Quarter,
    exp.Month, exp.Week, exp.Day, exp.DayOfWeek, exp.DayOfYear, exp.StrToDate,
)  # fmt: skip

_ALLOWED = _STRUCTURE + _SAFE_FUNCTIONS

# Names as a user writes them, for the message.
SAFE_FUNCTION_NAMES = sorted(
    {name for cls in _SAFE_FUNCTIONS for name in cls.sql_names()[:1]}
)  # fmt: skip


def check_filter(condition: exp.Expr, shown: str, location: Location | None) -> None:
    """Refuse a condition holding anything outside the safe list.

    Raises:
        UserError: a comment, an unknown or unsafe function or operator, or a condition that
            compares constants only (``'1' = '1'``), which names no element and is the usual
            shape of text that broke out of a quoted value.
    """
    for node in condition.walk():
        if node.comments:
            raise UserError(
                f"filter {shown!r} holds a comment; remove it (a comment could cut off the "
                "rest of the condition)",
                location,
            )
        if not isinstance(node, _ALLOWED):
            raise UserError(f"filter {shown!r}: {_refusal(node)}", location)
    for part in _conditions(condition):
        if part.find(exp.Column) is None:
            raise UserError(
                f"filter {shown!r}: the condition {part.sql()!r} names no dimension, entity or "
                "metric; a filter compares elements with values (a quote inside a value is "
                "written twice: 'O''Brien')",
                location,
            )


def _conditions(condition: exp.Expr) -> list[exp.Expr]:
    """The condition and each operand of its AND, OR, XOR and NOT, unwrapped from brackets."""
    found = [condition]
    stack = [condition]
    while stack:
        node = stack.pop().unnest()
        if isinstance(node, exp.Not):
            operands = [node.this]
        elif isinstance(node, exp.Connector):
            operands = [node.left, node.right]
        else:
            continue
        found.extend(operands)
        stack.extend(operands)
    return found


def _refusal(node: exp.Expr) -> str:
    if isinstance(node, exp.Func):
        name = node.name if isinstance(node, exp.Anonymous) else (node.sql_names() or [node.key])[0]
        return (
            f"function {name.upper()}() is not allowed in a filter; the allowed functions are "
            f"{', '.join(SAFE_FUNCTION_NAMES)}"
        )
    return f"{node.key.upper()} is not allowed in a filter"
