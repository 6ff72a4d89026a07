"""Runs inside a virtualenv holding MetricFlow: a request file into plan timings as JSON.

Launched by benchmarks/metricflow_compare.py as ``python runner.py REQUEST.json``; the
request names a folder of MetricFlow-layout YAML and the queries. For each query the
explain step (parse the request, build the dataflow plan, render SQL) is timed ``repeat``
times after one warm-up, and the SQL is returned. Nothing here imports this project.
"""

from __future__ import annotations

import json
import statistics
import sys
import time


def main() -> None:
    request = json.loads(open(sys.argv[1], encoding="utf-8").read())

    start = time.perf_counter()
    from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
    from metricflow.protocols.sql_client import SqlEngine
    from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
    from metricflow_semantic_interfaces.parsing.dir_to_model import (
        parse_directory_of_yaml_files_to_semantic_manifest,
    )
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    imported = time.perf_counter()
    build = parse_directory_of_yaml_files_to_semantic_manifest(request["manifest_dir"])
    lookup = SemanticManifestLookup(build.semantic_manifest)

    class PlanOnlyClient:
        """What MetricFlow needs from a SQL client to explain a query: the engine's renderer.
        Queries are never executed through it."""

        sql_engine_type = SqlEngine.DUCKDB
        sql_plan_renderer = DuckDbSqlPlanRenderer()

        def query(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("this client only plans")

        execute = dry_run = query

        def close(self) -> None:
            pass

        def render_bind_parameter_key(self, key: str) -> str:
            return f"${key}"

    engine = MetricFlowEngine(lookup, PlanOnlyClient())  # type: ignore[arg-type]
    loaded = time.perf_counter()

    results = []
    for query in request["queries"]:

        def explain(q=query):  # type: ignore[no-untyped-def]
            mf_request = MetricFlowQueryRequest.create(
                metric_names=q["metrics"], group_by_names=q["group_by"]
            )
            return engine.explain(mf_request).sql_statement.sql

        try:
            first_start = time.perf_counter()
            sql = explain()
            first = time.perf_counter() - first_start
            times = []
            for _ in range(request["repeat"]):
                started = time.perf_counter()
                explain()
                times.append(time.perf_counter() - started)
            results.append(
                {"query": query["name"], "sql": sql, "first_s": first,
                 "median_s": statistics.median(times), "error": None}
            )  # fmt: skip
        except Exception as error:  # noqa: BLE001 - every refusal is a result to report
            results.append({"query": query["name"], "error": f"{type(error).__name__}: {error}"})

    print(json.dumps({"import_s": imported - start, "load_s": loaded - imported,
                      "queries": results}))  # fmt: skip


if __name__ == "__main__":
    main()
