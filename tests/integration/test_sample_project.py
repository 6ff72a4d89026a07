"""The sample project end to end: its views give what plain SQL on the raw tables gives."""

from __future__ import annotations

import math

import duckdb
import pytest

from semantic_layer import api

pytestmark = pytest.mark.slow

# Plain SQL over the raw CSV tables, written for this test and independent of the product:
# amounts are in cents, a repeat order is any order after a customer's first one.
NORTH_STAR_BY_HAND = """
with orders as (
    select
        id, customer, order_total / 100.0 as order_total,
        cast(date_trunc('month', cast(ordered_at as timestamp)) as date) as month,
        row_number() over (partition by customer order by cast(ordered_at as timestamp), id) > 1
            as is_repeat
    from raw.raw_orders
),
monthly as (
    select
        month,
        count(distinct case when is_repeat then customer end) as repeat_customers,
        count(distinct customer) as active_customers,
        count(*) as orders,
        sum(order_total) as revenue
    from orders group by month
),
first_orders as (
    select cast(date_trunc('month', min(cast(ordered_at as timestamp))) as date) as month,
           customer
    from raw.raw_orders group by customer
),
new_customers as (select month, count(*) as new_customers from first_orders group by month),
items as (
    select cast(date_trunc('month', cast(o.ordered_at as timestamp)) as date) as month,
           p.price / 100.0 as price, p.type = 'jaffle' as is_food
    from raw.raw_items as i
    join raw.raw_orders as o on o.id = i.order_id
    join raw.raw_products as p on p.sku = i.sku
),
food as (
    select month, sum(case when is_food then price else 0 end) / sum(price) as food_share
    from items group by month
)
select m.month, m.repeat_customers, m.active_customers,
       m.repeat_customers / m.active_customers as repeat_rate, m.orders, m.revenue,
       m.revenue / m.orders as average_order_value, n.new_customers, f.food_share
from monthly as m
left join new_customers as n using (month)
left join food as f using (month)
order by m.month
"""


def _rows(database, sql):  # type: ignore[no-untyped-def]
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _same(actual, expected) -> None:  # type: ignore[no-untyped-def]
    assert len(actual) == len(expected)
    for got_row, want_row in zip(actual, expected, strict=True):
        assert len(got_row) == len(want_row)
        for got, want in zip(got_row, want_row, strict=True):
            if isinstance(want, float) or isinstance(got, float):
                assert math.isclose(float(got), float(want), rel_tol=1e-9), (got_row, want_row)
            else:
                assert got == want, (got_row, want_row)


def test_north_star_view_matches_plain_sql_on_raw_tables(sample_project) -> None:  # type: ignore[no-untyped-def]
    _, database, _ = sample_project
    expected = _rows(database, NORTH_STAR_BY_HAND)
    actual = _rows(
        database,
        "select metric_time__month, repeat_customers, active_customers, repeat_rate, orders, "
        "revenue, average_order_value, new_customers, food_share "
        "from main.north_star_monthly order by 1",
    )
    assert len(expected) >= 12  # at least one year of orders
    _same(actual, expected)


def test_weekly_view_uses_monday_weeks_and_recounts_distinct_customers(sample_project) -> None:  # type: ignore[no-untyped-def]
    _, database, _ = sample_project
    expected = _rows(
        database,
        """
        select cast(cast(ordered_at as timestamp) as date)
                   - cast(isodow(cast(ordered_at as timestamp)) - 1 as integer) as week,
               count(distinct customer), count(*)
        from raw.raw_orders group by week order by week
        """,
    )
    actual = _rows(
        database,
        "select metric_time__week, active_customers, orders from main.north_star_weekly order by 1",
    )
    _same(actual, expected)
    assert all(row[0].isoweekday() == 1 for row in actual)


def test_weekly_active_customers_over_28_days_as_of_each_weeks_last_day(sample_project) -> None:  # type: ignore[no-untyped-def]
    _, database, _ = sample_project
    expected = _rows(
        database,
        """
        with orders as (
            select cast(cast(ordered_at as timestamp) as date) as day, customer
            from raw.raw_orders
        ),
        bounds as (select min(day) as first_day, max(day) as last_day from orders),
        days as (
            select cast(unnest(range(first_day, last_day + 1, interval 1 day)) as date) as day
            from bounds
        ),
        week_ends as (
            select cast(date_trunc('week', day) as date) as week, max(day) as day
            from days group by 1
        )
        select w.week, count(distinct o.customer)
        from week_ends as w join orders as o on o.day <= w.day and o.day > w.day - 28
        group by 1 order by 1
        """,
    )
    actual = _rows(
        database,
        "select metric_time__week, active_customers_28_days from main.north_star_weekly order by 1",
    )
    _same(actual, expected)


def test_location_view_reaches_the_location_name_through_a_join(sample_project) -> None:  # type: ignore[no-untyped-def]
    _, database, _ = sample_project
    expected = _rows(
        database,
        """
        select cast(date_trunc('month', cast(o.ordered_at as timestamp)) as date) as month,
               s.name, sum(o.order_total) / 100.0, count(*), count(distinct o.customer)
        from raw.raw_orders as o join raw.raw_stores as s on s.id = o.store_id
        group by all order by 1, 2
        """,
    )
    actual = _rows(
        database,
        "select metric_time__month, location__location_name, revenue, orders, active_customers "
        "from main.kpis_by_location_monthly order by 1, 2",
    )
    _same(actual, expected)


def test_second_run_changes_nothing(sample_project) -> None:  # type: ignore[no-untyped-def]
    options, _, first_run = sample_project
    assert {result.action for result in first_run} == {"created"}
    second = api.run(options)
    assert [result.action for result in second] == ["unchanged"] * len(first_run)


def test_ad_hoc_query_with_a_filter_on_a_joined_dimension(sample_project) -> None:  # type: ignore[no-untyped-def]
    options, database, _ = sample_project
    result = api.query(
        options,
        metrics=["orders", "revenue"],
        group_by=["metric_time__year"],
        where=["{{ Dimension('location__location_name') }} = 'Philadelphia'"],
        order_by=["metric_time__year"],
        limit=None,
    )
    expected = _rows(
        database,
        """
        select cast(date_trunc('year', cast(o.ordered_at as timestamp)) as date), count(*),
               sum(o.order_total) / 100.0
        from raw.raw_orders as o join raw.raw_stores as s on s.id = o.store_id
        where s.name = 'Philadelphia' group by 1 order by 1
        """,
    )
    assert result.columns == ("metric_time__year", "orders", "revenue")
    _same(result.rows, expected)
