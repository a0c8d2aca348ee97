"""The database handle of the app, created unbound and attached in ``create_app``."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings
from .store import db


class Store:
    """Lazily opens the engine, so commands that first have to start the embedded cluster can run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None
        self._read_factory: sessionmaker[Session] | None = None

    def init_app(self, app: Flask) -> None:
        app.extensions["safeground_store"] = self
        app.teardown_appcontext(_close_request_reader)

    @property
    def url(self) -> str:
        return db.database_url(self.settings)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = db.make_engine(self.url)
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._factory = db.make_session_factory(self.engine)
        return self._factory

    @property
    def embedded(self) -> bool:
        return not self.settings.database_url

    def cluster(self):
        return db.embedded_cluster(self.settings)

    def reader(self) -> Session:
        """A session for reading; close it (use ``with``)."""
        return self.sessions()

    @property
    def read_sessions(self) -> sessionmaker[Session]:
        """Sessions on the same pool in autocommit: each statement is its own snapshot, exactly as
        in a READ COMMITTED transaction, without the BEGIN and ROLLBACK round trips around it."""
        if self._read_factory is None:
            self._read_factory = db.make_session_factory(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"))
        return self._read_factory

    def request_reader(self) -> Session:
        """The one read-only session of the current request (identity, map versions, tiles, lists):
        one pooled connection per request instead of one per step. Closed when the request ends;
        never write through it."""
        session = g.get("_sg_reader")
        if session is None:
            session = g._sg_reader = self.read_sessions()
        return session

    @contextmanager
    def transaction(self, actor_id: int | None = None, actor_label: str | None = None,
                    reason: str | None = None) -> Iterator[Session]:
        with db.transaction(self.sessions, actor_id, actor_label, reason) as session:
            yield session

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._factory = None
            self._read_factory = None


def _close_request_reader(_exc: BaseException | None = None) -> None:
    session = g.pop("_sg_reader", None)
    if session is not None:
        session.close()


def store(app: Flask | None = None) -> Store:
    return (app or current_app).extensions["safeground_store"]


# -- accounts and sign-in: created unbound here, configured by ``webapp.auth.init_app`` -------------
login_manager = LoginManager()
"""Browser sessions (Flask-Login); the session record behind each one is in ``user_sessions``."""
csrf = CSRFProtect()
"""CSRF tokens for forms and cookie-authenticated requests; ``@csrf.exempt`` marks a view that
authenticates its callers some other way (e.g. a signed webhook)."""
limiter = Limiter(get_remote_address)
"""Throttles failed sign-ins per client address. Its storage is per process unless
``SAFEGROUND_RATELIMIT_STORAGE_URI`` names a shared one."""
