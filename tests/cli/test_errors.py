"""Broken definitions end in ``path:line: message`` and exit code 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from semantic_layer import api
from tests.helpers import copy_sample_project, run_sl, write_profile


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_sample_project(tmp_path / "project")


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    return write_profile(
        tmp_path / "profiles", "jaffle_shop", {"dev": (tmp_path / "w.duckdb", "main")}
    )


@pytest.fixture
def options(project: Path, profiles: Path) -> api.Options:
    return api.Options(project, None, profiles)


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``text``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_unknown_measure_is_located_with_a_suggestion(project, options, capsys) -> None:  # type: ignore[no-untyped-def]
    orders = project / "models/semantic/orders.yml"
    _replace(orders, "measure: order_total\n", "measure: order_totl\n")
    line = _line_of(orders, "measure: order_totl")

    code, output = run_sl(options, capsys, "compile")

    assert code == 1
    assert (
        f"models/semantic/orders.yml:{line}: metric 'revenue': measure 'order_totl' is not "
        "defined (did you mean 'order_total'?)"
    ) in output
    assert "Traceback" not in output


def test_yaml_syntax_error_is_located(project, options, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = project / "models/semantic/broken.yml"
    broken.write_text("metrics:\n  - name: x\n    type: [simple\n  - name: y\n")

    code, output = run_sl(options, capsys, "validate")

    assert code == 1
    assert "models/semantic/broken.yml:4: YAML syntax error" in output
    assert "Traceback" not in output


def test_missing_model_is_located(project, options, capsys) -> None:  # type: ignore[no-untyped-def]
    customers = project / "models/semantic/customers.yml"
    _replace(customers, "model: ref('customers')", "model: ref('customer_list')")
    line = _line_of(customers, "- name: customers")

    code, output = run_sl(options, capsys, "run")

    assert code == 1
    assert (
        f"models/semantic/customers.yml:{line}: semantic model 'customers': model "
        "ref('customer_list') is not a SQL model of the project"
    ) in output


def test_every_error_is_reported_in_one_run(project, options, capsys) -> None:  # type: ignore[no-untyped-def]
    _replace(project / "models/semantic/orders.yml", "measure: order_count", "measure: nope")
    _replace(project / "models/semantic/customers.yml", "ref('customers')", "ref('gone')")
    (project / "models/semantic/broken.yml").write_text("saved_queries: [\n")

    code, output = run_sl(options, capsys, "validate")

    assert code == 1
    assert "measure 'nope' is not defined" in output
    assert "ref('gone') is not a SQL model" in output
    assert "broken.yml:2: YAML syntax error" in output
    assert "3 errors found." in output


def test_unknown_group_by_in_a_query_is_a_user_error(project, options, capsys) -> None:  # type: ignore[no-untyped-def]
    code, output = run_sl(options, capsys, "query", "--metrics", "revenue", "--group-by",
                       "customer__customer_typ", "--explain")  # fmt: skip
    assert code == 1
    assert "did you mean 'customer_type'?" in output


def test_the_console_script_exits_1_without_traceback(project: Path) -> None:
    _replace(project / "models/semantic/orders.yml", "measure: order_total\n", "measure: zz\n")
    result = subprocess.run(
        [sys.executable, "-m", "semantic_layer.cli.main", "compile", "--project-dir", str(project)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert result.returncode == 1
    assert "measure 'zz' is not defined" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_compile_for_another_dialect_needs_no_connection(project, options, capsys) -> None:  # type: ignore[no-untyped-def]
    code, output = run_sl(options, capsys, "compile", "--dialect", "snowflake")
    assert code == 0, output
    files = sorted(p.name for p in (project / "target/compiled/snowflake").glob("*.sql"))
    assert "main.north_star_monthly.sql" in files
    assert not (project.parent / "w.duckdb").exists()


def test_unknown_dialect_suggests_the_closest(project, options, capsys) -> None:  # type: ignore[no-untyped-def]
    code, output = run_sl(options, capsys, "compile", "--dialect", "postgress")
    assert code == 2  # a wrong option value is a usage error
    assert "did you mean 'postgres'?" in output
