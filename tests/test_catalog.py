"""target/manifest.json lists every view with its grain, columns, metric definitions and the
relations it reads; it is the same text on every compile."""

from __future__ import annotations

import json

from semantic_layer import api
from tests.helpers import tiny_shop


def test_the_manifest_describes_each_metric_view(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.compile_views(options)
    path = options.project_dir / "target" / "manifest.json"
    data = json.loads(path.read_text())
    views = {view["name"]: view for view in data["views"]}

    view = views["shop_monthly_by_region"]
    assert view["relation"] == "main.shop_monthly_by_region"
    assert view["grain"] == ["metric_time__month", "customer__region"]
    assert view["columns"] == [
        "metric_time__month", "customer__region", "revenue", "orders", "average_order_value",
        "active_customers",
    ]  # fmt: skip
    ratio = next(m for m in view["metrics"] if m["name"] == "average_order_value")
    assert (ratio["type"], ratio["numerator"], ratio["denominator"]) == (
        "ratio",
        "revenue",
        "orders",
    )
    assert {"stg_orders", "stg_customers"} <= set(view["reads"])
    assert views["stg_orders"]["kind"] == "SQL model"
    assert views["stg_orders"]["reads"] == ["raw.raw_orders"]


def test_the_manifest_is_the_same_on_every_compile(tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = tiny_shop(tmp_path)
    api.compile_views(options)
    first = (options.project_dir / "target" / "manifest.json").read_bytes()
    api.compile_views(options)
    assert (options.project_dir / "target" / "manifest.json").read_bytes() == first
