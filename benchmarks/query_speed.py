"""TPC-H data in DuckDB into the runtime of each exported view against hand-written SQL.

The views of benchmarks/tpch/ are deployed with ``sl run`` into a DuckDB file holding the
TPC-H tables; each view and its hand-written twin (benchmarks/tpch/handwritten/<view>.sql)
must return the same rows before either is timed. Re-run with::

    pip install -e '.[bench]'
    python benchmarks/query_speed.py                  # scale factor 1, 5 runs of each query
    python benchmarks/query_speed.py --scale 0.01 --repeat 1 --output /tmp/q.json
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import math
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from benchlib import HERE, table, write_results

PROJECT = HERE / "tpch"
HANDWRITTEN = PROJECT / "handwritten"
TABLES = ("lineitem", "orders", "customer", "nation", "region", "part", "supplier")
# Floats (ratios, averages) are computed in a different order by the two queries.
RELATIVE_TOLERANCE = 1e-9


def tpch_data(scale: float, folder: Path) -> Path:
    """The TPC-H parquet files at ``scale``, generated with tpchgen-cli unless present."""
    if all((folder / f"{name}.parquet").exists() for name in TABLES):
        return folder
    generator = shutil.which("tpchgen-cli") or str(Path(sys.executable).parent / "tpchgen-cli")
    if not Path(generator).exists():
        raise SystemExit("tpchgen-cli is missing: pip install -e '.[bench]'")
    folder.mkdir(parents=True, exist_ok=True)
    command = [generator, "parquet", "-s", str(scale), "--output-dir", str(folder)]
    subprocess.run(command, check=True)
    return folder


def prepare_warehouse(work: Path, data: Path, scale: float) -> Path:
    """A project folder whose DuckDB file holds the TPC-H tables in schema ``tpch``.

    The tables are loaded once per scale; a time spine table is added for MetricFlow, which
    reads one (this project builds its own inside each query).
    """
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "sl_project.yml", work / "sl_project.yml")
    shutil.rmtree(work / "models", ignore_errors=True)
    shutil.copytree(PROJECT / "models", work / "models")
    database = work / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        loaded = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'tpch' and table_name = 'loaded_scale'"
        ).fetchone()[0]
        if loaded and connection.execute("select s from tpch.loaded_scale").fetchone()[0] == scale:
            return work
        print(f"loading TPC-H at scale {scale} into {database}", file=sys.stderr)
        connection.execute("create schema if not exists tpch")
        for name in TABLES:
            path = str(data / f"{name}.parquet").replace("'", "''")
            connection.execute(
                f"create or replace table tpch.{name} as select * from read_parquet('{path}')"
            )
        connection.execute(
            "create or replace table tpch.mf_time_spine as select cast(range as date) as ds "
            "from range(date '1990-01-01', date '2001-01-01', interval 1 day)"
        )
        connection.execute("create or replace table tpch.loaded_scale as select ? as s", [scale])
    return work


def deploy(work: Path) -> list[str]:
    """Deploy the project's views with the library's `sl run`; the names of its exports."""
    from semantic_layer import api

    views = api.run(api.Options(project_dir=work))
    del views
    compiled, _, _ = api.compile_views(api.Options(project_dir=work))
    return sorted(view.name for view in compiled if view.kind == "export")


def normalised(rows: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
    """Rows in a stable order whatever each query's own order; NULL sorts first."""
    return sorted(rows, key=lambda row: [(value is not None, _sort_key(value)) for value in row])


def _sort_key(value: object) -> object:
    if isinstance(value, (decimal.Decimal, int, float)):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def same_rows(ours: list[tuple], theirs: list[tuple]) -> str | None:  # type: ignore[type-arg]
    """None when both results hold the same values, else what differs first.

    Integers, strings and dates must be equal; decimals and floats equal within
    RELATIVE_TOLERANCE (a decimal sum computed the same way is compared exactly)."""
    if len(ours) != len(theirs):
        return f"{len(ours)} rows against {len(theirs)}"
    for index, (mine, other) in enumerate(zip(normalised(ours), normalised(theirs), strict=True)):
        if len(mine) != len(other):
            return f"{len(mine)} columns against {len(other)}"
        for column, (a, b) in enumerate(zip(mine, other, strict=True)):
            if not _equal(a, b):
                return f"row {index}, column {column}: {a!r} against {b!r}"
    return None


def _equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        x, y = float(a), float(b)  # type: ignore[arg-type]
        return math.isclose(x, y, rel_tol=RELATIVE_TOLERANCE)
    if isinstance(a, decimal.Decimal) or isinstance(b, decimal.Decimal):
        return decimal.Decimal(a) == decimal.Decimal(b)  # type: ignore[arg-type]
    if isinstance(a, datetime.datetime) != isinstance(b, datetime.datetime):
        # A DATE against a TIMESTAMP (MetricFlow's metric_time): equal at midnight only.
        return _midnight(a) == _midnight(b)
    return a == b


def _midnight(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return value if value.time() != datetime.time() else value.date()
    return value


Rows = list[tuple]  # type: ignore[type-arg]


def run_seconds(connection: duckdb.DuckDBPyConnection, sql: str) -> tuple[float, Rows]:
    start = time.perf_counter()
    rows = connection.execute(sql).fetchall()
    return time.perf_counter() - start, rows


def compare(work: Path, views: list[str], repeat: int) -> list[dict[str, object]]:
    """Check each view against its hand-written SQL, then time both, alternating."""
    results = []
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as connection:
        for view in views:
            hand = (HANDWRITTEN / f"{view}.sql").read_text(encoding="utf-8")
            ours_sql = f"select * from main.{view}"
            _, ours = run_seconds(connection, ours_sql)
            _, theirs = run_seconds(connection, hand)
            difference = same_rows(ours, theirs)
            ours_times, hand_times = [], []
            for _ in range(repeat):
                ours_times.append(run_seconds(connection, ours_sql)[0])
                hand_times.append(run_seconds(connection, hand)[0])
            ours_median, hand_median = statistics.median(ours_times), statistics.median(hand_times)
            results.append(
                {
                    "query": view,
                    "rows": len(ours),
                    "same_numbers": difference is None,
                    "difference": difference,
                    "view_median_s": ours_median,
                    "handwritten_median_s": hand_median,
                    "ratio": ours_median / hand_median,
                    "view_s": ours_times,
                    "handwritten_s": hand_times,
                }
            )
            print(f"{view}: {ours_median / hand_median:.2f}x", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="TPC-H scale factor")
    parser.add_argument("--data-dir", type=Path, help="parquet folder (generated if empty)")
    parser.add_argument("--work-dir", type=Path, help="project copy and DuckDB file")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    args = parser.parse_args()
    label = f"{args.scale:g}".replace(".", "_")
    data = tpch_data(args.scale, args.data_dir or Path(f"/tmp/sl-bench-tpch-sf{label}"))
    work = prepare_warehouse(args.work_dir or Path(f"/tmp/sl-bench-tpch-work-sf{label}"), data,
                             args.scale)  # fmt: skip

    results = compare(work, deploy(work), args.repeat)
    headers = ["query", "rows", "same numbers", "view ms", "hand-written ms", "ratio"]
    rows = [
        [r["query"], r["rows"], "yes" if r["same_numbers"] else f"NO: {r['difference']}",
         1000 * r["view_median_s"], 1000 * r["handwritten_median_s"], r["ratio"]]
        for r in results
    ]  # fmt: skip
    print(table(headers, rows))
    summary = {
        "scale_factor": args.scale,
        "repeat": args.repeat,
        "relative_tolerance": RELATIVE_TOLERANCE,
        "all_same_numbers": all(r["same_numbers"] for r in results),
        "worst_ratio": max(r["ratio"] for r in results),
        "queries": results,
    }
    write_results(f"query_speed_sf{label}", summary, args.output)
    if not summary["all_same_numbers"]:
        raise SystemExit("some views returned other numbers than their hand-written SQL")


if __name__ == "__main__":
    main()
