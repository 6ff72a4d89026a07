"""Helpers shared by the tests: copies of the fixture projects with private profiles, and a
way to run the ``sl`` command in-process."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from semantic_layer import api
from semantic_layer.cli.main import main

REPO = Path(__file__).resolve().parents[1]
TINY_SHOP = Path(__file__).resolve().parent / "fixtures" / "tiny_shop"


def write_profile(folder: Path, profile: str, outputs: dict[str, tuple[Path, str]]) -> Path:
    """A profiles.yml in ``folder`` with one DuckDB output per (file, schema); the first
    output is the default."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{profile}:", f"  target: {next(iter(outputs))}", "  outputs:"]
    for name, (database, schema) in outputs.items():
        lines += [f"    {name}:", "      type: duckdb", f"      path: '{database}'",
                  f"      schema: {schema}"]  # fmt: skip
    (folder / "profiles.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def copy_sample_project(destination: Path) -> Path:
    """The repository's sample project (definitions, SQL models, macros) in ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "sl_project.yml", destination / "sl_project.yml")
    for folder in ("models", "macros"):
        shutil.copytree(REPO / folder, destination / folder)
    return destination


def tiny_shop(root: Path, extra: str | None = None, schema: str = "main") -> api.Options:
    """A copy of the tiny shop in ``root/project`` whose warehouse is ``root/w.duckdb``.

    ``extra`` is written as one more definitions file.
    """
    project = root / "project"
    shutil.copytree(TINY_SHOP, project)
    if extra is not None:
        (project / "models" / "semantic" / "extra.yml").write_text(extra, encoding="utf-8")
    profiles = write_profile(root / "profiles", "tiny_shop", {"dev": (root / "w.duckdb", schema)})
    return api.Options(project_dir=project, profiles_dir=profiles)


def run_sl(options: api.Options, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run ``sl ARGS`` on the project of ``options``; the exit code and everything printed."""
    where = ["--project-dir", str(options.project_dir)]
    if options.profiles_dir is not None:
        where += ["--profiles-dir", str(options.profiles_dir)]
    code = main([*args, *where])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def postgres_profile(folder: Path, server: Any) -> Path:
    """A profiles.yml whose target is a new database of its own on ``server``, named after
    ``folder``, so that no other test's tables are in its way."""
    database = "t_" + "".join(c for c in folder.name.lower() if c.isalnum())[-40:]
    with server.connect() as connection:
        connection.execute(f'create database "{database}"')
    profiles = folder / "pg_profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text(
        "tiny_shop:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n"
        f"      host: 127.0.0.1\n      port: {server.port}\n      user: postgres\n"
        f"      password: ''\n      dbname: {database}\n      schema: analytics\n"
    )
    return profiles
