"""Jinja text (SQL models, expr fields, filters) into plain text, with the project's macros."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from semantic_layer.errors import Location, UserError


@dataclass(frozen=True)
class SourceText:
    """A file's text and where it was read from."""

    path: str
    text: str


def _no_env_var(name: str, *_: object) -> str:
    raise UserError(
        f"env_var('{name}') is only available in profiles.yml: definitions are compiled into "
        "files and views, where a secret must never appear; choose names per target with "
        "{{ target.name }} instead"
    )


def build_environment(macro_files: list[SourceText]) -> SandboxedEnvironment:
    """A sandboxed Jinja environment whose globals hold every macro of ``macro_files``.

    Raises:
        UserError: a macro file does not parse; the message names its line.
    """
    environment = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    # No env_var() here: environment variables hold the profile's secrets, and whatever a
    # definition renders ends up in compiled files and in the warehouse's view text.
    environment.globals["env_var"] = _no_env_var
    for file in macro_files:
        try:
            module = environment.from_string(file.text).module
        except jinja2.TemplateSyntaxError as error:
            raise UserError(
                f"macro syntax error: {error.message}", Location(file.path, error.lineno)
            ) from None
        except UserError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure of a user's template is user input
            raise UserError(f"macro file failed to load: {error}", Location(file.path)) from None
        for name in dir(module):
            if not name.startswith("_"):
                environment.globals[name] = getattr(module, name)
    return environment


def render(
    environment: jinja2.Environment,
    text: str,
    location: Location,
    context: Mapping[str, Any] | None = None,
) -> str:
    """Render ``text`` written at ``location``; errors point at the line inside it.

    Raises:
        UserError: a syntax error, an undefined name, or a failing call in the template.
    """
    if "{{" not in text and "{%" not in text:
        return text
    try:
        return environment.from_string(text).render(**(context or {}))
    except jinja2.TemplateSyntaxError as error:
        where = _inner(location, error.lineno)
        raise UserError(f"Jinja syntax error: {error.message}", where) from None
    except jinja2.UndefinedError as error:
        raise UserError(f"Jinja error: {error.message}", location) from None
    except UserError as error:
        raise UserError(error.message, error.location or location) from None
    except Exception as error:  # noqa: BLE001 - any failure of a user's template is user input
        raise UserError(f"Jinja error: {error}", location) from None


def _inner(location: Location, lineno: int | None) -> Location:
    if not lineno or not location.line:
        return location
    return Location(location.path, location.line + lineno - 1)


def callable_names(functions: Mapping[str, Callable[..., Any]]) -> list[str]:
    """The names of ``functions``, sorted, for messages."""
    return sorted(functions)
