"""Compiled views into the warehouse: planned, checked, then applied without losing a view.

A deploy first decides, for every view, whether it is created, replaced, left unchanged or
dropped (a view sl created that is no longer defined), and checks everything that could
stop it before any statement changes anything. It then applies the changes in one
transaction where the engine has transactional DDL, and elsewhere builds the new views
aside and swaps them in with one rename (``swap.py``), so a deploy that fails or is killed
leaves every previous view readable. One deploy at a time holds the target's lock.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.compiler import CompiledView
from semantic_layer.errors import UserError
from semantic_layer.render.dialects import Dialect, render_sql
from semantic_layer.validate.issues import did_you_mean
from semantic_layer.warehouse.dependents import readers_of, view_readers
from semantic_layer.warehouse.lock import DEFAULT_TIMEOUT, file_lock, warehouse_lock
from semantic_layer.warehouse.state import (
    STATE_TABLE,
    Key,
    ensure_schema,
    existing_relations,
    forget,
    key,
    read_state,
    record,
    recorded,
)

logger = logging.getLogger(__name__)

ACTIONS = ("created", "replaced", "unchanged", "dropped")


@dataclass(frozen=True)
class DeployResult:
    """What happens to one view: created, replaced, unchanged or dropped.

    ``view`` is the compiled view, absent for a dropped one (it is no longer defined).
    """

    action: str
    schema: str | None
    name: str
    view: CompiledView | None = None

    @property
    def qualified_name(self) -> str:
        if self.view is not None:
            return self.view.qualified_name
        return ".".join(part for part in (self.schema, self.name) if part)


Progress = Callable[[DeployResult, int], None]  # a view done, and how many there are


@dataclass(frozen=True)
class Plan:
    """The deploy decided: an action per view, what sl owns, and who reads what."""

    results: list[DeployResult]
    state_schema: str | None
    deployed: dict[Key, tuple[str, str]]
    readers: dict[Key, set[Key]]


def deploy(
    engine: sa.Engine,
    views: list[CompiledView],
    dialect: Dialect,
    state_schema: str | None,
    progress: Progress | None = None,
    defined: list[CompiledView] | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
    unselected: list[CompiledView] | None = None,
) -> list[DeployResult]:
    """Create or replace every view whose statements changed since the last deploy, and
    drop the views sl created that ``defined`` (every view of the project) no longer has.

    The fingerprint of each deployed view is kept in the table ``sl_state`` of
    ``state_schema``. Nothing sl did not create is dropped or replaced: a relation in the
    way, a user's view that reads a view to be replaced or dropped, or a missing source
    table stops the deploy before its first statement, with a message naming them.

    Raises:
        UserError: one of the checks above failed, or another deploy holds the lock for
            ``lock_timeout`` seconds.
        sqlalchemy.exc.DBAPIError: the warehouse refused a statement.
    """
    schema = state_schema if dialect.supports_schemas else None
    with file_lock(engine.url, lock_timeout), engine.connect() as connection:
        if dialect.transactional_ddl:
            with connection.begin():
                return _deploy(
                    connection, views, dialect, schema, progress, defined, lock_timeout, unselected
                )
        # Each statement stands alone here; the state is committed as the warehouse changes.
        results = _deploy(
            connection, views, dialect, schema, progress, defined, lock_timeout, unselected
        )
        connection.commit()
        return results


def _deploy(  # type: ignore[no-untyped-def]
    connection: sa.Connection,
    views,
    dialect: Dialect,
    schema,
    progress,
    defined,
    lock_timeout,
    unselected=None,
) -> list[DeployResult]:
    from semantic_layer.warehouse.swap import apply_by_swap

    with warehouse_lock(connection, dialect, schema, lock_timeout):
        plan = _plan(connection, views, dialect, schema, defined, unselected)
        if any(result.action != "unchanged" for result in plan.results):
            for name in sorted({view.schema for view in views if _schema(view, dialect)}):
                ensure_schema(connection, name)
        swaps = dialect.rename_relations_sql is not None or dialect.build_aside
        if dialect.transactional_ddl or not swaps:
            _apply_in_place(connection, plan, dialect, progress)
        else:
            apply_by_swap(connection, plan, dialect, progress)
        if defined is not None:
            drop_leftovers(connection, plan, dialect)
        return plan.results


def commit_unless_transactional(connection: sa.Connection, dialect: Dialect) -> None:
    """Make the state match the warehouse at once, where DDL is not transactional."""
    if not dialect.transactional_ddl:
        connection.commit()


def plan_deploy(
    engine: sa.Engine,
    views: list[CompiledView],
    dialect: Dialect,
    state_schema: str | None,
    defined: list[CompiledView] | None = None,
    unselected: list[CompiledView] | None = None,
) -> list[DeployResult]:
    """What ``deploy`` would do to each view, reading the warehouse and changing nothing.

    Raises:
        UserError: as ``deploy`` would, before its first statement.
    """
    schema = state_schema if dialect.supports_schemas else None
    with engine.connect() as connection:
        return _plan(connection, views, dialect, schema, defined, unselected).results


def select_views(views: list[CompiledView], names: list[str]) -> list[CompiledView]:
    """The views named (by name or schema.name) and every SQL model they read, in order.

    Raises:
        UserError: a name matches no view; the message suggests the closest.
    """
    by_name = {view.name: view for view in views}
    wanted: set[str] = set()
    for name in names:
        match = [v for v in views if name in (v.name, f"{v.schema}.{v.name}")]
        if not match:
            raise UserError(f"--select: no view '{name}'{did_you_mean(name, by_name)}")
        pending = [view.name for view in match]
        while pending:
            current = pending.pop()
            if current not in wanted:
                wanted.add(current)
                pending.extend(d for d in by_name[current].depends_on if d in by_name)
    return [view for view in views if view.name in wanted]


def fingerprint(view: CompiledView) -> str:
    """A digest of every statement that makes the view, so any change is seen."""
    return hashlib.sha256("\n".join((*view.ddl, *view.comments)).encode("utf-8")).hexdigest()


def drop_statement(schema: str | None, name: str, dialect: Dialect) -> str:
    """DROP VIEW IF EXISTS for ``schema.name`` in the dialect."""
    drop = exp.Drop(tables=[sqlnames.table(name, schema)], kind="VIEW", exists=True)
    return render_sql(drop, dialect, pretty=False)


def _schema(view: CompiledView, dialect: Dialect) -> str | None:
    return view.schema if dialect.supports_schemas else None


def _plan(
    connection: sa.Connection,
    views: list[CompiledView],
    dialect: Dialect,
    state_schema: str | None,
    defined: list[CompiledView] | None,
    unselected: list[CompiledView] | None = None,
) -> Plan:
    """Decide every view's action and run every check, before any statement.

    With a selection, a view left out of it that reads a view being replaced joins the
    deploy when its own statements changed too, so that no deployed view is left reading a
    replaced one it no longer fits.
    """
    deployed = read_state(connection, state_schema)
    views = views + _changed_readers(connection, views, unselected or [], dialect, deployed)
    _require_sources(connection, views)
    _refuse_foreign(connection, views, deployed, dialect)
    results = [_action(connection, view, deployed, dialect) for view in views]
    if defined is not None:
        results += _stale(connection, deployed, {key(_schema(v, dialect), v.name) for v in defined})

    readers = view_readers(connection, dialect)
    _refuse_foreign_readers(results, deployed, readers)
    return Plan(results, state_schema, deployed, readers)


def _action(
    connection: sa.Connection,
    view: CompiledView,
    deployed: dict[Key, tuple[str, str]],
    dialect: Dialect,
) -> DeployResult:
    schema = _schema(view, dialect)
    exists = view.name.lower() in existing_relations(connection, schema)
    same = deployed.get(key(schema, view.name)) == ("view", fingerprint(view))
    action = "unchanged" if same and exists else "replaced" if exists else "created"
    return DeployResult(action, schema, view.name, view)


def _changed_readers(
    connection: sa.Connection,
    selected: list[CompiledView],
    unselected: list[CompiledView],
    dialect: Dialect,
    deployed: dict[Key, tuple[str, str]],
) -> list[CompiledView]:
    """The views outside a selection that read (at any remove) a selected view being
    replaced, and whose own statements changed: deploying them too keeps them in step."""
    if not unselected:
        return []
    replaced = {
        view.name
        for view in selected
        if _action(connection, view, deployed, dialect).action == "replaced"
    }
    added: list[CompiledView] = []
    grown = True
    while grown:
        grown = False
        for view in unselected:
            if view in added or not replaced & set(view.depends_on):
                continue
            if _action(connection, view, deployed, dialect).action != "unchanged":
                added.append(view)
                replaced.add(view.name)
                grown = True
    return sorted(added, key=unselected.index)


def _stale(
    connection: sa.Connection, deployed: dict[Key, tuple[str, str]], defined: set[Key]
) -> list[DeployResult]:
    """Views sl created that are no longer defined and are still there, to be dropped."""
    stale = []
    for (schema, name), (kind, _) in sorted(deployed.items()):
        if kind == "view" and (schema, name) not in defined:
            spelled = existing_relations(connection, schema or None).get(name)
            if spelled is not None:
                stale.append(DeployResult("dropped", schema or None, spelled))
    return stale


def _refuse_foreign_readers(
    results: list[DeployResult], deployed: dict[Key, tuple[str, str]], readers: dict[Key, set[Key]]
) -> None:
    """Stop when a view sl did not create reads a view this deploy replaces or drops."""
    ours = {k for k, (kind, _) in deployed.items()} | {key(r.schema, r.name) for r in results}
    blocked = []
    for result in results:
        if result.action not in ("replaced", "dropped"):
            continue
        target = key(result.schema, result.name)
        for reader in sorted(readers_of(readers, target) - ours):
            reader_name = ".".join(part for part in reader if part)
            blocked.append(f"{reader_name} reads {result.qualified_name} (to be {result.action})")
    if blocked:
        raise UserError(
            "views that sl did not create read views this deploy would change, so nothing was "
            f"deployed: {'; '.join(blocked)}. Drop or rewrite those views first, or deploy the "
            "changed views under another name (export alias or schema)"
        )


def _apply_in_place(
    connection: sa.Connection, plan: Plan, dialect: Dialect, progress: Progress | None
) -> None:
    """Each statement in dependency order: atomic only where DDL is transactional."""
    total = len(plan.results)
    for result in plan.results:
        view = result.view
        if view is not None and result.action in ("created", "replaced"):
            if result.action == "replaced" and dialect.replace_view_keeps_columns:
                try:
                    with connection.begin_nested():
                        _execute(connection, view.ddl)
                except sa.exc.DBAPIError:
                    logger.info("recreating %s and the views that read it", view.name)
                    _recreate(connection, plan, result, dialect)
            else:
                _execute(connection, view.ddl)
            _execute(connection, view.comments)
            record(
                connection, plan.state_schema, "view", result.schema, view.name, fingerprint(view)
            )
            commit_unless_transactional(connection, dialect)
        if progress is not None and result.action != "dropped":
            progress(result, total)

    for result in drop_order([r for r in plan.results if r.action == "dropped"], plan.readers):
        connection.exec_driver_sql(drop_statement(result.schema, result.name, dialect))
        forget(connection, plan.state_schema, result.schema, result.name)
        commit_unless_transactional(connection, dialect)
        if progress is not None:
            progress(result, total)


def _execute(connection: sa.Connection, statements: tuple[str, ...]) -> None:
    for statement in statements:
        logger.debug("executing %s", statement)
        connection.exec_driver_sql(statement)


def _recreate(
    connection: sa.Connection, plan: Plan, result: DeployResult, dialect: Dialect
) -> None:
    """Drop a view and every view that reads it, then create them again, in the deploy's
    transaction: the way to change the columns of a view where CREATE OR REPLACE cannot.

    Raises:
        UserError: a view that reads it (at any remove) is not part of this deploy.
    """
    deployed = {key(r.schema, r.name): r for r in plan.results if r.view is not None}
    changed = key(result.schema, result.name)
    affected, pending = {changed}, [changed]
    while pending:
        for reader in readers_of(plan.readers, pending.pop()) - affected:
            if reader not in deployed:
                raise UserError(
                    f"the columns of view {result.qualified_name} change, which this engine "
                    "allows only by dropping it and the views that read it; "
                    f"{'.'.join(p for p in reader if p)} reads it and is not part of this "
                    "deploy, so nothing was deployed. Deploy without --select, or drop that "
                    "view first"
                )
            affected.add(reader)
            pending.append(reader)

    for dropped in drop_order([deployed[k] for k in affected], plan.readers):
        connection.exec_driver_sql(drop_statement(dropped.schema, dropped.name, dialect))
    for again in plan.results:  # dependency order
        if key(again.schema, again.name) in affected and again.view is not None:
            _execute(connection, again.view.ddl)
            if again is not result:
                _execute(connection, again.view.comments)


def drop_order(dropped: list[DeployResult], readers: dict[Key, set[Key]]) -> list[DeployResult]:
    """Views to drop, each after the views that read it (PostgreSQL refuses otherwise)."""
    remaining = {key(r.schema, r.name): r for r in dropped}
    ordered = []
    while remaining:
        free = [k for k in remaining if not (readers_of(readers, k) & remaining.keys())]
        for k in sorted(free or remaining):  # a cycle cannot happen; never loop forever
            ordered.append(remaining.pop(k))
    return ordered


def drop_leftovers(connection: sa.Connection, plan: Plan, dialect: Dialect) -> None:
    """Drop the temporary views an interrupted deploy left, unless a lasting view reads one
    (a view swapped in just before the deploy died, until the next deploy replaces it)."""
    temporaries = {
        key(schema, name): (schema, name)
        for schema, name in recorded(connection, plan.state_schema, "temp")
    }
    if not temporaries:
        return
    readers = view_readers(connection, dialect)
    leftovers = []
    for k, (schema, name) in temporaries.items():
        if not readers_of(readers, k) - temporaries.keys():
            spelled = existing_relations(connection, schema).get(name.lower())
            leftovers.append(DeployResult("dropped", schema, spelled or name))
    for result in drop_order(leftovers, readers):
        connection.exec_driver_sql(drop_statement(result.schema, result.name, dialect))
        forget(connection, plan.state_schema, result.schema, result.name)
        commit_unless_transactional(connection, dialect)


def _refuse_foreign(connection, views, deployed, dialect) -> None:  # type: ignore[no-untyped-def]
    """Stop when a view would take the place of a relation this tool did not create."""
    taken = []
    for view in views:
        schema = _schema(view, dialect)
        if view.name.lower() == STATE_TABLE:
            raise UserError(f"view '{view.name}': {STATE_TABLE} is the name of sl's own table")
        ours = deployed.get(key(schema, view.name), ("", ""))[0] == "view"
        found = existing_relations(connection, schema).get(view.name.lower())
        if found is not None and not ours:
            taken.append(f"{schema}.{found}" if schema else found)
    if taken:
        raise UserError(
            "these relations already exist and were not created by sl, so they are left as "
            f"they are and nothing was deployed: {', '.join(taken)}. Rename the view in the "
            "definitions (export alias or schema) or remove the relation yourself."
        )


def _require_sources(connection: sa.Connection, views: list[CompiledView]) -> None:
    """Stop before the first statement when a source table the views read is missing."""
    present: dict[str | None, dict[str, str]] = {}
    missing: dict[str, list[str]] = {}
    for view in views:
        for table in view.sources:
            schema = table.db or None
            if schema not in present:
                present[schema] = existing_relations(connection, schema)
            if table.name.lower() not in present[schema]:
                missing.setdefault(table.sql(), []).append(view.name)
    if missing:
        lines = [
            f"{name} (read by {', '.join(sorted(set(readers)))})"
            for name, readers in sorted(missing.items())
        ]
        raise UserError(
            "these source tables are not in the warehouse, so nothing was deployed: "
            + "; ".join(lines)
            + ". Load them first (the sample's: sl seed) or fix schema/identifier under sources:"
        )


def view_exists(engine: sa.Engine, schema: str | None, name: str) -> bool:
    """True when ``schema.name`` (compared without case) is a relation of the warehouse."""
    with engine.connect() as connection:
        return name.lower() in existing_relations(connection, schema)
