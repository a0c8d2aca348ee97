"""Wiring of sign-in, sessions, CSRF and throttling into the app (called from ``register_extensions``)."""
from __future__ import annotations

import datetime as dt

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import PREFIX, Settings, SettingsError
from ..errors import error_response, wants_json
from ..extensions import csrf, limiter, login_manager
from ..services.permissions import Unauthenticated
from .guards import unauthenticated_response
from .identity import Visitor, account_for_templates, bearer_token, current_account, token_account

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "safeground_session"

CSRF_FAILED = ("The form has expired or did not come from this site. Reload the page and try again "
               "(JavaScript clients send the token of <meta name=\"csrf-token\"> in the X-CSRFToken header).")
TOO_MANY_REQUESTS = "Too many requests. Wait a few minutes and try again."


def _csrf_failed(exc: CSRFError):
    return error_response(400, "csrf_failed", CSRF_FAILED)


def _rate_limited(exc: RateLimitExceeded):
    message = exc.description if getattr(exc.limit, "error_message", None) else TOO_MANY_REQUESTS
    if request.endpoint == "auth.login" and not wants_json():
        from .views import rate_limited_login

        return rate_limited_login(message)
    return error_response(429, "too_many_requests", message)


def _unauthenticated(exc: Unauthenticated):
    return unauthenticated_response(exc.message)


# error class → handler, in the manner of webapp.errors.ERROR_TABLE
AUTH_ERROR_TABLE = {
    CSRFError: _csrf_failed,              # 400 csrf_failed
    RateLimitExceeded: _rate_limited,     # 429 too_many_requests (page: the sign-in form)
    Unauthenticated: _unauthenticated,    # 401 JSON, or a redirect to the sign-in page
}


def authenticate_request():
    """Before every request: a bearer token must be valid (401 otherwise) and makes the request exempt
    from CSRF (a browser never adds one by itself); every other unsafe request needs a CSRF token."""
    if bearer_token() is not None:
        if token_account() is None:
            return unauthenticated_response("The API token is not valid, or has been revoked.", invalid_token=True)
        return None
    if request.method in UNSAFE_METHODS:
        if request.path.startswith("/api/") and current_account() is None:
            # nobody is signed in, so there is no session a forged request could ride on:
            # let the view answer 401 (or serve its public purpose) rather than 400
            return None
        csrf.protect(apply_exemptions=True)
    return None


SHARED_CACHE_PREFIXES = ("/tiles/public/", "/api/v1/public/")
UNTHROTTLED_PREFIXES = ("/tiles/", "/api/v1/public/", "/static/")
"""Read-only paths that carry no rate limit: the limiter skips them without looking for limits
(it would otherwise search on every tile request). A limit declared on a view under one of these
paths would be ignored."""


@limiter.request_filter
def _unthrottled() -> bool:
    return request.path.startswith(UNTHROTTLED_PREFIXES)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that answers meant for shared caches (public tiles and
    the public check) do not vary by cookie when they did not use the session: Flask-Login peeks into
    the session after every request, which would otherwise add ``Vary: Cookie`` and defeat a CDN."""

    def save_session(self, app, session, response):
        super().save_session(app, session, response)
        if request.path.startswith(SHARED_CACHE_PREFIXES) and not session.modified and not session:
            response.vary.discard("Cookie")


def configure(app: Flask, settings: Settings) -> None:
    try:
        parse_many(settings.login_rate_limit)
    except ValueError:
        raise SettingsError(f"{PREFIX}LOGIN_RATE_LIMIT must be like '10 per minute;100 per hour', "
                            f"got {settings.login_rate_limit!r}") from None
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_max_hours),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=settings.session_max_hours * 3600,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    login_manager.anonymous_user = Visitor
    login_manager.session_protection = "basic"
    login_manager.unauthorized_handler(unauthenticated_response)
    csrf.init_app(app)
    limiter.init_app(app)

    app.before_request(authenticate_request)
    app.context_processor(lambda: {"signed_in": account_for_templates()})
    for cls, handler in AUTH_ERROR_TABLE.items():
        app.register_error_handler(cls, handler)
