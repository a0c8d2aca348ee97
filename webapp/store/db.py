"""Engines, sessions and migrations: where the app finds its database."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..config import PROJECT_ROOT, Settings
from .embedded import EmbeddedCluster

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def embedded_cluster(settings: Settings) -> EmbeddedCluster:
    return EmbeddedCluster(settings.data_dir, port=settings.embedded_port)


def database_url(settings: Settings) -> str:
    """The external URL when configured, else the embedded cluster's (which must be running)."""
    if settings.database_url:
        return settings.database_url
    return embedded_cluster(settings).url(settings.database_name)


def make_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], actor_id: int | None = None,
                actor_label: str | None = None, reason: str | None = None) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error.

    The actor (and an optional reason) is handed to the audit triggers for this transaction only.
    """
    with factory() as session, session.begin():
        set_actor(session, actor_id, actor_label, reason)
        yield session


def set_actor(session: Session, actor_id: int | None, actor_label: str | None = None,
              reason: str | None = None) -> None:
    session.execute(
        text("SELECT set_config('safeground.actor_id', :a, true), "
             "set_config('safeground.actor_label', :l, true), "
             "set_config('safeground.reason', :r, true)"),
        {"a": "" if actor_id is None else str(actor_id), "l": actor_label or "", "r": reason or ""},
    )


# -- migrations --------------------------------------------------------------------------------
def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate filter: PostGIS's own tables (spatial_ref_sys …) are not ours, and GeoAlchemy2
    decides for spatial indexes."""
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and reflected and compare_to is None:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("postgresql://"))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migration_status(engine: Engine) -> dict:
    current = current_revision(engine)
    head = head_revision()
    return {"current": current, "head": head, "at_head": current == head}


def postgis_version(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT postgis_lib_version()")).scalar_one()


def path_relative(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
