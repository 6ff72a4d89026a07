"""Input that tries to break the product: every case ends in a clear refusal (exit 1, no
traceback) and leaves the warehouse and the user's files as they were."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import run_sl, tiny_shop


def _tables(database: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()


DROP_IN_EXPR = """
metrics:
  - name: sneaky
    type: derived
    type_params:
      expr: "revenue; DROP TABLE raw.raw_orders"
      metrics: [{name: revenue}]
"""


@pytest.mark.parametrize(
    "expr",
    ["revenue; DROP TABLE raw.raw_orders", "(SELECT 1) + revenue", "revenue + ?"],
)
def test_an_expr_holding_a_statement_is_refused_before_anything_runs(
    tmp_path, capsys, expr
) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, DROP_IN_EXPR.replace("revenue; DROP TABLE raw.raw_orders", expr))
    api.seed(options)
    before = _tables(tmp_path / "w.duckdb")

    code, output = run_sl(options, capsys, "run")

    assert code == 1
    assert "extra.yml" in output and "Traceback" not in output
    assert _tables(tmp_path / "w.duckdb") == before  # no view, no drop


@pytest.mark.parametrize(
    "where",
    [
        "{{ Dimension('customer__region') }} = 'EU'; DROP TABLE raw.raw_orders",
        "{{ Dimension('customer__region') }} IN (SELECT name FROM raw.raw_customers)",
        "{{ Dimension('customer__region') }} = 'EU' /* unterminated",
        "{{ Dimension('customer__region') }} = 'unterminated",
        "raw_orders.amount > 0",
        "nonsense_column = 1",
    ],
)
def test_hostile_filters_are_refused(tmp_path, capsys, where) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    before = _tables(tmp_path / "w.duckdb")

    code, output = run_sl(options, capsys, "query", "-m", "revenue", "-w", where)

    assert code == 1, output
    assert "Traceback" not in output and "internal error" not in output
    assert _tables(tmp_path / "w.duckdb") == before


@pytest.mark.parametrize(
    "alias",
    ["/../../models/marts/orders", "../escape", "a.b", "has space"],
)
def test_an_export_name_cannot_leave_the_compiled_folder(tmp_path, capsys, alias) -> None:  # type: ignore[no-untyped-def]
    extra = f"""
saved_queries:
  - name: escape
    query_params: {{metrics: [revenue]}}
    exports:
      - name: escape
        config: {{export_as: view, alias: "{alias}"}}
"""
    options = tiny_shop(tmp_path, extra)
    victim = options.project_dir / "models" / "staging" / "stg_orders.sql"
    original = victim.read_text()

    code, output = run_sl(options, capsys, "compile")

    assert code == 1
    assert "extra.yml:" in output and "is not a valid alias" in output
    assert victim.read_text() == original


def test_a_view_differing_only_in_case_from_a_users_view_is_refused(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute('create view main."SHOP_MONTHLY_BY_REGION" as select 42 as mine')

    code, output = run_sl(options, capsys, "run")

    assert code == 1
    assert "SHOP_MONTHLY_BY_REGION" in output and "were not created by sl" in output
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        assert connection.execute('select * from main."SHOP_MONTHLY_BY_REGION"').fetchall() == [
            (42,)
        ]


def test_an_export_named_like_a_sql_model_is_refused(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    extra = """
saved_queries:
  - name: clash
    query_params: {metrics: [revenue]}
    exports:
      - name: stg_orders
        config: {export_as: view}
"""
    options = tiny_shop(tmp_path, extra)
    code, output = run_sl(options, capsys, "validate")
    assert code == 1
    assert "same relation as SQL model 'stg_orders'" in output


def test_seed_does_not_replace_a_table_it_did_not_load(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute("create schema raw")
        connection.execute("create table raw.raw_orders as select 999 as important")

    code, output = run_sl(options, capsys, "seed")

    assert code == 1
    assert "raw_orders" in output and "were not loaded by sl seed" in output
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        assert connection.execute("select * from raw.raw_orders").fetchall() == [(999,)]


def test_seed_may_reload_what_it_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    results, _ = api.seed(options)
    assert {r.table: r.rows for r in results}["raw_orders"] == 6  # the fixture's six orders


JOINED_COALESCE = """
semantic_models:
  - name: orphan_orders
    description: The orders again, with a customer key that matches no customer.
    model: ref('stg_orders')
    defaults:
      agg_time_dimension: ordered_at
    entities:
      - name: orphan_order
        type: primary
        expr: order_id
      - name: customer
        type: foreign
        expr: customer_id + 100
    dimensions:
      - name: ordered_at
        type: time
        type_params:
          time_granularity: day
    measures:
      - name: orphan_amount
        expr: amount
        agg: sum
  - name: customer_regions
    model: ref('stg_customers')
    entities:
      - name: customer
        type: unique
        expr: customer_id
    dimensions:
      - name: region_or_unknown
        type: categorical
        expr: coalesce(region, 'unknown')
metrics:
  - name: orphan_amount
    type: simple
    type_params:
      measure: orphan_amount
"""


def test_a_joined_dimension_expr_is_null_for_facts_without_a_match(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, JOINED_COALESCE)
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=["orphan_amount"], group_by=["customer__region_or_unknown"],
                       where=[], order_by=[], limit=None)  # fmt: skip
    # No order finds a customer (ids are shifted by 100): one NULL group holding all 37, not
    # 'unknown', which only customer 3's own row may produce.
    assert result.rows == ((None, 37),)


def test_a_derived_metric_must_use_an_input(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    extra = """
metrics:
  - name: constant
    type: derived
    type_params:
      expr: "1"
      metrics: [{name: revenue}]
"""
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")
    assert code == 1
    assert "must use at least one of its input metrics" in output


def test_env_var_is_not_available_in_definitions(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SL_SECRET_FOR_TEST", "TopSecretPw99")
    extra = """
metrics:
  - name: leaky
    type: simple
    type_params: {measure: revenue}
    filter: "{{ Dimension('customer__region') }} = '{{ env_var('SL_SECRET_FOR_TEST') }}'"
"""
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "compile")
    assert code == 1
    assert "only available in profiles.yml" in output
    assert "TopSecretPw99" not in output


@pytest.mark.parametrize("name", ["Revenue", "gross__margin", "1st", "a b"])
def test_metric_names_follow_the_naming_rules(tmp_path, capsys, name) -> None:  # type: ignore[no-untyped-def]
    extra = f"""
metrics:
  - name: "{name}"
    type: simple
    type_params: {{measure: revenue}}
"""
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")
    assert code == 1
    assert "is not a valid name" in output


def test_remainder_by_zero_is_null_not_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
metrics:
  - name: zero
    type: simple
    type_params: {measure: revenue}
    filter: "{{ Dimension('customer__region') }} = 'nowhere'"
  - name: remainder
    type: derived
    type_params:
      expr: revenue % zero
      metrics: [{name: revenue}, {name: zero}]
"""
    options = tiny_shop(tmp_path, extra)
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=["remainder"], group_by=[], where=[], order_by=[],
                       limit=None)  # fmt: skip
    assert result.rows == ((None,),)


def test_a_literal_expr_is_a_value_not_a_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
semantic_models:
  - name: flags
    model: ref('stg_orders')
    defaults:
      agg_time_dimension: ordered_at
    entities:
      - name: flag_order
        type: primary
        expr: order_id
    dimensions:
      - name: ordered_at
        type: time
        type_params:
          time_granularity: day
      - name: always
        type: categorical
        expr: "true"
    measures:
      - name: flagged_orders
        expr: "1"
        agg: sum
metrics:
  - name: flagged_orders
    type: simple
    type_params: {measure: flagged_orders}
"""
    options = tiny_shop(tmp_path, extra)
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=["flagged_orders"], group_by=["flag_order__always"],
                       where=[], order_by=[], limit=None)  # fmt: skip
    assert result.rows == ((True, 6),)


def test_a_typo_in_the_project_dialect_points_at_the_project_file(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    config = options.project_dir / "sl_project.yml"
    config.write_text(config.read_text().replace("sql-dialect: duckdb", "sql-dialect: duckbd"))
    code, output = run_sl(options, capsys, "validate")
    assert code == 1
    assert "sl_project.yml:" in output and "did you mean 'duckdb'?" in output


def test_reading_commands_do_not_create_a_warehouse_file(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    code, output = run_sl(options, capsys, "query", "-m", "revenue")
    assert code == 1
    assert "does not exist yet" in output
    assert not (tmp_path / "w.duckdb").exists()


def test_an_unknown_metric_in_an_unused_metric_filter_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
metrics:
  - name: unused
    type: simple
    type_params: {measure: revenue}
    filter: "{{ Dimension('customer__nonexistent') }} = 'x'"
"""
    with pytest.raises(UserError, match="nonexistent"):
        api.validate(tiny_shop(tmp_path, extra))


def test_an_export_schema_differing_only_in_case_cannot_replace_a_users_view(
    tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    extra = """
saved_queries:
  - name: clobber
    query_params: {metrics: [revenue]}
    exports:
      - name: clobber
        config: {export_as: view, schema: MAIN, alias: my_report}
"""
    options = tiny_shop(tmp_path, extra)
    api.seed(options)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute("create view main.my_report as select 'precious' as x")

    code, output = run_sl(options, capsys, "run")

    assert code == 1 and "my_report" in output and "were not created by sl" in output
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        assert connection.execute("select * from main.my_report").fetchall() == [("precious",)]


def test_a_target_schema_written_in_another_case_deploys_twice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, schema="Main")
    api.seed(options)
    assert {r.action for r in api.run(options)} == {"created"}
    assert {r.action for r in api.run(options)} == {"unchanged"}


def test_a_measure_named_like_a_filtered_entity_keeps_its_own_values(tmp_path) -> None:  # type: ignore[no-untyped-def]
    extra = """
semantic_models:
  - name: amounts
    model: ref('stg_orders')
    defaults:
      agg_time_dimension: ordered_at
    entities:
      - name: amount_order
        type: primary
        expr: order_id
      - name: customer
        type: foreign
        expr: customer_id
    dimensions:
      - name: ordered_at
        type: time
        type_params:
          time_granularity: day
    measures:
      - name: customer
        expr: amount
        agg: sum
metrics:
  - name: amount_by_customer
    type: simple
    type_params: {measure: customer}
"""
    options = tiny_shop(tmp_path, extra)
    api.seed(options)
    api.run(options)
    result = api.query(options, metrics=["amount_by_customer"], group_by=[],
                       where=["{{ Entity('customer') }} = 1"], order_by=[], limit=None)  # fmt: skip
    assert result.rows == ((21,),)  # customer 1's orders: 10 + 7 + 4


def test_a_seed_that_failed_halfway_can_be_run_again(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    bad = options.project_dir / "seeds" / "zz_bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x01garbage\n")  # not text DuckDB can read

    code, output = run_sl(options, capsys, "seed")
    assert code == 1 and "zz_bad.csv" in output

    bad.unlink()
    code, output = run_sl(options, capsys, "seed")
    assert code == 0, output


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["sl_state.csv"], "sl's own table"),
        (["Upper.csv", "upper.csv"], "would load into one table"),
    ],
)
def test_seed_file_names_that_would_collide_are_refused(tmp_path, capsys, names, message) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    for name in names:
        (options.project_dir / "seeds" / name).write_text("a,b\n1,2\n")
    code, output = run_sl(options, capsys, "seed")
    assert code == 1 and message in output


def test_a_newline_in_a_path_stays_inside_the_header_comment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    odd = options.project_dir / "models" / "x\nDROP TABLE raw.raw_orders;\n"
    odd.mkdir()
    (options.project_dir / "models" / "marts" / "order_items.sql").rename(odd / "order_items.sql")
    views, _, _ = api.compile_views(options)
    text = next(view for view in views if view.name == "order_items").statement
    assert all(line.startswith("--") for line in text.splitlines() if "DROP" in line)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("semantic_models:\n  - name: broken\n    model: ref('stg_orders')\n    measures: 5\n",
         "'measures' must be a list"),
        ("metrics:\n  - name: qualified\n    type: derived\n    type_params:\n"
         "      expr: x.revenue + 1\n      metrics: [{name: revenue}]\n",
         "name an input metric by its name or alias alone"),
    ],
)  # fmt: skip
def test_malformed_definitions_are_located(tmp_path, capsys, extra, message) -> None:  # type: ignore[no-untyped-def]
    code, output = run_sl(tiny_shop(tmp_path, extra), capsys, "validate")
    assert code == 1 and message in output and "extra.yml:" in output
    assert "internal error" not in output


def test_a_filter_must_be_a_condition(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.seed(options)
    code, output = run_sl(options, capsys, "query", "-m", "revenue", "-w", "1")
    assert code == 1 and "must be a condition" in output


def test_a_warehouse_that_cannot_be_opened_is_a_user_error(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    (tmp_path / "w.duckdb").mkdir()  # a folder where the database file should be
    code, output = run_sl(options, capsys, "seed")
    assert code == 1, output
    assert "internal error" not in output
