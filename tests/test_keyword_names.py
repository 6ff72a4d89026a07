"""Columns and definitions named like SQL keywords (order, user, group, value) are quoted,
not refused, and give the right numbers. Worked by hand:

    order  user  group  value  day
    1      7     x      10     2024-01-01
    2      7     y      5      2024-01-02
    3      8     x      1      2024-02-01
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlglot

from semantic_layer import api
from semantic_layer.render.dialects import DIALECTS
from tests.helpers import tiny_shop

KEYWORDS_SQL = """
select * from (values
    (1, 7, 'x', 10, date '2024-01-01'), (2, 7, 'y', 5, date '2024-01-02'),
    (3, 8, 'x', 1, date '2024-02-01')
) as t("order", "user", "group", "value", "day")
"""

KEYWORDS = """
semantic_models:
  - name: ledger
    model: ref('ledger')
    defaults: {agg_time_dimension: day}
    entities:
      - {name: order, type: primary}
      - {name: user, type: foreign}
    dimensions:
      - {name: day, type: time, type_params: {time_granularity: day}}
      - {name: group, type: categorical}
    measures:
      - {name: value, agg: sum}
      - {name: users, expr: user, agg: count_distinct}
metrics:
  - {name: value, type: simple, type_params: {measure: value}}
  - {name: users, type: simple, type_params: {measure: users}}
  - name: value_per_user
    type: ratio
    type_params: {numerator: value, denominator: users}
saved_queries:
  - name: by_group
    query_params:
      metrics: [value, users, value_per_user]
      group_by: ["Dimension('order__group')", "TimeDimension('metric_time', 'month')"]
      where: ["{{ Dimension('order__group') }} <> 'nothing'"]
    exports:
      - {name: keyword_view, config: {export_as: view}}
"""


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("keywords"), KEYWORDS)
    (options.project_dir / "models" / "marts" / "ledger.sql").write_text(KEYWORDS_SQL)
    api.seed(options)
    api.run(options)
    return options


def test_keyword_named_elements_give_the_right_numbers(ledger: api.Options) -> None:
    result = api.query(ledger, metrics=["value", "users", "value_per_user"],
                       group_by=["order__group", "metric_time__month"], where=[],
                       order_by=["order__group", "metric_time__month"], limit=None)  # fmt: skip
    assert result.rows == (
        ("x", date(2024, 1, 1), 10, 1, 10.0),
        ("x", date(2024, 2, 1), 1, 1, 1.0),
        ("y", date(2024, 1, 1), 5, 1, 5.0),
    )


def test_grouping_by_a_keyword_entity(ledger: api.Options) -> None:
    result = api.query(ledger, metrics=["value"], group_by=["user"], where=[],
                       order_by=["user"], limit=None)  # fmt: skip
    assert result.rows == ((7, 15), (8, 1))


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_the_view_compiles_and_parses_back_in_every_dialect(
    ledger: api.Options, dialect: str
) -> None:  # noqa: E501
    views, _, _ = api.compile_views(ledger, dialect=dialect)
    view = next(v for v in views if v.name == "keyword_view")
    for statement in view.ddl:
        assert sqlglot.parse_one(statement, read=DIALECTS[dialect].sqlglot_name) is not None
