"""Test fixtures: a real PostGIS cluster, started once per run by the same embedded manager the
app uses (in a throw-away folder, on a free port), with databases made from the migrations."""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from webapp import create_app
from webapp.config import Settings
from webapp.store import db
from webapp.store.embedded import EmbeddedCluster, free_port


@pytest.fixture(scope="session")
def pg_cluster():
    folder = Path(tempfile.mkdtemp(prefix="safeground-test-"))
    os.chmod(folder, 0o755)  # when run as root, the postgres user must be able to enter it
    cluster = EmbeddedCluster(folder, port=free_port())
    cluster.start()
    yield cluster
    cluster.destroy()


def _migrated(cluster: EmbeddedCluster, name: str) -> str:
    cluster.ensure_database(name)
    url = cluster.url(name)
    db.upgrade(url)
    return url


@pytest.fixture(scope="session")
def db_url(pg_cluster) -> str:
    """A migrated, empty database shared by the run; tests write inside a rolled-back transaction."""
    return _migrated(pg_cluster, "sg_test")


@pytest.fixture(scope="session")
def db_engine(db_url):
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT extname FROM pg_extension WHERE extname = 'postgis'")).scalar()
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine):
    """A session whose commits only release savepoints: everything is rolled back after the test."""
    conn = db_engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture(scope="session")
def demo_url(pg_cluster) -> str:
    """A database holding the standard demo data (300 hazards), loaded once per run."""
    from webapp.demo.generator import generate
    from webapp.demo.loader import load

    url = _migrated(pg_cluster, "sg_demo")
    engine = db.make_engine(url)
    with db.transaction(db.make_session_factory(engine), actor_label="demo loader") as session:
        load(session, generate(300))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_url):
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_db(pg_cluster):
    """The URL of a new empty database (PostGIS, no tables); dropped afterwards."""
    name = "sg_" + uuid.uuid4().hex[:12]
    pg_cluster.ensure_database(name)
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)


@pytest.fixture
def make_app(tmp_path):
    apps = []

    def factory(url: str, **overrides):
        settings = Settings(database_url=url, data_dir=tmp_path, secret_key="test-secret",
                            testing=True, **overrides)
        app = create_app(settings)
        apps.append(app)
        return app

    yield factory
    from webapp.extensions import store

    for app in apps:
        store(app).dispose()


@pytest.fixture
def demo_client(make_app, demo_url):
    return make_app(demo_url).test_client()


# -- accounts and sign-in ---------------------------------------------------------------------------
def _store_url(app) -> str:
    from webapp.extensions import store

    return store(app).url


def csrf_token_of(page) -> str:
    """The CSRF token of a rendered page (sign-in form field, or <meta name="csrf-token">)."""
    import re

    html = page.get_data(as_text=True)
    found = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
             or re.search(r'<meta name="csrf-token" content="([^"]+)"', html))
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def login():
    """``login(client, email, password="demo-password")`` signs a test client in through the sign-in
    form and returns it. Later requests of that client carry the session's CSRF token in the
    X-CSRFToken header, so its POST/PUT/PATCH/DELETE pass the CSRF check. The sessions it created are
    deleted afterwards."""
    from webapp.services.users import token_digest

    created: list[tuple] = []

    def sign_in(client, email: str, password: str = "demo-password"):
        token = csrf_token_of(client.get("/login"))
        res = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert res.status_code == 303, f"sign-in of {email} answered {res.status_code}"
        with client.session_transaction() as flask_session:
            created.append((client.application, flask_session["_user_id"]))
        client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_of(client.get("/login"))
        return client

    yield sign_in
    for app, session_id in created:
        engine = db.make_engine(_store_url(app))
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM user_sessions WHERE token_hash = :h"), {"h": token_digest(session_id)})
        engine.dispose()


@pytest.fixture
def api_token():
    """``api_token(app, email, label="test")`` issues a bearer token through the service and returns
    it; the tokens it issued are deleted afterwards."""
    from webapp.extensions import store
    from webapp.services.users import issue_token, token_digest

    issued: list[tuple] = []

    def issue(app, email: str, label: str = "test") -> str:
        with store(app).transaction(actor_label="tests") as session:
            token = issue_token(session, email, label)
        issued.append((app, token))
        return token

    yield issue
    for app, token in issued:
        engine = db.make_engine(_store_url(app))
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM api_tokens WHERE token_hash = :h"), {"h": token_digest(token)})
        engine.dispose()
