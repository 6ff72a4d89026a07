"""A project with twelve independent mistakes: one ``sl validate`` reports exactly those, each
at the line its ``# mistake:`` comment marks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import run_sl, tiny_shop

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dozen_mistakes"

# What each report must say, by the words of its marker comment.
EXPECTED = {
    "unknown SQL model": "ref('stg_refund') is not a SQL model of the project",
    "time dimension without granularity": "needs type_params.time_granularity",
    "agg_time_dimension that is not a time dimension": "agg_time_dimension 'is_late' is not a "
    "time dimension",
    "a second metric named revenue": "metric 'revenue' is already defined at",
    "unknown measure, near order_count": "measure 'order_cont' is not defined (did you mean "
    "'order_count'?)",
    "unknown denominator metric": "input metric 'delivery_count' is not defined",
    "derived expression reads a metric that is no input": "orders",
    "cycle between ping and pong": "ping -> pong -> ping",
    "a window that is no window": "'7 dayz' names no grain nor custom granularity (did you "
    "mean 'days'?)",
    "group-by near customer__region": "did you mean 'region'?",
    "unsafe function": "function READ_CSV() is not allowed in a filter",
    "a view name already exported": "view 'shop_monthly_by_region' is also exported",
}

_REPORT = re.compile(r"^(?P<path>[^:\n]+\.(?:yml|sql)):(?P<line>\d+): (?P<message>.*)$")


def _markers(root: Path) -> dict[tuple[str, int], str]:
    """Each ``# mistake: what`` comment of the fixture, by (path, line), read from the files."""
    found = {}
    for path in sorted(root.rglob("*.yml")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "# mistake: " in line:
                found[(str(path.relative_to(root)), number)] = line.split("# mistake: ")[1]
    return found


def test_every_mistake_is_reported_once_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path)
    shutil.copytree(FIXTURE / "models", options.project_dir / "models", dirs_exist_ok=True)
    markers = _markers(FIXTURE)
    assert sorted(markers.values()) == sorted(EXPECTED)  # the fixture and this test agree

    code, output = run_sl(options, capsys, "validate")

    assert code == 1
    assert "Traceback" not in output and "internal error" not in output
    reports = [m for m in map(_REPORT.match, output.splitlines()) if m]
    errors = [r for r in reports if not r["message"].startswith("warning: ")]
    located = {(r["path"], int(r["line"])): r["message"] for r in errors}
    assert len(errors) == len(located)  # one report per line
    assert set(located) == set(markers), output
    for place, what in markers.items():
        assert EXPECTED[what] in located[place], (what, located[place])
    assert output.rstrip().endswith("12 errors found.")
