"""Signing in and out, server-side sessions, CSRF, sign-in throttling, API tokens and the guards."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from argon2 import PasswordHasher
from flask import jsonify
from sqlalchemy import func, select, text

from tests.conftest import csrf_token_of
from webapp.auth import current_account, current_actor, login_required, roles_required, safe_next
from webapp.extensions import store
from webapp.services import auth as auth_service
from webapp.services.passwords import verify_password
from webapp.services.users import token_digest
from webapp.store.models import ApiToken, AuditEntry, User, UserSession

PASSWORD = "demo-password"
SURVEYOR = "surveyor@sdg.example.org"
APPROVER = "approver@nmaa.example.org"


@pytest.fixture(autouse=True)
def leave_demo_accounts_as_found(demo_engine):
    """Sessions and tokens made here are deleted, locks and counters reset, accounts reactivated."""
    with demo_engine.connect() as conn:
        before = conn.execute(text("SELECT (SELECT coalesce(max(id), 0) FROM user_sessions), "
                                   "(SELECT coalesce(max(id), 0) FROM api_tokens)")).one()
    yield
    with demo_engine.begin() as conn:
        conn.execute(text("DELETE FROM user_sessions WHERE id > :s"), {"s": before[0]})
        conn.execute(text("DELETE FROM api_tokens WHERE id > :t"), {"t": before[1]})
        conn.execute(text("UPDATE users SET failed_logins = 0, locked_until = NULL, active = true "
                          "WHERE failed_logins <> 0 OR locked_until IS NOT NULL OR NOT active"))


@pytest.fixture
def app(make_app, demo_url):
    """The demo app with a few throw-away routes behind the guards."""
    app = make_app(demo_url)

    @app.get("/test-only/page")
    @login_required
    def page():
        return f"page for {current_account().name}"

    @app.get("/test-only/approvers")
    @roles_required("approver")
    def approvers_page():
        return "approvers only"

    @app.get("/api/test-only/me")
    @login_required
    def me():
        actor = current_actor()
        return jsonify(id=actor.id, role=actor.role, organisation_id=actor.organisation_id,
                       via_token=current_account().via_token)

    @app.post("/api/test-only/echo")
    @login_required
    def echo():
        return jsonify(ok=True, role=current_actor().role)

    @app.get("/api/test-only/approvers")
    @roles_required("approver", "admin")
    def approvers_api():
        return jsonify(ok=True)

    @app.get("/api/test-only/whoami")
    def whoami():
        actor = current_actor()
        return jsonify(anonymous=actor.anonymous, role=actor.role)

    return app


@pytest.fixture
def client(app):
    return app.test_client()


def post_login(client, email, password=PASSWORD, next_=None, headers=None, **environ):
    token = csrf_token_of(client.get("/login"))
    data = {"email": email, "password": password, "csrf_token": token}
    if next_ is not None:
        data["next"] = next_
    return client.post("/login", data=data, headers=headers or {}, environ_overrides=environ or None)


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("safeground_session")
    return cookie.value if cookie else None


def session_id(client) -> str:
    with client.session_transaction() as flask_session:
        return flask_session["_user_id"]


def user_row(demo_engine, email):
    with demo_engine.connect() as conn:
        return conn.execute(text("SELECT id, failed_logins, locked_until, password_hash, last_login_at "
                                 "FROM users WHERE lower(email) = :e"), {"e": email}).one()


# -- signing in ---------------------------------------------------------------------------------------
def test_sign_in_starts_a_new_session_with_a_server_side_record(client, demo_engine):
    client.get("/login")
    anonymous_cookie = session_cookie(client)
    assert anonymous_cookie
    res = post_login(client, SURVEYOR)
    assert res.status_code == 303
    assert res.headers["Location"] == "/overview"
    assert session_cookie(client) != anonymous_cookie
    set_cookie = res.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Secure" not in set_cookie
    assert "Expires=" in set_cookie

    raw = session_id(client)
    with demo_engine.connect() as conn:
        record = conn.execute(text("SELECT s.user_id, s.revoked_at, s.user_agent, u.email, u.last_login_at "
                                   "FROM user_sessions s JOIN users u ON u.id = s.user_id "
                                   "WHERE s.token_hash = :h"), {"h": token_digest(raw)}).one()
        assert conn.execute(text("SELECT count(*) FROM user_sessions WHERE token_hash = :raw"),
                            {"raw": raw}).scalar() == 0, "the raw session id is never stored"
    assert record.email == SURVEYOR and record.revoked_at is None and record.last_login_at is not None
    assert record.user_agent

    page = client.get("/test-only/page")
    assert page.status_code == 200 and page.get_data(as_text=True) == "page for Iryna Surveyor"
    header = client.get("/login").get_data(as_text=True)
    assert "Iryna Surveyor" in header and "surveyor" in header and "SDG" in header
    assert 'action="/logout"' in header and '<meta name="csrf-token"' in header


def test_signing_in_again_replaces_the_session(client, demo_engine):
    post_login(client, SURVEYOR)
    first = session_id(client)
    post_login(client, APPROVER)
    second = session_id(client)
    assert first != second
    assert client.get("/api/test-only/me").get_json()["role"] == "approver"


def test_the_session_cookie_is_secure_when_configured(make_app, demo_url):
    client = make_app(demo_url, secure_cookies=True).test_client()
    res = post_login(client, SURVEYOR)
    assert res.status_code == 303
    assert "Secure" in res.headers["Set-Cookie"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    wrong = post_login(client, SURVEYOR, "not-the-password")
    unknown = post_login(client, "nobody@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401

    def message(res):
        return re.search(r'<p class="alert" role="alert" id="signin-error">([^<]*)</p>',
                         res.get_data(as_text=True)).group(1)

    assert message(wrong) == message(unknown) == "The e-mail address or password is not correct."
    as_json = post_login(client, "nobody@example.org", "x", headers={"Accept": "application/json"})
    assert as_json.status_code == 401
    assert as_json.get_json() == {"error": "invalid_credentials",
                                  "message": "The e-mail address or password is not correct."}


def test_an_inactive_account_cannot_sign_in_and_its_sessions_end(client, app, login, demo_engine):
    email = "viewer@ddf.example.org"
    other = login(app.test_client(), email)
    assert other.get("/test-only/page").status_code == 200
    with store(app).transaction(actor_label="tests") as s:
        auth_service.set_active(s, email, False)
    assert other.get("/test-only/page").status_code == 302
    res = post_login(client, email)
    assert res.status_code == 401 and "not correct" in res.get_data(as_text=True)
    with store(app).transaction(actor_label="tests") as s:
        auth_service.set_active(s, email, True)
    assert post_login(client, email).status_code == 303


def test_the_form_needs_both_fields(client):
    token = csrf_token_of(client.get("/login"))
    res = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert res.status_code == 400
    page = res.get_data(as_text=True)
    assert "Enter your e-mail address." in page and "Enter your password." in page
    assert 'aria-invalid="true"' in page


def test_values_are_escaped_and_passwords_never_echoed(client):
    res = post_login(client, '"><script>alert(1)</script>@x.org', "secret-<b>password</b>")
    page = res.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page or "&#34;&gt;&lt;script&gt;" in page
    assert "secret-" not in page


def test_no_password_or_hash_ever_appears_in_a_response(client, login, app, api_token, demo_engine):
    stored_hash = user_row(demo_engine, SURVEYOR).password_hash
    responses = [client.get("/login"), post_login(client, SURVEYOR, "wrong-password"),
                 post_login(client, "nobody@example.org", "wrong-password")]
    login(client, SURVEYOR)
    responses += [client.get("/login"), client.get("/test-only/page"), client.get("/api/test-only/me"),
                  client.get("/overview")]
    token = api_token(app, SURVEYOR)
    responses.append(app.test_client().get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"}))
    for res in responses:
        blob = res.get_data(as_text=True) + str(res.headers)
        assert PASSWORD not in blob and "wrong-password" not in blob
        assert stored_hash not in blob and "$argon2" not in blob
        assert token_digest(token) not in blob


def test_sign_in_rehashes_a_password_hashed_with_old_parameters(client, app, demo_engine):
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with demo_engine.begin() as conn:
        conn.execute(text("UPDATE users SET password_hash = :h WHERE email = :e"), {"h": old, "e": SURVEYOR})
    assert post_login(client, SURVEYOR).status_code == 303
    renewed = user_row(demo_engine, SURVEYOR).password_hash
    assert renewed != old and renewed.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(renewed)
    assert verify_password(renewed, PASSWORD)


def test_sign_in_is_in_the_audit_log_without_secrets(client, demo_engine):
    post_login(client, SURVEYOR)
    raw = session_id(client)
    user_id = user_row(demo_engine, SURVEYOR).id
    with demo_engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).where(AuditEntry.table_name == "user_sessions",
                                                      AuditEntry.action == "insert")
                             .order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.actor_id == user_id and entry.reason == "sign-in"
    assert "token_hash" not in entry.after and raw not in str(entry.after)


# -- the next parameter ---------------------------------------------------------------------------------
@pytest.mark.parametrize("target, expected", [
    ("/test-only/page", "/test-only/page"),
    ("/api/test-only/me?x=1&y=2", "/api/test-only/me?x=1&y=2"),
    ("https://evil.example", None),
    ("https://evil.example/overview", None),
    ("//evil.example", None),
    ("/\\evil.example", None),
    ("\\\\evil.example", None),
    ("/\t/evil.example", None),
    ("javascript:alert(1)", None),
    ("overview", None),
    ("", None),
    (None, None),
])
def test_safe_next_accepts_only_same_site_paths(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example/x", "/\\evil.example"])
def test_sign_in_does_not_follow_a_foreign_next(client, target):
    res = post_login(client, SURVEYOR, next_=target)
    assert res.status_code == 303
    assert res.headers["Location"] == "/overview"
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert "evil.example" not in page


def test_sign_in_follows_a_same_site_next(client):
    first = client.get("/test-only/page?tab=2")
    assert first.status_code == 302
    assert first.headers["Location"] == "/login?next=/test-only/page?tab%3D2"
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/test-only/page?tab=2"' in page
    res = post_login(client, SURVEYOR, next_="/test-only/page?tab=2")
    assert res.headers["Location"] == "/test-only/page?tab=2"


# -- CSRF ---------------------------------------------------------------------------------------------------
def test_a_post_without_csrf_token_is_refused(client):
    client.get("/login")
    res = client.post("/login", data={"email": SURVEYOR, "password": PASSWORD})
    assert res.status_code == 400
    assert "The form has expired" in res.get_data(as_text=True)
    bad = client.post("/login", data={"email": SURVEYOR, "password": PASSWORD, "csrf_token": "forged"})
    assert bad.status_code == 400


def test_cookie_authenticated_api_writes_need_the_csrf_header(app, login):
    client = login(app.test_client(), SURVEYOR)
    token = client.environ_base.pop("HTTP_X_CSRFTOKEN")
    refused = client.post("/api/test-only/echo", json={})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "csrf_failed"
    accepted = client.post("/api/test-only/echo", json={}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.get_json() == {"ok": True, "role": "surveyor"}


def test_a_csrf_token_of_another_session_is_refused(app, login):
    alice = login(app.test_client(), SURVEYOR)
    bob = login(app.test_client(), APPROVER)
    res = bob.post("/api/test-only/echo", json={}, headers={"X-CSRFToken": alice.environ_base["HTTP_X_CSRFTOKEN"]})
    assert res.status_code == 400


def test_a_bearer_request_needs_no_csrf_token(app, api_token):
    token = api_token(app, SURVEYOR)
    res = app.test_client().post("/api/test-only/echo", json={}, headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200 and res.get_json() == {"ok": True, "role": "surveyor"}
    assert "safeground_session" not in res.headers.get("Set-Cookie", "")


# -- signing out --------------------------------------------------------------------------------------------
def test_a_copied_session_cookie_stops_working_after_sign_out(app, login, demo_engine):
    owner = login(app.test_client(), SURVEYOR)
    thief = app.test_client()
    thief.set_cookie("safeground_session", session_cookie(owner))
    assert thief.get("/test-only/page").status_code == 200
    raw = session_id(owner)

    res = owner.post("/logout")
    assert res.status_code == 303 and res.headers["Location"] == "/login"
    with demo_engine.connect() as conn:
        assert conn.execute(select(UserSession.revoked_at).where(
            UserSession.token_hash == token_digest(raw))).scalar() is not None
    assert owner.get("/test-only/page").status_code == 302
    assert thief.get("/test-only/page").status_code == 302
    assert thief.get("/api/test-only/me").status_code == 401


def test_sign_out_is_a_post_with_csrf(app, login):
    client = login(app.test_client(), SURVEYOR)
    assert client.get("/logout").status_code == 405
    token = client.environ_base.pop("HTTP_X_CSRFTOKEN")
    assert client.post("/logout").status_code == 400
    assert client.get("/test-only/page").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/test-only/page").status_code == 302


def test_revoke_sessions_command_signs_the_user_out_everywhere(app, login):
    phone = login(app.test_client(), SURVEYOR)
    laptop = login(app.test_client(), SURVEYOR)
    result = app.test_cli_runner().invoke(args=["user", "revoke-sessions", SURVEYOR])
    assert result.exit_code == 0, result.output
    assert "Revoked 2 sessions" in result.output
    assert phone.get("/test-only/page").status_code == 302
    assert laptop.get("/test-only/page").status_code == 302


def test_sessions_end_after_the_idle_and_the_absolute_lifetime(app, login, demo_engine):
    client = login(app.test_client(), SURVEYOR)
    digest = token_digest(session_id(client))
    with demo_engine.begin() as conn:
        conn.execute(text("UPDATE user_sessions SET last_seen_at = now() - interval '119 minutes' "
                          "WHERE token_hash = :h"), {"h": digest})
    assert client.get("/test-only/page").status_code == 200  # and the visit counts as activity
    with demo_engine.connect() as conn:
        seen = conn.execute(text("SELECT now() - last_seen_at FROM user_sessions WHERE token_hash = :h"),
                            {"h": digest}).scalar()
    assert seen < dt.timedelta(minutes=1)
    with demo_engine.begin() as conn:
        conn.execute(text("UPDATE user_sessions SET last_seen_at = now() - interval '121 minutes' "
                          "WHERE token_hash = :h"), {"h": digest})
    assert client.get("/test-only/page").status_code == 302

    client = login(app.test_client(), SURVEYOR)
    with demo_engine.begin() as conn:
        conn.execute(text("UPDATE user_sessions SET created_at = now() - interval '12 hours 1 minute' "
                          "WHERE token_hash = :h"), {"h": token_digest(session_id(client))})
    assert client.get("/test-only/page").status_code == 302


# -- throttling ---------------------------------------------------------------------------------------------
def test_five_wrong_passwords_lock_the_account_until_the_lock_expires(client, demo_engine):
    for _ in range(5):
        assert post_login(client, SURVEYOR, "wrong-password").status_code == 401
    locked = post_login(client, SURVEYOR, "wrong-password")
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in locked.get_data(as_text=True)
    assert int(locked.headers["Retry-After"]) > 14 * 60
    row = user_row(demo_engine, SURVEYOR)
    assert row.locked_until is not None
    assert post_login(client, SURVEYOR).status_code == 429, "not even the right password while locked"
    as_json = post_login(client, SURVEYOR, headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.get_json()["error"] == "account_locked"

    with demo_engine.begin() as conn:  # fifteen minutes later
        conn.execute(text("UPDATE users SET locked_until = now() - interval '1 second' WHERE id = :i"),
                     {"i": row.id})
    assert post_login(client, SURVEYOR).status_code == 303
    after = user_row(demo_engine, SURVEYOR)
    assert after.failed_logins == 0 and after.locked_until is None


def test_a_successful_sign_in_resets_the_failure_count(client, demo_engine):
    for _ in range(4):
        post_login(client, SURVEYOR, "wrong-password")
    assert user_row(demo_engine, SURVEYOR).failed_logins == 4
    assert post_login(client, SURVEYOR).status_code == 303
    assert user_row(demo_engine, SURVEYOR).failed_logins == 0


def test_an_unknown_email_is_locked_like_a_real_account(client):
    for _ in range(5):
        assert post_login(client, "ghost@example.org", "wrong-password").status_code == 401
    res = post_login(client, "Ghost@Example.org", "wrong-password")
    assert res.status_code == 429
    assert "Too many failed sign-ins for this account" in res.get_data(as_text=True)


def test_the_address_limiter_answers_429(make_app, demo_url):
    client = make_app(demo_url, login_rate_limit="3 per minute").test_client()
    for i in range(3):
        assert post_login(client, f"nobody{i}@example.org", "x").status_code == 401
    page = post_login(client, "nobody9@example.org", "x")
    assert page.status_code == 429
    text_ = page.get_data(as_text=True)
    assert "Too many failed sign-ins from your network" in text_ and 'name="email"' in text_
    assert "Retry-After" in page.headers
    as_json = post_login(client, "nobody9@example.org", "x", headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.get_json()["error"] == "too_many_requests"
    assert client.get("/login").status_code == 200, "only sign-in attempts are limited"
    elsewhere = post_login(client, "nobody9@example.org", "x", REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == 401


def test_successful_sign_ins_do_not_use_up_the_address_limit(make_app, demo_url):
    app = make_app(demo_url, login_rate_limit="2 per minute")
    for _ in range(4):
        assert post_login(app.test_client(), SURVEYOR).status_code == 303


def test_an_unusable_rate_limit_setting_is_refused(make_app, demo_url):
    from webapp.config import SettingsError

    with pytest.raises(SettingsError, match="SAFEGROUND_LOGIN_RATE_LIMIT"):
        make_app(demo_url, login_rate_limit="lots")


# -- API tokens ---------------------------------------------------------------------------------------------
def test_a_bearer_token_authenticates_an_api_request(app, api_token, demo_engine):
    token = api_token(app, APPROVER)
    res = app.test_client().get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200
    body = res.get_json()
    assert body["role"] == "approver" and body["via_token"] is True
    with demo_engine.connect() as conn:
        used = conn.execute(select(ApiToken.last_used_at)
                            .where(ApiToken.token_hash == token_digest(token))).scalar()
    assert used is not None
    again = app.test_client().get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 200
    with demo_engine.connect() as conn:
        assert conn.execute(select(ApiToken.last_used_at).where(
            ApiToken.token_hash == token_digest(token))).scalar() == used, "touched at most once a minute"
        touches = conn.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.table_name == "api_tokens", AuditEntry.action == "update",
            AuditEntry.at > used - dt.timedelta(seconds=5))).scalar()
    assert touches == 0, "using a token does not fill the audit log"


@pytest.mark.parametrize("header", ["Bearer sg_not-a-real-token", "Bearer ", "bearer x" * 100])
def test_a_bad_token_is_401_with_a_bearer_challenge(client, header):
    res = client.get("/api/test-only/whoami", headers={"Authorization": header})
    assert res.status_code == 401
    assert res.get_json()["error"] == "unauthenticated"
    assert res.headers["WWW-Authenticate"].startswith('Bearer realm="SafeGround"')
    assert 'error="invalid_token"' in res.headers["WWW-Authenticate"]


def test_a_revoked_token_is_refused(app, api_token):
    token = api_token(app, SURVEYOR, label="field tablet")
    keep = api_token(app, SURVEYOR, label="sync")
    client = app.test_client()
    assert client.get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    result = app.test_cli_runner().invoke(args=["user", "revoke-token", SURVEYOR, "--label", "field tablet"])
    assert result.exit_code == 0 and "Revoked 1 token" in result.output, result.output
    res = client.get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 401 and res.get_json()["error"] == "unauthenticated"
    assert client.get("/api/test-only/me", headers={"Authorization": f"Bearer {keep}"}).status_code == 200
    with store(app).transaction(actor_label="tests") as s:
        assert auth_service.revoke_tokens(s, SURVEYOR, all_tokens=True) >= 1
    assert client.get("/api/test-only/me", headers={"Authorization": f"Bearer {keep}"}).status_code == 401


def test_revoke_token_command_needs_all_or_a_label(app):
    result = app.test_cli_runner().invoke(args=["user", "revoke-token", SURVEYOR])
    assert result.exit_code != 0 and "--all, or --label" in result.output
    missing = app.test_cli_runner().invoke(args=["user", "revoke-token", "nobody@example.org", "--all"])
    assert missing.exit_code != 0 and "no user" in missing.output


def test_a_token_of_a_deactivated_user_is_refused(app, api_token):
    email = "viewer@ddf.example.org"
    token = api_token(app, email)
    result = app.test_cli_runner().invoke(args=["user", "deactivate", email])
    assert result.exit_code == 0, result.output
    res = app.test_client().get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 401
    assert app.test_cli_runner().invoke(args=["user", "activate", email]).exit_code == 0
    res = app.test_client().get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 401, "deactivation revoked the token for good"


def test_a_bearer_token_wins_over_a_session_cookie(app, login, api_token):
    client = login(app.test_client(), SURVEYOR)
    token = api_token(app, APPROVER)
    res = client.get("/api/test-only/me", headers={"Authorization": f"Bearer {token}"})
    assert res.get_json()["role"] == "approver"
    assert client.get("/api/test-only/me").get_json()["role"] == "surveyor"


# -- guards -------------------------------------------------------------------------------------------------
def test_guards_send_anonymous_visitors_to_sign_in_or_401(client):
    page = client.get("/test-only/page")
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=/test-only/page"
    api = client.get("/api/test-only/me")
    assert api.status_code == 401 and api.get_json()["error"] == "unauthenticated"
    assert api.headers["WWW-Authenticate"] == 'Bearer realm="SafeGround"'
    roles_page = client.get("/test-only/approvers")
    assert roles_page.status_code == 302
    assert client.get("/api/test-only/approvers").status_code == 401
    assert client.get("/api/test-only/whoami").get_json() == {"anonymous": True, "role": None}


def test_guards_refuse_other_roles_with_403(app, login):
    surveyor = login(app.test_client(), SURVEYOR)
    api = surveyor.get("/api/test-only/approvers")
    assert api.status_code == 403
    assert api.get_json() == {"error": "forbidden", "message": "Your role (surveyor) may not do this."}
    page = surveyor.get("/test-only/approvers", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "<html" in page.get_data(as_text=True)
    approver = login(app.test_client(), APPROVER)
    assert approver.get("/api/test-only/approvers").status_code == 200
    assert approver.get("/test-only/approvers").get_data(as_text=True) == "approvers only"


def test_roles_required_refuses_unknown_roles():
    with pytest.raises(ValueError, match="wizard"):
        roles_required("wizard")
    with pytest.raises(ValueError):
        roles_required()


def test_current_actor_carries_role_organisation_and_areas(app, login, demo_engine):
    client = login(app.test_client(), "viewer@kocp.example.org")
    body = client.get("/api/test-only/me").get_json()
    with demo_engine.connect() as conn:
        user = conn.execute(select(User.id, User.organisation_id)
                            .where(User.email == "viewer@kocp.example.org")).one()
    assert body == {"id": user.id, "role": "viewer", "organisation_id": user.organisation_id, "via_token": False}
    with app.test_request_context("/"):
        assert current_actor().anonymous
