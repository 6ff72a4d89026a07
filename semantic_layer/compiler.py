"""A loaded project into CREATE VIEW statements for one target and dialect, and their files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from semantic_layer import sqlnames
from semantic_layer.errors import Location, UserError
from semantic_layer.load.files import SqlModelFile
from semantic_layer.load.jinja_env import render
from semantic_layer.plan.builder import GroupByItem, QuerySpec, build_plan
from semantic_layer.plan.names import parse_group_by_call
from semantic_layer.plan.nodes import QueryPlan
from semantic_layer.profiles import Target
from semantic_layer.render.dialects import Dialect, render_sql
from semantic_layer.render.sql import render_plan
from semantic_layer.spec.objects import Relation, SavedQuery
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
        self.dialect = dialect
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

    def relation_table(self, relation: Relation) -> exp.Table:
        if relation.kind == "ref":
            return sqlnames.table(relation.name, self.target.schema, self.target.database)
        source = self.project.sources[(relation.source_name or "", relation.name)]
        context = self.target_context()
        schema = render(self.project.environment, source.schema, source.location, context)
        database = source.database
        if database is not None:
            database = render(self.project.environment, database, source.location, context)
        return sqlnames.table(
            source.identifier or source.name,
            schema.strip() or None,
            database.strip() if database else self.target.database,
        )

    # -- SQL models ---------------------------------------------------------------------------

    def sql_model(self, model: SqlModelFile) -> CompiledView:
        depends: list[str] = []

        def ref(name: str) -> str:
            if name not in self.project.sql_models:
                raise UserError(f"ref('{name}') names no SQL model of the project")
            depends.append(name)
            return self.relation_table(Relation("ref", name)).sql(dialect=self.source_dialect)

        def source(source_name: str, table_name: str) -> str:
            if (source_name, table_name) not in self.project.sources:
                raise UserError(f"source('{source_name}', '{table_name}') is not declared")
            relation = Relation("source", table_name, source_name)
            return self.relation_table(relation).sql(dialect=self.source_dialect)

        context = {"ref": ref, "source": source, **self.target_context()}
        where = Location(model.path, 1)
        text = render(self.project.environment, model.text, where, context)
        try:
            statements = [s for s in sqlglot.parse(text, read=self.source_dialect) if s is not None]
        except ParseError as error:
            raise UserError(
                f"SQL model '{model.name}' is not valid SQL: {str(error).splitlines()[0]}", where
            ) from None
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            raise UserError(f"SQL model '{model.name}' must be exactly one SELECT", where)
        header = [f"SQL model '{model.name}' ({model.path})"]
        return self._view(
            model.name,
            self.target.schema,
            "model",
            statements[0],
            header,
            tuple(dict.fromkeys(depends)),
            where,
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
        depends = tuple(m.relation.name for m in plan.models if m.relation.kind == "ref")
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
                    depends,
                    export.location,
                    plan.grain,
                    tuple(m.name for m in plan.metrics),
                    query.description,
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
        depends: tuple[str, ...],
        where: Location,
        grain: tuple[str, ...] = (),
        metrics: tuple[str, ...] = (),
        description: str | None = None,
    ) -> CompiledView:
        table = sqlnames.table(name, schema, self.target.database)
        create = exp.Create(this=table, kind="VIEW", replace=True, expression=select)
        ddl = [render_sql(create, self.dialect)]
        if not self.dialect.supports_create_or_replace_view:
            create.set("replace", False)
            drop = exp.Drop(tables=[table.copy()], kind="VIEW", exists=True)
            ddl = [render_sql(drop, self.dialect), render_sql(create, self.dialect)]
        lines = [f"-- {line}" for line in header]
        lines.append(f"-- compiled for {self.dialect.name}; edit the definitions, not this file")
        statement = "\n".join(lines) + "\n" + "".join(f"{text};\n" for text in ddl)
        return CompiledView(
            name,
            schema,
            self.target.database,
            kind,
            select,
            statement,
            tuple(ddl),
            depends,
            where,
            grain,
            metrics,
            description,
        )


def compile_project(project: Project, target: Target, dialect: Dialect) -> list[CompiledView]:
    """Every SQL model and saved query export as a view, in the order they can be created.

    Raises:
        ProjectInvalid: with every problem found, when any SQL model or export fails.
    """
    compiler = Compiler(project, target, dialect)
    issues = Issues()
    views: list[CompiledView] = []
    for model in project.sql_models.values():
        try:
            views.append(compiler.sql_model(model))
        except UserError as error:
            issues.from_user_error(error, Location(model.path))
    for query in project.manifest.saved_queries.values():
        try:
            views.extend(compiler.export_views(query))
        except UserError as error:
            issues.from_user_error(error, query.location)
    issues.raise_if_errors()
    return _in_dependency_order(views)


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
    """Write one file per view into ``directory``, removing the .sql files of older runs."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.sql"):
        old.unlink()
    written = []
    for view in views:
        path = directory / view.file_name
        path.write_text(view.statement, encoding="utf-8")
        written.append(path)
    return written
