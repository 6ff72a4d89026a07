"""Rules of ``sl validate`` that were missing: each mistake is reported once, at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_sl, tiny_shop

NO_AGG_TIME = """
semantic_models:
  - name: untimed
    model: ref('stg_orders')
    entities: [{name: untimed_order, type: primary, expr: order_id}]
    measures:
      - name: untimed_amount  # here
        agg: sum
        expr: amount
"""

UNREACHABLE_DIMENSIONS = """
semantic_models:
  - name: no_key  # here
    model: ref('stg_orders')
    defaults: {agg_time_dimension: ordered_at}
    entities: [{name: customer, type: foreign, expr: customer_id}]
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
      - {name: big, type: categorical, expr: amount > 5}
    measures: [{name: no_key_amount, agg: sum, expr: amount}]
"""

CONVERSION_ENTITY = """
metrics:
  - name: signups_to_orders
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: customer_count  # here
        conversion_measure: order_count
        entity: custmer
"""

CYCLE = """
metrics:
  - name: alpha  # here
    type: ratio
    type_params: {numerator: beta, denominator: revenue}
  - name: beta
    type: derived
    type_params:
      expr: gamma * 2
      metrics: [{name: gamma}]
  - name: gamma
    type: derived
    type_params:
      expr: alpha + 1
      metrics: [{name: alpha}]
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (NO_AGG_TIME, "measure 'untimed_amount' has no agg_time_dimension"),
        (
            UNREACHABLE_DIMENSIONS,
            "semantic model 'no_key' has dimensions (big) but no primary, unique or natural entity",
        ),
        (
            CONVERSION_ENTITY,
            "entity 'custmer' is not an entity of semantic model 'customers' and 'orders' (did "
            "you mean 'customer'?)",
        ),
        (CYCLE, "metric 'alpha' depends on itself: alpha -> beta -> gamma -> alpha"),
    ],
    ids=["no agg_time_dimension", "unreachable dimensions", "conversion entity", "cycle"],
)
def test_a_mistake_is_reported_once_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, message: str
) -> None:
    line = extra.splitlines().index(next(x for x in extra.splitlines() if "# here" in x)) + 1

    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")

    assert code == 1
    assert f"models/semantic/extra.yml:{line}: " in output
    assert message in output
    assert output.rstrip().endswith("1 error found."), output


def test_names_that_are_sql_keywords_are_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = """
semantic_models:
  - name: keywords
    model: ref('stg_orders')
    defaults: {agg_time_dimension: ordered_at}
    entities: [{name: "group", type: primary, expr: order_id}]
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
      - {name: select, type: categorical, expr: is_food}
    measures: [{name: "from", agg: sum, expr: amount}]
metrics:
  - {name: order, type: simple, type_params: {measure: "from"}}
saved_queries:
  - name: where
    query_params: {metrics: [order], group_by: ["Dimension('group__select')"]}
    exports: [{name: where}]
"""
    options = tiny_shop(tmp_path, extra)
    code, output = run_sl(options, capsys, "compile")
    assert code == 0, output
    text = (options.project_dir / "target" / "compiled" / "duckdb" / "main.where.sql").read_text()
    assert '"from" AS "order"' in text  # quoted, not refused
