"""Signing in and out, browser session records, API token checks and revocation.

Framework-free: the HTTP layer (``webapp.auth``) and the CLI call these inside a transaction.

- Passwords are checked against Argon2id hashes; an unknown e-mail is checked against a dummy hash so
  that both cases take about the same time and give the same answer.
- After :data:`LOCK_AFTER_FAILURES` consecutive failures an account is locked for
  :data:`LOCK_MINUTES`; a successful sign-in resets the count.
- A browser session is a random id in the (signed) cookie; the database keeps only its SHA-256 in
  ``user_sessions``, so revoking the row ends the session even for a copied cookie.
- API tokens (``sg_…``) are checked by their SHA-256; ``last_used_at`` is written at most once a
  minute.
"""
from __future__ import annotations

import datetime as dt
import functools
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound
from ..store.models import ApiToken, User, UserSession
from .permissions import Actor
from .passwords import hash_password, needs_rehash, verify_password
from .users import token_digest

LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
TOUCH_EVERY = dt.timedelta(minutes=1)
"""``last_seen_at`` of sessions and ``last_used_at`` of tokens are written at most this often."""
MAX_SECRET_LENGTH = 200
"""Longer session ids or tokens are refused without a database lookup."""
USER_AGENT_LENGTH = 300


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(24))


def _user_by_email(session: Session, email: str, *, for_update: bool = False) -> User | None:
    query = select(User).where(func.lower(User.email) == email.strip().lower())
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def _require_user(session: Session, email: str) -> User:
    user = _user_by_email(session, email, for_update=True)
    if user is None:
        raise NotFound(f"no user with the e-mail {email}")
    return user


# -- who is asking: one read per request ----------------------------------------------------------
@dataclass(frozen=True)
class Identity:
    """The user behind a session or token, as requests need it: no ORM object, no hash."""

    user_id: int
    email: str
    name: str
    role: str
    organisation_id: int
    organisation: str
    organisation_name: str
    admin_area_ids: tuple[int, ...]
    credential_id: int
    """The ``user_sessions`` or ``api_tokens`` row."""
    touch: bool = False
    """Its last-use time is older than :data:`TOUCH_EVERY` and should be written."""

    @classmethod
    def from_row(cls, row, *, touch: bool) -> "Identity":
        return cls(user_id=row.user_id, email=row.email, name=row.name, role=row.role,
                   organisation_id=row.organisation_id, organisation=row.organisation,
                   organisation_name=row.organisation_name, admin_area_ids=tuple(row.admin_area_ids),
                   credential_id=row.credential_id, touch=touch)

    def actor(self) -> Actor:
        return Actor(id=self.user_id, role=self.role, organisation_id=self.organisation_id,
                     admin_area_ids=self.admin_area_ids, label=self.name)


# The user, organisation and admin areas of a credential in one statement (an index lookup on the
# hash and three primary-key probes): this runs on every authenticated request.
_IDENTITY_COLUMNS = """
    u.id AS user_id, u.email, u.name, u.role, u.organisation_id,
    o.short_name AS organisation, o.name AS organisation_name,
    ARRAY(SELECT ua.admin_area_id FROM user_admin_areas ua WHERE ua.user_id = u.id
          ORDER BY ua.admin_area_id) AS admin_area_ids"""

_TOKEN_IDENTITY = text(f"""
    SELECT {_IDENTITY_COLUMNS}, t.id AS credential_id, t.last_used_at AS last_use
      FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id
     WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND u.active""")

_SESSION_IDENTITY = text(f"""
    SELECT {_IDENTITY_COLUMNS}, s.id AS credential_id, s.last_seen_at AS last_use
      FROM user_sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id
     WHERE s.token_hash = :hash AND s.revoked_at IS NULL AND u.active
       AND :now - s.created_at < :max_age AND :now - s.last_seen_at < :idle""")


# -- signing in --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt.

    ``outcome`` is ``"ok"``, ``"invalid"`` (wrong e-mail or password, or an inactive account: the
    person is never told which) or ``"locked"`` (``retry_after`` seconds to wait). ``known`` says
    whether the e-mail belongs to an account; it is for throttling and must not reach the client.
    """

    outcome: str
    user: User | None = None
    known: bool = False
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def authenticate(session: Session, email: str, password: str, *, now: dt.datetime | None = None) -> SignIn:
    """Check an e-mail and password, count failures and lock the account after too many.

    The caller commits whatever the outcome (the failure count must persist)."""
    now = now or utcnow()
    user = _user_by_email(session, email, for_update=True) if email and len(email) <= 254 else None
    if user is None:
        verify_password(_dummy_hash(), password)
        return SignIn("invalid")
    if user.locked_until is not None and user.locked_until > now:
        return SignIn("locked", known=True, retry_after=_seconds_until(user.locked_until, now))
    if not verify_password(user.password_hash, password) or not user.active:
        if user.active:
            user.failed_logins = (user.failed_logins or 0) + 1
            if user.failed_logins >= LOCK_AFTER_FAILURES:
                user.failed_logins = 0
                user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        return SignIn("invalid", known=True)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return SignIn("ok", user=user, known=True)


def _seconds_until(moment: dt.datetime, now: dt.datetime) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))


def unlock(session: Session, email: str) -> User:
    """Lift a sign-in lock and reset the failure count."""
    user = _require_user(session, email)
    user.failed_logins = 0
    user.locked_until = None
    return user


# -- browser sessions --------------------------------------------------------------------------------
def start_session(session: Session, user: User, *, user_agent: str | None = None,
                  now: dt.datetime | None = None) -> str:
    """Record a new browser session for ``user``; returns the random id for the cookie (only its
    hash is stored)."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=token_digest(raw), created_at=now, last_seen_at=now,
                            user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None))
    session.flush()
    return raw


def load_session(session: Session, raw: str, *, idle: dt.timedelta, max_age: dt.timedelta,
                 now: dt.datetime | None = None) -> Identity | None:
    """Who a live browser session belongs to (not revoked, not idle for longer than ``idle``, younger
    than ``max_age``, user active), in one read; else None. ``touch`` says that ``last_seen_at``
    is due to be written (:func:`touch_session`)."""
    if not raw or len(raw) > MAX_SECRET_LENGTH:
        return None
    now = now or utcnow()
    row = session.execute(_SESSION_IDENTITY, {"hash": token_digest(raw), "now": now, "idle": idle,
                                              "max_age": max_age}).first()
    if row is None:
        return None
    return Identity.from_row(row, touch=now - row.last_use >= TOUCH_EVERY)


def touch_session(session: Session, identity: "Identity", *, now: dt.datetime | None = None) -> None:
    """Record that the session was used (at most once per :data:`TOUCH_EVERY`; in a write transaction)."""
    now = now or utcnow()
    session.execute(
        update(UserSession).where(UserSession.id == identity.credential_id,
                                  UserSession.last_seen_at <= now - TOUCH_EVERY)
        .values(last_seen_at=now).execution_options(synchronize_session=False))


def end_session(session: Session, raw: str, *, now: dt.datetime | None = None) -> bool:
    """Revoke one session (sign-out). True when a live session was revoked."""
    if not raw or len(raw) > MAX_SECRET_LENGTH:
        return False
    result = session.execute(
        update(UserSession).where(UserSession.token_hash == token_digest(raw), UserSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow()))
    return result.rowcount > 0


def _revoke_sessions_of(session: Session, user_id: int, now: dt.datetime) -> int:
    result = session.execute(
        update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now))
    return result.rowcount


def revoke_sessions(session: Session, email: str, *, now: dt.datetime | None = None) -> int:
    """Sign the user out everywhere; returns how many sessions were revoked."""
    user = _require_user(session, email)
    return _revoke_sessions_of(session, user.id, now or utcnow())


def set_active(session: Session, email: str, active: bool, *, now: dt.datetime | None = None) -> User:
    """Activate or deactivate an account. Deactivating revokes its sessions and API tokens."""
    now = now or utcnow()
    user = _require_user(session, email)
    user.active = active
    if not active:
        _revoke_sessions_of(session, user.id, now)
        _revoke_tokens_of(session, user.id, now)
    session.flush()
    return user


# -- API tokens --------------------------------------------------------------------------------------
def authenticate_token(session: Session, raw: str, *, now: dt.datetime | None = None) -> Identity | None:
    """Who a bearer token belongs to (token not revoked, user active), in one read; None for an
    unknown or revoked token or an inactive user. ``touch`` says that ``last_used_at`` is due to
    be written (:func:`touch_token`)."""
    if not raw or len(raw) > MAX_SECRET_LENGTH:
        return None
    now = now or utcnow()
    row = session.execute(_TOKEN_IDENTITY, {"hash": token_digest(raw)}).first()
    if row is None:
        return None
    return Identity.from_row(row, touch=row.last_use is None or now - row.last_use >= TOUCH_EVERY)


def touch_token(session: Session, identity: "Identity", *, now: dt.datetime | None = None) -> None:
    """Record that the token was used (at most once per :data:`TOUCH_EVERY`; in a write transaction)."""
    now = now or utcnow()
    session.execute(
        update(ApiToken).where(ApiToken.id == identity.credential_id,
                               ApiToken.last_used_at.is_(None) | (ApiToken.last_used_at <= now - TOUCH_EVERY))
        .values(last_used_at=now).execution_options(synchronize_session=False))


def _revoke_tokens_of(session: Session, user_id: int, now: dt.datetime, label: str | None = None) -> int:
    query = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if label is not None:
        query = query.where(ApiToken.label == label)
    return session.execute(query.values(revoked_at=now)).rowcount


def revoke_tokens(session: Session, email: str, *, label: str | None = None, all_tokens: bool = False,
                  now: dt.datetime | None = None) -> int:
    """Revoke the user's API tokens with this label, or all of them; returns how many."""
    if (label is None) == (not all_tokens):
        raise Invalid("say which tokens to revoke: a label, or all of them")
    user = _require_user(session, email)
    return _revoke_tokens_of(session, user.id, now or utcnow(), None if all_tokens else label)


def revoke_token(session: Session, raw: str, *, now: dt.datetime | None = None) -> bool:
    """Revoke one token by its value (e.g. a client giving up its own token)."""
    if not raw or len(raw) > MAX_SECRET_LENGTH:
        return False
    result = session.execute(
        update(ApiToken).where(ApiToken.token_hash == token_digest(raw), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow()))
    return result.rowcount > 0
