"""Each benchmark script runs end to end at a tiny size, so the scripts do not rot.

Nothing here looks at timings: only that each script finishes and writes its results, and
that the TPC-H views give the numbers of their hand-written SQL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(script: str, *arguments: str) -> None:
    command = [sys.executable, str(BENCHMARKS / script), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=BENCHMARKS)
    assert done.returncode == 0, done.stderr[-3000:]


def test_compile_scale_measures_each_size(tmp_path: Path) -> None:
    output = tmp_path / "compile.json"
    _run("compile_scale.py", "--metrics", "10", "20", "--models", "3", "--command-repeat", "1",
         "--output", str(output))  # fmt: skip

    runs = json.loads(output.read_text())["runs"]
    assert [(r["metrics"], r["models"]) for r in runs] == [(10, 3), (20, 3)]
    assert all(r["views_compiled"] == r["generated"]["views"] > 0 for r in runs)


def test_planning_plans_every_query(tmp_path: Path) -> None:
    output = tmp_path / "planning.json"
    _run("planning.py", "--repeat", "2", "--output", str(output))

    assert len(json.loads(output.read_text())["queries"]) >= 10


# Installed beside this Python (as query_speed.py looks for it) or on the PATH.
HAS_TPCHGEN = (Path(sys.executable).parent / "tpchgen-cli").exists() or bool(
    shutil.which("tpchgen-cli")
)


@pytest.mark.skipif(not HAS_TPCHGEN, reason="tpchgen-cli is missing: pip install -e '.[bench]'")
def test_query_speed_views_give_the_numbers_of_the_handwritten_sql(tmp_path: Path) -> None:
    output = tmp_path / "query.json"
    _run("query_speed.py", "--scale", "0.01", "--repeat", "1", "--data-dir", str(tmp_path / "d"),
         "--work-dir", str(tmp_path / "w"), "--output", str(output))  # fmt: skip

    results = json.loads(output.read_text())
    assert results["all_same_numbers"]
    assert len(results["queries"]) >= 10


def test_the_metricflow_layout_names_tables_and_a_time_spine(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from metricflow_compare import metricflow_layout
    finally:
        sys.path.remove(str(BENCHMARKS))

    folder = metricflow_layout(BENCHMARKS / "tpch", tmp_path, "tpch")
    documents = list(yaml.safe_load_all((folder / "semantic_manifest.yaml").read_text()))

    models = {d["semantic_model"]["name"]: d["semantic_model"] for d in documents[1:]
              if "semantic_model" in d}  # fmt: skip
    assert models["line_items"]["node_relation"] == {"alias": "lineitem", "schema_name": "tpch"}
    assert "model" not in models["line_items"]
    ratio = next(d["metric"] for d in documents[1:] if d.get("metric", {}).get("type") == "ratio")
    assert isinstance(ratio["type_params"]["numerator"], dict)
    spine = documents[0]["project_configuration"]["time_spines"][0]
    assert spine["node_relation"] == {"alias": "mf_time_spine", "schema_name": "tpch"}
