"""Project features around the metrics: macros, per-target sources, saved-query ordering,
and the output formats of ``sl query``. Values come from the tiny shop's table of orders:

    order  customer  ordered_at   amount  food
    1      1 (EU)    2024-02-12   10      yes
    2      2 (US)    2024-02-15    5      no
    3      1 (EU)    2024-03-05    7      yes
    4      3 (none)  2024-03-10    3      no
    5      1 (EU)    2024-03-11    4      no
    6      2 (US)    2024-03-13    8      yes
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from semantic_layer import api
from tests.helpers import run_sl, tiny_shop, write_profile

MACROS = """
{% macro doubled(column_name) %}({{ column_name }} * 2){% endmacro %}
{% macro at_least(value, threshold) %}{{ value }} >= {{ threshold }}{% endmacro %}
"""

EXTRA = """
semantic_models:
  - name: order_amounts
    model: ref('stg_orders')
    defaults:
      agg_time_dimension: ordered_at
    entities:
      - name: amount_order
        type: primary
        expr: order_id
    dimensions:
      - name: ordered_at
        type: time
        type_params:
          time_granularity: day
      - name: amount
        type: categorical
    measures:
      - name: doubled_amount
        expr: "{{ doubled('amount') }}"
        agg: sum

metrics:
  - name: doubled_revenue
    type: simple
    type_params:
      measure: doubled_amount
  - name: big_doubled_revenue
    type: simple
    type_params:
      measure: doubled_amount
    filter: "{{ at_least(Dimension('amount_order__amount'), 7) }}"

saved_queries:
  - name: top_months
    query_params:
      metrics: [doubled_revenue]
      group_by: ["TimeDimension('metric_time', 'month')"]
      order_by: ["Metric('doubled_revenue').descending(True)"]
      limit: 1
    exports:
      - name: top_month
        config:
          export_as: view
          schema: reports
"""


def _project(root: Path, sources_schema: str = "raw") -> api.Options:
    options = tiny_shop(root, EXTRA)
    project = options.project_dir
    (project / "macros").mkdir(exist_ok=True)
    (project / "macros" / "helpers.sql").write_text(MACROS)
    sources = project / "models" / "staging" / "sources.yml"
    sources.write_text(sources.read_text().replace("schema: raw", f"schema: {sources_schema}"))
    outputs = {"dev": (root / "dev.duckdb", "main"), "prod": (root / "prod.duckdb", "analytics")}
    write_profile(root / "profiles", "tiny_shop", outputs)
    return options


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = _project(tmp_path_factory.mktemp("features"))
    api.seed(options)
    api.run(options)
    return options


def _one(options: api.Options, metric: str) -> object:
    result = api.query(options, metrics=[metric], group_by=[], where=[], order_by=[], limit=None)
    return result.rows[0][0]


def test_a_macro_in_a_measure_expr(shop: api.Options) -> None:
    # 2 * (10 + 5 + 7 + 3 + 4 + 8) = 74
    assert _one(shop, "doubled_revenue") == 74


def test_a_macro_in_a_metric_filter(shop: api.Options) -> None:
    # amounts of at least 7: orders 1, 3 and 6, so 2 * (10 + 7 + 8) = 50
    assert _one(shop, "big_doubled_revenue") == 50


def test_a_saved_query_keeps_its_order_and_limit_in_the_view(shop: api.Options) -> None:
    # February 2 * 15 = 30, March 2 * 22 = 44: the top month is March.
    database = shop.project_dir.parent / "dev.duckdb"
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute("select * from reports.top_month").fetchall()
    assert rows == [(date(2024, 3, 1), 44)]


def test_source_schema_follows_the_target(tmp_path: Path) -> None:
    options = _project(
        tmp_path, sources_schema="\"{{ 'raw' if target.name == 'dev' else 'landing' }}\""
    )
    context = api.open_context(api.Options(options.project_dir, "prod", options.profiles_dir))
    views, _, _ = api.compile_views(api.Options(options.project_dir, "prod", options.profiles_dir))
    stg_orders = next(view for view in views if view.name == "stg_orders")
    assert context.target.name == "prod"
    assert "FROM landing.raw_orders" in stg_orders.statement
    assert "CREATE OR REPLACE VIEW analytics.stg_orders" in stg_orders.statement

    dev_views, _, _ = api.compile_views(options)
    dev_orders = next(view for view in dev_views if view.name == "stg_orders")
    assert "FROM raw.raw_orders" in dev_orders.statement


def _cli(options: api.Options, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, output = run_sl(options, capsys, *args)
    assert code == 0, output
    return output


def test_query_prints_csv(shop: api.Options, capsys: pytest.CaptureFixture[str]) -> None:
    out = _cli(shop, capsys, "query", "-m", "revenue,orders", "-g", "metric_time__month",
               "--format", "csv")  # fmt: skip
    rows = list(csv.reader(io.StringIO(out)))
    # February: 10 + 5 = 15 over 2 orders; March: 7 + 3 + 4 + 8 = 22 over 4 orders.
    assert rows == [
        ["metric_time__month", "revenue", "orders"],
        ["2024-02-01", "15", "2"],
        ["2024-03-01", "22", "4"],
    ]


def test_query_prints_json_sorted_descending(
    shop: api.Options, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _cli(shop, capsys, "query", "-m", "revenue", "-g", "customer__region",
               "-o", "-revenue", "--format", "json")  # fmt: skip
    # EU: 10 + 7 + 4 = 21, US: 5 + 8 = 13, no region: 3
    assert json.loads(out) == [
        {"customer__region": "EU", "revenue": 21},
        {"customer__region": "US", "revenue": 13},
        {"customer__region": None, "revenue": 3},
    ]


def test_query_prints_a_table_with_a_row_count(
    shop: api.Options, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _cli(shop, capsys, "query", "-m", "revenue", "--where",
               "{{ Dimension('customer__region') }} = 'US'")  # fmt: skip
    lines = out.strip().splitlines()
    assert lines[0].strip() == "revenue"
    assert lines[2].strip() == "13"
    assert lines[-1] == "(1 row)"


def test_explain_prints_sql_and_touches_nothing(
    shop: api.Options, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _cli(shop, capsys, "query", "-m", "revenue", "-g", "metric_time__week", "--explain")
    assert out.lstrip().startswith("WITH") or out.lstrip().startswith("SELECT")
    assert "metric_time__week" in out
