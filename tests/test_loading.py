"""Loading definitions: settings that are read, and settings that would otherwise be lost
without a word (each gets a warning at its line)."""

from __future__ import annotations

from datetime import date

from semantic_layer import api
from tests.helpers import run_sl, tiny_shop


def test_an_unknown_top_level_key_is_a_warning_with_a_suggestion(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    extra = "semantic_model:\n  name: oops\n"
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")
    assert code == 0
    assert "extra.yml:1: warning: unknown key 'semantic_model' is ignored" in output
    assert "did you mean 'semantic_models'?" in output


def test_an_unknown_type_params_key_is_a_warning(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    extra = """
metrics:
  - name: revenue_again
    type: simple
    type_params:
      measure: revenue
      window: 7 days
"""
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")
    assert code == 0
    assert "extra.yml:7: warning: metric 'revenue_again': unknown key 'window'" in output


def test_an_approximate_percentile_is_computed_exactly_and_says_so(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    extra = """
semantic_models:
  - name: amounts
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
    measures:
      - name: p90_amount
        expr: amount
        agg: percentile
        agg_params: {percentile: 0.9, use_approximate_percentile: true}
"""
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")
    assert code == 0
    assert "the percentile is computed exactly, not approximated" in output


def test_a_metrics_time_granularity_is_the_grain_of_a_bare_metric_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
metrics:
  - name: monthly_revenue
    type: simple
    time_granularity: month
    type_params: {measure: revenue}
"""
    options = tiny_shop(tmp_path, extra)
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=["monthly_revenue"], group_by=["metric_time"], where=[],
                       order_by=["metric_time"], limit=None)  # fmt: skip
    assert result.columns == ("metric_time__month", "monthly_revenue")
    assert result.rows == ((date(2024, 2, 1), 15), (date(2024, 3, 1), 22))  # 10+5, 7+3+4+8
