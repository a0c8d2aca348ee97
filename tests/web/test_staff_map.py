"""The staff map page (/map) and its search endpoint (/api/v1/search), through the Flask client.

The page is a folium/Leaflet map inside our layout whose layers are the staff vector tiles: it never
carries a feature of any layer, so its size does not depend on the number of hazards. Its filters are
the tile route's query parameters. The search honours the same visibility rules as the tiles."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from tests.web.api_support import drop_env, hazard_body, make_env
from webapp.extensions import store
from webapp.maps.assets import cdn_links_in
from webapp.store.tiles import STAFF_LAYERS

APPROVER = "approver@nmaa.example.org"
IZIUM_VIEWER = "viewer@kocp.example.org"
PAGE_LIMIT = 100 * 1024


def _config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="staff-map-config">(.*?)</script>', html, re.S)
    assert found, "the page carries its configuration"
    return json.loads(found.group(1))


def _area_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM admin_areas WHERE code = :c"), {"c": code}).scalar_one()


@pytest.fixture(scope="module")
def env(pg_cluster):
    """A throw-away database with a little demo data and API tokens for every role."""
    e = make_env(pg_cluster, hazards=40)
    yield e
    drop_env(e, pg_cluster)


# -- the page ---------------------------------------------------------------------------------------
def test_the_map_needs_a_sign_in(demo_client):
    res = demo_client.get("/map")
    assert res.status_code == 302
    assert "/login" in res.headers["Location"] and "next=" in res.headers["Location"]


def test_the_page_is_small_has_no_cdn_link_and_no_data(demo_client, login, demo_engine):
    login(demo_client, APPROVER)
    res = demo_client.get("/map")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert len(res.data) < PAGE_LIMIT, f"the map page is {len(res.data)} bytes"
    assert cdn_links_in(html) == []
    # Inside the app layout, not an iframe; Leaflet, VectorGrid and the plugins from static/vendor.
    assert 'class="topbar"' in html and "<iframe" not in html
    for asset in ("/static/vendor/leaflet-1.9.4/leaflet.js",
                  "/static/vendor/leaflet.vectorgrid-1.3.0/Leaflet.VectorGrid.bundled.min.js",
                  "/static/vendor/leaflet-measure-3.1.0/leaflet-measure.js",
                  "/static/vendor/leaflet.locatecontrol-0.90.1/L.Control.Locate.min.js",
                  "/static/vendor/leaflet.fullscreen-4.0.0/Control.FullScreen.js",
                  "/static/js/staff-map.js"):
        assert asset in html, asset
    # Only tile URL templates, one per staff layer.
    config = _config(html)
    assert set(config["tileUrls"]) == set(STAFF_LAYERS)
    for layer, url in config["tileUrls"].items():
        assert url == f"/tiles/staff/{layer}/{{z}}/{{x}}/{{y}}.pbf"
        assert json.dumps(url)[1:-1] in html
    # No hazard, product, find or survey point of the data: no GeoJSON, no code, no name, no vertex.
    assert '"coordinates"' not in html and "FeatureCollection" not in html
    with demo_engine.connect() as conn:
        hazards = conn.execute(text("""
            SELECT h.national_code, h.name, ST_X(p.geom) AS x, ST_Y(p.geom) AS y
              FROM hazards h, LATERAL ST_DumpPoints(COALESCE(h.perimeter, h.location)) p""")).all()
        finds = conn.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM eo_items")).all()
    assert len(hazards) > 1000
    leaks = set()
    for code, name, x, y in hazards:
        if code in html or name in html:
            leaks.add(code)
        for value in (x, y):
            if f"{value:.5f}" in html:  # the page has admin-area boxes, to 4 decimals
                leaks.add(f"{code} vertex {value}")
    for x, y in finds:
        if f"{x:.5f}" in html or f"{y:.5f}" in html:
            leaks.add(f"find {x} {y}")
    assert not leaks, sorted(leaks)[:10]


def test_the_page_size_does_not_grow_with_the_hazards(env, login):
    client = login(env.app.test_client(), APPROVER)
    before = len(client.get("/map").data)
    with store(env.app).engine.begin() as conn:
        added = conn.execute(text("""
            INSERT INTO hazards (national_code, name, classification, status, record_state,
                                 date_of_information, organisation_id, admin_area_id, perimeter, location)
            SELECT 'COPY-' || h.id || '-' || n, h.name || ' copy ' || n, h.classification, h.status,
                   h.record_state, h.date_of_information, h.organisation_id, h.admin_area_id,
                   ST_Translate(h.perimeter, 0.01 * n, 0), ST_Translate(h.location, 0.01 * n, 0)
              FROM hazards h, generate_series(1, 25) n WHERE h.perimeter IS NOT NULL""")).rowcount
    try:
        assert added >= 500
        after = len(client.get("/map").data)
        assert abs(after - before) < 64, (before, after)  # only the CSRF token may differ
    finally:
        with store(env.app).engine.begin() as conn:
            conn.execute(text("DELETE FROM hazards WHERE national_code LIKE 'COPY-%'"))


def test_filters_go_into_every_tile_url_and_stay_in_the_form(demo_client, login, demo_engine):
    login(demo_client, APPROVER)
    izium = _area_id(demo_engine, "UA6304")
    res = demo_client.get(f"/map?classification=CHA&status=open,worked_on&organisation=2&organisation=3"
                          f"&from=2023-01-01&to=2024-12-31&admin_area={izium}")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    config = _config(html)
    expected = {"organisation": ["2,3"], "classification": ["CHA"], "status": ["open,worked_on"],
                "from": ["2023-01-01"], "to": ["2024-12-31"], "admin_area": [str(izium)]}
    for layer, url in config["tileUrls"].items():
        parts = urlsplit(url)
        assert parts.path == f"/tiles/staff/{layer}/{{z}}/{{x}}/{{y}}.pbf"
        assert parse_qs(parts.query) == expected
        # the tile route takes them as they are
        tile = demo_client.get(url.format(z=9, x=311, y=172))
        assert tile.status_code == 200, tile.get_json()
    # The form shows the filters, so that the page address is a view one can share.
    assert re.search(r'name="classification" value="CHA" checked', html)
    assert not re.search(r'name="classification" value="SHA" checked', html)
    assert re.search(r'name="status" value="worked_on" checked', html)
    assert re.search(r'name="organisation" value="3" checked', html)
    assert 'name="from" value="2023-01-01"' in html and 'name="to" value="2024-12-31"' in html
    assert re.search(rf'<option value="{izium}"[^>]*selected', html)


def test_blank_form_fields_mean_no_filter(demo_client, login):
    login(demo_client, APPROVER)
    res = demo_client.get("/map?from=&to=&admin_area=&classification=SHA")
    assert res.status_code == 200
    assert _config(res.get_data(as_text=True))["tileUrls"]["hazards"].endswith(".pbf?classification=SHA")


@pytest.mark.parametrize("query", [
    "classification=XYZ", "status=gone", "organisation=abc", "organisation=0", "from=2024-13-01",
    "from=2024-05-01&to=2024-01-01", "admin_area=-3", "bbox=1,2,3,4", "classification=SHA,,CHA",
])
def test_bad_filters_are_refused(demo_client, login, query):
    login(demo_client, APPROVER)
    res = demo_client.get("/map?" + query)
    assert res.status_code == 400
    assert "<h1" in res.get_data(as_text=True)  # a page, not a traceback


def test_a_limited_viewer_picks_only_their_areas(demo_client, login, demo_engine):
    login(demo_client, IZIUM_VIEWER)
    html = demo_client.get("/map").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"[^>]*>[^<]*?([^<\u2003]+)</option>', html)
    assert [name for _, name in options] == ["Izium raion"]
    kupiansk = _area_id(demo_engine, "UA6308")
    assert demo_client.get(f"/map?admin_area={kupiansk}").status_code == 404
    izium_hromada = _area_id(demo_engine, "UA6304005")
    res = demo_client.get(f"/map?admin_area={izium_hromada}")
    assert res.status_code == 200 and "Izium hromada" in res.get_data(as_text=True)


def test_every_role_gets_the_page(env, login):
    for email in ("surveyor@sdg.example.org", "leader@dhc.example.org", APPROVER, "admin@nmaa.example.org",
                  IZIUM_VIEWER, "viewer@ddf.example.org"):
        client = login(env.app.test_client(), email)
        assert client.get("/map").status_code == 200, email


# -- search -----------------------------------------------------------------------------------------
def _search(env, who, **params):
    from urllib.parse import urlencode

    return env.call("GET", "/api/v1/search?" + urlencode(params, doseq=True), who)


def _labels(res) -> list[str]:
    assert res.status_code == 200, res.get_json()
    return [r["label"] for r in res.get_json()["results"]]


def test_search_needs_a_sign_in(env):
    assert env.call("GET", "/api/v1/search?q=izium", None).status_code == 401


@pytest.mark.parametrize("query", [
    "", "q=", "q=a", "q=%20%20", "q=" + "x" * 101, "q=izium&limit=0", "q=izium&limit=26",
    "q=izium&limit=abc", "q=izium&limit=-1", "q=izium&bbox=1", "q=izium&q=kharkiv",
    "q=izium&limit=3&limit=4", "q=iz%00ium",
])
def test_search_validates_its_parameters(env, query):
    res = env.call("GET", "/api/v1/search?" + query, "approver")
    assert res.status_code == 400
    body = res.get_json()
    assert body["error"] and body["message"]


def test_search_finds_places_in_any_language_and_hazards_by_code_or_name(env):
    assert "Izium raion" in _labels(_search(env, "approver", q="izium"))
    assert "Izium raion" in _labels(_search(env, "approver", q="Ізюмський"))
    assert "Izium raion" in _labels(_search(env, "approver", q="ізюмський"))  # case-insensitive, Cyrillic
    with store(env.app).engine.connect() as conn:
        code, name = conn.execute(text(
            "SELECT national_code, name FROM hazards WHERE record_state = 'approved' ORDER BY id LIMIT 1")).one()
    by_code = _search(env, "approver", q=code).get_json()["results"]
    first = next(r for r in by_code if r["type"] == "hazard")
    assert first["label"] == code  # the exact code comes first
    west, south, east, north = first["bbox"]
    lon, lat = first["point"]
    assert west <= lon <= east and south <= lat <= north
    assert any(r["name"] == name for r in _search(env, "approver", q=name).get_json()["results"]
               if r["type"] == "hazard")


def test_search_wildcards_are_taken_literally(env):
    assert _labels(_search(env, "approver", q="%%")) == []
    assert _labels(_search(env, "approver", q="__")) == []


def test_search_never_finds_what_the_person_may_not_see(env):
    res = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body("Zelenyi Hai draft orchard"))
    assert res.status_code == 201, res.get_json()
    code = res.get_json()["properties"]["national_code"]
    try:
        for who, found in (("sdg_surveyor", True), ("sdg_leader", True), ("approver", True),
                           ("dhc_surveyor", False), ("dhc_leader", False), ("donor_viewer", False),
                           ("izium_viewer", False)):
            by_name = _labels(_search(env, who, q="Zelenyi Hai"))
            by_code = _labels(_search(env, who, q=code))
            assert (code in by_name) == found, who
            assert (code in by_code) == found, who
    finally:
        with store(env.app).engine.begin() as conn:
            conn.execute(text("UPDATE hazards SET deleted_at = now() WHERE national_code = :c"), {"c": code})
    # deleted hazards are not found either
    assert code not in _labels(_search(env, "approver", q=code))


def test_a_limited_viewer_finds_only_their_areas_and_hazards(env):
    assert _labels(_search(env, "izium_viewer", q="Kupiansk")) == []
    assert _labels(_search(env, "izium_viewer", q="Куп'янськ")) == []
    found = _search(env, "izium_viewer", q="UA63", limit=25).get_json()["results"]
    hazard_ids = [r["id"] for r in found if r["type"] == "hazard"]
    assert hazard_ids
    with store(env.app).engine.connect() as conn:
        outside = conn.execute(text("""
            SELECT h.id FROM hazards h JOIN admin_areas a ON a.id = h.admin_area_id
             WHERE h.id = ANY(:ids) AND a.parent_id <> (SELECT id FROM admin_areas WHERE code = 'UA6304')"""),
            {"ids": hazard_ids}).all()
    assert outside == []
    assert "Izium raion" in _labels(_search(env, "izium_viewer", q="Izium"))
