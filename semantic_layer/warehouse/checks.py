"""A compiled project against the target's data: relations and columns exist, keys are unique,
foreign keys find their rows, and every view passes the engine's EXPLAIN.

Nothing here writes: the views may not be deployed yet, so a view that reads a SQL model reads
that model's SELECT inlined as a subquery instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlglot import exp

from semantic_layer.compiler import CompiledView, Compiler
from semantic_layer.errors import Location, UserError
from semantic_layer.plan.expressions import ExpressionParser
from semantic_layer.render.dialects import render_sql
from semantic_layer.spec.objects import Entity, EntityType, Relation, SemanticModel
from semantic_layer.validate.issues import Issues, did_you_mean

_Key = tuple[str, str]  # (schema, name), lower case: how most engines fold unquoted names


def check_warehouse(engine: sa.Engine, compiler: Compiler, views: list[CompiledView]) -> Issues:
    """Every finding about the target's data, each at the YAML object it concerns.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the target cannot be reached at all.
    """
    with engine.connect():
        pass  # a target that cannot be reached is one error, not one per check
    checks = _Checks(engine, compiler, views)
    checks.relations()
    for model in compiler.project.manifest.semantic_models.values():
        checks.columns(model)
    for model in compiler.project.manifest.semantic_models.values():
        for entity in model.entities:
            checks.entity(model, entity)
    for view in views:
        checks.explain(view)
    return checks.issues


def _key(table: exp.Table) -> _Key:
    return (table.db.lower(), table.name.lower())


@dataclass
class _Checks:
    engine: sa.Engine
    compiler: Compiler
    views: list[CompiledView]
    issues: Issues = field(default_factory=Issues)
    missing: set[_Key] = field(default_factory=set)
    broken_models: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.dialect = self.compiler.dialect
        self.models = {_key(self._view_table(v)): v for v in self.views if v.kind == "model"}
        project = self.compiler.project
        self.parser = ExpressionParser(project.environment, self.compiler.source_dialect)
        self.inspector = sa.inspect(self.engine)

    # -- relations and columns ------------------------------------------------------------------

    def relations(self) -> None:
        """Every table the views and semantic models read, other than SQL models, exists."""
        for table, where, reader in self._read_tables():
            key = _key(table)
            if key in self.missing or key in self.models:
                continue
            schema = table.db or None
            if self.inspector.has_table(table.name, schema=schema):
                continue
            self.missing.add(key)
            hint = did_you_mean(table.name, self._table_names(schema))
            self.issues.error(
                where,
                f"{reader} is {table.sql(dialect=self.dialect.sqlglot_name)}, which does "
                f"not exist on target '{self.compiler.target.name}'{hint}; load it, or correct "
                "its name or schema",
            )

    def columns(self, model: SemanticModel) -> None:
        """Each column an entity, dimension or measure reads is a column of its relation."""
        found = self._columns_of(model)
        if found is None:
            return
        names = {name.lower(): name for name in found}
        for kind, items in (
            ("entity", model.entities),
            ("dimension", model.dimensions),
            ("measure", model.measures),
        ):
            for item in items:
                for column in self._read_columns(item.expr, item.name, item.location):
                    if column.lower() in names:
                        continue
                    self.broken_models.add(model.name)
                    self.issues.error(
                        item.location,
                        f"{kind} '{item.name}' of semantic model '{model.name}' reads column "
                        f"'{column}', which {model.relation} does not have"
                        f"{did_you_mean(column, found)}",
                    )

    # -- keys ------------------------------------------------------------------------------------

    def entity(self, model: SemanticModel, entity: Entity) -> None:
        """A primary or unique entity is unique in the data; a foreign one finds its rows."""
        if model.name in self.broken_models or self._relation(model) is None:
            return
        if entity.type.is_one_side:
            self._unique(model, entity)
        elif entity.type is EntityType.FOREIGN:
            for owner in self._owners(entity.name):
                self._matched(model, entity, owner)

    def _unique(self, model: SemanticModel, entity: Entity) -> None:
        key = self._key_expression(entity)
        if key is None:
            return
        duplicated = (
            exp.select(key.as_("k"))
            .from_(self._relation(model))  # type: ignore[arg-type]
            .where(exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())))
            .group_by(key.copy())
            .having("COUNT(*) > 1")
        )
        query = exp.select("COUNT(*)", "MIN(d.k)").from_(duplicated.subquery("d"))
        row = self._one_row(query, entity.location)
        if row is None or not row[0]:
            return
        self.issues.error(
            entity.location,
            f"entity '{entity.name}' is {entity.type.value} in semantic model '{model.name}', "
            f"but {row[0]} of its values are on more than one row of {model.relation} (e.g. "
            f"{row[1]!r}); joins to it would repeat rows. Make the key unique, or declare the "
            "entity foreign",
        )

    def _matched(self, model: SemanticModel, entity: Entity, owner: SemanticModel) -> None:
        foreign = self._key_expression(entity)
        primary = self._key_expression(owner.entity(entity.name))
        if foreign is None or primary is None:
            return
        values = (
            exp.select(foreign.as_("k"))
            .distinct()
            .from_(self._relation(model))  # type: ignore[arg-type]
            .where(exp.Not(this=exp.Is(this=foreign.copy(), expression=exp.Null())))
        )
        keys = exp.select(primary.as_("k")).from_(self._relation(owner))  # type: ignore[arg-type]
        query = (
            exp.select("COUNT(*)", "MIN(f.k)")
            .from_(values.subquery("f"))
            .join(keys.subquery("p"), on="f.k = p.k", join_type="left")
            .where("p.k IS NULL")
        )
        row = self._one_row(query, entity.location)
        if row is None or not row[0]:
            return
        self.issues.warning(
            entity.location,
            f"foreign entity '{entity.name}' of semantic model '{model.name}': {row[0]} of its "
            f"values (e.g. {row[1]!r}) match no row of semantic model '{owner.name}', so "
            "dimensions joined through it read NULL for those rows",
        )

    # -- views -----------------------------------------------------------------------------------

    def explain(self, view: CompiledView) -> None:
        """The engine plans the view's SELECT, with the SQL models it reads inlined."""
        if any(_key(table) in self.missing for table in self._tables_under(view)):
            return  # the missing table is reported once, where it is declared
        body = render_sql(self._inline(view.select), self.dialect)
        if self.dialect.explain_prefix is not None:
            sql = f"{self.dialect.explain_prefix} {body}"
        else:  # no EXPLAIN: a query that returns no row still makes the engine plan it
            sql = render_sql(
                exp.select("*").from_(exp.paren(self._inline(view.select)).as_("q")).where("1 = 0"),
                self.dialect,
            )
        problem = self._execute(sql)
        if problem is not None:
            kind = "SQL model" if view.kind == "model" else "export"
            self.issues.error(
                view.defined_at,
                f"{kind} '{view.name}': the warehouse cannot plan its SQL: {problem}",
            )

    # -- helpers ---------------------------------------------------------------------------------

    def _view_table(self, view: CompiledView) -> exp.Table:
        return self.compiler.relation_table(Relation("ref", view.name))

    def _read_tables(self) -> Iterable[tuple[exp.Table, Location, str]]:
        """Each table read, other than SQL models: where it is declared, and what it is."""
        project = self.compiler.project
        declared = {}
        for (source, name), declaration in project.sources.items():
            relation = Relation("source", name, source_name=source)
            what = f"source table '{source}.{name}'"
            declared[_key(self.compiler.relation_table(relation))] = (declaration.location, what)
        for view in self.views:
            for table in view.sources:
                yield table, *declared.get(_key(table), (view.defined_at, f"view '{view.name}'"))
        for model in project.manifest.semantic_models.values():
            if model.relation.kind != "ref":
                table = self.compiler.relation_table(model.relation)
                own = (model.location, f"semantic model '{model.name}'")
                yield table, *declared.get(_key(table), own)

    def _table_names(self, schema: str | None) -> list[str]:
        try:
            return self.inspector.get_table_names(schema=schema) + self.inspector.get_view_names(
                schema=schema
            )
        except sa.exc.SQLAlchemyError:
            return []

    def _relation(self, model: SemanticModel) -> exp.Expr | None:
        """What a query reads the model's rows from (a SQL model's SELECT inlined), or None
        when a table under it is missing."""
        table = self.compiler.relation_table(model.relation)
        if any(_key(t) in self.missing for t in self._tables_under_select(table)):
            return None
        view = self.models.get(_key(table))
        if view is None:
            return table
        return exp.Subquery(
            this=self._inline(view.select), alias=exp.TableAlias(this=exp.to_identifier("m"))
        )

    def _columns_of(self, model: SemanticModel) -> list[str] | None:
        relation = self._relation(model)
        if relation is None:
            return None
        query = exp.select("*").from_(relation).where("1 = 0")
        try:
            with self.engine.connect() as connection:
                result = connection.exec_driver_sql(render_sql(query, self.dialect, pretty=False))
                return list(result.keys())
        except sa.exc.SQLAlchemyError as error:
            self.broken_models.add(model.name)
            self.issues.error(
                model.location,
                f"semantic model '{model.name}': {model.relation} cannot be read: "
                f"{self._first_line(error)}",
            )
            return None

    def _read_columns(self, expr: str | None, name: str, where: Location) -> list[str]:
        if expr is None:
            return [name]
        try:
            parsed = self.parser.parse(expr, where)
        except UserError:
            return []  # reported when the project was compiled
        return sorted({column.name for column in parsed.find_all(exp.Column) if not column.table})

    def _key_expression(self, entity: Entity | None) -> exp.Expr | None:
        if entity is None:
            return None
        try:
            return self.parser.parse(entity.expr or entity.name, entity.location)
        except UserError:
            return None

    def _owners(self, entity: str) -> list[SemanticModel]:
        models = self.compiler.project.manifest.semantic_models.values()
        return [
            m
            for m in models
            if m.name not in self.broken_models
            and (e := m.entity(entity)) is not None
            and e.type.is_one_side
        ]

    def _inline(self, query: exp.Query) -> exp.Query:
        """``query`` with each SQL model it reads replaced by that model's SELECT."""

        def replace(node: exp.Expr) -> exp.Expr:
            if not isinstance(node, exp.Table) or _key(node) not in self.models:
                return node
            model = self.models[_key(node)]
            alias = node.alias or node.name
            return exp.Subquery(
                this=self._inline(model.select),
                alias=exp.TableAlias(this=exp.to_identifier(alias)),
            )

        return query.copy().transform(replace)  # type: ignore[return-value]

    def _tables_under(self, view: CompiledView) -> list[exp.Table]:
        return list(self._inline(view.select).find_all(exp.Table))

    def _tables_under_select(self, table: exp.Table) -> list[exp.Table]:
        return list(self._inline(exp.select("*").from_(table.copy())).find_all(exp.Table))

    def _one_row(self, query: exp.Query, where: Location) -> tuple[object, ...] | None:
        try:
            with self.engine.connect() as connection:
                sql = render_sql(query, self.dialect, pretty=False)
                row = connection.exec_driver_sql(sql).fetchone()
        except sa.exc.SQLAlchemyError as error:
            self.issues.error(
                where, f"the warehouse refused a key check: {self._first_line(error)}"
            )
            return None
        return tuple(row) if row is not None else None

    def _execute(self, sql: str) -> str | None:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql(sql).fetchall()
        except sa.exc.SQLAlchemyError as error:
            return self._first_line(error)
        return None

    def _first_line(self, error: Exception) -> str:
        original = getattr(error, "orig", None) or error
        lines = str(original).strip().splitlines() or [type(original).__name__]
        return self.compiler.target.redact(lines[0])
