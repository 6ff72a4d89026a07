"""One deploy at a time per target: a lock in the warehouse, or a file beside an embedded one.

A second deploy waits for the lock a bounded time, then stops with a message naming the
holder. Locks are tied to what a killed process loses (its session, its transaction, its
open file), so a deploy that dies never leaves a target locked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from semantic_layer.errors import UserError
from semantic_layer.render.dialects import Dialect

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
_POLL_SECONDS = 0.2
_NOT_A_FILE = (":memory:", "md:", "motherduck:")


def lock_name(scope: str | None) -> str:
    """The lock's name for a target's state schema (names are short: MySQL allows 64)."""
    return f"sl_deploy:{(scope or '').lower()}"[:64]


@contextmanager
def file_lock(url: sa.URL, timeout: float) -> Iterator[None]:
    """Hold ``<database file>.sl-lock`` when the target is a local file (no host).

    The embedded engines (DuckDB, SQLite) have no lock a session can name, and DuckDB
    lets only one process open the file for writing, so the lock is taken before connecting.

    Raises:
        UserError: another deploy held it for ``timeout`` seconds.
    """
    database = url.database or ""
    if url.host or not database or database.startswith(_NOT_A_FILE):
        yield
        return
    try:
        import fcntl
    except ImportError:  # no advisory file locks on this system (Windows)
        yield
        return

    path = Path(database + ".sl-lock")
    with path.open("a+") as handle:
        _wait(lambda: _try_flock(handle, fcntl), timeout, lambda: _file_holder(path), str(path))
        handle.seek(0)
        handle.truncate()
        handle.write(_who_am_i())
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def warehouse_lock(
    connection: sa.Connection, dialect: Dialect, scope: str | None, timeout: float
) -> Iterator[None]:
    """Hold the dialect's named lock for ``scope`` on ``connection``; nothing where it has none.

    Raises:
        UserError: another session held it for ``timeout`` seconds.
    """
    try_lock = dialect.try_lock_sql
    if try_lock is None:
        yield
        return

    name = lock_name(scope)
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    parameters = {
        "lock_name": name,
        "lock_key1": int.from_bytes(digest[:4], "big") >> 1,
        "lock_key2": int.from_bytes(digest[4:8], "big") >> 1,
    }

    def attempt() -> bool:
        return bool(connection.execute(sa.text(try_lock), parameters).scalar())

    def holder() -> str:
        if dialect.lock_holder_sql is None:
            return "another session"
        found = connection.execute(sa.text(dialect.lock_holder_sql), parameters).scalar()
        return str(found) if found else "another session (it may just have finished)"

    _wait(attempt, timeout, holder, f"the warehouse lock '{name}'")
    try:
        yield
    finally:
        if dialect.release_lock_sql is not None:
            connection.execute(sa.text(dialect.release_lock_sql), parameters)


def _wait(attempt, timeout: float, holder, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + max(timeout, 0.0)
    logged = False
    while not attempt():
        if time.monotonic() >= deadline:
            raise UserError(
                f"another deploy to this target is running, so nothing was deployed: "
                f"{what} is held by {holder()}; waited {timeout:g} s. Run again when it "
                "is done, or wait longer with --lock-timeout"
            )
        if not logged:
            logger.info("waiting up to %g s for %s", timeout, what)
            logged = True
        time.sleep(_POLL_SECONDS)


def _try_flock(handle: IO[str], fcntl) -> bool:  # type: ignore[no-untyped-def]
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _who_am_i() -> str:
    since = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return f"process {os.getpid()} on {socket.gethostname()} since {since}"


def _file_holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "another process"
    except OSError:
        return "another process"
