"""A time-zone-aware dimension is cut into days in the project's reporting time zone, and the
deployed view answers the same whatever the reading session's zone.

Worked by hand for America/New_York, where daylight saving time starts at 07:00 UTC on
10 March 2024: event 1 at 03:30 UTC is 22:30 on 9 March (UTC-5); event 2 at 12:00 UTC is
08:00 on 10 March (UTC-4); event 3 at 04:59 UTC on 11 March is 00:59 that day. In UTC the
first two fall on 10 March.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from semantic_layer import api
from tests.helpers import run_sl, tiny_shop

EVENTS_SQL = """
select * from (values
    (1, timestamptz '2024-03-10 03:30:00+00'),
    (2, timestamptz '2024-03-10 12:00:00+00'),
    (3, timestamptz '2024-03-11 04:59:00+00')
) as t(event_id, happened_at)
"""

EVENTS = """
semantic_models:
  - name: events
    model: ref('events')
    defaults: {agg_time_dimension: happened_at}
    entities:
      - {name: event, type: primary, expr: event_id}
    dimensions:
      - name: happened_at
        type: time
        type_params: {time_granularity: second}
        config:
          meta: {time_zone_aware: true}
    measures:
      - {name: event_count, expr: "1", agg: sum}
metrics:
  - {name: events, type: simple, type_params: {measure: event_count}}
saved_queries:
  - name: events_daily
    query_params:
      metrics: [events]
      group_by: ["TimeDimension('metric_time', 'day')"]
    exports:
      - {name: events_daily, config: {export_as: view}}
"""


def _project(root: Path, zone: str | None) -> api.Options:
    options = tiny_shop(root, EVENTS)
    (options.project_dir / "models" / "marts" / "events.sql").write_text(EVENTS_SQL)
    if zone is not None:
        with (options.project_dir / "sl_project.yml").open("a") as file:
            file.write(f"time-zone: {zone}\n")
    return options


def _view_rows(options: api.Options, session_zone: str) -> list[tuple]:
    database = options.profiles_dir.parent / "w.duckdb"  # type: ignore[union-attr]
    connection = duckdb.connect(str(database), read_only=True)
    try:
        connection.execute(f"SET TimeZone = '{session_zone}'")
        return connection.execute("select * from main.events_daily order by 1").fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (
            "America/New_York",
            [(date(2024, 3, 9), 1), (date(2024, 3, 10), 1), (date(2024, 3, 11), 1)],
        ),
        (None, [(date(2024, 3, 10), 2), (date(2024, 3, 11), 1)]),  # UTC by default
    ],
    ids=["new-york", "default-utc"],
)
def test_days_are_cut_in_the_reporting_zone(
    tmp_path: Path, zone: str | None, expected: list[tuple]
) -> None:
    options = _project(tmp_path, zone)
    api.seed(options)
    api.run(options)

    for session_zone in ("Asia/Tokyo", "UTC", "America/Los_Angeles"):
        assert _view_rows(options, session_zone) == expected, session_zone


def test_a_time_zone_that_does_not_exist_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = _project(tmp_path, "'Mars/Olympus'")

    code, output = run_sl(options, capsys, "validate")

    assert code == 1
    assert "sl_project.yml:" in output and "time-zone 'Mars/Olympus'" in output
    assert "Traceback" not in output


def test_time_zone_aware_is_for_time_dimensions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path, EVENTS.replace("type: time\n", "type: categorical\n", 1))

    code, output = run_sl(options, capsys, "validate")

    assert code == 1
    assert "time_zone_aware applies to time dimensions only" in output
