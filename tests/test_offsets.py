"""Offsets on derived-metric inputs: each period reads an earlier one, calendar-aligned at
the query's grain. Expected values are worked out by hand from the tiny shop:

    order  day         amount          weeks (Monday)
    1      Mon 02-12   10              02-12: 10 + 5
    2      Thu 02-15    5              03-04: 7 + 3
    3      Tue 03-05    7              03-11: 4 + 8
    4      Sun 03-10    3
    5      Mon 03-11    4              months: February 15, March 22
    6      Wed 03-13    8
"""

from __future__ import annotations

from datetime import date

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from semantic_layer.validate.issues import ProjectInvalid
from tests.helpers import tiny_shop

OFFSETS = """
metrics:
  - name: revenue_growth
    type: derived
    type_params:
      expr: revenue - revenue_last_month
      metrics:
        - name: revenue
        - name: revenue
          alias: revenue_last_month
          offset_window: 1 month
  - name: revenue_week_before
    type: derived
    type_params:
      expr: before
      metrics:
        - name: revenue
          alias: before
          offset_window: 7 days
  - name: revenue_running
    type: cumulative
    type_params:
      measure: revenue
  - name: revenue_at_month_start
    type: derived
    type_params:
      expr: start
      metrics:
        - name: revenue_running
          alias: start
          offset_to_grain: month
  - name: value_per_order_last_month
    type: derived
    type_params:
      expr: previous
      metrics:
        - name: average_order_value
          alias: previous
          offset_window: 1 month
  - name: revenue_3_days_before
    type: derived
    type_params:
      expr: 2 * revenue
      metrics:
        - {name: revenue, offset_window: 3 days}
  - name: revenue_5_days_before
    type: derived
    type_params:
      expr: earlier
      metrics:
        - {name: revenue_3_days_before, offset_window: 2 days, alias: earlier}
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("offsets"), OFFSETS)
    api.seed(options)
    api.run(options)
    return options


def _rows(options: api.Options, metrics: list[str], grain: str, where=None):  # type: ignore[no-untyped-def]
    column = f"metric_time__{grain}"
    return api.query(options, metrics=metrics, group_by=[column], where=where or [],
                     order_by=[column], limit=None).rows  # fmt: skip


def test_month_over_month_keeps_a_first_month_without_prior_data(shop: api.Options) -> None:
    assert _rows(shop, ["revenue", "revenue_growth"], "month") == (
        (date(2024, 2, 1), 15, None),  # no January: the row stays, the growth is unknown
        (date(2024, 3, 1), 22, 7),  # 22 - 15
    )


def test_week_over_week_at_week_grain(shop: api.Options) -> None:
    rows = dict((r[0], r[2]) for r in _rows(shop, ["revenue", "revenue_week_before"], "week"))
    assert rows[date(2024, 2, 19)] == 15  # the week of 12 Feb
    assert rows[date(2024, 3, 4)] is None  # the week of 26 Feb had no orders
    assert rows[date(2024, 3, 11)] == 10  # the week of 4 Mar


def test_seven_days_before_at_day_grain(shop: api.Options) -> None:
    rows = dict(_rows(shop, ["revenue_week_before"], "day"))
    assert rows[date(2024, 2, 19)] == 10
    assert rows[date(2024, 2, 22)] == 5
    assert rows[date(2024, 3, 12)] == 7
    assert rows.get(date(2024, 3, 11)) is None  # 4 Mar had no order


def test_offset_to_grain_reads_the_start_of_the_month(shop: api.Options) -> None:
    rows = dict(_rows(shop, ["revenue_at_month_start"], "day"))
    assert rows.get(date(2024, 2, 20)) is None  # nothing ran yet on 1 Feb
    assert rows[date(2024, 3, 13)] == 15  # the running total on 1 Mar


def test_an_offset_ratio_is_the_earlier_ratio_of_sums(shop: api.Options) -> None:
    rows = dict(_rows(shop, ["value_per_order_last_month"], "month"))
    assert rows[date(2024, 3, 1)] == pytest.approx(15 / 2)  # February: 15 over 2 orders


def test_a_metric_time_filter_keeps_the_earlier_period_readable(shop: api.Options) -> None:
    where = ["{{ TimeDimension('metric_time', 'month') }} = '2024-03-01'"]
    assert _rows(shop, ["revenue", "revenue_growth"], "month", where) == (
        (date(2024, 3, 1), 22, 7),
    )


def test_month_offsets_compare_whole_months_of_any_length(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, OFFSETS)
    (options.project_dir / "models" / "staging" / "stg_orders.sql").write_text(
        "select * from (values "
        "(1, 1, timestamp '2023-01-31 10:00', 100, true),"
        "(2, 1, timestamp '2023-02-28 10:00', 10, true),"
        "(3, 2, timestamp '2023-03-31 10:00', 1, true),"
        "(4, 2, timestamp '2023-04-30 10:00', 1000, true)"
        ") as t(order_id, customer_id, ordered_at, amount, is_food)"
    )
    api.seed(options)
    api.run(options)
    rows = _rows(options, ["revenue", "revenue_growth"], "month")
    # Each month reads the whole month before it, once: 10 - 100, 1 - 10, 1000 - 1. A day-by-day
    # shift would read 28 February for 28, 29, 30 and 31 March and count it four times.
    assert rows == (
        (date(2023, 1, 1), 100, None),
        (date(2023, 2, 1), 10, -90),
        (date(2023, 3, 1), 1, -9),
        (date(2023, 4, 1), 1000, 999),
    )


def test_offsets_need_metric_time(shop: api.Options) -> None:
    with pytest.raises(UserError, match="needs exactly one metric_time column"):
        api.plan_query(shop, metrics=["revenue_growth"], group_by=["customer__region"], where=[],
                       order_by=[], limit=None)  # fmt: skip


def test_an_offset_on_a_ratio_input_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
metrics:
  - name: shifted_ratio
    type: ratio
    type_params:
      numerator: {name: revenue, offset_window: 1 month}
      denominator: orders
"""
    with pytest.raises(UserError, match="allowed only on the inputs of a derived metric"):
        api.validate(tiny_shop(tmp_path, extra))


def test_month_offsets_at_month_grain_run_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, OFFSETS)
    (options.profiles_dir / "profiles.yml").write_text(
        "tiny_shop:\n  target: lite\n  outputs:\n    lite:\n      type: sqlite\n"
        f"      path: '{tmp_path / 'w.sqlite'}'\n      schema: main\n"
    )
    api.seed(options)
    api.run(options)
    rows = _rows(options, ["revenue", "revenue_growth"], "month")
    assert rows == (("2024-02-01", 15, None), ("2024-03-01", 22, 7))  # SQLite keeps dates as text


def test_offsets_read_with_an_offset_add_up(shop: api.Options) -> None:
    # 3 days, then 2 days: each day reads twice the revenue of 5 days before it, from the
    # first to the last day with orders (12 Feb to 13 Mar).
    assert _rows(shop, ["revenue_5_days_before"], "day") == (
        (date(2024, 2, 17), 20),  # 12 Feb: 10
        (date(2024, 2, 20), 10),  # 15 Feb: 5
        (date(2024, 3, 10), 14),  # 5 Mar: 7
    )


def test_offsets_of_days_and_months_do_not_add_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(
        tmp_path,
        OFFSETS
        + """\
  - name: revenue_growth_a_week_later
    type: derived
    type_params:
      expr: growth
      metrics:
        - {name: revenue_growth, offset_window: 1 week, alias: growth}
""",
    )

    with pytest.raises(ProjectInvalid, match="offsets nest only as windows in hours, days and"):
        api.compile_views(options)
