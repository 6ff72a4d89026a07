"""Issues found in a project, gathered so that one run reports all of them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from semantic_layer.errors import Location, UserError


class Level(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Issue:
    location: Location
    message: str
    level: Level = Level.ERROR

    def __str__(self) -> str:
        prefix = "" if self.level is Level.ERROR else "warning: "
        return f"{self.location}: {prefix}{self.message}"


class ProjectInvalid(UserError):
    """Raised when a project has errors; carries every issue found."""

    def __init__(self, issues: list[Issue]) -> None:
        errors = [issue for issue in issues if issue.level is Level.ERROR]
        lines = [str(issue) for issue in sorted(issues)]
        noun = "error" if len(errors) == 1 else "errors"
        super().__init__("\n".join(lines + [f"{len(errors)} {noun} found."]))
        self.issues = issues


@dataclass
class Issues:
    """A growing list of issues."""

    items: list[Issue] = field(default_factory=list)

    def error(self, location: Location, message: str) -> None:
        self.items.append(Issue(location, message, Level.ERROR))

    def warning(self, location: Location, message: str) -> None:
        self.items.append(Issue(location, message, Level.WARNING))

    def from_user_error(self, error: UserError, fallback: Location) -> None:
        self.error(error.location or fallback, error.message)

    @property
    def has_errors(self) -> bool:
        return any(issue.level is Level.ERROR for issue in self.items)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise ProjectInvalid(self.items)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
