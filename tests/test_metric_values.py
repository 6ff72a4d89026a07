"""Metric values of the tiny shop fixture against figures worked out by hand or by plain SQL.

Every expected value here comes from the table below, with the arithmetic in a comment, or
from SQL written in the test and run directly on the raw seed tables; never from the product.

The fixture's data (tests/fixtures/tiny_shop/seeds):

    order  customer (region)  ordered_at            ISO week    amount  food  item prices
    1      1 (EU)             Mon 2024-02-12 09:00  2024-02-12  10      yes   4 + 6     = 10
    2      2 (US)             Thu 2024-02-15 12:30  2024-02-12   5      no    2 + 2 + 2 =  6
    3      1 (EU)             Tue 2024-03-05 08:00  2024-03-04   7      yes   2 + 2 + 3 =  7
    4      3 (no region)      Sun 2024-03-10 18:00  2024-03-04   3      no    3         =  3
    5      1 (EU)             Mon 2024-03-11 10:00  2024-03-11   4      no    1 + 3     =  4
    6      2 (US)             Wed 2024-03-13 11:00  2024-03-11   8      yes   5 + 5     = 10

Customer 4 (EU) has placed no order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop

FEB, MAR = date(2024, 2, 1), date(2024, 3, 1)
WEEK_FEB_12, WEEK_MAR_04, WEEK_MAR_11 = date(2024, 2, 12), date(2024, 3, 4), date(2024, 3, 11)
approx = pytest.approx


@dataclass(frozen=True)
class Shop:
    """A deployed copy of the fixture project and its DuckDB file."""

    options: api.Options
    warehouse: Path
    first_run: tuple[tuple[str, str], ...]


def build_shop(root: Path, extra_definitions: str | None = None) -> Shop:
    """A deployed copy of the tiny shop in ``root`` with its own DuckDB file."""
    options = tiny_shop(root, extra_definitions)
    api.seed(options)
    first_run = tuple((result.view.name, result.action) for result in api.run(options))
    return Shop(options, root / "w.duckdb", first_run)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return build_shop(tmp_path_factory.mktemp("tiny_shop"))


def query(
    shop: Shop,
    metrics: list[str],
    group_by: list[str] | None = None,
    where: list[str] | None = None,
    order_by: list[str] | None = None,
    limit: int | None = None,
) -> Any:
    return api.query(
        shop.options,
        metrics=metrics,
        group_by=group_by or [],
        where=where or [],
        order_by=order_by or [],
        limit=limit,
    )


def by_grain(result: Any, grain: tuple[str, ...], metrics: tuple[str, ...]) -> dict[tuple, tuple]:
    """The rows keyed by their group-by values, after checking the column names."""
    assert result.columns == grain + metrics
    table = {row[: len(grain)]: row[len(grain) :] for row in result.rows}
    assert len(table) == len(result.rows), "a group-by value appears on two rows"
    return table


def raw_sql(shop: Shop, sql: str) -> list[tuple]:
    """Run SQL written by the test directly on the warehouse file, bypassing the product."""
    with duckdb.connect(str(shop.warehouse)) as connection:
        return connection.execute(sql).fetchall()


# -- 1. simple metrics ------------------------------------------------------------------------


def test_simple_metrics_by_month(shop: Shop) -> None:
    metrics = (
        "revenue",
        "orders",
        "active_customers",
        "average_amount",
        "smallest_order",
        "largest_order",
        "food_orders",
    )
    result = query(shop, list(metrics), ["metric_time__month"])

    assert by_grain(result, ("metric_time__month",), metrics) == {
        # Feb, orders 1, 2: 10 + 5 = 15; 2 orders; customers {1, 2}; 15 / 2 = 7.5; min 5,
        # max 10; food: order 1 only.
        (FEB,): (15, 2, 2, 7.5, 5, 10, 1),
        # Mar, orders 3-6: 7 + 3 + 4 + 8 = 22; 4 orders; customers {1, 3, 2}; 22 / 4 = 5.5;
        # min 3, max 8; food: orders 3 and 6.
        (MAR,): (22, 4, 3, 5.5, 3, 8, 2),
    }


def test_simple_metrics_without_grain_give_one_row(shop: Shop) -> None:
    metrics = (
        "revenue",
        "orders",
        "active_customers",
        "average_amount",
        "smallest_order",
        "largest_order",
        "food_orders",
        "customers",
        "items_sold",
        "item_revenue",
    )
    result = query(shop, list(metrics))

    # 15 + 22 = 37 over 6 orders by customers {1, 2, 3}; 37 / 6; amounts 3..10; 3 food orders;
    # 4 customers; 13 items priced 10 + 6 + 7 + 3 + 4 + 10 = 40.
    expected = (37, 6, 3, approx(37 / 6), 3, 10, 3, 4, 13, 40)
    assert by_grain(result, (), metrics) == {(): expected}
    totals = raw_sql(
        shop,
        "select sum(amount), count(*), count(distinct customer_id), avg(amount), min(amount),"
        " max(amount), count(*) filter (where is_food),"
        " (select count(*) from raw.raw_customers),"
        " (select count(*) from raw.raw_order_items),"
        " (select sum(product_price) from raw.raw_order_items)"
        " from raw.raw_orders",
    )
    assert totals == [expected]


def test_filtered_simple_metric(shop: Shop) -> None:
    result = query(shop, ["revenue", "food_revenue"], ["metric_time__month"])

    assert by_grain(result, ("metric_time__month",), ("revenue", "food_revenue")) == {
        (FEB,): (15, 10),  # food: order 1 = 10
        (MAR,): (22, 15),  # food: orders 3 and 6 = 7 + 8
    }


# -- 2. ratios ----------------------------------------------------------------------------------


def test_ratio_is_the_ratio_of_sums_not_the_mean_of_row_ratios(shop: Shop) -> None:
    result = query(shop, ["revenue_per_item"], ["metric_time__month"])

    # Feb: (10 + 5) / (2 + 3 items) = 3.0; March: 22 / (3 + 1 + 2 + 2) = 2.75.
    assert by_grain(result, ("metric_time__month",), ("revenue_per_item",)) == {
        (FEB,): (3.0,),
        (MAR,): (2.75,),
    }
    # The mean of per-order ratios differs: Feb (10/2 + 5/3) / 2 = 3.33..., so the data does
    # tell the two apart.
    means = raw_sql(
        shop,
        "select date_trunc('month', o.ordered_at)::date, avg(o.amount / n.items)"
        " from raw.raw_orders o"
        " join (select order_id, count(*) as items from raw.raw_order_items group by 1) n"
        " on n.order_id = o.id group by 1 order by 1",
    )
    assert means == [(FEB, approx(10 / 3)), (MAR, approx((7 / 3 + 3 + 2 + 4) / 4))]


def test_ratio_of_integers_is_true_division(shop: Shop) -> None:
    result = query(shop, ["average_order_value"], ["customer"])

    assert by_grain(result, ("customer",), ("average_order_value",)) == {
        (1,): (7.0,),  # (10 + 7 + 4) / 3 = 21 / 3
        (2,): (6.5,),  # (5 + 8) / 2 = 13 / 2, not 6
        (3,): (3.0,),  # 3 / 1
    }
    by_month = query(shop, ["average_order_value"], ["metric_time__month"])
    assert by_grain(by_month, ("metric_time__month",), ("average_order_value",)) == {
        (FEB,): (7.5,),  # 15 / 2, not 7
        (MAR,): (5.5,),  # 22 / 4, not 5
    }


def test_ratio_is_null_when_the_denominator_is_zero(shop: Shop) -> None:
    result = query(shop, ["revenue", "food_orders", "revenue_per_food_order"], ["customer__region"])

    assert by_grain(
        result, ("customer__region",), ("revenue", "food_orders", "revenue_per_food_order")
    ) == {
        ("EU",): (21, 2, 10.5),  # orders 1, 3, 5: 21 over food orders 1 and 3
        ("US",): (13, 1, 13.0),  # orders 2, 6: 13 over food order 6
        (None,): (3, 0, None),  # order 4 is no food order: 3 / 0
    }


# -- 3. derived metrics -------------------------------------------------------------------------


def test_derived_difference_with_an_alias(shop: Shop) -> None:
    result = query(shop, ["item_revenue", "revenue", "discount"], ["metric_time__month"])

    assert by_grain(result, ("metric_time__month",), ("item_revenue", "revenue", "discount")) == {
        (FEB,): (16, 15, 1),  # items 10 + 6 = 16, paid 15
        (MAR,): (24, 22, 2),  # items 7 + 3 + 4 + 10 = 24, paid 22
    }


def test_derived_division_by_zero_is_null(shop: Shop) -> None:
    result = query(shop, ["revenue_per_food_order_derived"], ["customer__region"])

    assert by_grain(result, ("customer__region",), ("revenue_per_food_order_derived",)) == {
        ("EU",): (10.5,),  # 21 / 2
        ("US",): (13.0,),  # 13 / 1
        (None,): (None,),  # 3 / 0
    }


def test_derived_metric_of_two_ratios(shop: Shop) -> None:
    result = query(shop, ["aov_less_per_item"], ["metric_time__month"])

    assert by_grain(result, ("metric_time__month",), ("aov_less_per_item",)) == {
        (FEB,): (4.5,),  # 15 / 2 - 15 / 5 = 7.5 - 3
        (MAR,): (2.75,),  # 22 / 4 - 22 / 8 = 5.5 - 2.75
    }


# -- 4. dimensions through joins ----------------------------------------------------------------


def test_dimension_through_a_join_keeps_a_null_region_as_its_own_group(shop: Shop) -> None:
    result = query(shop, ["revenue", "orders"], ["customer__region"])

    assert by_grain(result, ("customer__region",), ("revenue", "orders")) == {
        ("EU",): (21, 3),  # customer 1: orders 1, 3, 5 = 10 + 7 + 4; customer 4 has none
        ("US",): (13, 2),  # customer 2: orders 2, 6 = 5 + 8
        (None,): (3, 1),  # customer 3: order 4
    }


def test_group_by_an_entity(shop: Shop) -> None:
    result = query(shop, ["revenue"], ["customer"])

    assert by_grain(result, ("customer",), ("revenue",)) == {(1,): (21,), (2,): (13,), (3,): (3,)}


# -- 5. no fan-out ------------------------------------------------------------------------------


def test_joined_dimension_does_not_repeat_order_rows(shop: Shop) -> None:
    result = query(shop, ["revenue", "orders"], ["customer__region"])
    table = by_grain(result, ("customer__region",), ("revenue", "orders"))

    expected = raw_sql(
        shop,
        "select c.region, sum(o.amount), count(*) from raw.raw_orders o"
        " left join raw.raw_customers c on c.id = o.customer_id group by c.region",
    )
    assert table == {(region,): (revenue, count) for region, revenue, count in expected}
    assert sum(revenue for revenue, _ in table.values()) == 37
    assert raw_sql(shop, "select sum(amount) from raw.raw_orders") == [(37,)]


def test_orders_and_items_sums_in_one_query(shop: Shop) -> None:
    metrics = ("revenue", "item_revenue", "items_sold")
    result = query(shop, list(metrics), ["metric_time__month"])

    # Joining orders to their 13 items first would give Feb revenue 10*2 + 5*3 = 35, not 15.
    assert by_grain(result, ("metric_time__month",), metrics) == {
        (FEB,): (15, 16, 5),  # items 4 + 6 + 2 + 2 + 2
        (MAR,): (22, 24, 8),  # items 2 + 2 + 3 + 3 + 1 + 3 + 5 + 5
    }


def test_orders_and_items_by_a_two_hop_dimension(shop: Shop) -> None:
    metrics = ("revenue", "item_revenue")
    result = query(shop, list(metrics), ["order_id__customer__region"])

    expected_items = raw_sql(
        shop,
        "select c.region, sum(i.product_price) from raw.raw_order_items i"
        " join raw.raw_orders o on o.id = i.order_id"
        " left join raw.raw_customers c on c.id = o.customer_id group by c.region",
    )
    assert dict(((r,), v) for r, v in expected_items) == {("EU",): 21, ("US",): 16, (None,): 3}
    assert by_grain(result, ("order_id__customer__region",), metrics) == {
        ("EU",): (21, 21),  # paid 10 + 7 + 4; items 10 + 7 + 4
        ("US",): (13, 16),  # paid 5 + 8; items 6 + 10
        (None,): (3, 3),
    }


# -- 6. a join that would fan out ---------------------------------------------------------------


def test_a_join_from_one_to_many_is_refused(shop: Shop) -> None:
    # customers -> orders on `customer` is one-to-many (customer is only foreign in orders).
    with pytest.raises(UserError, match="customer__is_food.*multiply rows"):
        query(shop, ["customers"], ["customer__is_food"])


def test_a_measure_of_the_one_side_by_its_own_dimension(shop: Shop) -> None:
    result = query(shop, ["customers"], ["customer__region"])

    assert by_grain(result, ("customer__region",), ("customers",)) == {
        ("EU",): (2,),  # customers 1 and 4
        ("US",): (1,),
        (None,): (1,),
    }


# -- 7. count_distinct per grain ----------------------------------------------------------------


def test_count_distinct_is_recomputed_at_each_grain(shop: Shop) -> None:
    weekly = query(shop, ["active_customers"], ["metric_time__week"])
    monthly = query(shop, ["active_customers"], ["metric_time__month"])

    assert by_grain(weekly, ("metric_time__week",), ("active_customers",)) == {
        (WEEK_FEB_12,): (2,),  # customers 1, 2
        (WEEK_MAR_04,): (2,),  # customers 1, 3
        (WEEK_MAR_11,): (2,),  # customers 1, 2
    }
    # March: {1, 3} and {1, 2} make 3 customers, not 2 + 2.
    assert by_grain(monthly, ("metric_time__month",), ("active_customers",)) == {
        (FEB,): (2,),
        (MAR,): (3,),
    }


# -- 8. ISO weeks -------------------------------------------------------------------------------


def test_weeks_start_on_monday(shop: Shop) -> None:
    result = query(
        shop,
        ["revenue"],
        ["metric_time__day", "metric_time__week"],
        where=["{{ TimeDimension('metric_time', 'day') }} between '2024-03-09' and '2024-03-12'"],
    )

    assert by_grain(result, ("metric_time__day", "metric_time__week"), ("revenue",)) == {
        (date(2024, 3, 10), WEEK_MAR_04): (3,),  # Sunday, order 4
        (date(2024, 3, 11), WEEK_MAR_11): (4,),  # Monday, order 5
    }
    weekly = query(shop, ["revenue", "orders"], ["metric_time__week"])
    assert by_grain(weekly, ("metric_time__week",), ("revenue", "orders")) == {
        (WEEK_FEB_12,): (15, 2),  # orders 1, 2
        (WEEK_MAR_04,): (10, 2),  # orders 3, 4: 7 + 3
        (WEEK_MAR_11,): (12, 2),  # orders 5, 6: 4 + 8
    }


# -- 9. where filters ---------------------------------------------------------------------------


def test_where_on_a_joined_dimension(shop: Shop) -> None:
    result = query(
        shop,
        ["revenue"],
        ["metric_time__month"],
        where=["{{ Dimension('customer__region') }} = 'EU'"],
    )

    assert by_grain(result, ("metric_time__month",), ("revenue",)) == {
        (FEB,): (10,),  # order 1
        (MAR,): (11,),  # orders 3, 5: 7 + 4
    }


def test_where_on_metric_time(shop: Shop) -> None:
    result = query(
        shop,
        ["revenue", "orders"],
        ["metric_time__week"],
        where=["{{ TimeDimension('metric_time', 'day') }} >= '2024-03-10'"],
    )

    assert by_grain(result, ("metric_time__week",), ("revenue", "orders")) == {
        (WEEK_MAR_04,): (3, 1),  # order 4 only (Sunday 10th)
        (WEEK_MAR_11,): (12, 2),  # orders 5, 6
    }


def test_where_on_both_with_metrics_of_two_models(shop: Shop) -> None:
    result = query(
        shop,
        ["revenue", "item_revenue"],
        ["metric_time__week"],
        where=[
            "{{ Dimension('order_id__customer__region') }} = 'EU'",
            "{{ TimeDimension('metric_time', 'day') }} >= '2024-03-01'",
        ],
    )

    assert by_grain(result, ("metric_time__week",), ("revenue", "item_revenue")) == {
        (WEEK_MAR_04,): (7, 7),  # order 3: paid 7, items 2 + 2 + 3
        (WEEK_MAR_11,): (4, 4),  # order 5: paid 4, items 1 + 3
    }


def test_order_by_descending_with_limit(shop: Shop) -> None:
    result = query(shop, ["revenue"], ["customer__region"], order_by=["-revenue"], limit=2)

    assert result.rows == (("EU", 21), ("US", 13))


# -- 10, 11. the exported view and a second run -------------------------------------------------


def test_exported_view_rows(shop: Shop) -> None:
    columns = (
        "metric_time__month",
        "customer__region",
        "revenue",
        "orders",
        "average_order_value",
        "active_customers",
    )
    with duckdb.connect(str(shop.warehouse)) as connection:
        cursor = connection.execute("select * from main.shop_monthly_by_region")
        names = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()

    assert names == columns
    assert sorted(rows, key=lambda row: (row[0], row[1] or "")) == [
        (FEB, "EU", 10, 1, 10.0, 1),  # order 1
        (FEB, "US", 5, 1, 5.0, 1),  # order 2
        (MAR, None, 3, 1, 3.0, 1),  # order 4
        (MAR, "EU", 11, 2, 5.5, 1),  # orders 3, 5 of customer 1: 11 / 2
        (MAR, "US", 8, 1, 8.0, 1),  # order 6
    ]


def test_second_run_leaves_every_view_unchanged(shop: Shop) -> None:
    views = {
        "stg_customers",
        "stg_orders",
        "stg_order_items",
        "order_items",
        "shop_monthly_by_region",
    }
    assert {name for name, _ in shop.first_run} == views

    again = api.run(shop.options)

    assert sorted((r.view.name, r.action) for r in again) == sorted(
        (name, "unchanged") for name in views
    )


# -- Limitations the README promises to report, not to ignore -----------------------------------


FILL_NULLS = """
metrics:
  - name: food_revenue_or_zero
    type: simple
    type_params:
      measure:
        name: revenue
        fill_nulls_with: 0
    filter: "{{ Dimension('order_id__is_food') }}"
"""

NON_ADDITIVE = """
semantic_models:
  - name: order_balances
    model: ref('stg_orders')
    defaults:
      agg_time_dimension: balance_at
    entities:
      - name: balance_order
        type: primary
        expr: order_id
    dimensions:
      - name: balance_at
        type: time
        expr: ordered_at
        type_params:
          time_granularity: day
    measures:
      - name: latest_amount
        expr: amount
        agg: sum
        non_additive_dimension:
          name: balance_at
          window_choice: max
metrics:
  - name: latest_amount
    type: simple
    type_params:
      measure: latest_amount
"""


def _query_or_error(root: Path, definitions: str, metrics: list[str], group_by: list[str]) -> Any:
    try:
        shop = build_shop(root, definitions)
        return query(shop, metrics, group_by)
    except UserError as error:
        return error


def test_fill_nulls_with_is_honoured_or_refused(tmp_path: Path) -> None:
    got = _query_or_error(
        tmp_path, FILL_NULLS, ["revenue", "food_revenue_or_zero"], ["customer__region"]
    )

    if isinstance(got, UserError):
        assert "fill_nulls_with" in str(got)
        return
    # Customer 3 (no region) has no food order: 0 instead of NULL.
    rows = by_grain(got, ("customer__region",), ("revenue", "food_revenue_or_zero"))
    assert rows[(None,)] == (3, 0)


def test_non_additive_dimension_is_honoured_or_refused(tmp_path: Path) -> None:
    got = _query_or_error(tmp_path, NON_ADDITIVE, ["latest_amount"], [])

    if isinstance(got, UserError):
        assert "non_additive_dimension" in str(got)
        return
    # Only the last day's rows count: order 6 on 2024-03-13, amount 8 (not 37).
    assert got.rows == ((8,),)
