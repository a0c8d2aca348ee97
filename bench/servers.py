"""The servers under test, each started on 127.0.0.1 on a free port and stopped by its own process id.

- SafeGround: gunicorn with 2 sync workers, the command ``safeground serve`` runs (without its access
  log, like tipg below);
- tipg: uvicorn with 2 workers (uvloop and httptools), on the same database and the same ``hazards``
  table, its limits raised so that no tile or page is cut short, and the same tile extent and buffer
  as ours.
"""
from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from webapp.store.embedded import free_port
from webapp.store.tiles import BUFFER, EXTENT

WORKERS = 2
BIG = 10_000_000
"""Feature limits given to tipg: more than any data set has, so nothing is truncated."""

TIPG_COLLECTIONS = ("public.hazards", "public.public_zones")


class Server:
    def __init__(self, name: str, cmd: list[str], env: dict, log: Path, ready_path: str) -> None:
        self.name = name
        self.port = free_port()
        self.cmd = [c.replace("{port}", str(self.port)) for c in cmd]
        self.env = env
        self.log = log
        self.ready_path = ready_path
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def start(self, timeout: float = 120) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection(*self.base, timeout=30)
                conn.request("GET", self.ready_path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.ready_path} within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        """Stop the server's own process group (its master and workers), nothing else."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def safeground(database_url: str, workdir: Path, log: Path) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEGROUND_")}
    env.update({
        "SAFEGROUND_DATABASE_URL": database_url,
        "SAFEGROUND_DATA_DIR": str(workdir / "var"),
        "SAFEGROUND_SECRET_KEY": secrets.token_urlsafe(32),
        "SAFEGROUND_WORKERS": str(WORKERS),
    })
    cmd = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:{port}", "--workers", str(WORKERS),
           "--graceful-timeout", "5", "webapp.wsgi:app"]
    return Server("safeground", cmd, env, log, "/healthz")


def tipg_settings(dsn: dict) -> dict:
    """tipg's environment: the database, the one table, and limits that never truncate."""
    return {
        "DATABASE_URL": (f"postgresql://{dsn['user']}:{dsn['password']}@{dsn['host']}:{dsn['port']}/"
                         f"{dsn['dbname']}"),
        "TIPG_DB_SCHEMAS": json.dumps(["public"]),
        "TIPG_DB_TABLES": json.dumps(list(TIPG_COLLECTIONS)),
        "TIPG_DB_SPATIAL_EXTENT": "false",     # catalogue metadata only, computed at start-up
        "TIPG_DB_DATETIME_EXTENT": "false",
        "TIPG_CATALOG_TTL": "0",               # no catalogue refresh in the middle of a measurement
        "TIPG_MAX_FEATURES_PER_TILE": str(BIG),
        "TIPG_MAX_FEATURES_PER_QUERY": str(BIG),
        "TIPG_TILE_RESOLUTION": str(EXTENT),
        "TIPG_TILE_BUFFER": str(BUFFER),
        "TIPG_TILE_CLIP": "true",
        "TIPG_DB_MAX_CONN_SIZE": "10",
    }


def tipg(dsn: dict, log: Path) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPG_")}
    env.update(tipg_settings(dsn))
    cmd = [sys.executable, "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1", "--port", "{port}",
           "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"]
    return Server("tipg", cmd, env, log, "/healthz")


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("tipg", "uvicorn", "uvloop", "fastapi", "asyncpg", "gunicorn", "flask", "sqlalchemy",
                 "psycopg", "mapbox-vector-tile"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    out["python"] = sys.version.split()[0]
    return out
