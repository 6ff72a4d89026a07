"""Cumulative metrics on the tiny shop, against sums worked out by hand.

    order  customer  day         amount
    1      1         Mon 02-12   10
    2      2         Thu 02-15    5
    3      1         Tue 03-05    7
    4      3         Sun 03-10    3
    5      1         Mon 03-11    4
    6      2         Wed 03-13    8

Days run from the first to the last day of data (2024-02-12 to 2024-03-13), every day of the
calendar between them, whether it has orders or not.
"""

from __future__ import annotations

from datetime import date

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop

CUMULATIVE = """
metrics:
  - name: revenue_all_time
    type: cumulative
    type_params:
      measure: revenue
  - name: revenue_7_days
    type: cumulative
    type_params:
      measure: revenue
      cumulative_type_params:
        window: 7 days
  - name: revenue_1_week
    type: cumulative
    type_params:
      measure: revenue
      window: 1 week
  - name: revenue_month_to_date
    type: cumulative
    type_params:
      measure: revenue
      grain_to_date: month
  - name: revenue_all_time_last
    type: cumulative
    type_params:
      measure: revenue
      cumulative_type_params:
        period_agg: last
  - name: revenue_all_time_average
    type: cumulative
    type_params:
      measure: revenue
      cumulative_type_params:
        period_agg: average
  - name: customers_7_days
    type: cumulative
    type_params:
      measure: customers_with_orders
      cumulative_type_params:
        window: 7 days
  - name: revenue_1_month
    type: cumulative
    type_params:
      measure: revenue
      cumulative_type_params:
        window: 1 month
  - name: largest_7_days
    type: cumulative
    type_params:
      measure: largest_amount
      cumulative_type_params:
        window: 7 days
  - name: smallest_7_days
    type: cumulative
    type_params:
      measure: smallest_amount
      cumulative_type_params:
        window: 7 days
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("cumulative"), CUMULATIVE)
    api.seed(options)
    api.run(options)
    return options


def _by_day(options: api.Options, metric: str, where: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    result = api.query(options, metrics=[metric], group_by=["metric_time__day"],
                       where=where or [], order_by=[], limit=None)  # fmt: skip
    return dict(result.rows)


def test_all_time_running_total_covers_days_without_orders(shop: api.Options) -> None:
    days = _by_day(shop, "revenue_all_time")
    assert len(days) == 31  # 12 February to 13 March 2024, a leap year
    assert days[date(2024, 2, 12)] == 10
    assert days[date(2024, 2, 13)] == 10  # no order that day
    assert days[date(2024, 3, 4)] == 15
    assert days[date(2024, 3, 11)] == 29  # 10 + 5 + 7 + 3 + 4
    assert days[date(2024, 3, 13)] == 37


def test_a_7_day_window_ends_on_each_day_and_includes_it(shop: api.Options) -> None:
    days = _by_day(shop, "revenue_7_days")
    assert days[date(2024, 2, 18)] == 15  # 12 Feb to 18 Feb: 10 + 5
    assert days[date(2024, 2, 19)] == 5  # 13 Feb to 19 Feb: the 12th has left the window
    assert days[date(2024, 3, 11)] == 14  # 5 Mar to 11 Mar: 7 + 3 + 4
    assert days[date(2024, 3, 13)] == 15  # 7 Mar to 13 Mar: 3 + 4 + 8
    assert days.get(date(2024, 3, 1)) is None  # nothing in 24 Feb to 1 Mar


def test_a_1_week_window_equals_a_7_day_window(shop: api.Options) -> None:
    assert _by_day(shop, "revenue_1_week") == _by_day(shop, "revenue_7_days")


def test_month_to_date_restarts_each_month(shop: api.Options) -> None:
    days = _by_day(shop, "revenue_month_to_date")
    assert days[date(2024, 2, 29)] == 15
    assert days.get(date(2024, 3, 1)) is None  # a new month, no order yet
    assert days[date(2024, 3, 10)] == 10  # 7 + 3


def test_a_1_month_window_is_calendar_aware(shop: api.Options) -> None:
    days = _by_day(shop, "revenue_1_month")
    # 13 March reaches back to (but not including) 13 February: 5 + 7 + 3 + 4 + 8.
    assert days[date(2024, 3, 13)] == 27
    # 12 March reaches back to 12 February exclusive, so order 1 has just left: 27 - 8.
    assert days[date(2024, 3, 12)] == 19


def test_the_largest_and_smallest_amounts_of_a_7_day_window(shop: api.Options) -> None:
    largest, smallest = _by_day(shop, "largest_7_days"), _by_day(shop, "smallest_7_days")
    assert (largest[date(2024, 2, 18)], smallest[date(2024, 2, 18)]) == (10, 5)  # 10 and 5
    assert (largest[date(2024, 2, 19)], smallest[date(2024, 2, 19)]) == (5, 5)  # 5 alone
    assert (largest[date(2024, 3, 11)], smallest[date(2024, 3, 11)]) == (7, 3)  # 7, 3, 4
    assert (largest[date(2024, 3, 13)], smallest[date(2024, 3, 13)]) == (8, 3)  # 3, 4, 8


def test_a_window_recounts_distinct_customers(shop: api.Options) -> None:
    days = _by_day(shop, "customers_7_days")
    assert days[date(2024, 3, 11)] == 2  # customers 1 and 3 (customer 1 twice)
    assert days[date(2024, 3, 13)] == 3  # customers 3, 1 and 2


def test_a_metric_time_filter_limits_the_days_shown_not_the_history(shop: api.Options) -> None:
    where = ["{{ TimeDimension('metric_time', 'day') }} >= '2024-03-11'"]
    days = _by_day(shop, "revenue_7_days", where)
    assert days == {date(2024, 3, 11): 14, date(2024, 3, 12): 7, date(2024, 3, 13): 15}


@pytest.mark.parametrize(
    ("metric", "february", "march"),
    [
        ("revenue_all_time", 10, 15),  # first day shown: 12 Feb, 1 Mar (the default)
        ("revenue_all_time_last", 15, 37),  # 29 Feb, 13 Mar
        # February: 3 days at 10 and 15 days at 15; March: 4 days at 15, 5 at 22, 25, 29,
        # 29, 37
        ("revenue_all_time_average", 255 / 18, (4 * 15 + 5 * 22 + 25 + 29 + 29 + 37) / 13),
    ],
)
def test_period_agg_at_month_grain(shop, metric, february, march) -> None:  # type: ignore[no-untyped-def]
    result = api.query(shop, metrics=[metric], group_by=["metric_time__month"], where=[],
                       order_by=["metric_time__month"], limit=None)  # fmt: skip
    (feb, got_february), (mar, got_march) = result.rows
    assert (feb, mar) == (date(2024, 2, 1), date(2024, 3, 1))
    assert got_february == pytest.approx(february)
    assert got_march == pytest.approx(march)


def test_cumulative_beside_a_plain_metric_by_a_joined_dimension(shop: api.Options) -> None:
    result = api.query(
        shop,
        metrics=["revenue", "revenue_all_time_last"],
        group_by=["metric_time__month", "customer__region"],
        where=[],
        order_by=["metric_time__month", "customer__region"],
        limit=None,
    )
    rows = {(r[0], r[1]): (r[2], r[3]) for r in result.rows}
    assert rows[(date(2024, 2, 1), "EU")] == (10, 10)
    assert rows[(date(2024, 3, 1), "EU")] == (11, 21)  # 7 + 4 in March; 10 + 7 + 4 so far
    assert rows[(date(2024, 3, 1), "US")] == (8, 13)
    assert rows[(date(2024, 3, 1), None)] == (3, 3)


def test_cumulative_without_metric_time_is_refused(shop: api.Options) -> None:
    with pytest.raises(UserError, match="needs exactly one metric_time column"):
        api.plan_query(shop, metrics=["revenue_all_time"], group_by=["customer__region"],
                       where=[], order_by=[], limit=None)  # fmt: skip


def test_a_window_and_a_grain_to_date_together_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
metrics:
  - name: both
    type: cumulative
    type_params:
      measure: revenue
      cumulative_type_params: {window: 7 days, grain_to_date: month}
"""
    with pytest.raises(UserError, match="a window or a grain_to_date, not both"):
        api.validate(tiny_shop(tmp_path, extra))


MONTHLY = """
semantic_models:
  - name: monthly_targets
    model: ref('monthly_targets')
    defaults: {agg_time_dimension: target_month}
    entities:
      - {name: target, type: primary, expr: target_id}
    dimensions:
      - {name: target_month, type: time, type_params: {time_granularity: month}}
    measures:
      - {name: target_amount, expr: amount, agg: sum}
metrics:
  - name: targets_so_far
    type: cumulative
    type_params: {measure: target_amount}
"""


def test_a_measure_recorded_by_month_accumulates_month_by_month(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, MONTHLY)
    (options.project_dir / "models" / "marts" / "monthly_targets.sql").write_text(
        "select * from (values (1, date '2024-01-01', 10), (2, date '2024-03-01', 5)) "
        "as t(target_id, target_month, amount)"
    )
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=["targets_so_far"], group_by=["metric_time__month"],
                       where=[], order_by=["metric_time__month"], limit=None)  # fmt: skip
    # February has no row of its own and still shows January's 10.
    assert result.rows == ((date(2024, 1, 1), 10), (date(2024, 2, 1), 10), (date(2024, 3, 1), 15))


def test_a_date_part_of_metric_time_beside_a_cumulative_metric_is_refused(shop) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError, match="cannot be read by metric_time__extract_dow"):
        api.plan_query(shop, metrics=["revenue_7_days"],
                       group_by=["metric_time__day", "metric_time__extract_dow"], where=[],
                       order_by=[], limit=None)  # fmt: skip


def test_an_order_centuries_old_leaves_the_recent_days_right(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The spine reaches 10**5 days (about 274 years) back from the last day of data; an order
    # of 1700 lies beyond it, so its day is not shown, but every recent day is, and the
    # running total still counts its amount of 1: 12 Feb 10 + 1, 15 Feb 15 + 1.
    options = tiny_shop(
        tmp_path,
        """
metrics:
  - name: revenue_all_time
    type: cumulative
    type_params: {measure: revenue}
  - name: revenue_7_days
    type: cumulative
    type_params: {measure: revenue, window: 7 days}
""",
    )
    seeds = options.project_dir / "seeds" / "raw_orders.csv"
    seeds.write_text(seeds.read_text() + "7,4,1700-01-01 00:00:00,1,false\n")
    api.seed(options)
    api.run(options)
    where = ["{{ TimeDimension('metric_time', 'day') }} >= '2024-01-01'"]

    rows = dict((day, values) for day, *values in api.query(
        options, metrics=["revenue_all_time", "revenue_7_days"], group_by=["metric_time__day"],
        where=where, order_by=[], limit=None).rows)  # fmt: skip

    assert rows[date(2024, 2, 12)] == [11, 10]
    assert rows[date(2024, 2, 15)] == [16, 15]
    assert rows[date(2024, 3, 13)] == [38, 15]  # 37 of 2024, and 1 of 1700
