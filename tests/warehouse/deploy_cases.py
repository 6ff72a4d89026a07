"""The tiny shop deployed to DuckDB, PostgreSQL or MariaDB, a change to it that creates,
replaces and drops views, and plain-SQL reads of what every view answers."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from semantic_layer import api
from tests.helpers import TINY_SHOP

# A second saved query, deployed first and removed by the change (so its view is dropped).
DAILY = """
saved_queries:
  - name: shop_revenue_daily
    query_params:
      metrics: [revenue]
      group_by:
        - TimeDimension('metric_time', 'day')
    exports:
      - name: shop_revenue_daily
        config: {export_as: view}
"""

# The change: a new column in a SQL model, a new dimension on it, a new view reading it.
BIG_ORDERS = """
saved_queries:
  - name: shop_big_orders
    description: Revenue of big and small orders.
    query_params:
      metrics: [revenue]
      group_by:
        - Dimension('order_id__is_big')
    exports:
      - name: shop_big_orders
        config: {export_as: view}
"""


IS_BIG = "Whether twice the amount is over 15."


@dataclass
class Deployment:
    """A copy of the tiny shop with a profile for one engine, and a reader of its views."""

    options: api.Options
    engine: sa.Engine
    schema: str | None  # where views are, as plain SQL names them

    def relation(self, name: str) -> str:
        return f"{self.schema}.{name}" if self.schema else name

    def rows(self, view: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The view's columns and its rows, sorted, read with plain SQL."""
        with self.engine.connect() as connection:
            result = connection.exec_driver_sql(f"select * from {self.relation(view)}")
            return list(result.keys()), sorted((tuple(r) for r in result), key=repr)

    def snapshot(self, views: list[str]) -> dict[str, Any]:
        return {view: self.rows(view) for view in views}

    def relations(self) -> set[str]:
        """Every table and view in the target schema, lower case."""
        inspector = sa.inspect(self.engine)
        names = inspector.get_table_names(self.schema) + inspector.get_view_names(self.schema)
        return {name.lower() for name in names}

    def change(self) -> None:
        """Replace stg_orders and shop_monthly_by_region, create shop_big_orders, drop
        shop_revenue_daily."""
        models = self.options.project_dir / "models"
        stg = models / "staging" / "stg_orders.sql"
        stg.write_text(
            stg.read_text().replace("as is_food\n", "as is_food,\n    amount * 2 as doubled\n")
        )
        orders = models / "semantic" / "orders.yml"
        orders.write_text(
            orders.read_text().replace(
                "      - name: is_food\n        type: categorical\n",
                "      - name: is_food\n        type: categorical\n"
                "      - name: is_big\n        type: categorical\n        expr: doubled > 15\n"
                f"        description: {IS_BIG}\n",
                1,
            )
        )
        queries = models / "semantic" / "saved_queries.yml"
        queries.write_text(
            queries.read_text().replace(
                "      group_by:\n",
                "      where:\n        - \"{{ Dimension('customer__region') }} IS NOT NULL\"\n"
                "      group_by:\n",
                1,
            )
        )
        (models / "semantic" / "extra.yml").write_text(BIG_ORDERS)


FIRST_VIEWS = [
    "stg_customers",
    "stg_orders",
    "stg_order_items",
    "order_items",
    "shop_monthly_by_region",
    "shop_revenue_daily",
]
CHANGED_VIEWS = [v for v in FIRST_VIEWS if v != "shop_revenue_daily"] + ["shop_big_orders"]


def tiny_shop_on(engine_name: str, root: Path, server: Any, prefix: str) -> Deployment:
    """The tiny shop (with DAILY) seeded and deployed to a fresh database or schema."""
    project = root / "project"
    shutil.copytree(TINY_SHOP, project)
    (project / "models" / "semantic" / "extra.yml").write_text(DAILY)
    raw = f"{prefix}_raw"
    for path, old in (
        (project / "sl_project.yml", "seed-schema: raw"),
        (project / "models" / "staging" / "sources.yml", "schema: raw"),
    ):
        path.write_text(path.read_text().replace(old, old.replace("raw", raw)))

    output, url, schema = _target(engine_name, root, server, prefix)
    profiles = root / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text(
        f"tiny_shop:\n  target: it\n  outputs:\n    it:\n{output}", encoding="utf-8"
    )
    options = api.Options(project_dir=project, profiles_dir=profiles)
    api.seed(options)
    api.run(options)
    return Deployment(options, sa.create_engine(url), schema)


def _target(engine_name: str, root: Path, server: Any, prefix: str) -> tuple[str, str, str]:
    if engine_name == "duckdb":
        path = root / "w.duckdb"
        return (
            f"      type: duckdb\n      path: '{path}'\n      schema: main\n",
            f"duckdb:///{path}",
            "main",
        )
    if engine_name == "clickhouse":  # ``server`` is the process's one chdb folder
        return (
            f"      type: clickhouse\n      driver: chdb\n      path: '{server}'\n"
            f"      schema: {prefix}\n",
            f"clickhouse+chdb:///{server}",
            prefix,
        )
    if engine_name == "sqlite":
        path = root / "w.sqlite"
        return (
            f"      type: sqlite\n      path: '{path}'\n      schema: main\n",
            f"sqlite:///{path}",
            "main",
        )
    connection = server.connect()
    with connection.cursor() as cursor:
        cursor.execute(f"create database {prefix}")
    connection.close()
    if engine_name == "postgres":
        output = (
            f"      type: postgres\n      host: 127.0.0.1\n      port: {server.port}\n"
            f"      user: postgres\n      password: ''\n      dbname: {prefix}\n"
            "      schema: analytics\n"
        )
        return (
            output,
            f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/{prefix}",
            "analytics",
        )
    output = (
        f"      type: mysql\n      host: 127.0.0.1\n      port: {server.port}\n"
        f"      user: root\n      password: ''\n      schema: {prefix}\n"
    )
    return output, f"mysql+pymysql://root@127.0.0.1:{server.port}/{prefix}", prefix
