"""Windows and offsets counted in hours, worked by hand on four events:

    event  time              amount  hour
    1      01-01 22:15       1       22:00
    2      01-01 23:40       2       23:00
    3      01-02 00:05       4       00:00 (next day)
    4      01-02 02:30       8       02:00

A 2-hour window ending on (and including) each hour holds the hours after the one two
hours earlier: 22:00 sees event 1 (1); 23:00 events 1-2 (3); 00:00 events 2-3 (6); 01:00
event 3 (4); 02:00 event 4 (8). By day, the last hour's value stands for the day with
period_agg last: 3 for 1 January, 8 for 2 January.

An offset of one hour reads the hour before: 23:00 reads 1, 00:00 reads 2, 01:00 reads 4;
22:00 and 02:00 have no earlier hour with data. An offset of one day by the hour reads the
same hour a day earlier: only 22:00 and 23:00 of 1 January have data a day later, and no
such hour is shown, so nothing is read.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import run_sl, tiny_shop

EVENTS_SQL = """
select * from (values
    (1, timestamp '2024-01-01 22:15:00', 1), (2, timestamp '2024-01-01 23:40:00', 2),
    (3, timestamp '2024-01-02 00:05:00', 4), (4, timestamp '2024-01-02 02:30:00', 8)
) as t(event_id, happened_at, amount)
"""

EVENTS = """
semantic_models:
  - name: events
    model: ref('events')
    defaults: {agg_time_dimension: happened_at}
    entities:
      - {name: event, type: primary, expr: event_id}
    dimensions:
      - {name: happened_at, type: time, type_params: {time_granularity: second}}
    measures:
      - {name: amount, agg: sum}
metrics:
  - {name: amount, type: simple, type_params: {measure: amount}}
  - name: amount_2h
    type: cumulative
    type_params: {measure: amount, window: 2 hours}
  - name: amount_2h_last
    type: cumulative
    type_params:
      measure: amount
      cumulative_type_params: {window: 2 hours, period_agg: last}
  - name: amount_prior_hour
    type: derived
    type_params:
      expr: prior
      metrics:
        - {name: amount, offset_window: 1 hour, alias: prior}
  - name: amount_a_day_before
    type: derived
    type_params:
      expr: prior
      metrics:
        - {name: amount, offset_window: 1 day, alias: prior}
"""


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> api.Options:
    options = tiny_shop(tmp_path_factory.mktemp("hours"), EVENTS)
    (options.project_dir / "models" / "marts" / "events.sql").write_text(EVENTS_SQL)
    api.seed(options)
    api.run(options)
    return options


def _rows(options: api.Options, metrics: list[str], grain: str) -> tuple:
    group_by = [f"metric_time__{grain}"]
    return api.query(options, metrics=metrics, group_by=group_by, where=[],
                     order_by=group_by, limit=None).rows  # fmt: skip


def _at(day: int, hour: int) -> datetime:
    return datetime(2024, 1, day, hour)


def test_a_window_of_two_hours(events: api.Options) -> None:
    assert _rows(events, ["amount_2h"], "hour") == (
        (_at(1, 22), 1),
        (_at(1, 23), 3),
        (_at(2, 0), 6),
        (_at(2, 1), 4),
        (_at(2, 2), 8),
    )


def test_a_window_of_hours_read_by_day(events: api.Options) -> None:
    assert _rows(events, ["amount_2h_last"], "day") == (
        (date(2024, 1, 1), 3),
        (date(2024, 1, 2), 8),
    )


def test_an_offset_of_one_hour(events: api.Options) -> None:
    assert _rows(events, ["amount_prior_hour"], "hour") == (
        (_at(1, 23), 1),
        (_at(2, 0), 2),
        (_at(2, 1), 4),
    )


def test_an_offset_of_a_day_read_by_the_hour(events: api.Options) -> None:
    assert _rows(events, ["amount", "amount_a_day_before"], "hour") == (
        (_at(1, 22), 1, None),
        (_at(1, 23), 2, None),
        (_at(2, 0), 4, None),
        (_at(2, 2), 8, None),
    )


def test_a_month_window_by_the_hour_is_refused(tmp_path: Path) -> None:
    extra = (
        EVENTS
        + """
  - name: amount_prior_month
    type: derived
    type_params:
      expr: prior
      metrics:
        - {name: amount, offset_window: 1 month, alias: prior}
"""
    )
    options = tiny_shop(tmp_path, extra)
    (options.project_dir / "models" / "marts" / "events.sql").write_text(EVENTS_SQL)

    with pytest.raises(UserError, match="cannot count its window in months"):
        _rows(options, ["amount_prior_month"], "hour")


def test_windows_shorter_than_an_hour_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = tiny_shop(tmp_path, EVENTS.replace("window: 2 hours}", "window: 30 minutes}"))
    (options.project_dir / "models" / "marts" / "events.sql").write_text(EVENTS_SQL)

    code, output = run_sl(options, capsys, "validate")

    assert code == 1
    assert "extra.yml:" in output and "windows shorter than an hour are not supported" in output


def test_a_row_a_century_old_leaves_the_recent_hours_right(tmp_path: Path) -> None:
    # The spine reaches 10**6 hours (about 114 years) back from the last hour of data; an
    # event of 1900 lies beyond it, so its own hours are not shown, but the recent hours are,
    # with the values worked out above.
    old_row = "(0, timestamp '1900-01-01 00:00:00', 100), (1, timestamp '2024-01-01 22:15:00', 1)"
    options = tiny_shop(tmp_path, EVENTS)
    (options.project_dir / "models" / "marts" / "events.sql").write_text(
        EVENTS_SQL.replace("(1, timestamp '2024-01-01 22:15:00', 1)", old_row)
    )
    api.seed(options)
    api.run(options)
    where = ["{{ TimeDimension('metric_time', 'hour') }} >= '2024-01-01'"]

    rows = api.query(options, metrics=["amount_2h", "amount_prior_hour"],
                     group_by=["metric_time__hour"], where=where,
                     order_by=["metric_time__hour"], limit=None).rows  # fmt: skip

    assert rows == (
        (_at(1, 22), 1, None),
        (_at(1, 23), 3, 1),
        (_at(2, 0), 6, 2),
        (_at(2, 1), 4, 4),
        (_at(2, 2), 8, None),
    )


def test_an_offset_in_custom_periods_of_an_hourly_spine(tmp_path: Path) -> None:
    # Shifts on an hourly spine: A until 22:59 on 1 January, B until 00:59 on 2 January, C
    # after. A holds event 1 (1), B events 2 and 3 (6), C event 4 (8). The project loads
    # (the offset is checked by shift, not by day), and each shift reads the one before.
    spine_sql = """
select h as date_hour,
       case when h < timestamp '2024-01-01 23:00' then 'A'
            when h < timestamp '2024-01-02 01:00' then 'B' else 'C' end as shift
from range(timestamp '2024-01-01', timestamp '2024-01-03', interval 1 hour) as t(h)
"""
    spine_yaml = """
models:
  - name: shift_hours
    time_spine:
      standard_granularity_column: date_hour
      custom_granularities: [{name: shift}]
    columns: [{name: date_hour, granularity: hour}]
"""
    extra = (
        EVENTS.replace("metrics:\n", spine_yaml + "metrics:\n", 1)
        + """
  - name: amount_prior_shift
    type: derived
    type_params:
      expr: prior
      metrics:
        - {name: amount, offset_window: 1 shift, alias: prior}
"""
    )
    options = tiny_shop(tmp_path, extra)
    marts = options.project_dir / "models" / "marts"
    (marts / "events.sql").write_text(EVENTS_SQL)
    (marts / "shift_hours.sql").write_text(spine_sql)
    api.seed(options)
    api.run(options)

    assert _rows(options, ["amount", "amount_prior_shift"], "shift") == (
        ("A", 1, None),
        ("B", 6, 1),
        ("C", 8, 6),
    )
