"""Accounts: creating users and issuing API tokens."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound
from ..store.models import ROLES, AdminArea, ApiToken, Organisation, User
from .passwords import WeakPasswordError, check_strength, hash_password


def create_user(session: Session, *, email: str, name: str, role: str, organisation: str,
                password: str, admin_areas: tuple[str, ...] = ()) -> User:
    """Create a user in the organisation with this short name (or full name)."""
    email = email.strip()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise Invalid(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not name.strip():
        raise Invalid("the user needs a name")
    try:
        check_strength(password)
    except WeakPasswordError as exc:
        raise Invalid(str(exc)) from None
    org = session.scalar(select(Organisation).where(
        (Organisation.short_name == organisation) | (Organisation.name == organisation)))
    if org is None:
        raise NotFound(f"no organisation called {organisation!r}")
    if session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise Invalid(f"a user with the e-mail {email} exists already")
    areas = []
    for code in admin_areas:
        area = session.scalar(select(AdminArea).where(AdminArea.code == code))
        if area is None:
            raise NotFound(f"no admin area with the code {code!r}")
        areas.append(area)
    user = User(email=email, name=name.strip(), role=role, organisation=org,
                password_hash=hash_password(password), admin_areas=areas)
    session.add(user)
    session.flush()
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, email: str, label: str = "") -> str:
    """A new bearer token for the user; only its hash is stored, so it is shown once."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        raise NotFound(f"no active user with the e-mail {email}")
    token = "sg_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), label=label))
    session.flush()
    return token
