"""Values read with env_var() stay out of messages, logs, compiled files and the manifest; a
password written in plain text gets a warning."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from semantic_layer import api
from tests.helpers import run_sl, tiny_shop

SECRET_USER = "sl_user_Qx7Zk2"
SECRET_PASSWORD = "pw-Vb81sT0pS3cret"


def _postgres_profile(folder: Path, port: int, password: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.yml").write_text(
        "tiny_shop:\n"
        "  target: pg\n"
        "  outputs:\n"
        "    pg:\n"
        "      type: postgres\n"
        "      host: 127.0.0.1\n"
        f"      port: {port}\n"
        "      user: \"{{ env_var('SL_TEST_PG_USER') }}\"\n"
        f"      password: {password}\n"
        "      dbname: postgres\n"
        "      schema: analytics\n"
    )
    return folder


def _options(tmp_path: Path, port: int, password: str) -> api.Options:
    project = tiny_shop(tmp_path).project_dir
    return api.Options(project, None, _postgres_profile(tmp_path / "pg", port, password))


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SL_TEST_PG_USER", SECRET_USER)
    monkeypatch.setenv("SL_TEST_PG_PASSWORD", SECRET_PASSWORD)


def test_a_plain_text_password_gets_a_located_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secrets: None
) -> None:
    options = _options(tmp_path, 5432, "hunter2-plain")
    profile = tmp_path / "pg" / "profiles.yml"
    line = profile.read_text().splitlines().index("      password: hunter2-plain") + 1

    code, output = run_sl(options, capsys, "compile")

    assert code == 0, output  # a warning never fails the command
    assert f"profiles.yml:{line}: warning: target 'pg': 'password' is written in plain text" in (
        output
    )
    assert "env_var('SL_PG_PASSWORD')" in output
    assert "hunter2-plain" not in output


def test_a_password_read_from_the_environment_gets_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secrets: None
) -> None:
    options = _options(tmp_path, 5432, "\"{{ env_var('SL_TEST_PG_PASSWORD') }}\"")
    code, output = run_sl(options, capsys, "compile")
    assert code == 0, output
    assert "plain text" not in output


def test_compiled_files_and_the_manifest_hold_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secrets: None
) -> None:
    options = _options(tmp_path, 5432, "\"{{ env_var('SL_TEST_PG_PASSWORD') }}\"")
    code, output = run_sl(options, capsys, "compile")
    assert code == 0, output

    written = [p for p in (options.project_dir / "target").rglob("*") if p.is_file()]
    assert any(p.name == "manifest.json" for p in written)
    assert any(p.suffix == ".sql" for p in written)
    for path in written:
        text = path.read_text()
        assert SECRET_USER not in text and SECRET_PASSWORD not in text, path


def test_a_refusal_quoting_a_secret_masks_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    secrets: None,
    postgres_server: Any,
) -> None:
    """The server names the unknown role, read from the environment, in its refusal."""
    options = _options(tmp_path, postgres_server.port, "\"{{ env_var('SL_TEST_PG_PASSWORD') }}\"")
    caplog.set_level(logging.DEBUG)

    for command in (["query", "-m", "revenue"], ["validate", "--warehouse"], ["run"]):
        code, output = run_sl(options, capsys, "--debug", *command)
        assert code == 1, output
        assert "the warehouse refused" in output and "***" in output
        assert SECRET_USER not in output and SECRET_PASSWORD not in output
    assert SECRET_USER not in caplog.text and SECRET_PASSWORD not in caplog.text


def test_debug_logs_of_a_real_process_hold_no_secret(
    tmp_path: Path, secrets: None, postgres_server: Any
) -> None:
    options = _options(tmp_path, postgres_server.port, "\"{{ env_var('SL_TEST_PG_PASSWORD') }}\"")
    result = subprocess.run(
        [sys.executable, "-m", "semantic_layer", "--debug", "query", "-m", "revenue",
         "--project-dir", str(options.project_dir), "--profiles-dir", str(options.profiles_dir)],
        capture_output=True, text=True, env=os.environ.copy(), timeout=120,
    )  # fmt: skip
    everything = result.stdout + result.stderr
    assert result.returncode == 1, everything
    assert SECRET_USER not in everything and SECRET_PASSWORD not in everything
