"""The start page shows the land-release figures; /healthz says whether the app can work."""
from webapp.config import Settings


def test_start_page_shows_figures_from_the_database(demo_client):
    res = demo_client.get("/overview")
    assert res.status_code == 200
    page = res.get_data(as_text=True)
    assert "Land release at a glance" in page
    assert "Izium raion" in page and "Kupiansk raion" in page
    assert " ha" in page


def test_healthz_reports_database_migrations_and_postgis(demo_client):
    res = demo_client.get("/healthz")
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "ok"
    assert body["migrations"]["at_head"] is True
    assert body["postgis"].startswith("3.")


def test_healthz_is_503_without_leaking_details_when_the_database_is_down(make_app):
    app = make_app("postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    res = app.test_client().get("/healthz")
    assert res.status_code == 503
    text = res.get_data(as_text=True)
    assert res.get_json()["status"] == "database_unreachable"
    assert "secret" not in text and "Traceback" not in text and "psycopg" not in text


def test_start_page_is_a_clean_503_when_the_database_is_down(make_app):
    app = make_app("postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    res = app.test_client().get("/overview")
    assert res.status_code == 503
    text = res.get_data(as_text=True)
    assert "cannot be reached" in text
    assert "secret" not in text and "Traceback" not in text and "127.0.0.1" not in text


def test_unknown_api_path_is_a_json_404(demo_client):
    res = demo_client.get("/api/v1/nothing-here")
    assert res.status_code == 404
    assert res.get_json()["error"] == "not_found"


def test_unknown_page_is_an_html_404(demo_client):
    res = demo_client.get("/nothing-here", headers={"Accept": "text/html"})
    assert res.status_code == 404
    assert "<html" in res.get_data(as_text=True)


def test_settings_reject_unusable_values(monkeypatch):
    import pytest

    from webapp.config import SettingsError

    monkeypatch.setenv("SAFEGROUND_PORT", "eighty")
    with pytest.raises(SettingsError, match="SAFEGROUND_PORT must be a whole number"):
        Settings.from_env()
    monkeypatch.setenv("SAFEGROUND_PORT", "8080")
    monkeypatch.setenv("SAFEGROUND_PUBLIC_SAFETY_MARGIN_M", "nan")
    with pytest.raises(SettingsError, match="finite"):
        Settings.from_env()
