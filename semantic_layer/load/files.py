"""A project's folders into the lists of YAML documents, SQL models and macro files to load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from semantic_layer.errors import Location, UserError
from semantic_layer.load.jinja_env import SourceText
from semantic_layer.load.manifest_json import load_semantic_manifest
from semantic_layer.load.yaml_positions import parse_yaml
from semantic_layer.project import ProjectConfig
from semantic_layer.validate.issues import Issues

_VIEW_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class YamlDocument:
    path: str
    data: Any


@dataclass(frozen=True)
class SqlModelFile:
    """A SQL model: a SELECT with Jinja, deployed as a view named after its file."""

    name: str
    path: str
    text: str


@dataclass
class ProjectFiles:
    yaml_documents: list[YamlDocument] = field(default_factory=list)
    sql_models: dict[str, SqlModelFile] = field(default_factory=dict)
    macro_files: list[SourceText] = field(default_factory=list)


def read_project_files(config: ProjectConfig, issues: Issues) -> ProjectFiles:
    """Read every YAML and SQL file under the model paths and every macro file.

    Unreadable or malformed files become issues; the rest is still read.
    """
    files = ProjectFiles()
    for folder in config.model_paths:
        for file in _walk(folder, (".yml", ".yaml")):
            shown = config.relative(file)
            text = _read(file, shown, issues)
            if text is None:
                continue
            try:
                files.yaml_documents.append(YamlDocument(shown, parse_yaml(text, shown)))
            except UserError as error:
                issues.from_user_error(error, Location(shown))
        for file in _walk(folder, (".sql",)):
            shown = config.relative(file)
            text = _read(file, shown, issues)
            if text is None:
                continue
            if not _VIEW_NAME.match(file.stem):
                issues.error(
                    Location(shown),
                    f"SQL model '{file.stem}': a file name becomes a view name, so use letters, "
                    "digits and '_' only, starting with a letter or '_'",
                )
                continue
            if file.stem in files.sql_models:
                other = files.sql_models[file.stem].path
                issues.error(Location(shown), f"SQL model '{file.stem}' is also defined in {other}")
                continue
            files.sql_models[file.stem] = SqlModelFile(file.stem, shown, text)

    if config.semantic_manifest is not None:
        _read_semantic_manifest(config, config.semantic_manifest, files, issues)

    for folder in config.macro_paths:
        for file in _walk(folder, (".sql", ".jinja")):
            shown = config.relative(file)
            text = _read(file, shown, issues)
            if text is not None:
                files.macro_files.append(SourceText(shown, text))
    return files


def _read_semantic_manifest(
    config: ProjectConfig, file: Path, files: ProjectFiles, issues: Issues
) -> None:
    """The semantic_manifest.json named by the project, as one more definitions document."""
    shown = config.relative(file)
    if not file.is_file():
        issues.error(
            Location(shown),
            "the semantic manifest named by 'semantic-manifest' in sl_project.yml does not "
            "exist: run `dbt parse` to write it, or fix the path",
        )
        return
    text = _read(file, shown, issues)
    if text is None:
        return
    try:
        files.yaml_documents.append(
            YamlDocument(shown, load_semantic_manifest(text, shown, issues))
        )
    except UserError as error:
        issues.from_user_error(error, Location(shown))


def _walk(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    found = (p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes)
    return sorted(found, key=lambda p: p.as_posix())


def _read(file: Path, shown: str, issues: Issues) -> str | None:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        issues.error(Location(shown), f"cannot read the file: {error}")
        return None
