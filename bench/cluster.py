"""A throw-away PostGIS cluster per data-set size, tuned for the benchmark.

The cluster is the application's own embedded manager (``webapp.store.embedded.EmbeddedCluster``)
in a temporary folder on a free port. Settings are written with ``ALTER SYSTEM`` and applied by a
restart; they are recorded in the results so that every figure can be traced to its configuration.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import psycopg

from webapp.store.embedded import SUPERUSER, EmbeddedCluster, free_port

DATABASE = "safeground_bench"

# 24 GiB, 2 cores, local SSD. Durability settings only matter for the bulk load: this cluster is
# thrown away after the run, and no figure measured after the load depends on them.
SETTINGS = {
    "shared_buffers": "4GB",              # the largest data set's hot tables and indexes fit
    "effective_cache_size": "16GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",        # index maintenance and VACUUM after the load
    "max_wal_size": "16GB",               # no forced checkpoints in the middle of the load
    "checkpoint_timeout": "30min",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "synchronous_commit": "off",
    "random_page_cost": "1.1",
    "effective_io_concurrency": "200",
    "jit": "off",                         # see docs/decisions/0009-benchmarks.md: compiling costs
                                          # more than it saves on tile-sized queries
    "max_parallel_workers_per_gather": "0",  # 2 cores shared by servers and client: parallel plans
                                             # only add overhead under concurrent load
    "autovacuum": "on",
}


class BenchCluster:
    """Start, tune and tear down one embedded cluster with one database."""

    def __init__(self, root: Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="safeground-bench-", dir=root))
        os.chmod(self.folder, 0o755)  # as root, the postgres user must be able to enter it
        self.cluster = EmbeddedCluster(self.folder / "pg", port=free_port())

    def start(self) -> None:
        self.cluster.start()
        with self.connect("postgres") as conn:
            for name, value in SETTINGS.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        self.cluster.stop()
        self.cluster.start()
        self.cluster.ensure_database(DATABASE)

    def connect(self, database: str = DATABASE, autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.cluster.port, user=SUPERUSER,
                               password=self.cluster.password(), dbname=database,
                               autocommit=autocommit)

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the benchmark database."""
        return self.cluster.url(DATABASE)

    def dsn(self) -> dict:
        return {"host": "127.0.0.1", "port": self.cluster.port, "user": SUPERUSER,
                "password": self.cluster.password(), "dbname": DATABASE}

    def describe(self) -> dict:
        with self.connect() as conn:
            version = conn.execute("SELECT version()").fetchone()[0]
            postgis = conn.execute("SELECT postgis_full_version()").fetchone()[0]
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in SETTINGS}
        return {"postgresql": version, "postgis": postgis, "settings": settings}

    def destroy(self) -> None:
        try:
            self.cluster.stop("fast")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
