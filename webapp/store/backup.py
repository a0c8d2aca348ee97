"""Backups with pg_dump's custom format, and restores that prove they are complete.

``backup`` takes a consistent snapshot, records the row count and a geometry hash of every table
in that same snapshot (a manifest beside the dump), and dumps exactly that snapshot. ``restore``
loads the dump into an empty database and compares the counts and hashes with the manifest.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from .embedded import find_bindir
from .models import Base

MANIFEST_SUFFIX = ".manifest.json"


class BackupError(RuntimeError):
    """A backup or restore could not be made or verified; the message says why."""


def _tool(name: str) -> str:
    """pg_dump/pg_restore from the newest local PostgreSQL (it must not be older than the server)."""
    try:
        candidate = find_bindir() / name
        if candidate.exists():
            return str(candidate)
    except Exception:  # noqa: BLE001 - fall back to PATH
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _libpq_args(url: URL) -> tuple[list[str], dict]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres",
            "-d", url.database or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def table_fingerprints(conn) -> dict:
    """Row count of every SafeGround table and an MD5 over each geometry column (the geometries
    sorted by their own bytes, so any table can be compared whatever its key)."""
    result = {}
    for table in Base.metadata.sorted_tables:
        entry = {"rows": conn.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()}
        geoms = [c.name for c in table.columns if c.type.__class__.__name__ == "Geometry"]
        for col in geoms:
            entry[f"{col}_md5"] = conn.execute(text(
                f'SELECT md5(string_agg(g, \',\' ORDER BY g)) FROM '
                f'(SELECT encode(ST_AsEWKB("{col}"), \'hex\') AS g FROM "{table.name}") AS t')).scalar_one()
        result[table.name] = entry
    return result


def backup(url: str, path: Path) -> dict:
    """Dump the database at ``url`` to ``path`` (custom format) and write its manifest."""
    path = Path(path)
    sa_url = make_url(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                manifest = {
                    "format": "pg_dump custom",
                    "revision": conn.execute(text("SELECT version_num FROM alembic_version")).scalar(),
                    "tables": table_fingerprints(conn),
                }
                args, env = _libpq_args(sa_url)
                proc = subprocess.run([_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}",
                                       "-f", str(path), *args], env=env, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise BackupError(f"pg_dump failed: {proc.stderr.strip()[-800:]}")
    finally:
        engine.dispose()
    Path(str(path) + MANIFEST_SUFFIX).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def restore(url: str, path: Path) -> dict:
    """Restore ``path`` into the empty database at ``url`` and verify it against the manifest.

    Returns the fingerprints of the restored database. Raises :class:`BackupError` when the target
    is not empty, pg_restore fails, or a count or geometry hash differs.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path.name}")
    manifest_path = Path(str(path) + MANIFEST_SUFFIX)
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'spatial_ref_sys'")).scalar_one()
            if tables:
                raise BackupError("the target database is not empty; restore only into an empty database")
        args, env = _libpq_args(make_url(url))
        proc = subprocess.run([_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
                               *args, str(path)], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BackupError(f"pg_restore failed: {proc.stderr.strip()[-800:]}")
        with engine.connect() as conn:
            restored = table_fingerprints(conn)
    finally:
        engine.dispose()
    if manifest is not None:
        differences = [name for name, entry in manifest["tables"].items() if restored.get(name) != entry]
        if differences:
            raise BackupError(f"the restored data differs from the backup in: {', '.join(differences)}")
    return restored
