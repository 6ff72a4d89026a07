"""Conversion metrics: visits followed by purchases of the same user. Worked by hand:

    visit  user  when              product      purchase  user  when              product
    v1     1     01-01 10:00       A            p1        1     01-04 10:00       A
    v2     1     01-03 09:00       A            p2        1     01-20 10:00       A
    v3     2     01-02 12:00       B            p3        2     01-02 11:00       B
    v4     3     01-05 08:00       A            p4        3     02-02 08:00       A
    v5     3     02-01 08:00       B

With a 7-day window each purchase goes to the latest visit of its user at or before it:
p1 to v2 (January), p2 is 17 days after v2 (too late), p3 came before any visit of user 2,
p4 to v5 (February). So January converts 1 of 4 visits and February 1 of 1. Without a window
p2 also counts, for v2. When the product must be the same, p4 has only v4 (product A), 28 days
earlier: too late.

A filter on the conversion measure keeps only the purchases it names: from 10 January on, p1
is gone, so v2 is credited with p2 alone and January counts 1 conversion.
"""

from __future__ import annotations

from datetime import date

import pytest

from semantic_layer import api
from tests.helpers import tiny_shop

EVENTS_SQL = {
    "visits": """
select * from (values
    (1, 1, timestamp '2024-01-01 10:00', 'A'), (2, 1, timestamp '2024-01-03 09:00', 'A'),
    (3, 2, timestamp '2024-01-02 12:00', 'B'), (4, 3, timestamp '2024-01-05 08:00', 'A'),
    (5, 3, timestamp '2024-02-01 08:00', 'B')
) as t(visit_id, user_id, visited_at, product)
""",
    "purchases": """
select * from (values
    (1, 1, timestamp '2024-01-04 10:00', 'A'), (2, 1, timestamp '2024-01-20 10:00', 'A'),
    (3, 2, timestamp '2024-01-02 11:00', 'B'), (4, 3, timestamp '2024-02-02 08:00', 'A')
) as t(purchase_id, user_id, bought_at, product)
""",
}

EVENTS = """
semantic_models:
  - name: visits
    model: ref('visits')
    defaults: {agg_time_dimension: visited_at}
    entities:
      - {name: visit, type: primary, expr: visit_id}
      - {name: user, type: foreign, expr: user_id}
    dimensions:
      - {name: visited_at, type: time, type_params: {time_granularity: day}}
      - {name: product, type: categorical}
    measures:
      - {name: visit_count, expr: "1", agg: sum}
  - name: purchases
    model: ref('purchases')
    defaults: {agg_time_dimension: bought_at}
    entities:
      - {name: purchase, type: primary, expr: purchase_id}
      - {name: user, type: foreign, expr: user_id}
    dimensions:
      - {name: bought_at, type: time, type_params: {time_granularity: day}}
      - {name: product, type: categorical}
    measures:
      - {name: purchase_count, expr: "1", agg: sum}
metrics:
  - {name: visits, type: simple, type_params: {measure: visit_count}}
  - name: visit_to_purchase_rate
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: visit_count
        conversion_measure: purchase_count
        entity: user
        window: 7 days
  - name: visit_to_purchase_count
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: visit_count
        conversion_measure: purchase_count
        entity: user
        calculation: conversions
        window: 7 days
  - name: purchases_ever_after_a_visit
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: visit_count
        conversion_measure: purchase_count
        entity: user
        calculation: conversions
  - name: same_product_rate
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: visit_count
        conversion_measure: purchase_count
        entity: user
        window: 7 days
        constant_properties:
          - {base_property: product, conversion_property: product}
  - name: later_purchases_after_a_visit
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: visit_count
        conversion_measure:
          name: purchase_count
          filter: "{{ TimeDimension('purchase__bought_at', 'day') }} >= '2024-01-10'"
        entity: user
        calculation: conversions
"""


@pytest.fixture(scope="module")
def funnel(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("funnel"), EVENTS)
    for name, sql in EVENTS_SQL.items():
        (options.project_dir / "models" / "marts" / f"{name}.sql").write_text(sql)
    api.seed(options)
    api.run(options)
    return options


def _by_month(options: api.Options, metrics: list[str]):  # type: ignore[no-untyped-def]
    return api.query(options, metrics=metrics, group_by=["metric_time__month"], where=[],
                     order_by=["metric_time__month"], limit=None).rows  # fmt: skip


def test_conversions_credit_the_latest_visit_inside_the_window(funnel: api.Options) -> None:
    assert _by_month(funnel, ["visits", "visit_to_purchase_count", "visit_to_purchase_rate"]) == (
        (date(2024, 1, 1), 4, 1, 0.25),
        (date(2024, 2, 1), 1, 1, 1.0),
    )


def test_without_a_window_a_late_purchase_still_counts_once(funnel: api.Options) -> None:
    assert _by_month(funnel, ["purchases_ever_after_a_visit"]) == (
        (date(2024, 1, 1), 2),  # p1 and p2, both for v2; p3 came before any visit
        (date(2024, 2, 1), 1),
    )


def test_constant_properties_must_match(funnel: api.Options) -> None:
    assert _by_month(funnel, ["same_product_rate"]) == (
        (date(2024, 1, 1), 0.25),
        (date(2024, 2, 1), 0.0),  # a visit, and no purchase of the same product after it
    )


def test_conversions_by_a_dimension_of_the_base_events(funnel: api.Options) -> None:
    result = api.query(funnel, metrics=["visit_to_purchase_count"], group_by=["visit__product"],
                       where=[], order_by=["visit__product"], limit=None)  # fmt: skip
    assert result.rows == (("A", 1), ("B", 1))  # p1 via v2 (A), p4 via v5 (B)


def test_a_filter_on_the_conversion_measure_drops_those_events(funnel: api.Options) -> None:
    assert _by_month(funnel, ["later_purchases_after_a_visit"]) == (
        (date(2024, 1, 1), 1),  # p2 for v2; p1 was filtered out, p3 came before any visit
        (date(2024, 2, 1), 1),  # p4 for v5
    )
