"""Bringing the database up: start the embedded cluster when no external one is configured,
create the database with PostGIS, apply migrations."""
from __future__ import annotations

from sqlalchemy import text

from . import db


def prepare(store, upgrade: bool = True) -> bool:
    """Make the database ready. Returns True when this call started the embedded cluster."""
    started = False
    if store.embedded:
        cluster = store.cluster()
        if not cluster.is_running():
            cluster.start()
            started = True
        cluster.ensure_database(store.settings.database_name)
    if upgrade:
        db.upgrade(store.url)
    return started


def is_empty(store) -> bool:
    with store.engine.connect() as conn:
        return not conn.execute(text("SELECT EXISTS (SELECT 1 FROM hazards)")).scalar_one()
