"""Throwaway database servers for the tests: private folders under /tmp, 127.0.0.1 only.

PostgreSQL's server binaries come with the machine; MariaDB (our MySQL) is installed by
`.ci/run`. A test that needs a missing server is skipped, never failed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A PostgreSQL cluster of its own; root runs it as the postgres user, as it must."""

    def __init__(self, bin_dir: str) -> None:
        self.bin_dir = bin_dir
        self.base = tempfile.mkdtemp(prefix="sl-test-pg-")
        self.data = os.path.join(self.base, "data")
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.base, user="postgres")

    @classmethod
    def find(cls) -> PostgresServer | None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        return cls(os.path.dirname(found[-1])) if found else None

    def start(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off "
            f"-c unix_socket_directories={self.base}"
        )
        log = os.path.join(self.base, "log")
        self._run("pg_ctl", "start", "-w", "-D", self.data, "-l", log, "-o", options)

    def connect(self, dbname: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        )

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-m", "fast", "-D", self.data)
        shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, program: str, *arguments: str) -> None:
        command = [*self.as_user, os.path.join(self.bin_dir, program), *arguments]
        subprocess.run(command, check=True, capture_output=True)


class MariaDbServer:
    """A MariaDB of its own, without grant tables (root connects with no password)."""

    def __init__(self, server_program: str) -> None:
        self.server_program = server_program
        self.base = tempfile.mkdtemp(prefix="sl-test-mariadb-")
        self.port = free_port()
        # mariadbd drops root privileges itself when given --user.
        self.user = ["--user=mysql"] if os.geteuid() == 0 else []
        if self.user:
            shutil.chown(self.base, user="mysql")
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def find(cls) -> MariaDbServer | None:
        program = shutil.which("mariadbd")
        return cls(program) if program else None

    def start(self) -> None:
        data = os.path.join(self.base, "data")
        install = ["mariadb-install-db", "--no-defaults", *self.user, f"--datadir={data}"]
        subprocess.run(install, check=True, capture_output=True)
        self.process = subprocess.Popen(
            [
                self.server_program,
                "--no-defaults",
                *self.user,
                f"--datadir={data}",
                "--bind-address=127.0.0.1",
                f"--port={self.port}",
                f"--socket={os.path.join(self.base, 'socket')}",
                "--skip-grant-tables",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.connect().close()

    def connect(self) -> Any:
        import pymysql

        for _ in range(100):
            try:
                return pymysql.connect(host="127.0.0.1", port=self.port, user="root")
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("MariaDB did not accept connections within 10 seconds")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)
