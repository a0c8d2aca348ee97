"""Authentication: browser sessions (Flask-Login) and API bearer tokens, CSRF, sign-in throttling,
and the one way the rest of the app learns who acts.

    from webapp.auth import current_actor, login_required, roles_required

    @bp.post("/api/v1/reports/<int:report_id>/approve")
    @roles_required("approver")
    def approve(report_id):
        approve_report(..., actor=current_actor())

- :func:`current_actor` → :class:`webapp.services.permissions.Actor` (``ANONYMOUS`` when nobody is
  signed in), from the session cookie or an ``Authorization: Bearer sg_…`` header, cached per request.
- :func:`login_required`, :func:`roles_required` guard views: pages redirect to ``/login?next=…``,
  ``/api/`` answers 401/403 JSON.
- Every POST/PUT/PATCH/DELETE needs a CSRF token (form field ``csrf_token`` or header ``X-CSRFToken``,
  from ``<meta name="csrf-token">``) unless it carries a valid bearer token; ``@csrf.exempt``
  (``webapp.extensions.csrf``) exempts a view that authenticates its callers another way.
"""
from __future__ import annotations

from flask import Flask

from .guards import login_required, roles_required
from .identity import Account, current_account, current_actor
from .views import bp, safe_next

__all__ = ["init_app", "bp", "current_actor", "current_account", "login_required", "roles_required",
           "Account", "safe_next"]


def init_app(app: Flask) -> None:
    """Configure sessions, CSRF, the sign-in limiter and the request hooks (from ``register_extensions``;
    ``register_blueprints`` registers :data:`bp`)."""
    from .setup import configure

    configure(app, app.config["SAFEGROUND"])
