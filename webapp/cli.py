"""The ``safeground`` command (also ``flask --app webapp …``).

    safeground serve [--demo-if-empty]     start the database if embedded, migrate, serve with gunicorn
    safeground db start|stop|upgrade|downgrade|status|backup FILE|restore FILE
    safeground demo [--hazards N] [--seed S]
    safeground user create --email … --name … --role … --organisation …
    safeground user token EMAIL
    safeground user revoke-token EMAIL (--all | --label L) | revoke-sessions EMAIL
    safeground user deactivate|activate|unlock EMAIL
    safeground public refresh [--hazard ID …]
    safeground tiles rebuild               recompute the low-zoom tile overviews from scratch
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from .errors import UserError
from .extensions import store
from .store import db as dbmod
from .store import lifecycle
from .store.embedded import EmbeddedClusterError


# The path without its query string: the public check's query holds where a civilian stands.
ACCESS_LOG = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def _fail(message: str) -> None:
    raise click.ClickException(message)


def register(app: Flask) -> None:
    app.cli.add_command(serve)
    app.cli.add_command(db_group)
    app.cli.add_command(demo)
    app.cli.add_command(user_group)
    app.cli.add_command(public_group)
    app.cli.add_command(tiles_group)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: SAFEGROUND_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: SAFEGROUND_PORT or 5000).")
@click.option("--workers", type=int, default=None, help="gunicorn workers (default: SAFEGROUND_WORKERS or 2).")
@click.option("--demo-if-empty", is_flag=True, help="Load the demo data when the database has no hazards.")
@click.option("--no-migrate", is_flag=True, help="Do not apply pending migrations before serving.")
@with_appcontext
def serve(host, port, workers, demo_if_empty, no_migrate):
    """Serve SafeGround with gunicorn; Ctrl-C stops the server and, if this command started it,
    the embedded database cluster."""
    st = store()
    settings = st.settings
    try:
        started = lifecycle.prepare(st, upgrade=not no_migrate)
    except EmbeddedClusterError as exc:
        _fail(str(exc))
    try:
        if demo_if_empty and lifecycle.is_empty(st):
            click.echo("Empty database: loading demo data …")
            _load_demo(st, 300, 20221001)
        st.dispose()
        bind = f"{host or settings.host}:{port or settings.port}"
        click.echo(f"SafeGround is serving on http://{bind} (Ctrl-C to stop)")
        cmd = [sys.executable, "-m", "gunicorn", "--bind", bind, "--workers",
               str(workers or settings.workers), "--access-logfile", "-", "--access-logformat", ACCESS_LOG,
               "--graceful-timeout", "5",
               "webapp.wsgi:app"]
        proc = subprocess.Popen(cmd, env=dict(os.environ))
        previous = signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            proc.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        if started:
            click.echo("Stopping the embedded database …")
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            st.cluster().stop()


# -- db --------------------------------------------------------------------------------------------
@click.group("db")
def db_group():
    """Database: embedded cluster, migrations, backups."""


@db_group.command("start")
@with_appcontext
def db_start():
    """Start the embedded cluster, create the database and apply migrations."""
    st = store()
    if not st.embedded:
        _fail("SAFEGROUND_DATABASE_URL points at an external database; nothing to start here.")
    try:
        lifecycle.prepare(st)
    except EmbeddedClusterError as exc:
        _fail(str(exc))
    click.echo(f"Embedded PostGIS running on 127.0.0.1:{st.settings.embedded_port} "
               f"(data in {dbmod.path_relative(st.cluster().pgdata)})")


@db_group.command("stop")
@with_appcontext
def db_stop():
    """Stop the embedded cluster."""
    st = store()
    if not st.embedded:
        _fail("SAFEGROUND_DATABASE_URL points at an external database; nothing to stop here.")
    st.cluster().stop()
    click.echo("Embedded PostGIS stopped.")


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    """Apply migrations up to REVISION (default: head)."""
    st = store()
    try:
        lifecycle.prepare(st, upgrade=False)
    except EmbeddedClusterError as exc:
        _fail(str(exc))
    dbmod.upgrade(st.url, revision)
    click.echo(f"Database at {dbmod.current_revision(st.engine)}.")


@db_group.command("downgrade")
@click.argument("revision")
@click.confirmation_option(prompt="Downgrading can delete data. Continue?")
@with_appcontext
def db_downgrade(revision):
    """Revert migrations down to REVISION ('base' removes every table)."""
    st = store()
    dbmod.downgrade(st.url, revision)
    click.echo(f"Database at {dbmod.current_revision(st.engine) or 'base'}.")


@db_group.command("status")
@with_appcontext
def db_status():
    """Where the database is, whether it runs, and whether migrations are at head."""
    from sqlalchemy.engine import make_url

    st = store()
    if st.embedded:
        cluster = st.cluster()
        click.echo(f"database: embedded cluster in {cluster.pgdata}, port {st.settings.embedded_port}")
        if not cluster.is_running():
            click.echo("running: no (start it with `safeground db start`)")
            sys.exit(1)
        click.echo("running: yes")
    else:
        click.echo(f"database: {make_url(st.url).render_as_string(hide_password=True)}")
    try:
        status = dbmod.migration_status(st.engine)
        click.echo(f"postgis: {dbmod.postgis_version(st.engine)}")
    except Exception as exc:  # noqa: BLE001
        _fail(f"cannot reach the database: {exc.__class__.__name__}")
    click.echo(f"migrations: {status['current'] or 'none'} (head {status['head']})"
               + ("" if status["at_head"] else " — run `safeground db upgrade`"))
    if not status["at_head"]:
        sys.exit(1)


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def db_backup(path):
    """Write a pg_dump (custom format) and a manifest of row counts and geometry hashes."""
    from .store.backup import BackupError, backup

    try:
        manifest = backup(store().url, path)
    except BackupError as exc:
        _fail(str(exc))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"Backup written to {path} ({rows} rows in {len(manifest['tables'])} tables).")


@db_group.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database", "target", default=None,
              help="Embedded cluster: database to create and restore into (default: the configured one, "
                   "which must be empty). External: a full SQLAlchemy URL of an empty database.")
@with_appcontext
def db_restore(path, target):
    """Restore a backup into an empty database and verify counts and geometry hashes."""
    from .store.backup import BackupError, restore

    st = store()
    url = st.url
    if target:
        if st.embedded:
            st.cluster().ensure_database(target)
            url = st.cluster().url(target)
        else:
            url = target
    elif st.embedded:
        st.cluster().ensure_database(st.settings.database_name)
    try:
        restored = restore(url, path)
    except BackupError as exc:
        _fail(str(exc))
    rows = sum(t["rows"] for t in restored.values())
    click.echo(f"Restored and verified: {rows} rows in {len(restored)} tables match the backup.")


# -- demo ------------------------------------------------------------------------------------------
def _load_demo(st, hazards: int, seed: int) -> dict:
    from .demo.generator import DEMO_PASSWORD, USERS, generate
    from .demo.loader import load

    data = generate(hazards=hazards, seed=seed)
    with st.transaction(actor_label="demo loader") as session:
        counts = load(session, data, settings=st.settings)
    click.echo(f"Loaded {counts['hazards']} hazards, {counts['release_products']} release products, "
               f"{counts['reports']} reports, {counts['eo_items']} EO finds.")
    click.echo(f"Demo users (password '{DEMO_PASSWORD}'): " + ", ".join(f"{u[0]} ({u[2]})" for u in USERS))
    return counts


@click.command("demo")
@click.option("--hazards", type=click.IntRange(1, 2_000_000), default=300, show_default=True)
@click.option("--seed", type=int, default=20221001, show_default=True)
@with_appcontext
def demo(hazards, seed):
    """Load generated demo data (Kharkiv oblast) into an empty database."""
    from .demo.loader import DatabaseNotEmptyError

    st = store()
    try:
        lifecycle.prepare(st)
        _load_demo(st, hazards, seed)
    except (DatabaseNotEmptyError, EmbeddedClusterError) as exc:
        _fail(str(exc))


# -- users -----------------------------------------------------------------------------------------
@click.group("user")
def user_group():
    """Accounts."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["surveyor", "team_leader", "approver", "viewer", "admin"]))
@click.option("--organisation", required=True, help="Short name (or full name) of the organisation.")
@click.option("--admin-area", "admin_areas", multiple=True, help="Limit the user to this admin area code (repeatable).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given; prefer the prompt over the command line.")
@with_appcontext
def user_create(email, name, role, organisation, admin_areas, password):
    """Create a user with a role in an organisation."""
    from .services.users import create_user

    try:
        with store().transaction(actor_label="cli") as session:
            user = create_user(session, email=email, name=name, role=role, organisation=organisation,
                               password=password, admin_areas=tuple(admin_areas))
            click.echo(f"Created user {user.id}: {user.email} ({user.role}, {user.organisation.short_name})")
    except UserError as exc:
        _fail(exc.message)


@user_group.command("token")
@click.argument("email")
@click.option("--label", default="cli")
@with_appcontext
def user_token(email, label):
    """Print a new API bearer token for the user (shown once; only its hash is kept)."""
    from .services.users import issue_token

    try:
        with store().transaction(actor_label="cli") as session:
            click.echo(issue_token(session, email, label))
    except UserError as exc:
        _fail(exc.message)


@user_group.command("revoke-token")
@click.argument("email")
@click.option("--all", "all_tokens", is_flag=True, help="Revoke every token of the user.")
@click.option("--label", default=None, help="Revoke the tokens with this label.")
@with_appcontext
def user_revoke_token(email, all_tokens, label):
    """Revoke API tokens of the user (--all, or those with --label L)."""
    from .services.auth import revoke_tokens

    if all_tokens == (label is not None):
        _fail("Say which tokens to revoke: --all, or --label LABEL.")
    try:
        with store().transaction(actor_label="cli", reason="tokens revoked") as session:
            count = revoke_tokens(session, email, label=label, all_tokens=all_tokens)
    except UserError as exc:
        _fail(exc.message)
    click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {email}.")


@user_group.command("revoke-sessions")
@click.argument("email")
@with_appcontext
def user_revoke_sessions(email):
    """Sign the user out of every browser session."""
    from .services.auth import revoke_sessions

    try:
        with store().transaction(actor_label="cli", reason="sessions revoked") as session:
            count = revoke_sessions(session, email)
    except UserError as exc:
        _fail(exc.message)
    click.echo(f"Revoked {count} session{'s' if count != 1 else ''} of {email}.")


@user_group.command("deactivate")
@click.argument("email")
@with_appcontext
def user_deactivate(email):
    """Deactivate the account: no sign-in, its sessions and API tokens revoked."""
    from .services.auth import set_active

    try:
        with store().transaction(actor_label="cli", reason="account deactivated") as session:
            set_active(session, email, False)
    except UserError as exc:
        _fail(exc.message)
    click.echo(f"Deactivated {email}; its sessions and API tokens are revoked.")


@user_group.command("activate")
@click.argument("email")
@with_appcontext
def user_activate(email):
    """Activate the account again (it needs new API tokens)."""
    from .services.auth import set_active

    try:
        with store().transaction(actor_label="cli", reason="account activated") as session:
            set_active(session, email, True)
    except UserError as exc:
        _fail(exc.message)
    click.echo(f"Activated {email}.")


@user_group.command("unlock")
@click.argument("email")
@with_appcontext
def user_unlock(email):
    """Lift the sign-in lock set after repeated failed sign-ins."""
    from .services.auth import unlock

    try:
        with store().transaction(actor_label="cli", reason="sign-in lock lifted") as session:
            unlock(session, email)
    except UserError as exc:
        _fail(exc.message)
    click.echo(f"Unlocked {email}.")



# -- public ----------------------------------------------------------------------------------------
@click.group("public")
def public_group():
    """Public warning zones (what civilians see)."""


@public_group.command("refresh")
@click.option("--hazard", "hazard_ids", type=int, multiple=True,
              help="Only this hazard id (repeatable); default: every hazard.")
@with_appcontext
def public_refresh(hazard_ids):
    """Recompute the public warning zones with the current settings (safety margin, generalisation)."""
    from .store.public_zones import layer_version, refresh

    st = store()
    with st.transaction(actor_label="cli", reason="public zones refreshed") as session:
        changed = refresh(session, st.settings, hazard_ids or None)
        version = layer_version(session)
    click.echo(f"Public warning zones refreshed: {changed} written or removed; layer version {version}.")


# -- tiles -----------------------------------------------------------------------------------------
@click.group("tiles")
def tiles_group():
    """Vector tiles (the low-zoom overviews they are read from)."""


@tiles_group.command("rebuild")
@with_appcontext
def tiles_rebuild():
    """Recompute the low-zoom tile overviews from the hazards and public zones. Triggers keep them in
    step with every change; rebuild after a change of the overview rule or if triggers were bypassed."""
    from .store.tile_overviews import rebuild

    with store().transaction(actor_label="cli", reason="tile overviews rebuilt") as session:
        result = rebuild(session)
    seconds = result.pop("seconds")
    rows = ", ".join(f"{table} {count:,}" for table, count in result.items())
    click.echo(f"Tile overviews rebuilt in {seconds} s: {rows}.")


def _create_app():
    from . import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_default_commands=True, add_version_option=False,
                  help="SafeGround: mine action information system.")
