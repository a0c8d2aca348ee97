"""Sign-in and sign-out pages."""
from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

import flask_login
from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from limits import parse

from ..errors import wants_json
from ..extensions import limiter, store
from ..services import auth as auth_service
from ..store import db
from .forms import LoginForm
from .identity import Account, current_account, forget_cached_identity

bp = Blueprint("auth", __name__)

INVALID_CREDENTIALS = "The e-mail address or password is not correct."
ACCOUNT_LOCKED = ("Too many failed sign-ins for this account. Wait {minutes} minutes and try again, "
                  "or ask an administrator to unlock it.")
TOO_MANY_FROM_ADDRESS = "Too many failed sign-ins from your network. Wait a few minutes and try again."
# unknown e-mails are "locked" like real accounts, so that a lock does not tell which accounts exist
UNKNOWN_EMAIL_LIMIT = parse(f"{auth_service.LOCK_AFTER_FAILURES} per {auth_service.LOCK_MINUTES} minutes")


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/…``), else None: no scheme, no host, no ``//``,
    no backslash or control character that a browser might read as another host."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def landing() -> str:
    return url_for("home.index")


def _login_limits() -> str:
    return current_app.config["SAFEGROUND"].login_rate_limit


def _not_signed_in(_response) -> bool:
    """Only attempts that did not sign anyone in count against the address."""
    return not g.get("sg_signed_in", False)


def render_login(form: LoginForm, *, status: int = 200, error: str | None = None, code: str | None = None,
                 retry_after: int | None = None):
    if wants_json() and code:
        response = jsonify({"error": code, "message": error})
    else:
        response = current_app.make_response(render_template(
            "auth/login.html", form=form, error=error, next=safe_next(form.next.data) or "",
            account=current_account()))
    response.status_code = status
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _unknown_email_locked(email: str) -> int:
    """Count a failure for an e-mail without an account; seconds to wait when it is now "locked"."""
    key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if limiter.limiter.hit(UNKNOWN_EMAIL_LIMIT, "sign-in-unknown-email", key):
        return 0
    stats = limiter.limiter.get_window_stats(UNKNOWN_EMAIL_LIMIT, "sign-in-unknown-email", key)
    return max(1, int(stats.reset_time - time.time()))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limits, methods=["POST"], deduct_when=_not_signed_in, error_message=TOO_MANY_FROM_ADDRESS)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        return render_login(form)
    if not form.validate_on_submit():
        return render_login(form, status=400, error="Fill in both fields.", code="invalid")

    email = form.email.data.strip()
    with store().transaction(actor_label="sign-in") as db_session:
        result = auth_service.authenticate(db_session, email, form.password.data)
        account = None
        if result.ok:
            db.set_actor(db_session, result.user.id, result.user.name, "sign-in")
            session_id = auth_service.start_session(db_session, result.user,
                                                    user_agent=request.user_agent.string)
            account = Account.from_user(result.user, session_id=session_id)
    form.password.data = ""

    if result.outcome == "locked":
        return _locked(form, result.retry_after)
    if account is None:
        if not result.known:
            wait = _unknown_email_locked(email)
            if wait:
                return _locked(form, wait)
        return render_login(form, status=401, error=INVALID_CREDENTIALS, code="invalid_credentials")

    session.clear()  # nothing from before sign-in survives (renewal; no fixation)
    flask_login.login_user(account, remember=False, fresh=True)
    session.permanent = True
    forget_cached_identity()
    g.sg_signed_in = True
    target = safe_next(form.next.data) or landing()
    if wants_json():
        return jsonify({"signed_in": True, "next": target})
    return redirect(target, 303)


def _locked(form: LoginForm, retry_after: int):
    minutes = max(1, (retry_after + 59) // 60)
    return render_login(form, status=429, error=ACCOUNT_LOCKED.format(minutes=minutes), code="account_locked",
                        retry_after=retry_after)


def rate_limited_login(message: str):
    """The sign-in page with the limiter's message (429), for browsers."""
    form = LoginForm()
    form.password.data = ""
    return render_login(form, status=429, error=message, code="too_many_requests")


@bp.post("/logout")
def logout():
    account = current_account()
    if account is not None and account.session_id:
        with store().transaction(account.user_id, account.name, "sign-out") as db_session:
            auth_service.end_session(db_session, account.session_id)
    flask_login.logout_user()
    session.clear()
    forget_cached_identity()
    if wants_json():
        return jsonify({"signed_in": False})
    return redirect(url_for("auth.login"), 303)
