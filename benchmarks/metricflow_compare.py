"""The TPC-H project planned and run by this project and by MetricFlow, in the same run.

MetricFlow is installed in a virtualenv of its own (its dependencies clash with ours) and
driven in-process there by benchmarks/metricflow/runner.py, launched as a subprocess that
prints its timings as JSON. The same YAML, rewritten into MetricFlow's file layout, and the
same DuckDB file serve both. Re-run with::

    python benchmarks/query_speed.py                  # loads TPC-H once
    python benchmarks/metricflow_compare.py [--mf-venv DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import yaml
from benchlib import HERE, table, write_results
from planning import PROJECT, QUERIES, plan_times
from query_speed import prepare_warehouse, same_rows, tpch_data

RUNNER = HERE / "metricflow" / "runner.py"
MF_PACKAGES = ("metricflow", "duckdb")
_RELATION = re.compile(r"""^\s*(ref|source)\(\s*['"](\w+)['"]\s*(?:,\s*['"](\w+)['"]\s*)?\)\s*$""")


def metricflow_venv(directory: Path) -> Path:
    """A virtualenv with MetricFlow in ``directory``, created unless it has one; its python."""
    python = directory / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True)
    probe = subprocess.run([str(python), "-c", "import metricflow"], capture_output=True)
    if probe.returncode != 0:
        print(f"installing {', '.join(MF_PACKAGES)} into {directory}", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *MF_PACKAGES], check=True)
    return python


def metricflow_layout(project: Path, folder: Path, schema: str) -> Path:
    """The project's semantic models and metrics as MetricFlow reads them: one object per
    YAML document, tables named by ``node_relation``, and a time spine table, which
    MetricFlow needs and this project does not."""
    sources: dict[tuple[str, str], tuple[str, str]] = {}
    documents: list[dict[str, object]] = []
    for file in sorted((project / "models").glob("*.yml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for source in data.get("sources", []):
            for item in source.get("tables", []):
                relation = (source.get("schema", schema), item.get("identifier", item["name"]))
                sources[(source["name"], item["name"])] = relation
        documents += [{"semantic_model": m} for m in data.get("semantic_models", [])]
        documents += [{"metric": m} for m in data.get("metrics", [])]

    folder.mkdir(parents=True, exist_ok=True)
    for document in documents:
        params = (document.get("metric") or {}).get("type_params", {})  # type: ignore[union-attr]
        for role in ("numerator", "denominator"):
            if isinstance(params.get(role), str):
                # dbt accepts a name here and writes a mapping into its manifest; MetricFlow's
                # own YAML reader takes the mapping only.
                params[role] = {"name": params[role]}
        model = document.get("semantic_model")
        if isinstance(model, dict):
            found = _RELATION.match(model.pop("model"))
            assert found is not None, "a semantic model reads ref('name') or source('a', 'b')"
            kind, first, second = found.groups()
            table_schema, alias = sources[(first, second)] if kind == "source" else (schema, first)
            model["node_relation"] = {"alias": alias, "schema_name": table_schema}
    spine = {
        "project_configuration": {
            "time_spines": [
                {
                    "node_relation": {"alias": "mf_time_spine", "schema_name": schema},
                    "primary_column": {"name": "ds", "time_granularity": "day"},
                }
            ]
        }
    }
    text = yaml.safe_dump_all([spine, *documents], sort_keys=False)
    (folder / "semantic_manifest.yaml").write_text(text, encoding="utf-8")
    return folder


def run_metricflow(python: Path, manifest: Path, repeat: int) -> dict[str, object]:
    """MetricFlow's plan timings and SQL for every query, from its own virtualenv."""
    queries = [{"name": n, "metrics": list(m), "group_by": list(g)} for n, _, m, g in QUERIES]
    request = {"manifest_dir": str(manifest), "queries": queries, "repeat": repeat}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(request, file)
    done = subprocess.run(
        [str(python), str(RUNNER), file.name], capture_output=True, text=True, check=False
    )
    Path(file.name).unlink()
    if done.returncode != 0:
        raise RuntimeError(f"MetricFlow's runner failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def named_rows(connection: duckdb.DuckDBPyConnection, sql: str, columns: list[str] | None):
    """Seconds to run ``sql``, its column names, and its rows with columns in the order
    ``columns`` gives (by name), so results of the two planners line up."""
    start = time.perf_counter()
    cursor = connection.execute(sql)
    rows = cursor.fetchall()
    seconds = time.perf_counter() - start
    names = [d[0] for d in cursor.description]
    if columns is not None and sorted(columns) == sorted(names):
        order = [names.index(c) for c in columns]
        rows = [tuple(row[i] for i in order) for row in rows]
    return seconds, names, rows


def compare_runtime(
    database: Path, ours: dict[str, str], theirs: dict[str, str], repeat: int
) -> dict[str, dict[str, object]]:
    """Run each query's two SQL texts, check they give the same rows, then time both."""
    results = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        for name, our_sql in ours.items():
            if name not in theirs:
                continue
            _, columns, our_rows = named_rows(connection, our_sql, None)
            _, _, their_rows = named_rows(connection, theirs[name], columns)
            ours_s, theirs_s = [], []
            for _ in range(repeat):
                ours_s.append(named_rows(connection, our_sql, None)[0])
                theirs_s.append(named_rows(connection, theirs[name], columns)[0])
            results[name] = {
                "difference": same_rows(our_rows, their_rows),
                "ours_median_s": statistics.median(ours_s),
                "metricflow_median_s": statistics.median(theirs_s),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mf-venv", type=Path, default=Path("/tmp/sl-bench-metricflow-venv"))
    parser.add_argument("--scale", type=float, default=1.0, help="TPC-H scale factor")
    parser.add_argument("--data-dir", type=Path, help="parquet folder (generated if empty)")
    parser.add_argument("--work-dir", type=Path, help="project copy and DuckDB file")
    parser.add_argument("--plan-repeat", type=int, default=50, help="timed plans per query")
    parser.add_argument("--run-repeat", type=int, default=3, help="timed runs per query")
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    args = parser.parse_args()

    from semantic_layer import api

    label = f"{args.scale:g}".replace(".", "_")
    data = tpch_data(args.scale, args.data_dir or Path(f"/tmp/sl-bench-tpch-sf{label}"))
    work = prepare_warehouse(args.work_dir or Path(f"/tmp/sl-bench-tpch-work-sf{label}"), data,
                             args.scale)  # fmt: skip
    python = metricflow_venv(args.mf_venv)
    with tempfile.TemporaryDirectory(prefix="sl-bench-mf-") as folder:
        manifest = metricflow_layout(PROJECT, Path(folder), "tpch")
        metricflow = run_metricflow(python, manifest, args.plan_repeat)
    mine = {r["query"]: r for r in plan_times(args.plan_repeat)}

    context = api.open_context(api.Options(work), dialect="duckdb", connect=False)
    our_sql = {n: api.query_sql(context, m, g) for n, _, m, g in QUERIES}
    their_sql = {r["query"]: r["sql"] for r in metricflow["queries"] if not r["error"]}
    runtime = compare_runtime(work / "warehouse.duckdb", our_sql, their_sql, args.run_repeat)

    results = []
    for entry in metricflow["queries"]:
        name = entry["query"]
        ours = mine[name]
        row = {"query": name, "kind": ours["kind"], "ours_plan_median_s": ours["median_s"],
               "ours_plan_first_s": ours["first_s"],
               "metricflow_error": entry["error"]}  # fmt: skip
        if not entry["error"]:
            run = runtime[name]
            row |= {
                # MetricFlow caches parts of a plan (DataflowPlanBuilderCache): its first plan
                # of a query is the cold figure, its median the cached one. We cache nothing.
                "metricflow_plan_first_s": entry["first_s"],
                "metricflow_plan_median_s": entry["median_s"],
                "plan_speedup": entry["median_s"] / ours["median_s"],
                "plan_speedup_first": entry["first_s"] / ours["median_s"],
                "same_numbers": run["difference"] is None,
                "difference": run["difference"],
                "ours_run_median_s": run["ours_median_s"],
                "metricflow_run_median_s": run["metricflow_median_s"],
                "run_ratio": run["ours_median_s"] / run["metricflow_median_s"],
                "metricflow_sql": entry["sql"],
            }
        results.append(row)

    headers = ["query", "our plan ms", "MF plan ms, first", "MF plan ms, cached",
               "speed-up (first)", "speed-up (cached)", "same numbers", "our run ms",
               "MF run ms", "run ratio (ours / MF)"]  # fmt: skip
    rows = []
    for r in results:
        if r["metricflow_error"]:
            refused = f"refused: {r['metricflow_error'][:60]}"
            rows.append([r["query"], 1000 * r["ours_plan_median_s"], refused, *[None] * 7])
            continue
        same = "yes" if r["same_numbers"] else f"NO: {r['difference']}"
        rows.append([r["query"], 1000 * r["ours_plan_median_s"],
                     1000 * r["metricflow_plan_first_s"], 1000 * r["metricflow_plan_median_s"],
                     r["plan_speedup_first"], r["plan_speedup"], same,
                     1000 * r["ours_run_median_s"], 1000 * r["metricflow_run_median_s"],
                     r["run_ratio"]])  # fmt: skip
    print(table(headers, rows))
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('metricflow'))"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    summary = {"metricflow_version": version, "scale_factor": args.scale,
               "metricflow_import_s": metricflow["import_s"],
               "metricflow_load_s": metricflow["load_s"], "queries": results}  # fmt: skip
    write_results(f"metricflow_compare_sf{label}", summary, args.output)


if __name__ == "__main__":
    main()
