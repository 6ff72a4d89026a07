"""The library's entry points, one per command: seed, compile, run, query, show, validate.

>>> from pathlib import Path
>>> from semantic_layer.api import compile_views
>>> views = compile_views(Path("."), dialect="postgres")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

from semantic_layer import sqlnames
from semantic_layer.catalog import catalog, write_catalog
from semantic_layer.compiler import CompiledView, Compiler, compile_project, write_compiled
from semantic_layer.errors import Location, UserError, WarehouseError
from semantic_layer.plan.builder import GroupByItem, QuerySpec
from semantic_layer.plan.names import parse_element_name
from semantic_layer.profiles import Target, load_target
from semantic_layer.render.dialects import Dialect, dialect_for_target_type, get_dialect, render_sql
from semantic_layer.render.sql import render_plan
from semantic_layer.spec.objects import Filter
from semantic_layer.validate.issues import Issue, Issues, did_you_mean
from semantic_layer.workspace import Project, load_project

logger = logging.getLogger(__name__)

if TYPE_CHECKING:  # SQLAlchemy is imported only by the warehouse stage, when a command needs it
    import sqlalchemy as sa


@dataclass(frozen=True)
class Options:
    """Where the project is, which target of which profiles file to use, and who hears of
    problems that do not stop a command (a password written in plain text)."""

    project_dir: Path = Path(".")
    target: str | None = None
    profiles_dir: Path | None = None
    on_warning: Callable[[Issue], None] | None = field(default=None, compare=False)

    def warn(self, issues: tuple[Issue, ...]) -> None:
        for issue in issues:
            if self.on_warning is not None:
                self.on_warning(issue)
            else:
                logger.warning("%s", issue)


@dataclass(frozen=True)
class Context:
    project: Project
    target: Target
    dialect: Dialect

    @contextmanager
    def engine(self, reading: bool = False) -> Iterator[sa.Engine]:
        """An engine for the target, disposed afterwards so no connection stays open.

        With ``reading``, an embedded database file must already exist.
        """
        import sqlalchemy

        from semantic_layer.warehouse.connect import create_engine, require_existing_file

        if reading:
            require_existing_file(self.target, self.project.config.root)
        engine = create_engine(self.target, self.project.config.root)
        try:
            yield engine
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise WarehouseError(self._refusal(error)) from None
        except WarehouseError as error:  # the warehouse's words may quote a secret back
            raise WarehouseError(self.target.redact(error.message), error.location) from None
        finally:
            engine.dispose()

    def _refusal(self, error: Exception) -> str:
        """The warehouse's own words, first line only, with the target's secrets masked."""
        original = getattr(error, "orig", None) or error
        first = (str(original).strip().splitlines() or [type(original).__name__])[0]
        return self.target.redact(f"the warehouse refused: {first}")


def open_context(
    options: Options,
    dialect: str | None = None,
    connect: bool = True,
    issues: Issues | None = None,
) -> Context:
    """Load the project and its target; ``dialect`` overrides the target's own.

    Without ``connect`` the target's secrets may be missing from the environment. With
    ``issues``, the definitions' errors are gathered there instead of raised (see
    ``load_project``).
    """
    project = load_project(options.project_dir, issues)
    target = load_target(
        options.project_dir,
        project.config.profile,
        options.target,
        options.profiles_dir,
        need_secrets=connect,
    )
    options.warn(target.warnings)
    chosen = get_dialect(dialect) if dialect else dialect_for_target_type(target.type)
    return Context(project, target, chosen)


def validate(options: Options, warehouse: bool = False) -> tuple[Issue, ...]:
    """Load the project and compile every view for its target; return the warnings.

    With ``warehouse``, also check the target's data: every table and column read exists,
    primary and unique entities are unique, foreign entities find their rows, and the engine
    plans every view (EXPLAIN). Nothing is written to the warehouse.

    Raises:
        ProjectInvalid: with every error found.
    """
    issues = Issues()
    context = open_context(options, connect=warehouse, issues=issues)
    views = compile_project(context.project, context.target, context.dialect, issues)
    if not warehouse:
        return context.project.warnings

    from semantic_layer.warehouse.checks import check_warehouse

    compiler = Compiler(context.project, context.target, context.dialect)
    with context.engine(reading=True) as engine:
        found = check_warehouse(engine, compiler, views)
    found.items[:0] = context.project.warnings
    found.raise_if_errors()
    return tuple(found.items)


def compile_views(
    options: Options, dialect: str | None = None, connect: bool = False
) -> tuple[list[CompiledView], list[Path], Context]:
    """Compile every view and write one file per view to ``target/compiled/<dialect>/``."""
    issues = Issues()
    context = open_context(options, dialect, connect, issues)
    views = compile_project(context.project, context.target, context.dialect, issues)
    target_path = context.project.config.target_path
    written = write_compiled(views, target_path / "compiled" / context.dialect.name)
    data = catalog(views, context.project.manifest, context.dialect.name)
    write_catalog(data, target_path / "manifest.json")
    return views, written, context


def run(  # type: ignore[no-untyped-def]
    options: Options,
    progress: Callable[..., None] | None = None,
    select: list[str] | None = None,
    dry_run: bool = False,
    lock_timeout: float | None = None,
):
    """Compile, then deploy every changed view to the target and drop the views sl created
    that are no longer defined.

    ``select`` deploys only the views named and the SQL models they read (and the views that
    read a replaced one when they changed too), and drops nothing;
    ``dry_run`` reports what would happen and changes nothing; ``lock_timeout`` is how many
    seconds to wait for another deploy to the same target to finish.
    """
    from semantic_layer.warehouse.deploy import deploy, plan_deploy, select_views
    from semantic_layer.warehouse.lock import DEFAULT_TIMEOUT

    views, _, context = compile_views(options, connect=True)
    defined = None if select else views
    unselected: list = []  # type: ignore[type-arg]
    if select:
        chosen = select_views(views, select)
        unselected = [view for view in views if view not in chosen]
        views = chosen
    schema = context.target.schema
    if dry_run:
        with context.engine(reading=True) as engine:
            return plan_deploy(engine, views, context.dialect, schema, defined, unselected)
    wait = DEFAULT_TIMEOUT if lock_timeout is None else lock_timeout
    try:
        with context.engine() as engine:
            return deploy(
                engine, views, context.dialect, schema, progress, defined, wait, unselected
            )
    except WarehouseError as error:
        if context.dialect.transactional_ddl:
            raise WarehouseError(f"{error.message}; the deploy was rolled back") from None
        if context.dialect.rename_relations_sql is not None:
            raise WarehouseError(
                f"{error.message}; the views were swapped all at once or not at all, so "
                "each answers either as before this deploy or as defined now"
            ) from None
        raise WarehouseError(
            f"{error.message}; views deployed before this statement stay replaced"
        ) from None


def seed(options: Options, years: int = 1):  # type: ignore[no-untyped-def]
    """Load the project's CSV seeds into the target's seed schema.

    When the project names ``sample-data: jaffle_shop`` and its seed folder holds no CSV file,
    the files are generated first with the seeded Jaffle Shop simulation.
    """
    from semantic_layer.warehouse.seed import load_owned_seeds

    project = load_project(options.project_dir)
    config = project.config
    target = load_target(options.project_dir, config.profile, options.target, options.profiles_dir)
    options.warn(target.warnings)
    folder = config.seed_paths[0]
    generated = False
    if not any(folder.glob("*.csv")):
        if config.sample_data == "jaffle_shop":
            from semantic_layer.sample.jaffle import generate

            generate(folder, years=years)
            generated = True
        elif config.sample_data is not None:
            raise UserError(f"unknown sample-data '{config.sample_data}' (known: jaffle_shop)")
    context = Context(project, target, dialect_for_target_type(target.type))
    schema = config.seed_schema or target.schema
    with context.engine() as engine:
        return load_owned_seeds(engine, target, folder, schema, target.schema), generated


def plan_query(
    options: Options,
    metrics: list[str],
    group_by: list[str],
    where: list[str],
    order_by: list[str],
    limit: int | None,
    dialect: str | None = None,
    connect: bool = True,
) -> tuple[str, Context]:
    """The SQL of an ad-hoc query, for the target's dialect (or ``dialect``)."""
    context = open_context(options, dialect, connect)
    return query_sql(context, metrics, group_by, where, order_by, limit), context


def query_sql(
    context: Context,
    metrics: Sequence[str],
    group_by: Sequence[str],
    where: Sequence[str] = (),
    order_by: Sequence[str] = (),
    limit: int | None = None,
) -> str:
    """The SQL of an ad-hoc query in a project already loaded, so that many queries can be
    planned without reading the files again.

    >>> context = open_context(Options(Path("benchmarks/tpch")), connect=False)  # doctest: +SKIP
    >>> sql = query_sql(context, ["revenue"], ["metric_time__month"])  # doctest: +SKIP
    """
    origin = Location("<command line>")
    items = tuple(
        GroupByItem(text, tuple(parse_element_name(text, origin)), origin) for text in group_by
    )
    spec = QuerySpec(
        metrics=tuple(metrics),
        group_by=items,
        where=tuple(Filter(text, origin) for text in where),
        order_by=tuple(order_by),
        limit=limit,
        location=origin,
    )
    compiler = Compiler(context.project, context.target, context.dialect)
    plan = compiler.plan(spec)
    if not plan.order_by:
        plan = type(plan)(
            plan.aggregates,
            plan.grain,
            plan.metrics,
            tuple((name, False) for name in plan.grain),
            plan.limit,
        )
    select = render_plan(plan, compiler.dialect, compiler.relation_table)
    return render_sql(select, context.dialect)


def query(options: Options, **kwargs):  # type: ignore[no-untyped-def]
    """Run an ad-hoc query on the target and return its rows."""
    from semantic_layer.warehouse.query import run_query

    sql, context = plan_query(options, **kwargs)
    with context.engine(reading=True) as engine:
        return run_query(engine, sql)


def show(options: Options, view: str, limit: int | None = 20):  # type: ignore[no-untyped-def]
    """The rows of a deployed view (``name`` or ``schema.name``), ordered by its grain."""
    from semantic_layer.warehouse.deploy import view_exists
    from semantic_layer.warehouse.query import run_query

    context = open_context(options)
    views = compile_project(context.project, context.target, context.dialect)
    match = [v for v in views if view in (v.name, f"{v.schema}.{v.name}")]
    if not match:
        names = [v.name for v in views]
        raise UserError(
            f"no view '{view}' in the project{did_you_mean(view, names)}; its metric views are: "
            f"{', '.join(sorted(v.name for v in views if v.kind == 'export'))}"
        )
    chosen = match[0]
    statement = exp.select("*").from_(sqlnames.table(chosen.name, chosen.schema, chosen.database))
    if chosen.grain:
        statement = statement.order_by(*(sqlnames.column(name) for name in chosen.grain))
    if limit is not None:
        statement = statement.limit(limit)

    with context.engine(reading=True) as engine:
        if not view_exists(engine, chosen.schema, chosen.name):
            raise UserError(f"view {chosen.qualified_name} is not deployed yet: run `sl run` first")
        return run_query(engine, render_sql(statement, context.dialect, pretty=False))
