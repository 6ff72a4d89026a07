"""The project file (sl_project.yml) into a ProjectConfig: name, paths, profile."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from sqlglot.dialects.dialect import Dialects

from semantic_layer.errors import Location, UserError
from semantic_layer.load.yaml_positions import YamlMap, read_yaml
from semantic_layer.validate.issues import did_you_mean

PROJECT_FILE = "sl_project.yml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
KNOWN_KEYS = {
    "name",
    "profile",
    "model-paths",
    "macro-paths",
    "seed-paths",
    "seed-schema",
    "sql-dialect",
    "sample-data",
    "target-path",
    "semantic-manifest",
    "week-start",
    "time-zone",
    "version",
    "config-version",
}


@dataclass(frozen=True)
class ProjectConfig:
    """Settings of one project, with paths resolved against its directory.

    ``sql_dialect`` is the dialect in which SQL models, ``expr`` fields and filters are written;
    they are translated from it into each target's dialect. ``semantic_manifest`` is a
    semantic_manifest.json written by dbt, read beside the YAML under the model paths.
    """

    root: Path
    name: str
    profile: str
    model_paths: tuple[Path, ...]
    macro_paths: tuple[Path, ...]
    seed_paths: tuple[Path, ...]
    seed_schema: str | None
    sql_dialect: str
    sample_data: str | None
    target_path: Path
    week_start: str = "monday"
    semantic_manifest: Path | None = None
    time_zone: str = "UTC"  # the reporting time zone of time-zone-aware dimensions

    def relative(self, path: Path) -> str:
        """``path`` as messages show it: relative to the project when it is inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def load_project_config(project_dir: Path) -> ProjectConfig:
    """Read ``sl_project.yml`` from ``project_dir``.

    Raises:
        UserError: the file is missing or malformed.
    """
    file = project_dir / PROJECT_FILE
    if not file.is_file():
        raise UserError(
            f"no {PROJECT_FILE} in {project_dir.resolve()}: run the command inside a project "
            "or pass --project-dir"
        )
    data = read_yaml(file, PROJECT_FILE)
    if not isinstance(data, YamlMap):
        raise UserError("the project file must be a mapping of settings", Location(PROJECT_FILE))

    for key in data:
        if key not in KNOWN_KEYS:
            raise UserError(f"unknown setting '{key}'", data.loc(str(key)))
    name = _text(data, "name", None)
    if not name:
        raise UserError("the project needs a 'name'", data.location)

    week_start = (_text(data, "week-start", "monday") or "monday").lower()
    if week_start not in WEEKDAYS:
        hint = did_you_mean(week_start, WEEKDAYS)
        raise UserError(f"week-start '{week_start}' is not a day of the week{hint}",
                        data.loc("week-start"))  # fmt: skip
    sql_dialect = _text(data, "sql-dialect", "duckdb") or "duckdb"
    _check_dialect(sql_dialect, data)
    time_zone = _time_zone(_text(data, "time-zone", "UTC") or "UTC", data)
    return ProjectConfig(
        root=project_dir,
        name=name,
        profile=_text(data, "profile", name) or name,
        model_paths=_paths(data, project_dir, "model-paths", ["models"]),
        macro_paths=_paths(data, project_dir, "macro-paths", ["macros"]),
        seed_paths=_paths(data, project_dir, "seed-paths", ["seeds"]),
        seed_schema=_text(data, "seed-schema", None),
        sql_dialect=sql_dialect,
        sample_data=_text(data, "sample-data", None),
        target_path=project_dir / (_text(data, "target-path", "target") or "target"),
        week_start=week_start,
        semantic_manifest=_optional_path(data, project_dir, "semantic-manifest"),
        time_zone=time_zone,
    )


_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")


def _time_zone(name: str, data: YamlMap) -> str:
    """An IANA time zone name (``UTC``, ``Europe/Paris``), checked against the machine's
    time zone database when it has one."""
    known = _ZONE_NAME.match(name) is not None
    if known:
        try:
            zoneinfo.ZoneInfo(name)
        except zoneinfo.ZoneInfoNotFoundError:
            known = not zoneinfo.available_timezones()  # no database here: trust the name
        except ValueError:
            known = False
    if not known:
        raise UserError(
            f"time-zone '{name}' is not a time zone name such as 'UTC' or 'Europe/Paris'",
            data.loc("time-zone"),
        )
    return "UTC" if name.upper() in ("UTC", "ETC/UTC", "Z") else name


def _check_dialect(name: str, data: YamlMap) -> None:
    """The SQL of the definitions is read with sqlglot, so any dialect sqlglot knows will do."""
    known = sorted(d.value for d in Dialects if d.value)
    if name not in known:
        hint = did_you_mean(name, known)
        raise UserError(
            f"sql-dialect '{name}' is not a SQL dialect this tool can read{hint}",
            data.loc("sql-dialect"),
        )


def _text(data: YamlMap, key: str, default: str | None) -> str | None:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise UserError(f"'{key}' must be a string", data.loc(key))
    return value


def _optional_path(data: YamlMap, root: Path, key: str) -> Path | None:
    value = _text(data, key, None)
    return root / value if value else None


def _paths(data: YamlMap, root: Path, key: str, default: list[str]) -> tuple[Path, ...]:
    value = data.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UserError(f"'{key}' must be a list of folder names", data.loc(key))
    return tuple(root / item for item in value)
