"""YAML text into plain Python values whose mappings and lists remember their file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from semantic_layer.errors import Location, UserError


class YamlMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that knows where it and each of its keys were written."""

    location: Location
    key_locations: dict[str, Location]

    def loc(self, key: str | None = None) -> Location:
        """The location of ``key`` if it was written here, else of the mapping itself."""
        if key is not None and key in self.key_locations:
            return self.key_locations[key]
        return self.location


class YamlList(list):  # type: ignore[type-arg]
    """A YAML sequence that knows where it and each of its items were written."""

    location: Location
    item_locations: list[Location]

    def loc(self, index: int | None = None) -> Location:
        """The location of item ``index`` if known, else of the list itself."""
        if index is not None and 0 <= index < len(self.item_locations):
            return self.item_locations[index]
        return self.location


def _make_loader(path: str, fast: bool = False) -> type[yaml.SafeLoader]:
    # libyaml reads the same nodes several times faster, which counts for projects of
    # thousands of metrics and for dbt's semantic_manifest.json of several megabytes.
    base = yaml.CSafeLoader if fast and yaml.__with_libyaml__ else yaml.SafeLoader

    class PositionLoader(base):  # type: ignore[valid-type, misc]
        pass

    def where(node: yaml.Node) -> Location:
        return Location(path, node.start_mark.line + 1)

    def build_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> YamlMap:
        loader.flatten_mapping(node)
        result = YamlMap()
        result.location = where(node)
        result.key_locations = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise UserError("a mapping key must be a plain value", where(key_node))
            if key in result:
                raise UserError(f"key '{key}' is written twice in one mapping", where(key_node))
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_locations[str(key)] = where(key_node)
        return result

    def build_list(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> YamlList:
        result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
        result.location = where(node)
        result.item_locations = [where(child) for child in node.value]
        return result

    PositionLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, build_map)
    PositionLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, build_list)
    return PositionLoader


def parse_yaml(text: str, path: str) -> Any:
    """Parse ``text`` (read from ``path``) into values with positions.

    libyaml reads the text where it is installed; text it refuses is read again by PyYAML's
    own reader, whose messages (and leniency) are the ones users have always seen.

    Raises:
        UserError: the text is not valid YAML; the message carries the line.
    """
    if yaml.__with_libyaml__:
        try:
            return yaml.load(text, Loader=_make_loader(path, fast=True))  # noqa: S506
        except yaml.YAMLError:
            pass
        except RecursionError:  # building the values recurses once per level, in Python
            raise _too_deep(text, path) from None
    try:
        # A SafeLoader subclass: nothing but plain values is ever constructed.
        return yaml.load(text, Loader=_make_loader(path))  # noqa: S506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        problem = error.problem or error.context or "invalid YAML"
        raise UserError(f"YAML syntax error: {problem}", Location(path, line)) from None
    except yaml.YAMLError as error:
        raise UserError(f"YAML syntax error: {error}", Location(path)) from None
    except RecursionError:
        raise _too_deep(text, path) from None


_MAX_DEPTH = 100
_OPENING = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)  # fmt: skip
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _too_deep(text: str, path: str) -> UserError:
    return UserError(
        f"the YAML is nested more than {_MAX_DEPTH} levels deep; definitions never need that "
        "many, flatten it",
        Location(path, _too_deep_line(text)),
    )


def _too_deep_line(text: str) -> int:
    """The line where nesting passes ``_MAX_DEPTH``, found by the scanner, which unlike the
    parser does not recurse."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            depth += isinstance(token, _OPENING) - isinstance(token, _CLOSING)
            if depth > _MAX_DEPTH:
                return token.start_mark.line + 1
    except yaml.YAMLError:
        pass
    return 1


def read_yaml(file: Path, display_path: str | None = None) -> Any:
    """Read and parse a YAML file; ``display_path`` is how messages name it."""
    shown = display_path or str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read the file: {error}", Location(shown)) from None
    return parse_yaml(text, shown)
