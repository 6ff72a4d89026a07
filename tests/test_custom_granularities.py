"""Custom granularities declared on a time spine model, worked by hand on the tiny shop.

The spine has one row per day of February and March 2024, and names three sprints whose
labels do not sort in their order: 'beta' 1-14 Feb (14 days), 'alpha' 15 Feb - 6 Mar
(21 days), 'gamma' 7-31 Mar (25 days). The orders:

    order  day     customer (region)  amount  sprint
    1      12 Feb  1 (EU)             10      beta
    2      15 Feb  2 (US)              5      alpha  (its 1st day)
    3       5 Mar  1 (EU)              7      alpha
    4      10 Mar  3 (none)            3      gamma
    5      11 Mar  1 (EU)              4      gamma
    6      13 Mar  2 (US)              8      gamma

So revenue is beta 10, alpha 12, gamma 15; orders 1, 2, 3; distinct customers 1, 2, 3.
Offset by one sprint, read by sprint: beta has no prior sprint, alpha reads beta's 10 and gamma
reads alpha's 12. Read by day, a day reads the day at its place in the prior sprint: 26 Feb is
the 12th day of alpha and reads 12 Feb (10); 7 Mar, gamma's 1st day, reads 15 Feb (5).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from semantic_layer.load.files import YamlDocument
from semantic_layer.load.manifest_json import load_semantic_manifest
from semantic_layer.spec.build import build_manifest
from semantic_layer.validate.issues import Issues
from tests.helpers import run_sl, tiny_shop

SPINE_SQL = """
select cast(d as date) as date_day,
       case when d < date '2024-02-15' then 'beta'
            when d < date '2024-03-07' then 'alpha'
            else 'gamma' end as sprint_name
from range(date '2024-02-01', date '2024-04-01', interval 1 day) as t(d)
"""

SPINE_YAML = """
models:
  - name: sprint_days
    time_spine:
      standard_granularity_column: date_day
      custom_granularities:
        - name: sprint
          column_name: sprint_name
    columns:
      - name: date_day
        granularity: day
"""

METRICS = """
metrics:
  - name: revenue_prior_sprint
    type: derived
    type_params:
      expr: prior
      metrics:
        - {name: revenue, offset_window: 1 sprint, alias: prior}
  - name: revenue_growth
    type: derived
    type_params:
      expr: revenue - prior
      metrics:
        - {name: revenue}
        - {name: revenue, offset_window: 1 sprint, alias: prior}
saved_queries:
  - name: revenue_by_sprint
    query_params:
      metrics: [revenue, orders, active_customers]
      group_by: ["TimeDimension('metric_time', 'sprint')"]
    exports:
      - {name: revenue_by_sprint, config: {export_as: view}}
"""


def _project(root: Path, extra: str) -> api.Options:
    options = tiny_shop(root, extra)
    (options.project_dir / "models" / "marts" / "sprint_days.sql").write_text(SPINE_SQL)
    return options


@pytest.fixture(scope="module")
def sprints(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = _project(tmp_path_factory.mktemp("sprints"), SPINE_YAML + METRICS)
    api.seed(options)
    api.run(options)
    return options


def _rows(options: api.Options, metrics: list[str], group_by: list[str], where=()):  # type: ignore[no-untyped-def]
    return api.query(options, metrics=metrics, group_by=group_by, where=list(where),
                     order_by=group_by, limit=None).rows  # fmt: skip


def test_metrics_by_a_custom_granularity(sprints: api.Options) -> None:
    assert _rows(sprints, ["revenue", "orders", "active_customers"], ["metric_time__sprint"]) == (
        ("alpha", 12, 2, 2),
        ("beta", 10, 1, 1),
        ("gamma", 15, 3, 3),
    )


def test_a_time_dimension_and_a_join_at_a_custom_granularity(sprints: api.Options) -> None:
    rows = _rows(sprints, ["revenue"], ["order_id__ordered_at__sprint", "customer__region"])

    assert rows == (
        ("alpha", "EU", 7),
        ("alpha", "US", 5),
        ("beta", "EU", 10),
        ("gamma", "EU", 4),
        ("gamma", "US", 8),
        ("gamma", None, 3),
    )


def test_a_filter_on_a_custom_granularity(sprints: api.Options) -> None:
    where = ["{{ TimeDimension('metric_time', 'sprint') }} = 'gamma'"]

    assert _rows(sprints, ["revenue"], ["customer__region"], where) == (
        ("EU", 4),
        ("US", 8),
        (None, 3),
    )


def test_the_exported_view_reads_the_spine(sprints: api.Options) -> None:
    rows = api.show(sprints, "revenue_by_sprint").rows

    assert sorted(rows) == [("alpha", 12, 2, 2), ("beta", 10, 1, 1), ("gamma", 15, 3, 3)]


def test_an_offset_of_one_custom_period(sprints: api.Options) -> None:
    rows = _rows(sprints, ["revenue", "revenue_prior_sprint", "revenue_growth"],
                 ["metric_time__sprint"])  # fmt: skip

    assert rows == (("alpha", 12, 10, 2), ("beta", 10, None, None), ("gamma", 15, 12, 3))


def test_an_offset_of_one_custom_period_read_by_day(sprints: api.Options) -> None:
    rows = _rows(sprints, ["revenue_prior_sprint"], ["metric_time__day"])

    assert [row for row in rows if row[1] is not None] == [
        (date(2024, 2, 26), 10),
        (date(2024, 3, 7), 5),
    ]


def test_an_offset_in_sprints_read_by_month_is_refused(sprints: api.Options) -> None:
    with pytest.raises(UserError, match="read by metric_time__sprint or metric_time__day"):
        _rows(sprints, ["revenue_prior_sprint"], ["metric_time__month"])


def test_a_misspelt_custom_granularity_suggests_the_declared_one(sprints: api.Options) -> None:
    with pytest.raises(UserError, match="did you mean 'sprint'"):
        _rows(sprints, ["revenue"], ["metric_time__sprnt"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            SPINE_YAML
            + METRICS.replace(
                "offset_window: 1 sprint, alias: prior}\n  - name",
                "offset_window: 1 sprunt, alias: prior}\n  - name",
                1,
            ),
            r"extra.yml:\d+: metric 'revenue_prior_sprint': '1 sprunt' names no grain .*"
            r"did you mean 'sprint'",
        ),
        (
            SPINE_YAML
            + """
metrics:
  - name: revenue_per_sprint
    type: cumulative
    type_params: {measure: revenue, window: 1 sprint}
""",
            r"extra.yml:\d+: metric 'revenue_per_sprint': a window of '1 sprint' is not supported",
        ),
        (
            SPINE_YAML.replace("- name: sprint\n", "- name: month\n"),
            r"extra.yml:7: custom granularity 'month' has the name of a standard grain",
        ),
        (
            SPINE_YAML.replace("- name: sprint_days", "- name: sprint_dayz"),
            r"extra.yml:\d+: time spine 'sprint_dayz': model ref\('sprint_dayz'\) is not a SQL "
            r"model of the project \(did you mean 'sprint_days'\?\)",
        ),
    ],
    ids=["unknown-window", "cumulative-window", "standard-name", "missing-model"],
)
def test_bad_declarations_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, message: str
) -> None:
    options = _project(tmp_path, extra)

    code, output = run_sl(options, capsys, "validate")

    assert code == 1
    assert "Traceback" not in output
    assert any(re.search(message, line) for line in output.splitlines()), output


def test_semantic_manifest_json_time_spines() -> None:
    text = """{"semantic_models": [], "metrics": [], "project_configuration": {
      "time_spines": [{"node_relation": {"alias": "days", "schema_name": "analytics",
                                         "database": "dw", "relation_name": "dw.analytics.days"},
                       "primary_column": {"name": "date_day", "time_granularity": "day"},
                       "custom_granularities": [{"name": "fiscal_quarter",
                                                 "column_name": "fq_start"},
                                                {"name": "retail_month",
                                                 "column_name": null}]}]}}"""
    issues = Issues()
    document = load_semantic_manifest(text, "semantic_manifest.json", issues)
    manifest = build_manifest([YamlDocument("semantic_manifest.json", document)], issues).manifest

    assert not issues.items
    quarter = manifest.custom_granularity("fiscal_quarter")
    month = manifest.custom_granularity("retail_month")
    assert quarter is not None and month is not None
    assert (str(quarter.spine), quarter.spine_column, quarter.column) == (
        "dw.analytics.days",
        "date_day",
        "fq_start",
    )
    assert month.column == "retail_month"


def test_a_day_written_twice_in_the_spine_is_counted_once(tmp_path: Path) -> None:
    # 13 March appears twice; order 6 (8) falls on it and still counts once: gamma 15, 3.
    options = _project(tmp_path, SPINE_YAML)
    spine = options.project_dir / "models" / "marts" / "sprint_days.sql"
    spine.write_text(SPINE_SQL + "union all select date '2024-03-13', 'gamma'\n")
    api.seed(options)
    api.run(options)

    assert _rows(options, ["revenue", "orders"], ["metric_time__sprint"]) == (
        ("alpha", 12, 2),
        ("beta", 10, 1),
        ("gamma", 15, 3),
    )


CUMULATIVE = """
  - name: revenue_running
    type: cumulative
    type_params: {measure: revenue}
"""


def test_a_custom_period_filter_on_a_metric_along_time_is_refused(tmp_path: Path) -> None:
    # Filtering the rows by sprint would take the history a running total or an offset
    # reads (gamma's running total is 37, not 15), so it is refused rather than wrong.
    metrics = METRICS.replace("saved_queries:", CUMULATIVE.lstrip("\n") + "saved_queries:")
    options = _project(tmp_path, SPINE_YAML + metrics)
    api.seed(options)
    api.run(options)
    where = ["{{ TimeDimension('metric_time', 'sprint') }} = 'gamma'"]

    with pytest.raises(UserError, match="cannot be filtered by metric_time__sprint"):
        _rows(options, ["revenue_running"], ["metric_time__day"], where)
    with pytest.raises(UserError, match="a filter on metric_time would hide the periods"):
        _rows(options, ["revenue_prior_sprint"], ["metric_time__day"], where)
    assert _rows(options, ["revenue"], ["metric_time__sprint"], where) == (("gamma", 15),)
