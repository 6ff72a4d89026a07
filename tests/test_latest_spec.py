"""Definitions in dbt's latest YAML spec, beside legacy ones, against values worked out by hand.

The project is the tiny shop with its orders and customers rewritten in the latest spec
(tests/fixtures/latest_spec); its legacy order_items.yml and saved query stay. The data, from
tests/fixtures/tiny_shop/seeds:

    order  customer (region)  ordered_at        amount  food  item prices
    1      1 (EU)             2024-02-12 09:00  10      yes   4 + 6
    2      2 (US)             2024-02-15 12:30   5      no    2 + 2 + 2
    3      1 (EU)             2024-03-05 08:00   7      yes   2 + 2 + 3
    4      3 (no region)      2024-03-10 18:00   3      no    3
    5      1 (EU)             2024-03-11 10:00   4      no    1 + 3
    6      2 (US)             2024-03-13 11:00   8      yes   5 + 5

Customer 4 (EU) has placed no order.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from semantic_layer import api
from tests.helpers import run_sl, tiny_shop

LATEST = Path(__file__).resolve().parent / "fixtures" / "latest_spec"
FEB, MAR = date(2024, 2, 1), date(2024, 3, 1)
approx = pytest.approx


def latest_shop(root: Path, extra: str | None = None) -> api.Options:
    """The tiny shop with orders and customers in the latest spec; ``extra`` is one more file."""
    options = tiny_shop(root, extra)
    semantic = options.project_dir / "models" / "semantic"
    for legacy in ("orders.yml", "customers.yml"):
        (semantic / legacy).unlink()
    for file in sorted((LATEST / "models" / "semantic").glob("*.yml")):
        shutil.copy(file, semantic / file.name)
    return options


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = latest_shop(tmp_path_factory.mktemp("latest_spec"))
    api.seed(options)
    views = {result.view.name for result in api.run(options)}
    assert "shop_monthly_by_region" in views  # the legacy saved query reads latest metrics
    return options


def rows(options: api.Options, metrics: list[str], group_by: list[str]) -> dict[Any, tuple]:
    result = api.query(
        options, metrics=metrics, group_by=group_by, where=[], order_by=[], limit=None
    )
    assert result.columns == tuple(group_by) + tuple(metrics)
    return {row[0] if group_by else (): tuple(row[len(group_by) :]) for row in result.rows}


def test_simple_metrics_written_with_agg(shop: api.Options) -> None:
    metrics = ["revenue", "orders", "active_customers", "food_orders", "food_revenue",
               "median_amount"]  # fmt: skip
    assert rows(shop, metrics, ["metric_time__month"]) == {
        # Feb, orders 1, 2: 10 + 5; 2 orders by customers {1, 2}; food: order 1 (10);
        # median of 5 and 10.
        FEB: (15, 2, 2, 1, 10, 7.5),
        # Mar, orders 3-6: 7 + 3 + 4 + 8; 4 orders by {1, 3, 2}; food: orders 3, 6 (7 + 8);
        # median of 3, 4, 7, 8 is (4 + 7) / 2.
        MAR: (22, 4, 3, 2, 15, 5.5),
    }


def test_ratio_and_derived_metrics_with_top_level_settings(shop: api.Options) -> None:
    metrics = ["average_order_value", "revenue_per_buyer", "food_share"]
    assert rows(shop, metrics, ["metric_time__month"]) == {
        FEB: (7.5, 7.5, approx(10 / 15)),  # 15 / 2 orders; 15 / 2 buyers; food 10 of 15
        MAR: (5.5, approx(22 / 3), approx(15 / 22)),  # 22 / 4; 22 / 3 buyers; 7 + 8 of 22
    }


def test_an_entity_on_a_column_joins_to_the_dimensions_of_another_model(
    shop: api.Options,
) -> None:
    assert rows(shop, ["revenue", "customers"], ["customer__region"]) == {
        "EU": (21, 2),  # orders 1, 3, 5: 10 + 7 + 4; customers 1 and 4
        "US": (13, 1),  # orders 2, 6: 5 + 8; customer 2
        None: (3, 1),  # order 4; customer 3
    }


def test_a_cumulative_metric_reads_a_simple_metric_with_its_filter(shop: api.Options) -> None:
    # All food revenue up to the last day of each month: 10 in February, 10 + 7 + 8 by March.
    assert rows(shop, ["food_revenue_to_date"], ["metric_time__month"]) == {
        FEB: (10,),
        MAR: (25,),
    }


def test_legacy_metrics_read_metrics_of_the_latest_spec(shop: api.Options) -> None:
    metrics = ["revenue_per_item", "discount"]
    assert rows(shop, metrics, ["metric_time__month"]) == {
        FEB: (3.0, 1),  # 15 / (2 + 3 items); item prices 10 + 6 less 15 paid
        MAR: (2.75, 2),  # 22 / (3 + 1 + 2 + 2); 7 + 3 + 4 + 10 less 22
    }


BROKEN = """\
models:
  - name: stg_orders
    semantic_model:
      enabled: true
      name: orders_again
    columns:
      - name: order_id
        entity:
          type: primary
          name: order_again
      - name: ordered_at
        dimension:
          type: time
    metrics:
      - name: revenue_again
        type: simple
        agg: summ
        expr: amount
metrics:
  - name: orders_again
    type: simple
    agg: count
"""


def test_errors_in_the_latest_spec_point_at_their_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, output = run_sl(latest_shop(tmp_path, BROKEN), capsys, "validate")

    assert code == 1
    where = "models/semantic/extra.yml"
    assert f"{where}:12: dimension 'ordered_at': a time dimension needs a 'granularity'" in output
    assert f"{where}:17: measure 'orders_again.revenue_again': 'agg' is 'summ'" in output
    assert "did you mean 'sum'?" in output
    assert f"{where}:20: metric 'orders_again': a simple metric is written under" in output


def test_filling_nulls_on_a_ratio_is_refused_not_lost(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from semantic_layer.errors import UserError
    from tests.helpers import tiny_shop

    extra = """
metrics:
  - name: filled_ratio
    type: ratio
    numerator: revenue
    denominator: orders
    fill_nulls_with: 0
"""
    with pytest.raises(UserError, match="'fill_nulls_with' is not supported yet"):
        api.validate(tiny_shop(tmp_path, extra))
