"""Generated projects of many metrics into the time and memory to load, validate and compile.

Each size runs in a child process of its own, so its peak memory (the child's maximum
resident set) is its own. Re-run with::

    python benchmarks/compile_scale.py                 # 50, 500, 5000 metrics x 20, 200 models
    python benchmarks/compile_scale.py --metrics 50 --models 20 --output /tmp/x.json
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import HERE, table, write_results

AGGREGATIONS = ("sum", "count_distinct", "average", "max", "sum")
# Metric types by position, one in ten each: mostly simple, as in real projects.
PATTERN = (
    "simple", "simple", "ratio", "simple", "derived",
    "simple", "cumulative", "simple", "ratio", "derived",
)  # fmt: skip
METRICS_PER_VIEW = 5


def generate(root: Path, metrics: int, models: int, seed: int = 7) -> dict[str, int]:
    """Write a project of ``metrics`` metrics over ``models`` semantic models into ``root``.

    Model ``i`` reads table ``fact_i``; it has the primary entity ``e<i>`` and a foreign
    entity ``e<i+1>``, so a chain of many-to-one joins runs through every model. Metric ``j``
    belongs to model ``j * models // metrics``; its type follows PATTERN, and a ratio or
    derived metric reads simple metrics of its own model (or the last two simple metrics of
    the project when its model has fewer than two). Each model's metrics that read only its
    own model are exported five at a time, by month, by two of its own dimensions and one
    dimension of the next model (one join).

    Returns:
        How many metrics of each type and how many views were written.
    """
    rng = random.Random(seed)
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "sl_project.yml").write_text("name: generated\nmodel-paths: [models]\n")
    tables = "".join(f"      - name: fact_{i}\n" for i in range(models))
    sources = f"sources:\n  - name: raw\n    schema: raw\n    tables:\n{tables}"
    (root / "models" / "sources.yml").write_text(sources)

    simple_by_model: dict[int, list[str]] = {i: [] for i in range(models)}
    simple_all: list[str] = []
    own_model_only: dict[int, list[str]] = {i: [] for i in range(models)}
    measures: dict[int, list[str]] = {i: [] for i in range(models)}
    metric_yaml: dict[int, list[str]] = {i: [] for i in range(models)}
    counts = {kind: 0 for kind in PATTERN}

    for j in range(metrics):
        model = j * models // metrics
        kind = PATTERN[j % len(PATTERN)]
        local = simple_by_model[model]
        if kind in ("ratio", "derived") and len(simple_all) < 2:
            kind = "simple"
        inputs = rng.sample(local, 2) if len(local) >= 2 else simple_all[-2:]
        name = f"metric_{j}"
        if kind in ("simple", "cumulative"):
            agg = AGGREGATIONS[j % len(AGGREGATIONS)]
            measures[model].append(
                f"      - name: measure_{j}\n        expr: amount_{j % 3}\n        agg: {agg}\n"
            )
        if kind == "simple":
            body = f"      measure: measure_{j}\n"
            local.append(name)
            simple_all.append(name)
        elif kind == "cumulative":
            body = f"      measure: measure_{j}\n      cumulative_type_params:\n"
            body += "        window: 7 days\n"
        elif kind == "ratio":
            body = f"      numerator: {inputs[0]}\n      denominator: {inputs[1]}\n"
        else:
            body = f"      expr: a - b * 2\n      metrics:\n        - name: {inputs[0]}\n"
            body += f"          alias: a\n        - name: {inputs[1]}\n          alias: b\n"
        metric_yaml[model].append(f"  - name: {name}\n    type: {kind}\n    type_params:\n{body}")
        counts[kind] += 1
        if kind in ("simple", "cumulative") or set(inputs) <= set(local):
            own_model_only[model].append(name)

    views = 0
    for i in range(models):
        text = _semantic_model(i, models, measures[i])
        if metric_yaml[i]:
            text += "\nmetrics:\n" + "".join(metric_yaml[i])
        chunks = [
            own_model_only[i][k : k + METRICS_PER_VIEW]
            for k in range(0, len(own_model_only[i]), METRICS_PER_VIEW)
        ]
        if chunks:
            text += "\nsaved_queries:\n" + "".join(
                _saved_query(i, n, chunk, models) for n, chunk in enumerate(chunks)
            )
            views += len(chunks)
        (root / "models" / f"model_{i}.yml").write_text(text)
    return {**counts, "views": views}


def _semantic_model(i: int, models: int, measures: list[str]) -> str:
    foreign = (
        f"      - name: e{i + 1}\n        type: foreign\n        expr: e{i + 1}_id\n"
        if i + 1 < models
        else ""
    )
    text = (
        f"semantic_models:\n  - name: model_{i}\n    model: source('raw', 'fact_{i}')\n"
        f"    defaults:\n      agg_time_dimension: happened_at\n    entities:\n"
        f"      - name: e{i}\n        type: primary\n        expr: id\n{foreign}"
        f"    dimensions:\n"
        f"      - name: happened_at\n        type: time\n"
        f"        type_params:\n          time_granularity: day\n"
        f"      - name: colour\n        type: categorical\n"
        f"      - name: size\n        type: categorical\n        expr: upper(size_code)\n"
    )
    if measures:
        text += "    measures:\n" + "".join(measures)
    return text


def _saved_query(i: int, n: int, metrics: list[str], models: int) -> str:
    group_by = [
        "TimeDimension('metric_time', 'month')",
        f"Dimension('e{i}__colour')",
        f"Dimension('e{i}__size')",
    ]
    if i + 1 < models:
        group_by.append(f"Dimension('e{i}__e{i + 1}__colour')")
    items = "".join(f"        - {m}\n" for m in metrics)
    groups = "".join(f'        - "{g}"\n' for g in group_by)
    return (
        f"  - name: view_{i}_{n}\n    query_params:\n      metrics:\n{items}"
        f"      group_by:\n{groups}    exports:\n      - name: view_{i}_{n}\n"
        f"        config:\n          export_as: view\n"
    )


def measure_one(root: Path) -> dict[str, float]:
    """Load (with validation) and compile the project in ``root``; seconds and peak memory.

    Meant to run in a child process: the peak resident set covers this run only.
    """
    from semantic_layer.compiler import compile_project
    from semantic_layer.profiles import default_target
    from semantic_layer.render.dialects import get_dialect
    from semantic_layer.workspace import load_project

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, start_cpu = time.perf_counter(), time.process_time()
    project = load_project(root)
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    target = default_target(root, "generated")
    views = compile_project(project, target, get_dialect("duckdb"))
    compiled, compiled_cpu = time.perf_counter(), time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "load_validate_s": loaded - start,
        "compile_s": compiled - loaded,
        # CPU seconds too: on a shared machine they vary less than the wall clock.
        "load_validate_cpu_s": loaded_cpu - start_cpu,
        "compile_cpu_s": compiled_cpu - loaded_cpu,
        "views_compiled": len(views),
        "peak_rss_mib": peak / 1024,
        "baseline_rss_mib": baseline / 1024,
    }


def run_size(metrics: int, models: int) -> dict[str, object]:
    """Generate one project and measure it in a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="sl-bench-") as folder:
        root = Path(folder)
        written = generate(root, metrics, models)
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(root)],
            capture_output=True,
            text=True,
            check=False,
        )
    if child.returncode != 0:
        raise RuntimeError(f"{metrics} metrics x {models} models failed:\n{child.stderr}")
    figures = json.loads(child.stdout)
    total = figures["load_validate_s"] + figures["compile_s"]
    total_cpu = figures["load_validate_cpu_s"] + figures["compile_cpu_s"]
    return {
        "metrics": metrics,
        "models": models,
        "generated": written,
        **figures,
        "total_s": total,
        "total_cpu_s": total_cpu,
        "ms_per_view": 1000 * figures["compile_s"] / max(figures["views_compiled"], 1),
        "cpu_ms_per_view": 1000 * figures["compile_cpu_s"] / max(figures["views_compiled"], 1),
        "ms_per_metric": 1000 * total / metrics,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, nargs="*", default=[50, 500, 5000])
    parser.add_argument("--models", type=int, nargs="*", default=[20, 200])
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    parser.add_argument("--command-repeat", type=int, default=5, help="runs of `sl compile`")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_one(args.measure)))
        return

    runs = []
    for models in args.models:
        previous = None
        for metrics in args.metrics:
            result = run_size(metrics, models)
            if previous:
                result["growth_vs_previous"] = result["total_cpu_s"] / previous["total_cpu_s"]
                result["size_ratio_vs_previous"] = metrics / previous["metrics"]
            runs.append(result)
            previous = result
            done = f"{metrics} metrics x {models} models: {result['total_s']:.2f} s"
            print(done, file=sys.stderr)

    headers = ["metrics", "models", "views", "load+validate s (cpu)", "compile s (cpu)",
               "ms/view (cpu)", "peak MiB", "growth of cpu time"]  # fmt: skip
    rows = [
        [r["metrics"], r["models"], r["views_compiled"],
         f"{r['load_validate_s']:.2f} ({r['load_validate_cpu_s']:.2f})",
         f"{r['compile_s']:.2f} ({r['compile_cpu_s']:.2f})",
         f"{r['ms_per_view']:.1f} ({r['cpu_ms_per_view']:.1f})",
         r["peak_rss_mib"], r.get("growth_vs_previous")]
        for r in runs
    ]  # fmt: skip
    command = sample_compile_command(args.command_repeat)
    print(table(headers, rows))
    median = command["median_s"]
    print(f"\n`sl compile` on the sample project, whole command: median {median:.2f} s")
    write_results("compile_scale", {"runs": runs, "sample_sl_compile": command}, args.output)


def sample_compile_command(repeat: int) -> dict[str, object]:
    """`sl compile` on a copy of the sample project, as a user runs it: a new process each
    time, imports included; the median wall time of ``repeat`` runs."""
    repository = HERE.parent
    with tempfile.TemporaryDirectory(prefix="sl-bench-sample-") as folder:
        for part in ("sl_project.yml", "models", "macros"):
            source = repository / part
            if source.is_dir():
                shutil.copytree(source, Path(folder) / part)
            else:
                shutil.copy(source, Path(folder) / part)
        command = [sys.executable, "-m", "semantic_layer", "compile", "--project-dir", folder]
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return {"command": "sl compile", "runs": repeat, "median_s": statistics.median(times),
            "all_s": times}  # fmt: skip


if __name__ == "__main__":
    main()
