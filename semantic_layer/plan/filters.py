"""Where clauses (Jinja with Dimension(), TimeDimension(), Entity()) into parsed sqlglot
conditions whose columns are element references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from semantic_layer.errors import Location, UserError
from semantic_layer.load.jinja_env import render
from semantic_layer.plan.names import ElementRef, parse_element_name
from semantic_layer.spec.objects import Filter, Grain


@dataclass(frozen=True)
class ParsedFilter:
    """A rendered filter: its SQL text, its condition, and the element names it reads."""

    sql: str
    condition: exp.Expr
    columns: tuple[tuple[str, tuple[ElementRef, ...]], ...]
    location: Location


class _Ref:
    """What ``{{ Dimension('x__y') }}`` renders to: the element's name, with builder methods."""

    def __init__(self, name: str, entity_path: Any = (), grain: str | None = None) -> None:
        path = tuple(entity_path or ())
        self.name = "__".join([*path, name] + ([grain] if grain else []))

    def grain(self, grain: str) -> _Ref:
        if Grain.parse(grain) is None:
            raise UserError(f"'{grain}' is not a grain")
        return _Ref(self.name, (), grain)

    def descending(self, _: bool = True) -> _Ref:
        return self

    def date_part(self, part: str) -> _Ref:
        raise UserError(f"date_part('{part}') in filters is not supported yet")

    def __str__(self) -> str:
        return self.name


def _time_dimension(
    name: str, time_granularity_name: str | None = None, entity_path: Any = (), **_: Any
) -> _Ref:
    return _Ref(name, entity_path, time_granularity_name)


def _metric(name: str, *_: Any, **__: Any) -> _Ref:
    raise UserError(f"Metric('{name}') in filters is not supported yet")


FILTER_FUNCTIONS = {
    "Dimension": lambda name, entity_path=(): _Ref(name, entity_path),
    "TimeDimension": _time_dimension,
    "Entity": lambda name, entity_path=(): _Ref(name, entity_path),
    "Metric": _metric,
}
_FORBIDDEN = (exp.Query, exp.Subquery, exp.Command, exp.DDL, exp.DML, exp.Placeholder)


def parse_filter(filter_: Filter, environment: jinja2.Environment, dialect: str) -> ParsedFilter:
    """Render and parse one where clause.

    Raises:
        UserError: the text does not render or parse, or holds more than a condition.
    """
    text = render(environment, filter_.text, filter_.location, FILTER_FUNCTIONS)
    try:
        statements = sqlglot.parse(text, read=dialect)
    except ParseError as error:
        raise UserError(
            f"filter {text.strip()!r} is not valid SQL: {_first(error)}", filter_.location
        ) from None
    if len(statements) != 1 or statements[0] is None:
        raise UserError(f"filter {text.strip()!r} must be one condition", filter_.location)
    condition = statements[0]
    for node in condition.walk():
        if isinstance(node, _FORBIDDEN):
            raise UserError(
                f"filter {text.strip()!r} may hold only a condition, not {node.key.upper()}",
                filter_.location,
            )

    columns: dict[str, tuple[ElementRef, ...]] = {}
    for column in condition.find_all(exp.Column):
        if column.table:
            raise UserError(
                f"filter {text.strip()!r}: write {column.sql()!r} as "
                "{{ Dimension('entity__dimension') }}",
                filter_.location,
            )
        columns[column.name] = tuple(parse_element_name(column.name, filter_.location))
    return ParsedFilter(text.strip(), condition, tuple(sorted(columns.items())), filter_.location)


def _first(error: ParseError) -> str:
    return str(error).splitlines()[0] if str(error) else "parse error"
