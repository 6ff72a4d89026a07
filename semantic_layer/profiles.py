"""dbt-style ``profiles.yml`` into the one warehouse target a command runs against."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from semantic_layer.errors import Location, UserError
from semantic_layer.load.yaml_positions import YamlList, YamlMap, read_yaml
from semantic_layer.validate.issues import Issue, Level

PROFILES_FILE = "profiles.yml"
PROFILES_DIR_ENV = "SL_PROFILES_DIR"
DEFAULT_DUCKDB_FILE = "warehouse.duckdb"

# Keys that name the same idea under each adapter's own spelling (dbt keeps these aliases).
_SCHEMA_KEYS = ("schema", "dataset")
_DATABASE_KEYS = ("database", "dbname", "project", "catalog")
_JINJA_MARKERS = ("{{", "{%", "{#")
# Fields that hold a credential in one adapter or another; masked in messages, and read from
# the environment rather than written in the file.
SECRET_KEYS = (
    "password", "pass", "token", "private_key_passphrase", "client_secret", "access_token",
    "refresh_token", "keyfile_json", "private_key",
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    """One output of a profile: the warehouse type and its connection fields.

    Attributes:
        profile: The profile name.
        name: The target (output) name.
        type: The warehouse type as written, e.g. ``duckdb`` or ``postgres``.
        fields: Every other key of the output, with ``env_var()`` rendered.
        location: Where the output was written; None for the built-in default.
        secret_values: Values read from the environment, to be masked in messages.
        warnings: Problems that do not stop a command, such as a password written in the file.
    """

    profile: str
    name: str
    type: str
    fields: Mapping[str, Any] = field(hash=False)
    location: Location | None = None
    secret_values: frozenset[str] = frozenset()
    warnings: tuple[Issue, ...] = ()

    @property
    def schema(self) -> str | None:
        """The default schema (BigQuery: dataset), if the output names one."""
        return self._first_of(_SCHEMA_KEYS)

    @property
    def database(self) -> str | None:
        """The database (BigQuery: project, Databricks: catalog), if the output names one."""
        return self._first_of(_DATABASE_KEYS)

    def redact(self, text: str) -> str:
        """``text`` with every environment-derived value and password replaced by ``***``.

        Example:
            >>> Target("p", "t", "postgres", {"password": "pw"}).redact("bad login pw")
            'bad login ***'
        """
        hidden = set(self.secret_values)
        for key in SECRET_KEYS:
            if isinstance(self.fields.get(key), str):
                hidden.add(self.fields[key])

        # Longest first, so a secret that contains another is masked whole.
        for value in sorted((v for v in hidden if v), key=len, reverse=True):
            text = text.replace(value, "***")
        return text

    def _first_of(self, keys: tuple[str, ...]) -> str | None:
        for key in keys:
            value = self.fields.get(key)
            if value is not None:
                return str(value)
        return None


def default_target(project_dir: Path, profile_name: str) -> Target:
    """The target used when no profiles file exists: an embedded DuckDB file in the project."""
    fields = {"path": str(project_dir / DEFAULT_DUCKDB_FILE), "schema": "main"}
    return Target(profile_name, "default", "duckdb", MappingProxyType(fields), None)


def find_profiles_file(project_dir: Path, profiles_dir: Path | None = None) -> Path | None:
    """Find the profiles file, the first that applies of:

    1. ``profiles_dir/profiles.yml`` when ``profiles_dir`` is given;
    2. ``$SL_PROFILES_DIR/profiles.yml`` when that variable is set;
    3. ``project_dir/profiles.yml``;
    4. ``~/.sl/profiles.yml``.

    A directory named explicitly (1 or 2) must hold the file; otherwise None means that no
    file exists and the embedded DuckDB default applies.

    Raises:
        UserError: an explicitly named directory has no profiles file.
    """
    explicit = [(profiles_dir, "the profiles directory")]
    if os.environ.get(PROFILES_DIR_ENV):
        explicit.append((Path(os.environ[PROFILES_DIR_ENV]), f"${PROFILES_DIR_ENV}"))

    for directory, origin in explicit:
        if directory is None:
            continue
        candidate = directory if directory.is_file() else directory / PROFILES_FILE
        if not candidate.is_file():
            raise UserError(f"{origin} '{directory}' has no {PROFILES_FILE}")
        return candidate

    for candidate in (project_dir / PROFILES_FILE, Path.home() / ".sl" / PROFILES_FILE):
        if candidate.is_file():
            return candidate
    return None


def load_target(
    project_dir: Path,
    profile_name: str,
    target_name: str | None = None,
    profiles_dir: Path | None = None,
    need_secrets: bool = True,
) -> Target:
    """Load one target of a profile, or the embedded DuckDB default when no file exists.

    With ``need_secrets=False`` (compiling without connecting) an unset environment variable
    reads as ``<NAME>`` instead of being an error, so a pull request can be compiled without
    the warehouse's credentials.

    Raises:
        UserError: the profile or target is missing or malformed, or an environment
            variable it needs is unset; the message points to the file and line.
    """
    file = find_profiles_file(project_dir, profiles_dir)
    if file is None:
        if target_name is not None and target_name != "default":
            raise UserError(
                f"target '{target_name}' was asked for, but no profiles.yml was found (looked in "
                "--profiles-dir, $SL_PROFILES_DIR, the project folder and ~/.sl); without one "
                "the only target is the embedded DuckDB file"
            )
        return default_target(project_dir, profile_name)

    shown = _display_path(file, project_dir)
    document = read_yaml(file, shown)
    if not isinstance(document, YamlMap):
        raise UserError("a profiles file must be a mapping of profile names", Location(shown, 1))

    profile = _pick(document, profile_name, "profile", Location(shown, 1))
    if not isinstance(profile, YamlMap):
        raise UserError(f"profile '{profile_name}' must be a mapping", document.loc(profile_name))

    outputs = profile.get("outputs")
    if not isinstance(outputs, YamlMap) or not outputs:
        raise UserError(
            f"profile '{profile_name}' needs an 'outputs:' mapping of targets",
            profile.loc("outputs") if "outputs" in profile else document.loc(profile_name),
        )

    name = target_name or _default_target_name(profile, profile_name, document.loc(profile_name))
    return _build_target(profile_name, name, outputs, profile.loc("target"), need_secrets)


def _default_target_name(profile: YamlMap, profile_name: str, where: Location) -> str:
    value = profile.get("target")
    if value is None:
        raise UserError(
            f"profile '{profile_name}' has no default 'target:'; add one or choose a target",
            where,
        )

    # The name itself is not a secret, so what env_var() reads for it is not kept.
    return str(_render(value, profile.loc("target"), secrets=set()))


def _build_target(
    profile_name: str, name: str, outputs: YamlMap, asked_at: Location, need_secrets: bool = True
) -> Target:
    output = _pick(outputs, name, "target", asked_at, of=f" in profile '{profile_name}'")
    where = outputs.loc(name)
    if not isinstance(output, YamlMap):
        raise UserError(f"target '{name}' must be a mapping of connection fields", where)

    secrets: set[str] = set()
    rendered = {
        str(key): _render(value, output.loc(str(key)), secrets, need_secrets)
        for key, value in output.items()
    }
    kind = rendered.pop("type", None)
    if not isinstance(kind, str) or not kind.strip():
        raise UserError(f"target '{name}' needs a 'type:' such as duckdb or postgres", where)

    return Target(
        profile=profile_name,
        name=name,
        type=kind.strip().lower(),
        fields=MappingProxyType(rendered),
        location=where,
        secret_values=frozenset(v for v in secrets if v),
        warnings=_plain_secrets(name, output),
    )


def _plain_secrets(target: str, output: YamlMap) -> tuple[Issue, ...]:
    """A warning for each credential written out in the file rather than read with env_var():
    the file is easily shared, committed or printed."""
    found = []
    for key in SECRET_KEYS:
        value = output.get(key)
        if (
            isinstance(value, (str, int))
            and str(value)
            and not any(marker in str(value) for marker in _JINJA_MARKERS)
        ):
            found.append(
                Issue(
                    output.loc(key),
                    f"target '{target}': '{key}' is written in plain text; read it from the "
                    f"environment instead: {key}: "
                    f"\"{{{{ env_var('{_variable(target, key)}') }}}}\"",
                    Level.WARNING,
                )
            )
    return tuple(found)


def _variable(target: str, key: str) -> str:
    """A suggested environment variable name, e.g. ``SL_DEV_PASSWORD``."""
    cleaned = "".join(c if c.isalnum() else "_" for c in f"sl_{target}_{key}")
    return cleaned.upper()


def _pick(mapping: YamlMap, key: str, kind: str, where: Location, of: str = "") -> Any:
    if key in mapping:
        return mapping[key]

    known = [str(k) for k in mapping if k != "config"]
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; defined: {', '.join(known) or 'none'}"
    raise UserError(f"{kind} '{key}' is not defined{of}{hint}", where)


def _render(value: Any, where: Location, secrets: set[str], need_secrets: bool = True) -> Any:
    """Render ``env_var()`` in every string of ``value``, into plain dicts and lists."""
    if isinstance(value, YamlMap):
        return {
            str(k): _render(v, value.loc(str(k)), secrets, need_secrets) for k, v in value.items()
        }
    if isinstance(value, YamlList):
        return [_render(item, value.loc(i), secrets, need_secrets) for i, item in enumerate(value)]
    if isinstance(value, str) and any(marker in value for marker in _JINJA_MARKERS):
        return _render_text(value, where, secrets, need_secrets)
    return value


class _MissingVariable(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _render_text(text: str, where: Location, secrets: set[str], need_secrets: bool = True) -> str:
    def env_var(name: str, default: Any = None) -> str:
        if name in os.environ:
            secrets.add(os.environ[name])
            return os.environ[name]
        if default is None:
            if not need_secrets:
                return f"<{name}>"
            raise _MissingVariable(name)
        return str(default)

    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        return environment.from_string(text).render(env_var=env_var)
    except _MissingVariable as missing:
        raise UserError(
            f"environment variable '{missing.name}' is not set and has no default; "
            f"set it or write env_var('{missing.name}', 'default')",
            where,
        ) from None
    except jinja2.TemplateError as error:
        # The message names the template problem only, never a rendered value.
        problem = error.message or type(error).__name__
        raise UserError(f"cannot render the value: {problem}", where) from None
    except Exception as error:  # noqa: BLE001 - a failing expression in the user's profile
        raise UserError(f"cannot render the value: {type(error).__name__}", where) from None


def _display_path(file: Path, project_dir: Path) -> str:
    try:
        return str(file.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return str(file)
