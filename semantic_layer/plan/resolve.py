"""Element references into columns of a semantic model, reached by many-to-one joins."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from semantic_layer.errors import Location, UserError
from semantic_layer.plan.names import METRIC_TIME, SEPARATOR, ElementRef
from semantic_layer.spec.objects import (
    GRAIN_NAMES,
    CustomGranularity,
    EntityType,
    Grain,
    Measure,
    SemanticManifest,
    SemanticModel,
)
from semantic_layer.validate.issues import did_you_mean


class TimeReadingError(UserError):
    """A name read as a time dimension at a grain failed for a reason about time: no
    agg_time_dimension, not a time dimension, or a grain finer than recorded."""


@dataclass(frozen=True)
class JoinStep:
    """``LEFT JOIN model AS alias ON left_alias.left_sql = alias.right_sql`` (many-to-one)."""

    alias: str
    model: SemanticModel
    left_model: SemanticModel
    left_alias: str
    left_sql: str
    right_sql: str
    entity: str


@dataclass(frozen=True)
class ResolvedElement:
    """A query element found in a semantic model: its column name, where it lives, and how."""

    name: str
    table_alias: str
    model: SemanticModel
    sql: str
    joins: tuple[JoinStep, ...]
    grain: Grain | None = None
    is_entity: bool = False
    date_part: str | None = None
    custom: CustomGranularity | None = None  # then ``grain`` is that of its time spine


class Resolver:
    """Finds dimensions, time dimensions and entities from a measure's semantic model."""

    def __init__(self, manifest: SemanticManifest) -> None:
        self.models = list(manifest.semantic_models.values())
        self.manifest = manifest

    def resolve_any(
        self,
        readings: list[ElementRef],
        model: SemanticModel,
        measure: Measure,
        location: Location | None,
    ) -> ResolvedElement:
        """The first reading of a name that resolves.

        When none does, the error of a time dimension found at the wrong grain wins, since it
        says most about what was meant; otherwise the last reading's error.
        """
        grain_error: TimeReadingError | None = None
        for reading in readings[:-1]:
            try:
                return self.resolve(reading, model, measure, location)
            except TimeReadingError as error:
                grain_error = grain_error or error
            except UserError:
                continue
        try:
            return self.resolve(readings[-1], model, measure, location)
        except UserError:
            if grain_error is not None:
                raise grain_error from None
            raise

    def resolve(
        self, ref: ElementRef, model: SemanticModel, measure: Measure, location: Location | None
    ) -> ResolvedElement:
        custom = self._custom_reading(ref, model, measure, location)
        if custom is not None:
            return custom
        if ref.element == METRIC_TIME and not ref.entity_path:
            return self._metric_time(ref, model, measure, location)
        if ref.entity_path[-1:] == (METRIC_TIME,):
            customs = [
                c.name for spine in self.manifest.time_spines for c in spine.custom_granularities
            ]
            grains = [*GRAIN_NAMES, *customs]
            raise UserError(
                f"'{ref.text}': '{ref.element}' is not a grain{did_you_mean(ref.element, grains)}"
                f" (grains: {', '.join(grains)})",
                location,
            )

        if not ref.entity_path:
            return self._local(ref, model, location)
        target, alias, joins = self._walk(model, ref, location)
        entity = target.entity(ref.element)
        if entity is not None and target.dimension(ref.element) is None:
            if ref.grain is not None:
                raise UserError(f"'{ref.text}': entity '{ref.element}' has no grain", location)
            return ResolvedElement(ref.text, alias, target, entity.sql, joins, is_entity=True)
        return self._dimension(ref, target, alias, joins, location)

    def _custom_reading(
        self, ref: ElementRef, model: SemanticModel, measure: Measure, location: Location | None
    ) -> ResolvedElement | None:
        """``metric_time__fiscal_quarter`` or ``order__ordered_at__fiscal_quarter``: a time
        dimension read at a custom granularity, when the last name is one and the rest is a
        time dimension; None otherwise."""
        custom = self.manifest.custom_granularity(ref.element)
        if custom is None or not ref.entity_path or ref.grain or ref.date_part:
            return None
        time_ref = ElementRef(ref.entity_path[-1], ref.entity_path[:-1])
        try:
            found = self.resolve(time_ref, model, measure, location)
        except UserError:
            return None
        if found.grain is None or found.is_entity:
            return None
        if found.grain.rank > custom.spine_grain.rank:
            raise TimeReadingError(
                f"'{ref.text}': '{time_ref.text}' is recorded at {found.grain.value} grain, "
                f"coarser than the {custom.spine_grain.value}s of the time spine that "
                f"declares '{custom.name}'",
                location,
            )
        return dataclasses.replace(found, name=ref.text, grain=custom.spine_grain, custom=custom)

    def _metric_time(
        self, ref: ElementRef, model: SemanticModel, measure: Measure, location: Location | None
    ) -> ResolvedElement:
        name = model.agg_time_dimension(measure)
        if name is None:
            raise TimeReadingError(
                f"measure '{measure.name}' of semantic model '{model.name}' has no "
                "agg_time_dimension, so it cannot be read by metric_time",
                location,
            )
        dimension = model.dimension(name)
        if dimension is None or not dimension.is_time or dimension.time_granularity is None:
            raise TimeReadingError(
                f"agg_time_dimension '{name}' of measure '{measure.name}' is not a time "
                f"dimension of semantic model '{model.name}'",
                location,
            )
        grain = _checked_grain(ref, dimension.time_granularity, name, location)
        if ref.date_part is not None:
            column = ElementRef(METRIC_TIME, (), None, ref.date_part).text
            return ResolvedElement(
                column, model.name, model, dimension.sql, (), date_part=ref.date_part
            )
        column = f"{METRIC_TIME}{SEPARATOR}{grain.value}"
        return ResolvedElement(column, model.name, model, dimension.sql, (), grain)

    def _local(
        self, ref: ElementRef, model: SemanticModel, location: Location | None
    ) -> ResolvedElement:
        entity = model.entity(ref.element)
        if entity is not None and ref.grain is None:
            return ResolvedElement(ref.text, model.name, model, entity.sql, (), is_entity=True)
        hint = ""
        for candidate in self.models:
            if candidate.dimension(ref.element) is not None:
                primary = next(
                    (e for e in candidate.entities if e.type is EntityType.PRIMARY), None
                )
                if primary is not None:
                    hint = f" (did you mean '{primary.name}{SEPARATOR}{ref.text}'?)"
                    break
        raise UserError(
            f"'{ref.text}' needs an entity path, written as entity{SEPARATOR}dimension{hint}",
            location,
        )

    def _walk(
        self, model: SemanticModel, ref: ElementRef, location: Location | None
    ) -> tuple[SemanticModel, str, tuple[JoinStep, ...]]:
        current, alias, joins = model, model.name, []
        path = ref.entity_path
        for index, entity_name in enumerate(path):
            last = index == len(path) - 1
            wanted = ref.element if last else path[index + 1]
            own = current.entity(entity_name)
            if own is None:
                raise UserError(self._no_entity(current, entity_name, ref), location)
            if current.is_one_side(entity_name) and _has(current, wanted, last):
                continue

            target = self._join_target(current, entity_name, wanted, last, ref, location)
            step_alias = SEPARATOR.join(path[: index + 1])
            if step_alias == model.name:
                step_alias += f"{SEPARATOR}joined"
            target_entity = target.entity(entity_name)
            assert target_entity is not None
            joins.append(
                JoinStep(
                    step_alias, target, current, alias, own.sql, target_entity.sql, entity_name
                )
            )
            current, alias = target, step_alias
        return current, alias, tuple(joins)

    def _no_entity(self, current: SemanticModel, entity_name: str, ref: ElementRef) -> str:
        """Why ``current`` cannot reach ``entity_name``: a typo, or a join that would fan out."""
        for other in self.models:
            if other is current or not _one_side(other, entity_name):
                continue
            for entity in other.entities:
                mine = current.entity(entity.name)
                if (
                    entity.type is EntityType.FOREIGN
                    and mine is not None
                    and current.is_one_side(entity.name)
                ):
                    return (
                        f"'{ref.text}' would multiply rows: '{entity_name}' belongs to "
                        f"'{other.name}', which has many rows per '{entity.name}' of "
                        f"'{current.name}'; joins may only go from many to one"
                    )
        known = [e.name for e in current.entities]
        return (
            f"'{ref.text}': semantic model '{current.name}' has no entity "
            f"'{entity_name}'{did_you_mean(entity_name, known)}"
        )

    def _join_target(
        self,
        current: SemanticModel,
        entity_name: str,
        wanted: str,
        last: bool,
        ref: ElementRef,
        location: Location | None,
    ) -> SemanticModel:
        candidates = [
            m
            for m in self.models
            if m is not current and _one_side(m, entity_name) and _has(m, wanted, last)
        ]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            names = ", ".join(sorted(m.name for m in candidates))
            raise UserError(
                f"'{ref.text}' is ambiguous: entity '{entity_name}' leads to {names}", location
            )

        fanning = [
            m
            for m in self.models
            if m is not current and m.entity(entity_name) and _has(m, wanted, last)
        ]
        if fanning:
            raise UserError(
                f"'{ref.text}' would multiply rows: joining '{current.name}' to "
                f"'{fanning[0].name}' on entity '{entity_name}' is one-to-many "
                f"('{entity_name}' is not primary or unique in '{fanning[0].name}'); "
                "joins may only go from many to one",
                location,
            )
        reachable = [m for m in self.models if _one_side(m, entity_name)]
        known = [d.name for m in reachable for d in m.dimensions]
        known += [e.name for m in reachable for e in m.entities] if not last else []
        raise UserError(
            f"'{ref.text}': no semantic model with entity '{entity_name}' as its primary or "
            f"unique entity has {'dimension' if last else 'entity'} '{wanted}'"
            f"{did_you_mean(wanted, known)}",
            location,
        )

    def _dimension(
        self,
        ref: ElementRef,
        target: SemanticModel,
        alias: str,
        joins: tuple[JoinStep, ...],
        location: Location | None,
    ) -> ResolvedElement:
        dimension = target.dimension(ref.element)
        if dimension is None:
            known = [d.name for d in target.dimensions] + [e.name for e in target.entities]
            raise UserError(
                f"'{ref.text}': semantic model '{target.name}' has no dimension "
                f"'{ref.element}'{did_you_mean(ref.element, known)}",
                location,
            )
        if not dimension.is_time:
            if ref.grain is not None:
                raise TimeReadingError(
                    f"'{ref.text}': '{ref.element}' is not a time dimension", location
                )
            return ResolvedElement(ref.text, alias, target, dimension.sql, joins)

        assert dimension.time_granularity is not None
        grain = _checked_grain(ref, dimension.time_granularity, dimension.name, location)
        if ref.date_part is not None:
            return ResolvedElement(
                ref.text, alias, target, dimension.sql, joins, date_part=ref.date_part
            )
        name = ElementRef(ref.element, ref.entity_path, grain).text
        return ResolvedElement(name, alias, target, dimension.sql, joins, grain)


def _one_side(model: SemanticModel, entity_name: str) -> bool:
    return model.is_one_side(entity_name)


def _has(model: SemanticModel, wanted: str, last: bool) -> bool:
    if last:
        return model.dimension(wanted) is not None or model.entity(wanted) is not None
    return model.entity(wanted) is not None


# The grain a date part needs its time dimension to be recorded at, at least.
_PART_GRAIN = {
    "year": Grain.YEAR, "quarter": Grain.QUARTER, "month": Grain.MONTH, "week": Grain.WEEK,
    "day": Grain.DAY, "dow": Grain.DAY, "doy": Grain.DAY,
}  # fmt: skip


def _checked_grain(
    ref: ElementRef, declared: Grain, dimension: str, location: Location | None
) -> Grain:
    if ref.date_part is not None:
        needed = _PART_GRAIN[ref.date_part]
        if needed.rank < declared.rank:
            raise TimeReadingError(
                f"'{ref.text}': '{dimension}' is recorded at {declared.value} grain, which "
                f"does not tell its {ref.date_part}",
                location,
            )
        return declared
    grain = ref.grain or declared
    if grain.rank < declared.rank:
        raise TimeReadingError(
            f"'{ref.text}': '{dimension}' is recorded at {declared.value} grain, "
            f"so it cannot be read at {grain.value}",
            location,
        )
    return grain
