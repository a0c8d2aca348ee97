"""The public warning map page (``GET /``): no sign-in, English and Ukrainian, ``lang``/``dir``, local
assets only, a small first load that does not grow with the data, and nothing private in it."""
from __future__ import annotations

import gzip
import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import text

from webapp.config import Settings
from webapp.maps.assets import cdn_links_in
from webapp.public import i18n, messages
from webapp.public.pages import _tel
from webapp.store import db
from webapp.store.public_zones import refresh

PAGE_LIMIT = 100 * 1024
STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"


class _Assets(HTMLParser):
    """Scripts and stylesheets a page loads, and the JSON of ``#pm-config``."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in_config = False
        self.config_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(a["href"])
        self._in_config = tag == "script" and a.get("id") == "pm-config"

    def handle_endtag(self, tag):
        self._in_config = False

    def handle_data(self, data):
        if self._in_config:
            self.config_text += data


def _parsed(html: str) -> _Assets:
    parser = _Assets()
    parser.feed(html)
    return parser


def _config(html: str) -> dict:
    return json.loads(_parsed(html).config_text)


def _html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


# -- no sign-in, languages ------------------------------------------------------------------------------
def test_the_warning_map_is_the_start_page_and_needs_no_sign_in(demo_client):
    res = demo_client.get("/")
    assert res.status_code == 200
    assert res.mimetype == "text/html"
    html = res.get_data(as_text=True)
    assert _html_tag(html) == '<html lang="en" dir="ltr">'
    assert res.headers["Content-Language"] == "en"
    assert "Am I near a hazard?" in html
    assert "This map shows only known warning zones. Any area may be dangerous" in html
    assert "If you find a suspicious object" in html and "Do not touch it" in html
    assert 'href="tel:+380800000000"' in html and "+380 800 000 000" in html
    # no session is started for a civilian, and no CSRF token is handed out
    assert not any("safeground_session" in c for c in res.headers.getlist("Set-Cookie"))
    assert 'name="csrf-token"' not in html
    # the staff overview has moved
    assert demo_client.get("/overview").status_code in (200, 302, 303)


def test_the_page_speaks_ukrainian_by_query_cookie_or_browser_language(make_app, demo_url):
    app = make_app(demo_url)
    client = app.test_client()
    res = client.get("/?lang=uk")
    html = res.get_data(as_text=True)
    assert _html_tag(html) == '<html lang="uk" dir="ltr">'
    assert res.headers["Content-Language"] == "uk"
    assert "Чи є поруч зона небезпеки?" in html and "Якщо ви знайшли підозрілий предмет" in html
    assert "Am I near a hazard?" not in html
    cookie = [c for c in res.headers.getlist("Set-Cookie") if c.startswith(f"{i18n.COOKIE}=")]
    assert cookie and cookie[0].startswith(f"{i18n.COOKIE}=uk;") and "HttpOnly" in cookie[0]
    # the choice is remembered, and another ?lang= replaces it
    assert 'lang="uk"' in _html_tag(client.get("/").get_data(as_text=True))
    assert 'lang="en"' in _html_tag(client.get("/?lang=en").get_data(as_text=True))
    assert 'lang="en"' in _html_tag(client.get("/").get_data(as_text=True))

    fresh = app.test_client()
    res = fresh.get("/", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})
    assert _html_tag(res.get_data(as_text=True)) == '<html lang="uk" dir="ltr">'
    assert not res.headers.getlist("Set-Cookie"), "a language taken from the browser is not stored"
    assert 'lang="en"' in _html_tag(fresh.get("/", headers={"Accept-Language": "de-DE,fr"}).get_data(as_text=True))
    # an unknown language in an old or mistyped link still shows the page
    res = fresh.get("/?lang=xx", headers={"Accept-Language": "uk"})
    assert res.status_code == 200 and 'lang="uk"' in _html_tag(res.get_data(as_text=True))
    assert not res.headers.getlist("Set-Cookie")
    assert "Accept-Language" in res.headers["Vary"] and "Cookie" in res.headers["Vary"]


def test_every_text_of_the_page_and_its_script_is_in_the_chosen_language(demo_client):
    english = {v for k, v in i18n.TEXT["en"].items() if "{" not in v and len(v) > 3}
    for lang in ("en", "uk"):
        html = demo_client.get(f"/?lang={lang}").get_data(as_text=True)
        config = _config(html)
        assert config["lang"] == lang
        assert set(config["text"]) >= set(i18n.SCRIPT_KEYS)
        for key in i18n.SCRIPT_KEYS:
            assert config["text"][key] == i18n.TEXT[lang][key]
        for key, value in messages.TEXT[lang].items():
            if key.startswith(("classification.", "zone_status.", "precision.", "marking.", "direction.")):
                assert config["text"][key] == value
        if lang == "uk":
            leftovers = [s for s in english if s in html or s in config["text"].values()]
            assert leftovers == []


def test_every_language_has_every_text_with_the_same_placeholders():
    keys = set(i18n.TEXT[i18n.DEFAULT_LANGUAGE])
    assert set(i18n.SCRIPT_KEYS) <= keys
    for lang in i18n.supported():
        assert set(i18n.TEXT[lang]) == keys, lang
        for key in keys:
            value = i18n.TEXT[lang][key]
            assert value.strip(), (lang, key)
            assert set(re.findall(r"\{(\w+)\}", value)) == set(re.findall(r"\{(\w+)\}", i18n.TEXT["en"][key])), (lang, key)
    assert set(i18n.supported()) == set(messages.LANGUAGES), "the page speaks what the check API speaks"
    different = [k for k in keys if i18n.TEXT["uk"][k] == i18n.TEXT["en"][k]]
    assert different == []


def test_a_right_to_left_language_sets_dir_rtl(make_app, demo_url, monkeypatch):
    assert i18n.direction("ar") == i18n.direction("ar-EG") == i18n.direction("ckb") == "rtl"
    assert i18n.direction("fa-IR") == i18n.direction("HE") == "rtl"
    assert i18n.direction("en") == i18n.direction("uk") == i18n.direction("uk-UA") == "ltr"
    # a programme that adds Arabic: the page turns right to left (untranslated texts fall back to English)
    monkeypatch.setattr(i18n, "LANGUAGES", ("en", "uk", "ar"))
    monkeypatch.setitem(i18n.TEXT, "ar", {})
    client = make_app(demo_url).test_client()
    html = client.get("/?lang=ar").get_data(as_text=True)
    assert _html_tag(html) == '<html lang="ar" dir="rtl">'
    assert re.search(r'<span class="pm-language" aria-current="true" lang="ar" dir="rtl">العربية</span>', html)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert _html_tag(english) == '<html lang="en" dir="ltr">'
    assert re.search(r'<a class="pm-language" href="/\?lang=ar" hreflang="ar"\s+lang="ar" dir="rtl"', english)


def test_the_stylesheet_is_ready_for_right_to_left():
    """Logical properties only: nothing that pins the layout to the left or the right."""
    css = (STATIC / "css" / "public.css").read_text()
    physical = re.findall(r"(?<![\w-])(?:margin|padding|border)-(?:left|right)[\w-]*\s*:|(?<![\w-])(?:left|right)\s*:"
                          r"|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)"
                          r"|(?:margin|padding)\s*:\s*[^;\s]+\s+[^;\s]+\s+[^;\s]+\s+[^;\s]+", css)
    assert physical == []
    assert "margin-inline" in css and "inset-inline" in css


# -- assets and size -------------------------------------------------------------------------------------
def test_the_page_loads_only_vendored_leaflet_vectorgrid_and_its_own_files(demo_client):
    html = demo_client.get("/").get_data(as_text=True)
    assert cdn_links_in(html) == []
    assets = _parsed(html)
    assert assets.scripts == ["/static/vendor/leaflet-1.9.4/leaflet.js",
                              "/static/vendor/leaflet.vectorgrid-1.3.0/Leaflet.VectorGrid.bundled.min.js",
                              "/static/js/public-map.js"]
    assert assets.styles == ["/static/vendor/leaflet-1.9.4/leaflet.css", "/static/css/public.css"]
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()
    # scripts come after the content, so the advice and the hotline show before they arrive
    assert html.index("pm-found") < html.index("<script src=")
    for url in assets.scripts + assets.styles:
        assert demo_client.get(url).status_code == 200, url


def test_the_first_load_is_small(demo_client):
    html = demo_client.get("/").get_data()
    assets = _parsed(html.decode())
    files = {url: demo_client.get(url).get_data() for url in assets.scripts + assets.styles}
    raw = len(html) + sum(len(b) for b in files.values())
    zipped = len(gzip.compress(html, 9)) + sum(len(gzip.compress(b, 9)) for b in files.values())
    print(f"\nfirst load: page {len(html)} B ({len(gzip.compress(html, 9))} B gzip); "
          + "; ".join(f"{u.rsplit('/', 1)[-1]} {len(b)} B ({len(gzip.compress(b, 9))} B gzip)" for u, b in files.items())
          + f"; total {raw} B ({zipped} B gzip)")
    assert len(html) < 20 * 1024
    assert raw < 280 * 1024 and zipped < 85 * 1024


@pytest.fixture(scope="module")
def crowded_url(pg_cluster):
    """A database with 3,000 public warning zones (ten times the demo's), made directly in SQL."""
    name = "sg_crowded_" + uuid.uuid4().hex[:8]
    pg_cluster.ensure_database(name)
    url = pg_cluster.url(name)
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.transaction(db.make_session_factory(engine), actor_label="crowded map test") as session:
        org = session.execute(text("""
            INSERT INTO organisations (name, short_name, kind) VALUES ('Crowded Map Operator', 'CMO', 'operator')
            RETURNING id""")).scalar_one()
        session.execute(text("""
            INSERT INTO hazards (national_code, name, classification, status, record_state, location_precision,
                                 date_of_information, organisation_id, location)
            SELECT 'UA63-CROWD-' || lpad(i::text, 5, '0'), 'Crowded hazard ' || i,
                   CASE WHEN i % 3 = 0 THEN 'CHA' ELSE 'SHA' END, 'open', 'approved', 'community_centre',
                   DATE '2024-03-01', :org,
                   ST_SetSRID(ST_MakePoint(35 + (i % 60) * 0.05, 48.5 + (i / 60) * 0.04), 4326)
              FROM generate_series(1, 3000) i"""), {"org": org})
        refresh(session, Settings())
        assert session.execute(text("SELECT count(*) FROM public_zones")).scalar() == 3000
    engine.dispose()
    yield url
    pg_cluster.drop_database(name)


def test_the_page_does_not_grow_with_the_data_and_embeds_none(make_app, db_url, demo_url, crowded_url, demo_engine):
    pages = {}
    for label, url in (("empty", db_url), ("demo", demo_url), ("crowded", crowded_url),
                       ("unreachable", "postgresql+psycopg://nobody:secret@127.0.0.1:9/none")):
        res = make_app(url).test_client().get("/")
        assert res.status_code == 200, label  # the page needs no database: advice and hotline always show
        pages[label] = res.get_data()
    assert len(pages["demo"]) < PAGE_LIMIT
    assert {len(p) for p in pages.values()} == {len(pages["demo"])}
    assert pages["empty"] == pages["demo"] == pages["crowded"] == pages["unreachable"]

    html = pages["demo"].decode()
    with demo_engine.connect() as conn:
        codes = conn.execute(text("SELECT national_code FROM hazards")).scalars().all()
    assert codes and not any(code in html for code in codes)
    assert "UA63-" not in html
    # no coordinates beyond the programme's extent: no number with five or more decimals
    assert re.findall(r"\d+\.\d{5,}", html) == []
    for layer in ("warning_zones", "warning_clusters"):
        assert layer not in html  # the tiles name their layers; the page only names the tile URL


def test_nothing_private_is_in_the_page(demo_client, demo_engine):
    html = demo_client.get("/").get_data(as_text=True) + demo_client.get("/?lang=uk").get_data(as_text=True)
    with demo_engine.connect() as conn:
        sensitive = set(conn.execute(text("""
            SELECT name FROM hazards UNION SELECT evidence FROM hazards
            UNION SELECT name FROM users UNION SELECT email FROM users
            UNION SELECT model FROM eo_items UNION SELECT input_text FROM survey_points
            UNION SELECT marker FROM survey_points UNION SELECT decision_comment FROM reports
            UNION SELECT evidence FROM reports UNION SELECT team FROM activities
            UNION SELECT name FROM organisations""")).scalars())
    sensitive = {s for s in sensitive if s and len(s) >= 6}
    assert sensitive
    assert [s for s in sensitive if s in html] == []
    for word in ("eo_items", "survey_points", "/tiles/staff", "/api/v1/hazards", "draft", "evidence"):
        assert word not in html


def test_the_page_is_revalidated_by_etag(demo_client):
    first = demo_client.get("/")
    assert first.headers["Cache-Control"] == "no-cache" and first.headers.get("ETag")
    again = demo_client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_the_script_asks_for_tiles_without_a_query_string(demo_client):
    """The public tile route refuses query parameters (a cache buster would break every tile)."""
    config = _config(demo_client.get("/").get_data(as_text=True))
    assert config["tiles"] == "/tiles/public/{z}/{x}/{y}.pbf" and "?" not in config["tiles"]
    assert demo_client.get("/tiles/public/0/0/0.pbf").status_code == 200
    assert demo_client.get("/tiles/public/0/0/0.pbf?v=2").status_code == 400
    assert config["check"] == "/api/v1/public/check"
    assert config["area"] == list(Settings().area_of_operations)


# -- map set-up from settings --------------------------------------------------------------------------
def test_without_a_basemap_the_map_has_a_plain_background_and_a_graticule(demo_client):
    html = demo_client.get("/").get_data(as_text=True)
    assert "L.tileLayer" not in html
    assert "graticule" in html and "#f4f2ec" in html
    assert _config(html)["area"] == [22.0, 44.0, 40.3, 52.5]  # the script fits the view to it


def test_a_basemap_and_the_programme_area_come_from_settings(make_app, demo_url):
    app = make_app(demo_url, basemap_url="http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png",
                   basemap_attribution="Local tiles © Example", area_of_operations=(35.0, 48.5, 38.5, 50.5),
                   hotline="0 800 500 (free)")
    html = app.test_client().get("/").get_data(as_text=True)
    assert "L.tileLayer" in html and "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png" in html
    assert "Local tiles \\u00a9 Example" in html or "Local tiles © Example" in html
    assert "graticule" not in html
    assert _config(html)["area"] == [35.0, 48.5, 38.5, 50.5]
    assert 'href="tel:0800500"' in html and "0 800 500 (free)" in html


def test_hotline_as_a_tel_link():
    assert _tel("+380 800 000 000") == "tel:+380800000000"
    assert _tel("101") == "tel:101"
    assert _tel("0 800 500 (free)") == "tel:0800500"
    assert _tel("+1 (555) 12+34") == "tel:+15551234"
    assert _tel("") == "" and _tel("call the police") == ""


def test_settings_text_cannot_break_out_of_the_page(make_app, demo_url):
    hotline = "</script><script>alert(1)</script> 0 800 & 'x'"
    html = make_app(demo_url, hotline=hotline).test_client().get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert _config(html)["hotline"] == hotline  # intact once parsed, escaped in the page
    assert html.count("</script>") == len(_parsed(html).scripts) + 2  # the config and folium's map set-up


def test_a_ukrainian_page_is_written_in_utf8_not_escapes(demo_client):
    html = demo_client.get("/?lang=uk").get_data(as_text=True)
    assert "\\u04" not in html and "Чи є поруч зона небезпеки?" in _parsed(html).config_text
    assert len(html.encode()) < 20 * 1024
