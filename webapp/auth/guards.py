"""Named permission guards a route declares in one word, and the answers they give.

- Nobody signed in: pages redirect to ``/login?next=…``; ``/api/`` (and JSON clients) get 401 JSON with
  ``WWW-Authenticate: Bearer``.
- Signed in with another role: 403, JSON or page.
"""
from __future__ import annotations

import functools
from typing import Callable

from flask import jsonify, redirect, request, url_for

from ..errors import error_response, wants_json
from ..store.models import ROLES
from .identity import current_actor

REALM = "SafeGround"
SIGN_IN_FIRST = "Sign in first."


def here() -> str:
    """The current path and query, as a same-site ``next`` target."""
    query = request.query_string.decode("utf-8", "replace")
    return request.path + ("?" + query if query else "")


def unauthenticated_response(message: str = SIGN_IN_FIRST, *, invalid_token: bool = False):
    """401 JSON for API clients (with ``WWW-Authenticate: Bearer``), a redirect to the sign-in page
    otherwise. A rejected bearer token is always answered in JSON."""
    if invalid_token or wants_json():
        response = jsonify({"error": "unauthenticated", "message": message})
        challenge = f'Bearer realm="{REALM}"'
        if invalid_token:
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
        return response, 401
    return redirect(url_for("auth.login", next=here()))


def forbidden_response(role: str | None):
    what = (role or "none").replace("_", " ")
    return error_response(403, "forbidden", f"Your role ({what}) may not do this.")


def login_required(view: Callable) -> Callable:
    """Anyone signed in (browser session or API token)."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if current_actor().anonymous:
            return unauthenticated_response()
        return view(*args, **kwargs)

    return guarded


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed in with one of these roles. Roles are listed explicitly: ``admin`` is not implied."""
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        raise ValueError(f"roles_required needs roles from {', '.join(ROLES)}; got {', '.join(unknown) or 'none'}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            actor = current_actor()
            if actor.anonymous:
                return unauthenticated_response()
            if actor.role not in roles:
                return forbidden_response(actor.role)
            return view(*args, **kwargs)

        guarded.required_roles = roles  # type: ignore[attr-defined]
        return guarded

    return decorator
