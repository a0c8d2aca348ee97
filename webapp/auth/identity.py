"""Who is acting on this request: a signed-in browser session, an API bearer token, or nobody.

Both ways end in the same :class:`Account`, whose ``actor`` is what services take. The result is
cached per request in ``flask.g``.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import flask_login
from flask import current_app, g, has_request_context, request, session

from ..extensions import login_manager, store
from ..services import auth as auth_service
from ..services.permissions import ANONYMOUS, Actor

log = logging.getLogger(__name__)

# keys Flask-Login keeps in the Flask session
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")


@dataclass(frozen=True)
class Account:
    """The signed-in person as the web layer needs them (never the ORM object, never a hash)."""

    user_id: int
    email: str
    name: str
    role: str
    organisation: str
    organisation_name: str
    actor: Actor
    session_id: str | None = None
    """The random id of the browser session (in the signed cookie); None for token requests."""
    via_token: bool = False

    # what Flask-Login expects of a user object
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.session_id

    @classmethod
    def from_user(cls, user, *, session_id: str | None = None, via_token: bool = False) -> "Account":
        return cls(user_id=user.id, email=user.email, name=user.name, role=user.role,
                   organisation=user.organisation.short_name, organisation_name=user.organisation.name,
                   actor=Actor.from_user(user), session_id=session_id, via_token=via_token)

    @classmethod
    def from_identity(cls, identity: auth_service.Identity, *, session_id: str | None = None,
                      via_token: bool = False) -> "Account":
        return cls(user_id=identity.user_id, email=identity.email, name=identity.name, role=identity.role,
                   organisation=identity.organisation, organisation_name=identity.organisation_name,
                   actor=identity.actor(), session_id=session_id, via_token=via_token)


class Visitor(flask_login.AnonymousUserMixin):
    """Nobody signed in."""

    actor = ANONYMOUS
    via_token = False
    session_id = None


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header ('' when the header names Bearer but carries
    no usable token); None when the request has no bearer credentials."""
    auth = request.authorization
    if auth is None or (auth.type or "").lower() != "bearer":
        return None
    return auth.token or ""


def token_account() -> Account | None:
    """The account of a valid bearer token on this request, else None (cached per request).

    One read on the request's connection; the write of ``last_used_at`` happens at most once a
    minute per token, in a transaction of its own."""
    if "sg_token_account" not in g:
        raw = bearer_token()
        account = None
        if raw:
            identity = auth_service.authenticate_token(store().request_reader(), raw)
            if identity is not None:
                if identity.touch:
                    with store().transaction(actor_label="api token") as db_session:
                        auth_service.touch_token(db_session, identity)
                account = Account.from_identity(identity, via_token=True)
        g.sg_token_account = account
    return g.sg_token_account


def session_lifetimes() -> tuple[dt.timedelta, dt.timedelta]:
    """Idle and absolute lifetime of a browser session."""
    settings = current_app.config["SAFEGROUND"]
    return dt.timedelta(minutes=settings.session_idle_minutes), dt.timedelta(hours=settings.session_max_hours)


@login_manager.user_loader
def _load_session_account(session_id: str) -> Account | None:
    if bearer_token() is not None:
        return None  # a token request is judged by its token alone, never by a cookie it also carries
    idle, max_age = session_lifetimes()
    identity = auth_service.load_session(store().request_reader(), session_id, idle=idle, max_age=max_age)
    account = None
    if identity is not None:
        if identity.touch:
            with store().transaction(actor_label="session") as db_session:
                auth_service.touch_session(db_session, identity)
        account = Account.from_identity(identity, session_id=session_id)
    if account is None:
        for key in _LOGIN_KEYS:  # ended, expired or revoked: forget it
            session.pop(key, None)
    return account


@login_manager.request_loader
def _load_token_account(_request) -> Account | None:
    return token_account() if bearer_token() is not None else None


def current_account() -> Account | None:
    """The signed-in account (session or bearer token), or None."""
    if not has_request_context():
        return None
    if bearer_token() is not None:
        return token_account()
    user = flask_login.current_user
    return user if isinstance(user, Account) else None


def current_actor() -> Actor:
    """Who acts on this request, for services: ANONYMOUS when nobody is signed in."""
    if not has_request_context():
        return ANONYMOUS
    if "sg_actor" not in g:
        account = current_account()
        g.sg_actor = account.actor if account is not None else ANONYMOUS
    return g.sg_actor


def forget_cached_identity() -> None:
    """After signing in or out within a request."""
    g.pop("sg_actor", None)


def account_for_templates() -> Account | None:
    """For the page header: never lets a database failure break an error page."""
    try:
        return current_account()
    except Exception:  # noqa: BLE001 - the header simply shows "Sign in"
        log.warning("could not load the signed-in account for the page header", exc_info=True)
        return None
