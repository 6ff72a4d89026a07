"""Run ``sl ARGS`` and SIGKILL it just before a chosen DDL statement: the Nth, or the first
that starts with a given word (RENAME, DROP). Usage: kill_deploy.py WHEN ARGS..."""

from __future__ import annotations

import os
import signal
import sys

import sqlalchemy as sa

from semantic_layer.cli.main import main

DDL = ("CREATE", "DROP", "RENAME", "ALTER", "COMMENT")
when = sys.argv[1]
count = 0
original = sa.engine.Connection.exec_driver_sql


def killing(self, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
    global count
    first = (statement.split(None, 1) or [""])[0].upper()
    if first in DDL:
        count += 1
        if first == when or (when.isdigit() and count == int(when)):
            os.kill(os.getpid(), signal.SIGKILL)
    return original(self, statement, *args, **kwargs)


sa.engine.Connection.exec_driver_sql = killing  # type: ignore[method-assign]
sys.exit(main(sys.argv[2:]))
