"""Where clauses (Jinja with Dimension(), TimeDimension(), Entity()) into parsed sqlglot
conditions whose columns are element references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from sqlglot import exp

from semantic_layer.errors import Location, UserError
from semantic_layer.load.jinja_env import render
from semantic_layer.plan.filter_safety import check_filter
from semantic_layer.plan.names import EXTRACT, ElementRef, parse_element_name
from semantic_layer.spec.objects import Filter
from semantic_layer.sqltext import parse_value


@dataclass(frozen=True)
class MetricRef:
    """``{{ Metric('orders', group_by=['customer']) }}``: a metric computed per the group-by
    elements, read in a filter under the column name ``column``."""

    column: str
    metric: str
    group_by: tuple[str, ...]


@dataclass(frozen=True)
class ParsedFilter:
    """A rendered filter: its SQL text, its condition, the element names it reads, and the
    metrics it reads per entity."""

    sql: str
    condition: exp.Expr
    columns: tuple[tuple[str, tuple[ElementRef, ...]], ...]
    location: Location
    metrics: tuple[MetricRef, ...] = ()


class _Ref:
    """What ``{{ Dimension('x__y') }}`` renders to: the element's name, with builder methods."""

    def __init__(self, name: str, entity_path: Any = (), grain: str | None = None) -> None:
        path = tuple(entity_path or ())
        self.name = "__".join([*path, name] + ([grain] if grain else []))

    def grain(self, grain: str) -> _Ref:
        # A custom granularity is any name; the resolver says whether one is declared.
        if not isinstance(grain, str) or not grain.replace("_", "a").isalnum():
            raise UserError(f"'{grain}' is not a grain")
        return _Ref(self.name, (), grain)

    def descending(self, _: bool = True) -> _Ref:
        return self

    def date_part(self, part: str) -> _Ref:
        return _Ref(self.name, (), f"{EXTRACT}{part.lower()}")

    def __str__(self) -> str:
        return self.name


def _time_dimension(
    name: str,
    time_granularity_name: str | None = None,
    entity_path: Any = (),
    descending: bool | None = None,
    date_part_name: str | None = None,
) -> _Ref:
    if date_part_name is not None:
        return _Ref(name, entity_path, f"{EXTRACT}{str(date_part_name).lower()}")
    return _Ref(name, entity_path, time_granularity_name)


def _functions(metrics: list[MetricRef]) -> dict[str, Any]:
    """The filter functions, with ``Metric()`` recording each metric it is asked for."""

    def metric(name: str, group_by: Any = ()) -> str:
        if isinstance(group_by, str):
            group_by = [group_by]
        if (
            not isinstance(name, str)
            or not group_by
            or not all(isinstance(item, str) for item in group_by)
        ):
            raise UserError(
                "Metric() in a filter takes a metric name and group_by, a list of the entities "
                "it is computed per, e.g. Metric('orders', group_by=['customer'])"
            )
        column = f"{METRIC_COLUMN}{len(metrics) + 1}__{name}"
        metrics.append(MetricRef(column, name, tuple(group_by)))
        return column

    return {
        "Dimension": lambda name, entity_path=(): _Ref(name, entity_path),
        "TimeDimension": _time_dimension,
        "Entity": lambda name, entity_path=(): _Ref(name, entity_path),
        "Metric": metric,
    }


METRIC_COLUMN = "sl_filter_metric_"


# Values that cannot be a condition on their own (a boolean column or TRUE can).
_NOT_CONDITIONS = (exp.Literal, exp.Null, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg)


def parse_filter(filter_: Filter, environment: jinja2.Environment, dialect: str) -> ParsedFilter:
    """Render and parse one where clause.

    Raises:
        UserError: the text does not render or parse, holds more than a condition, or holds
            anything outside the safe list (see ``filter_safety``).
    """
    metrics: list[MetricRef] = []
    text = render(environment, filter_.text, filter_.location, _functions(metrics))
    condition = parse_value(text, dialect, "filter", filter_.location)
    if isinstance(condition.unnest(), _NOT_CONDITIONS):
        raise UserError(f"filter {text.strip()!r} must be a condition", filter_.location)
    check_filter(condition, text.strip(), filter_.location)

    columns: dict[str, tuple[ElementRef, ...]] = {}
    for column in condition.find_all(exp.Column):
        if column.table:
            raise UserError(
                f"filter {text.strip()!r}: write {column.sql()!r} as "
                "{{ Dimension('entity__dimension') }}",
                filter_.location,
            )
        if column.name.startswith(METRIC_COLUMN):
            continue
        columns[column.name] = tuple(parse_element_name(column.name, filter_.location))
    return ParsedFilter(
        text.strip(), condition, tuple(sorted(columns.items())), filter_.location, tuple(metrics)
    )
