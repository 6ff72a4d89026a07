"""A semantic_manifest.json written by dbt, named by the project's ``semantic-manifest``
setting, against values worked out by hand from the tiny shop's data.

The fixture (tests/fixtures/semantic_manifest/semantic_manifest.json) is written by hand in
dbt's shape: every optional key present, mostly null, filters as where_filters, tables named
by node_relation (``w.main.stg_orders``: the views `sl run` deploys from the tiny shop's SQL
models into the DuckDB file ``w.duckdb``). The data:

    order  customer (region)  ordered_at   amount  food
    1      1 (EU)             2024-02-12   10      yes
    2      2 (US)             2024-02-15    5      no
    3      1 (EU)             2024-03-05    7      yes
    4      3 (no region)      2024-03-10    3      no
    5      1 (EU)             2024-03-11    4      no
    6      2 (US)             2024-03-13    8      yes
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from semantic_layer import api
from tests.helpers import run_sl, tiny_shop

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "semantic_manifest"
FEB, MAR = date(2024, 2, 1), date(2024, 3, 1)
approx = pytest.approx


def manifest_shop(root: Path, text: str | None = None) -> api.Options:
    """The tiny shop with no YAML definitions, reading ``text`` (the fixture by default) as
    target/semantic_manifest.json."""
    options = tiny_shop(root)
    project = options.project_dir
    shutil.rmtree(project / "models" / "semantic")
    settings = project / "sl_project.yml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "semantic-manifest: target/semantic_manifest.json\n",
        encoding="utf-8",
    )
    (project / "target").mkdir(exist_ok=True)
    manifest = text if text is not None else fixture_text()
    (project / "target" / "semantic_manifest.json").write_text(manifest, encoding="utf-8")
    return options


def fixture_text() -> str:
    return (FIXTURE / "semantic_manifest.json").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = manifest_shop(tmp_path_factory.mktemp("semantic_manifest"))
    api.seed(options)
    assert api.validate(options) == ()  # no warning about the many keys dbt writes
    views = {result.view.name for result in api.run(options)}
    assert "march_orders_by_region" in views
    return options


def rows(options: api.Options, metrics: list[str], group_by: list[str]) -> dict[Any, tuple]:
    result = api.query(
        options, metrics=metrics, group_by=group_by, where=[], order_by=[], limit=None
    )
    assert result.columns == tuple(group_by) + tuple(metrics)
    return {row[0]: tuple(row[len(group_by) :]) for row in result.rows}


def test_simple_metrics_read_tables_named_by_node_relation(shop: api.Options) -> None:
    metrics = ["revenue", "orders", "active_customers", "food_revenue", "median_amount"]
    assert rows(shop, metrics, ["metric_time__month"]) == {
        # Feb: 10 + 5; 2 orders by customers {1, 2}; food: order 1; median of 5 and 10.
        FEB: (15, 2, 2, 10, 7.5),
        # Mar: 7 + 3 + 4 + 8; 4 orders by {1, 3, 2}; food: 7 + 8; median of 3, 4, 7, 8.
        MAR: (22, 4, 3, 15, 5.5),
    }


def test_ratio_derived_with_offset_and_cumulative(shop: api.Options) -> None:
    metrics = ["average_order_value", "revenue_growth", "revenue_to_date"]
    got = rows(shop, metrics, ["metric_time__month"])
    # AOV 15 / 2 and 22 / 4; growth: no January, then 22 - 15; all revenue by month's end.
    assert got[FEB] == (7.5, None, 15)
    assert got[MAR] == (5.5, 7, 37)


def test_a_dimension_of_another_model_and_the_exported_view(shop: api.Options) -> None:
    assert rows(shop, ["revenue", "orders"], ["customer__region"]) == {
        "EU": (21, 3),  # orders 1, 3, 5: 10 + 7 + 4
        "US": (13, 2),  # orders 2, 6: 5 + 8
        None: (3, 1),  # order 4
    }
    shown = api.show(shop, "march_orders_by_region", limit=None)
    # The saved query's where filter keeps March: EU orders 3, 5; US order 6; order 4.
    assert {row[0]: tuple(row[1:]) for row in shown.rows} == {
        "EU": (11, 2),
        "US": (8, 1),
        None: (3, 1),
    }


def test_malformed_json_is_an_error_at_its_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = '{\n  "semantic_models": [\n    {"name": "orders",}\n  ]\n}\n'
    code, output = run_sl(manifest_shop(tmp_path, broken), capsys, "validate")

    assert code == 1
    assert "target/semantic_manifest.json:3: not valid JSON" in output


def test_a_setting_that_changes_numbers_and_is_not_read_is_an_error(
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    text = fixture_text()
    ratio = text.index('"name": "average_order_value"')
    fill = text.index('"fill_nulls_with": null', ratio)
    text = text[:fill] + '"fill_nulls_with": 0' + text[fill + len('"fill_nulls_with": null') :]
    line = text[:fill].count("\n") + 1
    code, output = run_sl(manifest_shop(tmp_path, text), capsys, "validate")

    assert code == 1
    assert (
        f"target/semantic_manifest.json:{line}: metric 'average_order_value': "
        "'fill_nulls_with' is not supported yet" in output
    )
