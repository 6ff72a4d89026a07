"""Date parts (metric_time__extract_dow and friends) on the tiny shop, counted by hand.

order  ordered_at            ISO day of week   day of year
1      Mon 2024-02-12        1                 43
2      Thu 2024-02-15        4                 46
3      Tue 2024-03-05        2                 65
4      Sun 2024-03-10        7                 70
5      Mon 2024-03-11        1                 71
6      Wed 2024-03-13        3                 73
"""

from __future__ import annotations

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("parts"))
    api.seed(options)
    api.run(options)
    return options


def _rows(options: api.Options, **request):  # type: ignore[no-untyped-def]
    defaults = {"group_by": [], "where": [], "order_by": [], "limit": None}
    return api.query(options, **{**defaults, **request}).rows


def test_orders_by_iso_day_of_week(shop: api.Options) -> None:
    rows = _rows(shop, metrics=["orders"], group_by=["metric_time__extract_dow"],
                 order_by=["metric_time__extract_dow"])  # fmt: skip
    assert rows == ((1, 2), (2, 1), (3, 1), (4, 1), (7, 1))


def test_date_parts_written_as_a_call_in_a_filter(shop: api.Options) -> None:
    # Days of year above 65: orders 4, 5 and 6, amounts 3 + 4 + 8.
    rows = _rows(
        shop,
        metrics=["revenue"],
        group_by=["metric_time__extract_month"],
        where=["{{ TimeDimension('metric_time', date_part_name='doy') }} > 65"],
    )
    assert rows == ((3, 15),)


def test_a_date_part_of_a_joined_time_dimension(shop: api.Options) -> None:
    # Customers signed up 2024-01-05 (Ann), 2024-01-20 (Bob), 2024-02-01 (Cid): revenue of
    # customers who signed up in January is Ann's 10 + 7 + 4 and Bob's 5 + 8.
    rows = _rows(
        shop,
        metrics=["revenue"],
        group_by=["customer__signed_up_at__extract_month"],
        order_by=["customer__signed_up_at__extract_month"],
    )
    assert rows == ((1, 34), (2, 3))


def test_a_date_part_finer_than_the_recorded_grain_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
semantic_models:
  - name: monthly
    model: ref('stg_orders')
    defaults:
      agg_time_dimension: ordered_month
    entities:
      - name: monthly_order
        type: primary
        expr: order_id
    dimensions:
      - name: ordered_month
        type: time
        expr: date_trunc('month', ordered_at)
        type_params:
          time_granularity: month
    measures:
      - name: monthly_amount
        expr: amount
        agg: sum
metrics:
  - name: monthly_amount
    type: simple
    type_params: {measure: monthly_amount}
"""
    options = tiny_shop(tmp_path, extra)
    with pytest.raises(UserError, match="does not tell its dow"):
        api.plan_query(options, metrics=["monthly_amount"], group_by=["metric_time__extract_dow"],
                       where=[], order_by=[], limit=None)  # fmt: skip
