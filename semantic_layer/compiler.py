"""A loaded project into CREATE VIEW statements for one target and dialect, and their files."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from semantic_layer import sqlnames
from semantic_layer.errors import Location, UserError
from semantic_layer.load.files import SqlModelFile
from semantic_layer.load.jinja_env import render
from semantic_layer.plan.builder import GroupByItem, NeedsMetricTime, QuerySpec, build_plan
from semantic_layer.plan.names import METRIC_TIME, ElementRef, parse_group_by_call
from semantic_layer.plan.nodes import QueryPlan
from semantic_layer.plan.query import NeedsCustomGrain
from semantic_layer.plan.resolve import TimeReadingError
from semantic_layer.profiles import Target
from semantic_layer.project import WEEKDAYS
from semantic_layer.render.comments import column_descriptions, comment_statements
from semantic_layer.render.dialects import Dialect, render_sql
from semantic_layer.render.sql import render_plan
from semantic_layer.spec.objects import Grain, Relation, SavedQuery
from semantic_layer.validate.broken import broken_definitions, owner_of
from semantic_layer.validate.issues import Issues
from semantic_layer.workspace import Project


@dataclass(frozen=True)
class CompiledView:
    """One view to create: its name, what it depends on, and the full statement text."""

    name: str
    schema: str | None
    database: str | None
    kind: str  # "model" (a SQL model) or "export" (a saved query export)
    select: exp.Query
    statement: str
    ddl: tuple[str, ...]
    depends_on: tuple[str, ...]
    defined_at: Location
    grain: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    description: str | None = None
    sources: tuple[exp.Table, ...] = ()
    # Descriptions of columns, by name, and the COMMENT statements run after ``ddl``.
    column_descriptions: tuple[tuple[str, str], ...] = ()
    comments: tuple[str, ...] = ()

    @property
    def qualified_name(self) -> str:
        return ".".join(part for part in (self.database, self.schema, self.name) if part)

    @property
    def file_name(self) -> str:
        return f"{self.schema}.{self.name}.sql" if self.schema else f"{self.name}.sql"


class Compiler:
    """Compiles a project for one target; names of relations come from the target."""

    def __init__(self, project: Project, target: Target, dialect: Dialect) -> None:
        self.project = project
        self.target = target
        # Weeks start on the project's day, on every dialect alike.
        shift = (7 - WEEKDAYS.index(project.config.week_start)) % 7
        self.dialect = replace(dialect, week_start_shift=shift, time_zone=project.config.time_zone)
        self.source_dialect = project.config.sql_dialect

    # -- relations ------------------------------------------------------------------------

    def target_context(self) -> dict[str, object]:
        return {
            "target": {
                "name": self.target.name,
                "type": self.target.type,
                "schema": self.target.schema,
                "database": self.target.database,
            }
        }

    def catalog(self, database: str | None = None) -> str | None:
        """The database part of a name (``database`` or the target's), on engines that name
        relations with three parts; MySQL and ClickHouse call a schema a database."""
        if not self.dialect.supports_catalogs:
            return None
        return database or self.target.database

    def relation_table(self, relation: Relation) -> exp.Table:
        if relation.kind == "table":
            # Named outright by dbt's semantic_manifest.json: the parts it leaves out are the
            # target's, as for a ref.
            if not self.dialect.supports_schemas:
                return sqlnames.table(relation.name)
            schema = relation.schema or self.target.schema
            return sqlnames.table(relation.name, schema, self.catalog(relation.database))
        if not self.dialect.supports_schemas:
            # One database file, one namespace: `sl seed` loads sources there too.
            name = relation.name
            if relation.kind == "source":
                source = self.project.sources[(relation.source_name or "", relation.name)]
                name = source.identifier or source.name
            return sqlnames.table(name)
        if relation.kind == "ref":
            return sqlnames.table(relation.name, self.target.schema, self.catalog())
        source = self.project.sources[(relation.source_name or "", relation.name)]
        context = self.target_context()
        schema = render(self.project.environment, source.schema, source.location, context)
        database = source.database
        if database is not None:
            database = render(self.project.environment, database, source.location, context)
        return sqlnames.table(
            source.identifier or source.name,
            schema.strip() or None,
            self.catalog(database.strip() if database else None),
        )

    # -- SQL models ---------------------------------------------------------------------------

    def sql_model(self, model: SqlModelFile) -> CompiledView:
        depends: list[str] = []
        sources: list[exp.Table] = []

        def ref(name: str) -> str:
            if name not in self.project.sql_models:
                raise UserError(f"ref('{name}') names no SQL model of the project")
            depends.append(name)
            return self.relation_table(Relation("ref", name)).sql(dialect=self.source_dialect)

        def source(source_name: str, table_name: str) -> str:
            if (source_name, table_name) not in self.project.sources:
                raise UserError(f"source('{source_name}', '{table_name}') is not declared")
            table = self.relation_table(Relation("source", table_name, source_name))
            sources.append(table)
            return table.sql(dialect=self.source_dialect)

        context = {"ref": ref, "source": source, **self.target_context()}
        where = Location(model.path, 1)
        text = render(self.project.environment, model.text, where, context)
        try:
            statements = [s for s in sqlglot.parse(text, read=self.source_dialect) if s is not None]
        except (SqlglotError, ValueError, KeyError) as error:
            first = (str(error).splitlines() or ["cannot be parsed"])[0]
            raise UserError(f"SQL model '{model.name}' is not valid SQL: {first}", where) from None
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            raise UserError(f"SQL model '{model.name}' must be exactly one SELECT", where)
        for node in statements[0].walk():
            if isinstance(node, (exp.DDL, exp.DML, exp.Command, exp.Block)):
                raise UserError(
                    f"SQL model '{model.name}' may only read: it holds {node.key.upper()}", where
                )
        header = [f"SQL model '{model.name}' ({model.path})"]
        return self._view(
            model.name,
            self.target.schema,
            "model",
            statements[0],
            header,
            depends_on=tuple(dict.fromkeys(depends)),
            defined_at=where,
            sources=tuple(sources),
        )

    # -- saved query exports ------------------------------------------------------------------

    def query_spec(self, query: SavedQuery) -> QuerySpec:
        items = []
        for text, where in zip(query.group_by, query.group_by_locations, strict=True):
            items.append(GroupByItem(text, tuple(parse_group_by_call(text, where)), where))
        return QuerySpec(
            query.metrics,
            tuple(items),
            query.where,
            query.order_by,
            query.limit,
            location=query.location,
        )

    def plan(self, spec: QuerySpec) -> QueryPlan:
        manifest, environment = self.project.manifest, self.project.environment
        return build_plan(manifest, environment, self.source_dialect, spec)

    def export_views(self, query: SavedQuery) -> list[CompiledView]:
        plan = self.plan(self.query_spec(query))
        select = render_plan(plan, self.dialect, self.relation_table)
        depends = tuple(r.name for r in plan.relations if r.kind == "ref")
        sources = tuple(self.relation_table(r) for r in plan.relations if r.kind == "source")
        metric_names = tuple(m.name for m in plan.metrics)
        columns = column_descriptions(self.project.manifest, plan.grain, metric_names)
        views = []
        for export in query.exports:
            header = [
                f"saved query '{query.name}' ({query.location}), export '{export.name}'",
                f"grain: {', '.join(plan.grain) if plan.grain else 'none (one row)'}",
                f"metrics: {', '.join(m.name for m in plan.metrics)}",
            ]
            schema = export.schema or self.target.schema
            views.append(
                self._view(
                    export.view_name,
                    schema,
                    "export",
                    select,
                    header,
                    depends_on=depends,
                    defined_at=export.location,
                    grain=plan.grain,
                    metrics=metric_names,
                    description=query.description,
                    sources=sources,
                    column_descriptions=tuple(columns.items()),
                )
            )
        return views

    def _view(
        self,
        name: str,
        schema: str | None,
        kind: str,
        select: exp.Query,
        header: list[str],
        **details: Any,
    ) -> CompiledView:
        if not self.dialect.supports_schemas:
            schema = None
        table = sqlnames.table(name, schema, self.catalog() if schema else None)
        create = exp.Create(this=table, kind="VIEW", replace=True, expression=select)
        ddl = [render_sql(create, self.dialect)]
        if not self.dialect.supports_create_or_replace_view:
            create.set("replace", False)
            drop = exp.Drop(tables=[table.copy()], kind="VIEW", exists=True)
            ddl = [render_sql(drop, self.dialect), render_sql(create, self.dialect)]
        described = dict(details.get("column_descriptions", ()))
        comments = comment_statements(table, details.get("description"), described, self.dialect)
        for text in (*ddl, *comments):
            _require_one_statement(text, self.dialect, name)
        lines = [f"-- {_one_line(line)}" for line in header]
        lines.append(f"-- compiled for {self.dialect.name}; edit the definitions, not this file")
        statement = "\n".join(lines) + "\n" + "".join(f"{text};\n" for text in (*ddl, *comments))
        database = self.catalog() if schema else None
        return CompiledView(
            name,
            schema,
            database,
            kind,
            select,
            statement,
            tuple(ddl),
            comments=comments,
            **details,
        )


def compile_project(
    project: Project, target: Target, dialect: Dialect, issues: Issues | None = None
) -> list[CompiledView]:
    """Every SQL model and saved query export as a view, in the order they can be created.

    ``issues`` holds what loading the project found already: the metrics and saved queries
    concerned are not compiled, so each problem is reported once, and every problem is
    reported together.

    Raises:
        ProjectInvalid: with every problem found, when any SQL model or export fails.
    """
    compiler = Compiler(project, target, dialect)
    issues = issues if issues is not None else Issues()
    broken = broken_definitions(project.manifest, issues.items)
    views: list[CompiledView] = []
    for model in project.sql_models.values():
        try:
            views.append(compiler.sql_model(model))
        except UserError as error:
            issues.from_user_error(error, Location(model.path))
    for query in project.manifest.saved_queries.values():
        if f"saved_query:{query.name}" in broken:
            continue
        try:
            views.extend(compiler.export_views(query))
        except UserError as error:
            report(project, issues, error, query.location, ("saved query", query.name))
    check_metrics(compiler, issues, broken)
    _check_unique_views(views, issues)
    issues.raise_if_errors()
    return _in_dependency_order(views)


def _one_line(text: str) -> str:
    """Text for a ``--`` comment: control characters (a newline in a path) escaped, so no
    part of it can become a statement in the compiled file."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)


def _require_one_statement(text: str, dialect: Dialect, view: str) -> None:
    """A last guard: the text sent to the warehouse is exactly one statement.

    Every fragment of user SQL was parsed as one value already; this catches any way around that.
    Statements are split at semicolon tokens, so counting those tokens (a semicolon inside a
    string or a comment is no token) answers the question without parsing the text again,
    which cost more than rendering it.
    """
    if _statement_separators(text, dialect) != 0:
        raise UserError(f"view '{view}': its compiled SQL would run more than one statement")


def _statement_separators(text: str, dialect: Dialect) -> int:
    from sqlglot.tokens import TokenType

    tokens = sqlglot.Dialect.get_or_raise(dialect.sqlglot_name).tokenize(text)
    return sum(1 for token in tokens if token.token_type == TokenType.SEMICOLON)


def _check_unique_views(views: list[CompiledView], issues: Issues) -> None:
    """Two views may not share a name: most engines fold the case of unquoted names, so
    ``Orders`` and ``orders`` are one relation there and one would silently replace the other."""
    seen: dict[tuple[str, str], CompiledView] = {}
    for view in views:
        key = ((view.schema or "").lower(), view.name.lower())
        first = seen.setdefault(key, view)
        if first is not view:
            issues.error(
                view.defined_at,
                f"{_kind(view)} '{view.name}' would be deployed as {view.qualified_name}, the "
                f"same relation as {_kind(first)} '{first.name}' ({first.defined_at})",
            )


def _kind(view: CompiledView) -> str:
    return "SQL model" if view.kind == "model" else "export"


def check_metrics(compiler: Compiler, issues: Issues, broken: set[str] | None = None) -> None:
    """Plan every metric on its own, so a broken filter or input is found even when no saved
    query uses the metric yet; ``broken`` names the metrics reported already."""
    for metric in compiler.project.manifest.metrics.values():
        if f"metric:{metric.name}" in (broken or ()):
            continue
        try:
            try:
                compiler.plan(QuerySpec((metric.name,), location=metric.location))
            except NeedsMetricTime:
                # Along time: by day, or by the grain its time dimension is recorded at.
                by_day = GroupByItem("metric_time__day", (ElementRef(METRIC_TIME, (), Grain.DAY),))
                own = GroupByItem("metric_time", (ElementRef(METRIC_TIME),))
                try:
                    compiler.plan(QuerySpec((metric.name,), (by_day,), location=metric.location))
                except TimeReadingError:
                    compiler.plan(QuerySpec((metric.name,), (own,), location=metric.location))
                except NeedsCustomGrain as needed:
                    # An offset counted in fiscal quarters, say, is read by fiscal quarter.
                    name = f"metric_time__{needed.grain}"
                    custom = GroupByItem(name, (ElementRef(needed.grain, (METRIC_TIME,)),))
                    compiler.plan(QuerySpec((metric.name,), (custom,), location=metric.location))
        except UserError as error:
            report(compiler.project, issues, error, metric.location, ("metric", metric.name))


def report(
    project: Project,
    issues: Issues,
    error: UserError,
    fallback: Location,
    definition: tuple[str, str],
) -> None:
    """Add ``error`` once, named after the definition it was found in (``("metric", "x")``)
    when it is written inside that definition and does not name it already."""
    where = error.location or fallback
    if any(issue.location == where and error.message in issue.message for issue in issues.items):
        return  # found again while compiling another definition that reads the same one
    kind, name = definition
    key = f"{kind.replace(' ', '_')}:{name}"
    message = error.message
    if owner_of(project.manifest, where) == key and f"{kind} '{name}'" not in message:
        message = f"{kind} '{name}': {message}"
    issues.error(where, message)


def _in_dependency_order(views: list[CompiledView]) -> list[CompiledView]:
    """SQL models before what reads them, alphabetically among equals, so output is stable."""
    models = {view.name: view for view in views if view.kind == "model"}
    ordered: list[CompiledView] = []
    state: dict[str, str] = {}

    def visit(view: CompiledView, path: tuple[str, ...]) -> None:
        key = f"{view.kind}:{view.name}"
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            cycle = " -> ".join(path + (view.name,))
            raise UserError(f"SQL models reference each other in a cycle: {cycle}", view.defined_at)
        state[key] = "visiting"
        for name in sorted(view.depends_on):
            if name in models:
                visit(models[name], path + (view.name,))
        state[key] = "done"
        ordered.append(view)

    for view in sorted(views, key=lambda v: (v.kind != "model", v.name)):
        visit(view, ())
    return ordered


def write_compiled(views: list[CompiledView], directory: Path) -> list[Path]:
    """Write one file per view into ``directory``, removing the .sql files of older runs.

    Raises:
        UserError: the folder cannot be written.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.sql"):
            old.unlink()
        written = []
        for view in views:
            path = directory / view.file_name
            # Names are checked when loaded; this keeps a file inside its folder regardless.
            if path.resolve().parent != directory.resolve():
                raise UserError(f"view '{view.name}' cannot be written as a file name")
            path.write_text(view.statement, encoding="utf-8")
            written.append(path)
    except OSError as error:
        raise UserError(f"cannot write the compiled views to {directory}: {error}") from None
    return written
