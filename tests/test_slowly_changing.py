"""Slowly changing dimensions (validity_params): a dimension is read as it was when each fact
happened. Worked by hand from the tiny shop and these tiers:

    customer  tier    valid from   valid to (exclusive)
    1         bronze  2024-01-01   2024-03-01
    1         gold    2024-03-01   (open)
    2         silver  2024-01-01   (open)
    (customer 3 has no tier)

Orders: customer 1 on 12 Feb (10, bronze), 5 Mar (7, gold) and 11 Mar (4, gold); customer 2 on
15 Feb (5) and 13 Mar (8), silver; customer 3 on 10 Mar (3), no tier.
"""

from __future__ import annotations

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop

TIERS_SQL = """
select * from (values
    (1, 'bronze', date '2024-01-01', date '2024-03-01'),
    (1, 'gold', date '2024-03-01', cast(null as date)),
    (2, 'silver', date '2024-01-01', cast(null as date))
) as t(customer_id, tier, tier_from, tier_to)
"""

TIERS = """
semantic_models:
  - name: customer_tiers
    model: ref('customer_tiers')
    entities:
      - name: customer
        type: natural
        expr: customer_id
    dimensions:
      - name: tier
        type: categorical
      - name: tier_from
        type: time
        type_params:
          time_granularity: day
          validity_params: {is_start: true}
      - name: tier_to
        type: time
        type_params:
          time_granularity: day
          validity_params: {is_end: true}
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("scd"), TIERS)
    (options.project_dir / "models" / "marts" / "customer_tiers.sql").write_text(TIERS_SQL)
    api.seed(options)
    api.run(options)
    return options


def test_each_order_reads_the_tier_valid_when_it_was_placed(shop: api.Options) -> None:
    result = api.query(shop, metrics=["revenue", "orders"], group_by=["customer__tier"],
                       where=[], order_by=["customer__tier"], limit=None)  # fmt: skip
    rows = {row[0]: row[1:] for row in result.rows}
    assert rows == {"bronze": (10, 1), "gold": (11, 2), "silver": (13, 2), None: (3, 1)}


def test_a_filter_on_the_tier_as_it_was(shop: api.Options) -> None:
    result = api.query(shop, metrics=["revenue"], group_by=[],
                       where=["{{ Dimension('customer__tier') }} = 'gold'"], order_by=[],
                       limit=None)  # fmt: skip
    assert result.rows == ((11,),)  # 7 + 4: customer 1's orders after 1 March


def test_a_validity_start_without_an_end_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = TIERS.replace("          validity_params: {is_end: true}\n", "")
    options = tiny_shop(tmp_path, broken)
    (options.project_dir / "models" / "marts" / "customer_tiers.sql").write_text(TIERS_SQL)
    with pytest.raises(UserError, match="needs both an is_start and an is_end"):
        api.validate(options)
