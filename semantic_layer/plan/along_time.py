"""Rules for metrics that run along time: the grains they can be read at, how offsets of
offsets add up, and which elements and filters are metric_time."""

from __future__ import annotations

from semantic_layer.errors import Location, UserError
from semantic_layer.plan.filters import ParsedFilter
from semantic_layer.plan.names import METRIC_TIME, SEPARATOR
from semantic_layer.plan.resolve import ResolvedElement
from semantic_layer.spec.objects import Cumulative, Grain, Offset, Window

_IN_HOURS = {Grain.HOUR: 1, Grain.DAY: 24, Grain.WEEK: 168}
_IN_MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}


def nested_offset(inner: Offset, outer: Offset) -> Offset | None:
    """An offset read with an offset: the two windows added up (5 days, then 2 days, is 7
    days), when both count fixed lengths of time or both count calendar months; None when
    they cannot be added."""
    first, second = inner.window, outer.window
    if first is None or second is None or first.custom or second.custom:
        return None
    for table, unit in ((_IN_HOURS, Grain.HOUR), (_IN_MONTHS, Grain.MONTH)):
        if first.grain in table and second.grain in table:
            total = first.count * table[first.grain] + second.count * table[second.grain]
            if unit is Grain.HOUR and Grain.HOUR not in (first.grain, second.grain):
                return Offset(Window(total // 24, Grain.DAY))
            return Offset(Window(total, unit))
    return None


def rank(grain: Grain) -> int:
    return grain.rank


def finest_step(
    cumulative: Cumulative | None, offset: Offset | None, needs_days: bool, shown: Grain | None
) -> Grain:
    """The finest grain a metric along time can be read at: a day, or an hour when its window
    counts hours, or when an offset or the time spine is read by the hour."""
    windows = []
    if cumulative is not None:
        windows.append(cumulative.window)
    if offset is not None:
        windows.append(offset.window)
    hourly = any(w is not None and w.custom is None and w.grain is Grain.HOUR for w in windows)
    if hourly or (not needs_days and shown is Grain.HOUR):
        return Grain.HOUR
    return Grain.DAY


def check_hourly(
    cumulative: Cumulative | None,
    offset: Offset | None,
    metric: str,
    kind: str,
    location: Location | None,
) -> None:
    """By the hour, windows run in hours, days or weeks: a month has no fixed number of
    hours, and a grain_to_date would need the day's start."""
    windows = [offset.window if offset is not None else None]
    if cumulative is not None:
        windows.append(cumulative.window)
        if cumulative.grain_to_date is not None:
            windows.append(Window(1, cumulative.grain_to_date))
    if offset is not None and offset.to_grain is not None:
        windows.append(Window(1, offset.to_grain))
    for window in windows:
        if window is not None and window.grain.rank > Grain.WEEK.rank:
            raise UserError(
                f"{kind} metric '{metric}' read by the hour cannot count its window in "
                f"{window.grain.value}s; read it by day or coarser",
                location,
            )


def is_metric_time(element: ResolvedElement) -> bool:
    return element.name.startswith(f"{METRIC_TIME}{SEPARATOR}") and element.date_part is None


def is_metric_time_part(element: ResolvedElement) -> bool:
    return element.name.startswith(f"{METRIC_TIME}{SEPARATOR}") and element.date_part is not None


def on_metric_time(parsed: ParsedFilter) -> bool:
    """True when every element a filter reads is metric_time at some grain, a custom
    granularity's included (``metric_time__fiscal_quarter``)."""
    return bool(parsed.columns) and all(
        readings[0].date_part is None
        and (
            (readings[0].element == METRIC_TIME and not readings[0].entity_path)
            or readings[0].entity_path == (METRIC_TIME,)
        )
        for _, readings in parsed.columns
    )
