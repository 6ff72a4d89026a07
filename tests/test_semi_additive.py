"""Semi-additive measures: account balances are never summed across days. Worked by hand:

    account  day         balance
    A        2024-01-01  100
    A        2024-01-15  120
    A        2024-01-31  150
    A        2024-02-10   90
    B        2024-01-05   50
    B        2024-01-20   70
    B        2024-02-28   80

Last balance per account, summed across accounts: January 150 + 70 = 220, February 90 + 80 =
170. The last day of the whole month alone: January (31st, only A) 150, February (28th, only B)
80. A plain sum of January's rows would be 490.
"""

from __future__ import annotations

from datetime import date

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop

BALANCES_SQL = """
select * from (values
    (1, 'A', date '2024-01-01', 100), (2, 'A', date '2024-01-15', 120),
    (3, 'A', date '2024-01-31', 150), (4, 'A', date '2024-02-10', 90),
    (5, 'B', date '2024-01-05', 50), (6, 'B', date '2024-01-20', 70),
    (7, 'B', date '2024-02-28', 80)
) as t(balance_id, account_id, balance_day, balance)
"""

BALANCES = """
semantic_models:
  - name: balances
    model: ref('balances')
    defaults:
      agg_time_dimension: balance_day
    entities:
      - name: balance_row
        type: primary
        expr: balance_id
      - name: account
        type: foreign
        expr: account_id
    dimensions:
      - name: balance_day
        type: time
        type_params:
          time_granularity: day
    measures:
      - name: balance_per_account
        expr: balance
        agg: sum
        non_additive_dimension:
          name: balance_day
          window_choice: max
          window_groupings: [account]
      - name: opening_balance_per_account
        expr: balance
        agg: sum
        non_additive_dimension:
          name: balance_day
          window_choice: min
          window_groupings: [account]
      - name: balance_on_last_day
        expr: balance
        agg: sum
        non_additive_dimension:
          name: balance_day
      - name: balance_rows
        expr: balance
        agg: sum
metrics:
  - {name: balance, type: simple, type_params: {measure: balance_per_account}}
  - {name: opening_balance, type: simple, type_params: {measure: opening_balance_per_account}}
  - {name: balance_on_last_day, type: simple, type_params: {measure: balance_on_last_day}}
  - {name: summed_rows, type: simple, type_params: {measure: balance_rows}}
"""


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("bank"), BALANCES)
    (options.project_dir / "models" / "marts" / "balances.sql").write_text(BALANCES_SQL)
    api.seed(options)
    api.run(options)
    return options


def _query(options: api.Options, metrics: list[str], group_by: list[str]):  # type: ignore[no-untyped-def]
    return api.query(options, metrics=metrics, group_by=group_by, where=[], order_by=group_by,
                     limit=None).rows  # fmt: skip


def test_last_balance_per_account_summed_across_accounts(bank: api.Options) -> None:
    assert _query(bank, ["balance", "summed_rows"], ["metric_time__month"]) == (
        (date(2024, 1, 1), 220, 490),
        (date(2024, 2, 1), 170, 170),
    )


def test_first_balance_per_account(bank: api.Options) -> None:
    assert _query(bank, ["opening_balance"], ["metric_time__month"]) == (
        (date(2024, 1, 1), 150),  # A on the 1st, B on the 5th: 100 + 50
        (date(2024, 2, 1), 170),
    )


def test_without_groupings_only_the_last_day_of_the_period_counts(bank: api.Options) -> None:
    assert _query(bank, ["balance_on_last_day"], ["metric_time__month"]) == (
        (date(2024, 1, 1), 150),
        (date(2024, 2, 1), 80),
    )


def test_without_a_grain_each_accounts_latest_balance(bank: api.Options) -> None:
    assert _query(bank, ["balance"], []) == ((170,),)  # A on 10 Feb, B on 28 Feb


def test_per_account_grain(bank: api.Options) -> None:
    assert _query(bank, ["balance"], ["account", "metric_time__month"]) == (
        ("A", date(2024, 1, 1), 150),
        ("A", date(2024, 2, 1), 90),
        ("B", date(2024, 1, 1), 70),
        ("B", date(2024, 2, 1), 80),
    )


def test_an_unknown_non_additive_dimension_is_located(tmp_path) -> None:  # type: ignore[no-untyped-def]
    typo = "name: balance_dya\n          window_choice: min"
    broken = BALANCES.replace("name: balance_day\n          window_choice: min", typo)
    options = tiny_shop(tmp_path, broken)
    (options.project_dir / "models" / "marts" / "balances.sql").write_text(BALANCES_SQL)
    with pytest.raises(UserError, match="did you mean 'balance_day'"):
        api.validate(options)
