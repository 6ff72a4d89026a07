"""A view's grain is checked for every metric in it, and written in the view's header."""

from __future__ import annotations

import pytest

from semantic_layer import api
from semantic_layer.errors import UserError
from tests.helpers import tiny_shop

CUMULATIVE_BY_REGION = """
metrics:
  - name: revenue_running
    type: cumulative
    type_params: {measure: revenue}
saved_queries:
  - name: running_by_region
    query_params:
      metrics: [revenue, revenue_running]
      group_by: ["Dimension('customer__region')"]
    exports:
      - {name: running_by_region, config: {export_as: view}}
"""


def test_a_metric_undefined_at_the_views_grain_fails_at_the_saved_query(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path, CUMULATIVE_BY_REGION)
    with pytest.raises(UserError) as raised:
        api.validate(options)
    message = str(raised.value)
    assert "models/semantic/extra.yml:7:" in message  # the saved query's line
    assert "cumulative metric 'revenue_running' needs exactly one metric_time column" in message


def test_the_header_states_grain_and_metrics(tmp_path) -> None:  # type: ignore[no-untyped-def]
    grained = CUMULATIVE_BY_REGION.replace(
        """group_by: ["Dimension('customer__region')"]""",
        """group_by: ["Dimension('customer__region')", "TimeDimension('metric_time', 'week')"]""",
    )
    views, _, _ = api.compile_views(tiny_shop(tmp_path, grained))
    view = next(v for v in views if v.name == "running_by_region")
    header = view.statement.splitlines()[:3]
    assert header[1] == "-- grain: customer__region, metric_time__week"
    assert header[2] == "-- metrics: revenue, revenue_running"
