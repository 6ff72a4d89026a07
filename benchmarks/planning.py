"""Ad-hoc queries on the TPC-H project into the time to turn each into SQL, in-process.

The project is loaded once; each query is then planned and rendered ``--repeat`` times and
the median kept. No database is touched. Re-run with::

    python benchmarks/planning.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from benchlib import HERE, table, write_results

PROJECT = HERE / "tpch"

# name, kind, metrics, group-by: the same queries are sent to MetricFlow by
# benchmarks/metricflow_compare.py.
QUERIES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("one_metric", "one metric", ("revenue",), ()),
    ("one_metric_by_month", "one metric", ("revenue",), ("metric_time__month",)),
    ("one_metric_by_dimension", "one metric", ("orders",), ("order__order_priority",)),
    ("one_join", "one metric, one join", ("revenue",), ("metric_time__year", "part__brand")),
    ("two_joins", "one metric, two joins", ("order_total",),
     ("metric_time__month", "customer__nation__nation_name")),
    ("ratio", "ratio", ("average_order_value",), ("metric_time__month",)),
    ("derived", "derived", ("discount_share",), ("metric_time__quarter",)),
    ("filtered", "filtered metric", ("urgent_share",), ("metric_time__month",)),
    ("cumulative", "cumulative", ("revenue_7_days",), ("metric_time__day",)),
    ("two_models", "metrics of two models", ("revenue", "order_total", "orders"),
     ("metric_time__month",)),
    ("three_metrics_join", "three metrics of two models, one join",
     ("revenue", "order_total", "customers_ordering"),
     ("metric_time__month", "order__order_priority")),
)  # fmt: skip


def plan_times(repeat: int) -> list[dict[str, object]]:
    """The median seconds to plan and render each query, with the project loaded once."""
    from semantic_layer import api

    start = time.perf_counter()
    context = api.open_context(api.Options(PROJECT), dialect="duckdb", connect=False)
    loaded = time.perf_counter() - start
    print(f"project loaded in {1000 * loaded:.1f} ms", file=sys.stderr)

    results = []
    for name, kind, metrics, group_by in QUERIES:
        first, _ = _seconds(lambda m=metrics, g=group_by: api.query_sql(context, m, g))
        times = [
            _seconds(lambda m=metrics, g=group_by: api.query_sql(context, m, g))
            for _ in range(repeat)
        ]
        results.append(
            {"query": name, "kind": kind, "metrics": list(metrics), "group_by": list(group_by),
             "first_s": first, "median_s": statistics.median(t[0] for t in times),
             "median_cpu_s": statistics.median(t[1] for t in times), "runs": repeat}
        )  # fmt: skip
    return results


def _seconds(function) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall and CPU seconds of one call; CPU time varies less on a shared machine."""
    start, start_cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - start, time.process_time() - start_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed plans of each query")
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    args = parser.parse_args()

    results = plan_times(args.repeat)
    overall = statistics.median(r["median_s"] for r in results)
    headers = ["query", "kind", "first ms", "median ms", "median cpu ms"]
    rows = [
        [r["query"], r["kind"], 1000 * r["first_s"], 1000 * r["median_s"], 1000 * r["median_cpu_s"]]
        for r in results
    ]
    print(table(headers, rows))
    print(f"\nmedian over the {len(results)} queries: {1000 * overall:.2f} ms")
    write_results("planning", {"median_of_medians_s": overall, "queries": results}, args.output)


if __name__ == "__main__":
    main()
