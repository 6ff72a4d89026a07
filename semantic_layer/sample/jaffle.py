"""A seed and a number of years into the Jaffle Shop raw CSV files, the same bytes every run."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from semantic_layer.errors import UserError

DEFAULT_SEED = 20180901
TABLES = ("customers", "orders", "items", "products", "stores", "supplies")
_PREFIX = "raw"


def generate(directory: Path, years: int = 1, seed: int = DEFAULT_SEED) -> list[Path]:
    """Simulate ``years`` of the Jaffle Shop and write its raw tables as CSV into ``directory``.

    The files are ``raw_customers.csv``, ``raw_orders.csv`` and so on (no tweets); the same
    seed and years give byte-identical files. The process's random states are left as found.

    Raises:
        UserError: the jafgen package is missing, or ``years`` is not positive.
    """
    if years < 1:
        raise UserError(f"the sample needs at least one year of data, not {years}")
    simulation, numpy, faker = _import_jafgen()

    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jaffle-") as scratch:
        with _seeded(seed, numpy, faker), _quiet(simulation), _working_directory(Path(scratch)):
            run = simulation.Simulation(years, _PREFIX)
            run.run_simulation()
            run.save_results()
        return [_move(Path(scratch) / "jaffle-data", directory, table) for table in TABLES]


def _import_jafgen() -> tuple[Any, Any, Any]:
    """jafgen's simulation module, numpy and Faker, or a UserError naming what to install."""
    # The first import of rich (through jafgen) draws from the global random generator.
    state = random.getstate()
    try:
        import numpy
        from faker import Faker
        from jafgen import simulation
    except ImportError:
        raise UserError(
            "the sample data needs the jafgen package: pip install 'semantic-layer[sample]'"
        ) from None
    finally:
        random.setstate(state)
    return simulation, numpy, Faker


def _move(source: Path, directory: Path, table: str) -> Path:
    name = f"{_PREFIX}_{table}.csv"
    return Path(shutil.move(source / name, directory / name))


@contextlib.contextmanager
def _seeded(seed: int, numpy: Any, faker: Any) -> Iterator[None]:
    """Seed every random source jafgen draws from, and put the old states back afterwards."""
    # jafgen seeds Faker once at import, so a second run in one process would differ; its
    # shared generator is reseeded here each time instead.
    from faker.generator import random as faker_random

    saved = (random.getstate(), numpy.random.get_state(), faker_random.getstate(), uuid.uuid4)
    ids = random.Random(seed)
    random.seed(seed)
    numpy.random.seed(seed % 2**32)
    faker.seed(seed)
    uuid.uuid4 = lambda: uuid.UUID(int=ids.getrandbits(128), version=4)
    try:
        yield
    finally:
        random.setstate(saved[0])
        numpy.random.set_state(saved[1])
        faker_random.setstate(saved[2])
        uuid.uuid4 = saved[3]


@contextlib.contextmanager
def _quiet(simulation: Any) -> Iterator[None]:
    """Replace jafgen's rich progress bars, which draw on the terminal, with plain iteration."""
    original = simulation.track

    def track(sequence: Iterable[Any], *args: Any, **kwargs: Any) -> Iterable[Any]:
        return sequence

    simulation.track = track
    try:
        yield
    finally:
        simulation.track = original


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    """jafgen writes to ./jaffle-data, so it runs from a scratch directory."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
