"""The error classes: one root, user errors apart from internal bugs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """Where an object was written: a file path (relative to the project) and a 1-based line."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class SemanticLayerError(Exception):
    """Root of every error this package raises on purpose."""


class UserError(SemanticLayerError):
    """A problem in the user's input: definitions, profiles, options, data.

    The command line prints it as ``path:line: message`` and exits with code 1.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class UsageError(SemanticLayerError):
    """A command was called with options that do not fit together (exit code 2)."""


class WarehouseError(UserError):
    """The warehouse refused a statement or a connection."""
