"""A deploy for engines without transactional DDL: new views built aside, then swapped in.

Every new or changed view is first created under a temporary name. One statement that the
engine applies entirely or not at all (``rename_relations_sql``) then moves every previous
view aside and every new one into its place, so until that statement every previous view
answers as before, and after it every new one does. Engines with no such statement
(``build_aside``: ClickHouse, whose multi-table RENAME is not atomic, and Spark) still build
every new view aside first, so a new view whose SQL fails leaves every previous view as it
was; the new views then replace the previous ones one by one. Engines check a view's columns when it
is created, so a new view that reads another new view is built against a second copy of
that view (an anchor) and, once swapped in, re-pointed at its final name.

Temporary views are recorded in ``sl_state`` before they are created, so a deploy that dies
leaves nothing the next deploy cannot recognise and drop.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

import sqlalchemy as sa
from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.compiler import CompiledView
from semantic_layer.errors import UserError
from semantic_layer.render.dialects import Dialect, render_sql
from semantic_layer.warehouse.deploy import (
    DeployResult,
    Plan,
    Progress,
    drop_order,
    drop_statement,
    fingerprint,
)
from semantic_layer.warehouse.state import Key, existing_relations, forget, key, record

logger = logging.getLogger(__name__)

_MAX_NAME = 60  # under MySQL's and PostgreSQL's limits (64 and 63)


def temporary_name(name: str, role: str, token: str) -> str:
    """``name__sl_<role>_<token>``, shortened with a digest when it would be too long."""
    suffix = f"__sl_{role}_{token}"
    if len(name) + len(suffix) <= _MAX_NAME:
        return f"{name}{suffix}".lower()
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{name[: _MAX_NAME - len(suffix) - 9]}_{digest}{suffix}".lower()


def apply_by_swap(
    connection: sa.Connection, plan: Plan, dialect: Dialect, progress: Progress | None
) -> None:
    """Build the changed views aside, swap them all in with one rename (or, where the engine
    has none, replace them in turn), then clean up."""
    changed = [r for r in plan.results if r.action in ("created", "replaced") and r.view]
    dropped = drop_order([r for r in plan.results if r.action == "dropped"], plan.readers)
    total = len(plan.results)
    for result in plan.results:
        if result.action == "unchanged" and progress is not None:
            progress(result, total)
    if not changed and not dropped:
        return

    token = secrets.token_hex(3)
    by_key = {key(r.schema, r.name): r for r in changed}
    read = {k for r in changed for k in _reads(r.view) if k in by_key}  # type: ignore[arg-type]
    stage = {k: temporary_name(r.name, "new", token) for k, r in by_key.items()}
    anchor = {k: temporary_name(by_key[k].name, "ref", token) for k in read}
    swapped = dialect.rename_relations_sql is not None
    old = {
        key(r.schema, r.name): temporary_name(r.name, "old", token)
        for r in [*changed, *dropped]
        if r.action != "created" and swapped
    }
    temporaries = [
        (by_key[k].schema if k in by_key else k[0] or None, name)
        for names in (anchor, stage, old)
        for k, name in names.items()
    ]
    _refuse_taken(connection, temporaries)
    for schema, name in temporaries:
        record(connection, plan.state_schema, "temp", schema, name, "")
    connection.commit()

    built: list[tuple[str | None, str]] = []
    try:
        for result in changed:  # dependency order: what a view reads is built before it
            view, k = result.view, key(result.schema, result.name)
            assert view is not None
            if k in anchor:
                _create(connection, view, result.schema, anchor[k], anchor, dialect)
                built.append((result.schema, anchor[k]))
            _create(connection, view, result.schema, stage[k], anchor, dialect)
            built.append((result.schema, stage[k]))
            if progress is not None:
                progress(result, total)
    except BaseException:
        _drop_quietly(connection, plan, built, dialect)
        raise

    for result in changed:  # a deploy killed from here on is redone by the next one
        record(connection, plan.state_schema, "view", result.schema, result.name, "pending")
    connection.commit()
    if swapped:
        connection.exec_driver_sql(_rename_statement(plan, stage, old, by_key, dropped, dialect))
    else:
        # Every new view was just built, so its SQL is proven; each now replaces its
        # previous one, in dependency order, and the views sl no longer defines go.
        for result in [*changed, *dropped]:
            view = result.view
            statements = (
                view.ddl
                if view is not None
                else (drop_statement(result.schema, result.name, dialect),)
            )
            for statement in statements:
                connection.exec_driver_sql(statement)

    for result in changed:
        view = result.view
        assert view is not None
        if swapped and _reads(view) & anchor.keys():
            for statement in view.ddl:  # the same view, now reading the final names
                connection.exec_driver_sql(statement)
        for statement in view.comments:
            connection.exec_driver_sql(statement)
        record(connection, plan.state_schema, "view", result.schema, view.name, fingerprint(view))
        connection.commit()
    for result in dropped:
        forget(connection, plan.state_schema, result.schema, result.name)
        connection.commit()
        if progress is not None:
            progress(result, total)
    for schema, name in temporaries:  # previous views and anchors; no view reads them now
        connection.exec_driver_sql(drop_statement(schema, name, dialect))
        forget(connection, plan.state_schema, schema, name)
        connection.commit()


def _reads(view: CompiledView | None) -> set[Key]:
    if view is None:
        return set()
    return {key(table.db or view.schema, table.name) for table in view.select.find_all(exp.Table)}


def _create(
    connection: sa.Connection,
    view: CompiledView,
    schema: str | None,
    name: str,
    anchor: dict[Key, str],
    dialect: Dialect,
) -> None:
    """Create ``view`` as ``schema.name``, reading the anchors in place of changed views."""

    def to_anchor(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and node.name:
            found = anchor.get(key(node.db or view.schema, node.name))
            if found is not None:
                moved = node.copy()
                moved.set("this", sqlnames.identifier(found))
                return moved
        return node

    select = view.select.copy().transform(to_anchor)
    create = exp.Create(
        this=sqlnames.table(name, schema), kind="VIEW", replace=False, expression=select
    )
    statement = render_sql(create, dialect)
    logger.debug("executing %s", statement)
    connection.exec_driver_sql(statement)


def _rename_statement(  # type: ignore[no-untyped-def]
    plan: Plan, stage, old, by_key, dropped: list[DeployResult], dialect: Dialect
) -> str:
    """One statement: every previous view aside, every new one into its place."""

    def name(schema: str | None, relation: str) -> str:
        return sqlnames.table(relation, schema).sql(dialect=dialect.sqlglot_name)

    pairs = []
    for k, result in by_key.items():
        if k in old:
            pairs.append(f"{name(result.schema, result.name)} TO {name(result.schema, old[k])}")
        pairs.append(f"{name(result.schema, stage[k])} TO {name(result.schema, result.name)}")
    for result in dropped:
        k = key(result.schema, result.name)
        pairs.append(f"{name(result.schema, result.name)} TO {name(result.schema, old[k])}")
    assert dialect.rename_relations_sql is not None
    return dialect.rename_relations_sql.format(pairs=", ".join(pairs))


def _refuse_taken(connection: sa.Connection, temporaries: list[tuple[str | None, str]]) -> None:
    for schema, name in temporaries:
        if name in existing_relations(connection, schema):
            raise UserError(
                f"a relation named {schema}.{name} is in the way of the temporary view this "
                "deploy would build; nothing was deployed. Rename or drop it, then run again"
            )


def _drop_quietly(
    connection: sa.Connection, plan: Plan, built: list[tuple[str | None, str]], dialect: Dialect
) -> None:
    """After a failure, drop the temporary views built so far; the next deploy retries."""
    for schema, name in reversed(built):
        try:
            connection.exec_driver_sql(drop_statement(schema, name, dialect))
            forget(connection, plan.state_schema, schema, name)
            connection.commit()
        except sa.exc.DBAPIError:
            logger.debug("could not drop %s.%s after a failure", schema, name, exc_info=True)
