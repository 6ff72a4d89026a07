"""A query without metrics lists the distinct values of its group-by. The tiny shop's customers:
1 EU, 2 US, 3 without region, 4 EU (who never ordered)."""

from __future__ import annotations

from semantic_layer import api
from tests.helpers import tiny_shop

VALUES = """
saved_queries:
  - name: regions
    query_params:
      group_by: ["Dimension('customer__region')"]
    exports:
      - {name: customer_regions, config: {export_as: view}}
"""


def test_distinct_values_without_metrics(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, VALUES)
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=[], group_by=["customer__region"], where=[],
                       order_by=["customer__region"], limit=None)  # fmt: skip
    assert sorted(result.rows, key=str) == [("EU",), ("US",), (None,)]

    filtered = api.query(options, metrics=[], group_by=["customer__region"],
                         where=["{{ Dimension('customer__region') }} <> 'US'"], order_by=[],
                         limit=None)  # fmt: skip
    assert filtered.rows == (("EU",),)


def test_a_saved_query_of_values_is_exported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, VALUES)
    api.seed(options)
    actions = {r.view.name: r.action for r in api.run(options)}
    assert actions["customer_regions"] == "created"
    rows = api.show(options, "customer_regions", None).rows
    assert sorted(rows, key=str) == [("EU",), ("US",), (None,)]
