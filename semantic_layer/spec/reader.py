"""Typed reading of one YAML mapping, turning wrong shapes into located issues."""

from __future__ import annotations

import re
from typing import Any

from semantic_layer.errors import Location
from semantic_layer.load.yaml_positions import YamlList, YamlMap
from semantic_layer.validate.issues import Issues, did_you_mean

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_RELATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
MAX_NAME = 250
# Keys every definition may carry besides its own.
COMMON_KEYS = {"name", "description", "label", "config", "meta", "tags"}


class Reader:
    """Reads the fields of one object (``kind`` ``name``) and reports what is malformed."""

    def __init__(self, data: YamlMap, kind: str, name: str, issues: Issues) -> None:
        self.data = data
        self.kind = kind
        self.name = name
        self.issues = issues

    @property
    def location(self) -> Location:
        return self.data.location

    def loc(self, key: str | None = None) -> Location:
        return self.data.loc(key)

    def error(self, key: str | None, message: str) -> None:
        self.issues.error(self.loc(key), f"{self.kind} '{self.name}': {message}")

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(None, f"'{key}' is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(key, f"'{key}' must be a string")
            return None
        return str(value)

    def definition_name(self, key: str = "name") -> str | None:
        """A definition's name: lower-case letters, digits and single underscores.

        ``__`` is refused because it joins entity paths (``customer__region``).
        """
        value = self.text(key, required=True)
        if value is None:
            return None
        if not _NAME.match(value) or "__" in value or len(value) > MAX_NAME:
            self.error(
                key,
                f"'{value[:80]}' is not a valid name: use lower-case letters, digits and single "
                f"underscores, starting with a letter, at most {MAX_NAME} characters",
            )
            return None
        return value

    def relation_name(self, key: str) -> str | None:
        """A schema or view name written to the warehouse and to a file name."""
        value = self.text(key)
        if value is not None and (not _RELATION_NAME.match(value) or len(value) > 128):
            self.error(
                key,
                f"'{value[:80]}' is not a valid {key}: use letters, digits, '_' and '$', "
                "starting with a letter or '_'",
            )
            return None
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false")
            return default
        return value

    def number(self, key: str) -> float | int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(key, f"'{key}' must be a number")
            return None
        return value

    def mapping(self, key: str) -> YamlMap | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, YamlMap):
            self.error(key, f"'{key}' must be a mapping")
            return None
        return value

    def mappings(self, key: str) -> list[YamlMap]:
        """The list under ``key``, keeping only its mappings (others are reported)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, YamlList):
            self.error(key, f"'{key}' must be a list")
            return []
        kept = []
        for index, item in enumerate(value):
            if isinstance(item, YamlMap):
                kept.append(item)
            else:
                where = value.loc(index)
                self.issues.error(
                    where, f"{self.kind} '{self.name}': '{key}' items must be mappings"
                )
        return kept

    def strings(self, key: str) -> list[tuple[str, Location]]:
        """A string or a list of strings under ``key``, each with its location."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [(value, self.loc(key))]
        if not isinstance(value, YamlList):
            self.error(key, f"'{key}' must be a string or a list of strings")
            return []
        found = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                found.append((item, value.loc(index)))
            else:
                where = value.loc(index)
                self.issues.error(
                    where, f"{self.kind} '{self.name}': '{key}' items must be strings"
                )
        return found

    def check_keys(self, allowed: set[str]) -> None:
        """Warn about keys this reader does not know (a typo loses a setting silently)."""
        for key in self.data:
            if str(key) not in allowed:
                hint = did_you_mean(str(key), allowed)
                self.issues.warning(
                    self.loc(str(key)), f"{self.kind} '{self.name}': unknown key '{key}'{hint}"
                )


def name_of(data: Any) -> str:
    """The ``name`` of a mapping for messages, even when it is missing or malformed."""
    if isinstance(data, dict) and isinstance(data.get("name"), str):
        return str(data["name"])
    return "<unnamed>"
