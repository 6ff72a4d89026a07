"""Names of query elements (``customer__region``, ``metric_time__month``) and the calls that
write them (``TimeDimension('metric_time', 'month')``) into element references."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from semantic_layer.errors import Location, UserError
from semantic_layer.spec.objects import GRAIN_NAMES, Grain

SEPARATOR = "__"
METRIC_TIME = "metric_time"
EXTRACT = "extract_"
# Integer parts of a date, as MetricFlow names them; dow is ISO (Monday = 1).
DATE_PARTS = ("year", "quarter", "month", "week", "day", "dow", "doy")


@dataclass(frozen=True)
class ElementRef:
    """A dimension, time dimension or entity as a query names it.

    ``entity_path`` is the chain of entities walked from the measure's semantic model; ``grain``
    is set for a time dimension read at a granularity.
    """

    element: str
    entity_path: tuple[str, ...] = ()
    grain: Grain | None = None
    date_part: str | None = None

    @property
    def text(self) -> str:
        parts = [*self.entity_path, self.element]
        if self.date_part is not None:
            parts.append(f"{EXTRACT}{self.date_part}")
        elif self.grain is not None:
            parts.append(self.grain.value)
        return SEPARATOR.join(parts)

    def without_grain(self) -> ElementRef:
        return ElementRef(self.element, self.entity_path, None)


def parse_element_name(text: str, location: Location | None = None) -> list[ElementRef]:
    """The readings of a name like ``order_id__ordered_at__month``, the likeliest first.

    A last part that names a grain is read first as that grain of a time dimension, then as a
    plain element name, since a categorical dimension may also be called ``month``.
    """
    cleaned = text.strip()
    parts = cleaned.split(SEPARATOR)
    if not cleaned or any(not part or not _is_name(part) for part in parts):
        raise UserError(
            f"'{text}' is not a valid element name (expected names joined by '__')", location
        )
    readings = []
    last = parts[-1].lower()
    if len(parts) >= 2 and last.startswith(EXTRACT) and last[len(EXTRACT) :] in DATE_PARTS:
        readings.append(ElementRef(parts[-2], tuple(parts[:-2]), date_part=last[len(EXTRACT) :]))
    if len(parts) >= 2 and parts[-1].lower() in GRAIN_NAMES:
        readings.append(ElementRef(parts[-2], tuple(parts[:-2]), Grain.parse(parts[-1])))
    readings.append(ElementRef(parts[-1], tuple(parts[:-1])))
    return readings


def _is_name(part: str) -> bool:
    return part.replace("_", "a").isalnum() and part.isascii()


def parse_group_by_call(text: str, location: Location | None = None) -> list[ElementRef]:
    """Read a saved query's group-by item.

    Accepts ``Dimension('customer__region')``, ``TimeDimension('metric_time', 'month')``,
    ``Entity('customer')``, ``Dimension('metric_time').grain('week')``, optionally inside
    ``{{ }}``, or a bare name such as ``metric_time__month``.

    >>> parse_group_by_call("TimeDimension('metric_time', 'month')")[0].text
    'metric_time__month'
    """
    source = text.strip()
    if source.startswith("{{") and source.endswith("}}"):
        source = source[2:-2].strip()
    if "(" not in source:
        return parse_element_name(source, location)
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise UserError(f"cannot read group-by item {text!r}", location) from None
    return [_read_call(tree, text, location)]


def parse_order_by_item(text: str, location: Location | None = None) -> tuple[list[str], bool]:
    """Read an order-by item: the column names it may mean, and whether it sorts descending.

    Accepts ``-revenue``, ``metric_time__month``, ``Metric('revenue').descending(True)`` and
    the group-by calls of :func:`parse_group_by_call`, each with ``.descending(True)``.

    >>> parse_order_by_item("Metric('revenue').descending(True)")
    (['revenue'], True)
    """
    source = text.strip()
    if source.startswith("{{") and source.endswith("}}"):
        source = source[2:-2].strip()
    if "(" not in source:
        descending = source.startswith("-")
        return [source.lstrip("-+").strip()], descending
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise UserError(f"cannot read order-by item {text!r}", location) from None

    descending = False
    if (
        isinstance(tree, ast.Call)
        and isinstance(tree.func, ast.Attribute)
        and tree.func.attr == "descending"
    ):
        args, _ = _literal_args(tree, text, location)
        descending = bool(args[0]) if args else True
        tree = tree.func.value
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "Metric":
        args, _ = _literal_args(tree, text, location)
        if not args or not isinstance(args[0], str):
            raise UserError(f"order-by item {text!r} needs a metric name", location)
        return [args[0]], descending
    return [_read_call(tree, text, location).text], descending


def _read_call(node: ast.expr, text: str, location: Location | None) -> ElementRef:
    if not isinstance(node, ast.Call):
        raise UserError(f"cannot read group-by item {text!r}", location)
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "grain":
        inner = _read_call(func.value, text, location)
        chained = _grain(_literal_args(node, text, location)[0][0], text, location)
        return _at_grain(inner.element, inner.entity_path, chained)
    if not isinstance(func, ast.Name) or func.id not in ("Dimension", "TimeDimension", "Entity"):
        raise UserError(
            f"group-by item {text!r} must be Dimension(...), TimeDimension(...) or Entity(...)",
            location,
        )

    args, kwargs = _literal_args(node, text, location)
    known = {"entity_path", "time_granularity_name", "grain", "descending", "date_part_name"}
    unknown = set(kwargs) - known
    if unknown:
        raise UserError(
            f"group-by item {text!r}: {', '.join(sorted(unknown))} is not supported", location
        )
    if not args or not isinstance(args[0], str):
        raise UserError(f"group-by item {text!r} needs a name as its first argument", location)
    ref = parse_element_name(args[0], location)[-1]
    grain_text = kwargs.get("time_granularity_name", kwargs.get("grain"))
    if func.id == "TimeDimension" and len(args) > 1:
        grain_text = args[1]
    path = kwargs.get("entity_path") or ()
    grain = _grain(grain_text, text, location) if grain_text else None
    part = kwargs.get("date_part_name")
    if part is not None and str(part).lower() not in DATE_PARTS:
        raise UserError(
            f"group-by item {text!r}: '{part}' is not a date part ({', '.join(DATE_PARTS)})",
            location,
        )
    date_part = str(part).lower() if part is not None else None
    if isinstance(grain, str):
        return _at_grain(ref.element, tuple(path) + ref.entity_path, grain)
    return ElementRef(ref.element, tuple(path) + ref.entity_path, grain, date_part)


def _at_grain(element: str, path: tuple[str, ...], grain: Grain | str) -> ElementRef:
    """A time dimension at a grain; at a custom granularity the name is read as written,
    ``order__ordered_at__fiscal_quarter``, and the resolver knows the granularity."""
    if isinstance(grain, str):
        return ElementRef(grain, (*path, element))
    return ElementRef(element, path, grain)


def _literal_args(
    node: ast.Call, text: str, location: Location | None
) -> tuple[list[Any], dict[str, Any]]:
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    except ValueError:
        raise UserError(
            f"group-by item {text!r} may hold only literal arguments", location
        ) from None
    return args, kwargs


def _grain(value: object, text: str, location: Location | None) -> Grain | str:
    """A standard grain, or the name of what may be a custom granularity."""
    grain = Grain.parse(value) if isinstance(value, str) else None
    if grain is None and isinstance(value, str) and value.strip() and _is_name(value.strip()):
        return value.strip().lower()
    if grain is None:
        raise UserError(
            f"group-by item {text!r}: '{value}' is not a grain ({', '.join(GRAIN_NAMES)})",
            location,
        )
    return grain
