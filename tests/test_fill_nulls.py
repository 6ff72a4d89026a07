"""fill_nulls_with and join_to_timespine, carried through ratio and derived metrics. Values
worked out by hand from the tiny shop:

    order  customer (region)  day         amount  food
    1      1 (EU)             Mon 02-12   10      yes
    2      2 (US)             Thu 02-15    5      no
    3      1 (EU)             Tue 03-05    7      yes
    4      3 (none)           Sun 03-10    3      no
    5      1 (EU)             Mon 03-11    4      no
    6      2 (US)             Wed 03-13    8      yes
"""

from __future__ import annotations

from datetime import date

import pytest

from semantic_layer import api
from tests.helpers import tiny_shop

FILLED = """
metrics:
  - name: food_revenue_or_zero
    type: simple
    type_params:
      measure: {name: revenue, fill_nulls_with: 0}
    filter: "{{ Dimension('order_id__is_food') }}"
  - name: daily_revenue
    type: simple
    type_params:
      measure: {name: revenue, fill_nulls_with: 0, join_to_timespine: true}
  - name: food_share_filled
    type: ratio
    type_params:
      numerator: food_revenue_or_zero
      denominator: revenue
  - name: food_share
    type: ratio
    type_params:
      numerator: food_revenue
      denominator: revenue
  - name: non_food_filled
    type: derived
    type_params:
      expr: revenue - food
      metrics:
        - name: revenue
        - name: food_revenue_or_zero
          alias: food
  - name: non_food
    type: derived
    type_params:
      expr: revenue - food
      metrics:
        - name: revenue
        - name: food_revenue
          alias: food
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("fill"), FILLED)
    api.seed(options)
    api.run(options)
    return options


def _query(options: api.Options, metrics: list[str], group_by: list[str]):  # type: ignore[no-untyped-def]
    return api.query(options, metrics=metrics, group_by=group_by, where=[], order_by=group_by,
                     limit=None).rows  # fmt: skip


def test_fill_nulls_with_gives_zero_where_a_group_has_no_matching_rows(shop: api.Options) -> None:
    rows = {r[0]: r[1:] for r in _query(shop, ["revenue", "food_revenue_or_zero",
                                              "food_revenue"], ["customer__region"])}  # fmt: skip
    assert rows[None] == (3, 0, None)  # customer 3 bought no food
    assert rows["US"] == (13, 8, 8)


def test_fill_nulls_with_inside_a_ratio(shop: api.Options) -> None:
    rows = {r[0]: r[1:] for r in _query(shop, ["food_share_filled", "food_share"],
                                        ["customer__region"])}  # fmt: skip
    assert rows[None] == (0.0, None)  # 0 / 3 against unknown / 3
    assert rows["EU"] == (pytest.approx(17 / 21), pytest.approx(17 / 21))


def test_a_derived_metric_is_null_when_an_input_is_missing_unless_it_fills(
    shop: api.Options,
) -> None:
    rows = {r[0]: r[1:] for r in _query(shop, ["non_food_filled", "non_food"],
                                        ["customer__region"])}  # fmt: skip
    assert rows[None] == (3, None)


def test_join_to_timespine_shows_every_day_with_zero_where_nothing_sold(shop: api.Options) -> None:
    rows = dict(_query(shop, ["daily_revenue"], ["metric_time__day"]))
    assert len(rows) == 31  # 12 February to 13 March
    assert rows[date(2024, 2, 13)] == 0
    assert rows[date(2024, 3, 10)] == 3
    assert sum(rows.values()) == 37


def test_join_to_timespine_at_week_grain_shows_the_empty_weeks(shop: api.Options) -> None:
    rows = dict(_query(shop, ["daily_revenue"], ["metric_time__week"]))
    assert rows == {
        date(2024, 2, 12): 15,
        date(2024, 2, 19): 0,
        date(2024, 2, 26): 0,
        date(2024, 3, 4): 10,
        date(2024, 3, 11): 12,
    }


def test_join_to_timespine_without_metric_time_leaves_the_rows_as_they_are(
    shop: api.Options,
) -> None:
    assert _query(shop, ["daily_revenue"], []) == ((37,),)
