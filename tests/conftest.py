"""Shared fixtures: the sample project deployed once into a private DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="Rewrite the snapshot files of generated SQL instead of comparing with them.",
    )


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


def copy_sample_project(destination: Path) -> Path:
    """The repository's sample project (definitions, SQL models, macros) in ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "sl_project.yml", destination / "sl_project.yml")
    for folder in ("models", "macros"):
        shutil.copytree(REPO / folder, destination / folder)
    return destination


def write_profile(folder: Path, database: Path, profile: str = "jaffle_shop") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.yml").write_text(
        f"{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: '{database}'\n      schema: main\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The sample project, seeded with one year of Jaffle Shop data and deployed once."""
    from semantic_layer import api

    root = tmp_path_factory.mktemp("sample")
    project = copy_sample_project(root / "project")
    profiles = write_profile(root / "profiles", root / "warehouse.duckdb")
    options = api.Options(project_dir=project, profiles_dir=profiles)
    api.seed(options)
    first_run = api.run(options)
    return options, root / "warehouse.duckdb", first_run
