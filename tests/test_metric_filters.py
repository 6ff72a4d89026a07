"""Metric() in filters: a metric computed per entity, then used to choose rows. Worked by hand
from the tiny shop:

    customer (region)  orders  amounts        revenue
    1 (EU)             3       10, 7, 4       21
    2 (US)             2       5, 8           13
    3 (none)           1       3              3
    4 (EU)             0                      -
"""

from __future__ import annotations

from datetime import date

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop

EXTRA = """
metrics:
  - name: revenue_from_regulars
    type: simple
    type_params: {measure: revenue}
    filter: "{{ Metric('orders', group_by=['customer']) }} >= 3"
  - name: looping
    type: simple
    type_params: {measure: revenue}
    filter: "{{ Metric('looping', group_by=['customer']) }} > 0"
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("metric_filters"), EXTRA)
    (options.project_dir / "models" / "semantic" / "extra.yml").write_text(
        EXTRA.split("  - name: looping")[0]
    )
    api.seed(options)
    api.run(options)
    return options


def _query(options: api.Options, metrics: list[str], group_by: list[str], where: list[str]):  # type: ignore[no-untyped-def]
    return api.query(options, metrics=metrics, group_by=group_by, where=where,
                     order_by=group_by, limit=None).rows  # fmt: skip


MORE_THAN_ONE_ORDER = "{{ Metric('orders', group_by=['customer']) }} > 1"


def test_a_query_filter_on_a_metric_per_customer(shop: api.Options) -> None:
    assert _query(shop, ["revenue"], [], [MORE_THAN_ONE_ORDER]) == ((34,),)  # 21 + 13


def test_the_metric_is_computed_over_all_time_whatever_the_grain(shop: api.Options) -> None:
    assert _query(shop, ["revenue"], ["metric_time__month"], [MORE_THAN_ONE_ORDER]) == (
        (date(2024, 2, 1), 15),  # customers 1 and 2: 10 + 5
        (date(2024, 3, 1), 19),  # 7 + 4 + 8; customer 3's 3 is left out
    )


def test_a_metric_filter_written_on_a_metric(shop: api.Options) -> None:
    assert _query(shop, ["revenue_from_regulars", "revenue"], [], []) == ((21, 37),)


def test_a_metric_of_another_model_chooses_customers(shop: api.Options) -> None:
    # Customers whose revenue passes 10: customers 1 and 2; customer 4 has no revenue at all.
    where = ["{{ Metric('revenue', group_by=['customer']) }} > 10"]
    assert _query(shop, ["customers"], [], where) == ((2,),)


def test_metric_filters_may_not_loop(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, EXTRA)
    with pytest.raises(UserError, match="cycle"):
        api.validate(options)


def test_metric_needs_a_group_by(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    with pytest.raises(UserError, match="takes a metric name and group_by"):
        api.plan_query(options, metrics=["revenue"], group_by=[],
                       where=["{{ Metric('orders') }} > 1"], order_by=[], limit=None)  # fmt: skip
