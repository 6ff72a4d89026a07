"""Join paths: three hops through entities, and role-playing entities that read one table
under two roles. Worked by hand from the tiny shop:

    order  customer (region)  items (prices)   item revenue
    1      1 (EU)             4 + 6            10
    2      2 (US)             2 + 2 + 2         6
    3      1 (EU)             2 + 2 + 3         7
    4      3 (none)           3                 3
    5      1 (EU)             1 + 3             4
    6      2 (US)             5 + 5            10

Regions: EU is in Europe, US in the Americas.
"""

from __future__ import annotations

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop

REGIONS_SQL = "select * from (values ('EU', 'Europe'), ('US', 'Americas')) as t(region, continent)"
EXTRA = """
semantic_models:
  - name: customer_profiles
    model: ref('stg_customers')
    entities:
      - {name: customer, type: primary, expr: customer_id}
      - {name: home_region, type: foreign, expr: region}
    dimensions:
      - {name: customer_name, type: categorical}
  - name: regions
    model: ref('regions')
    entities:
      - {name: home_region, type: primary, expr: region}
    dimensions:
      - {name: continent, type: categorical}
  - name: handovers
    description: The orders again, each with a buyer and (for even orders) another payer.
    model: ref('stg_orders')
    defaults: {agg_time_dimension: ordered_at}
    entities:
      - {name: handover, type: primary, expr: order_id}
      - {name: buyer, type: foreign, expr: customer_id}
      - {name: payer, type: foreign, expr: "case when order_id % 2 = 0 then 1 else customer_id end"}
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: handed_over, expr: amount, agg: sum}
  - name: buyers
    model: ref('stg_customers')
    entities:
      - {name: buyer, type: primary, expr: customer_id}
    dimensions:
      - {name: region, type: categorical}
  - name: payers
    model: ref('stg_customers')
    entities:
      - {name: payer, type: primary, expr: customer_id}
    dimensions:
      - {name: region, type: categorical}
metrics:
  - {name: handed_over, type: simple, type_params: {measure: handed_over}}
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("paths"), EXTRA)
    (options.project_dir / "models" / "marts" / "regions.sql").write_text(REGIONS_SQL)
    api.seed(options)
    api.run(options)
    return options


def _rows(options: api.Options, metric: str, group_by: list[str]) -> dict:  # type: ignore[type-arg]
    result = api.query(options, metrics=[metric], group_by=group_by, where=[], order_by=[],
                       limit=None)  # fmt: skip
    return {row[:-1]: row[-1] for row in result.rows}


def test_three_hops_from_items_to_the_continent(shop: api.Options) -> None:
    rows = _rows(shop, "item_revenue", ["order_id__customer__home_region__continent"])
    assert rows == {("Europe",): 21, ("Americas",): 16, (None,): 3}


def test_role_playing_entities_follow_the_path_asked_for(shop: api.Options) -> None:
    # Buyers: as ordered. Payers: customer 1 pays the even orders 2, 4 and 6 (5 + 3 + 8).
    assert _rows(shop, "handed_over", ["buyer__region"]) == {("EU",): 21, ("US",): 13, (None,): 3}
    assert _rows(shop, "handed_over", ["payer__region"]) == {("EU",): 10 + 7 + 4 + 5 + 3 + 8}
    both = _rows(shop, "handed_over", ["buyer__region", "payer__region"])
    assert both == {("EU", "EU"): 21, ("US", "EU"): 13, (None, "EU"): 3}


def test_an_ambiguous_path_lists_the_candidates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    twice = (
        EXTRA
        + """
  - name: more_regions
    model: ref('regions')
    entities:
      - {name: home_region, type: primary, expr: region}
    dimensions:
      - {name: continent, type: categorical}
"""
    )
    twice = twice.replace("metrics:\n  - {name: handed_over, type: simple, type_params: "
                          "{measure: handed_over}}\n", "") + "metrics: []\n"  # fmt: skip
    options = tiny_shop(tmp_path, twice)
    (options.project_dir / "models" / "marts" / "regions.sql").write_text(REGIONS_SQL)
    with pytest.raises(UserError, match="ambiguous.*more_regions, regions"):
        api.plan_query(options, metrics=["item_revenue"],
                       group_by=["order_id__customer__home_region__continent"], where=[],
                       order_by=[], limit=None)  # fmt: skip
