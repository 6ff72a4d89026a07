"""A project directory into a loaded Project: config, definitions, SQL models, macros."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from semantic_layer.errors import Location, UserError
from semantic_layer.load.files import SqlModelFile, read_project_files
from semantic_layer.load.jinja_env import build_environment
from semantic_layer.project import ProjectConfig, load_project_config
from semantic_layer.spec.build import SourceTable, build_manifest
from semantic_layer.spec.objects import SemanticManifest
from semantic_layer.validate.issues import Issue, Issues, Level
from semantic_layer.validate.rules import check_manifest


@dataclass(frozen=True)
class Project:
    """Everything a project defines, checked for broken references."""

    config: ProjectConfig
    manifest: SemanticManifest
    sources: dict[tuple[str, str], SourceTable]
    sql_models: dict[str, SqlModelFile]
    environment: jinja2.Environment
    warnings: tuple[Issue, ...] = ()


def load_project(project_dir: Path, issues: Issues | None = None) -> Project:
    """Load and check the project in ``project_dir``.

    With ``issues``, every issue is added there and the project is returned even with errors,
    so that compiling it can report more problems in the same run.

    Raises:
        ProjectInvalid: with every error found (and the warnings), when there is any error
            and no ``issues`` was given.
        UserError: the project file itself is missing or malformed.
    """
    config = load_project_config(project_dir)
    lenient = issues is not None
    issues = issues if issues is not None else Issues()
    files = read_project_files(config, issues)
    try:
        environment = build_environment(files.macro_files)
    except UserError as error:
        issues.from_user_error(error, Location("macros"))
        environment = build_environment([])

    built = build_manifest(files.yaml_documents, issues)
    check_manifest(built.manifest, set(files.sql_models), built.sources, issues)
    if not lenient:
        issues.raise_if_errors()
    return Project(
        config=config,
        manifest=built.manifest,
        sources=built.sources,
        sql_models=files.sql_models,
        environment=environment,
        warnings=tuple(i for i in issues.items if i.level is Level.WARNING),
    )
