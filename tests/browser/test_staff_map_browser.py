"""The staff map (/map) in a real headless Chromium: the vector tiles load and are drawn (counted in
the rendered VectorGrid layers and seen in a screenshot), a click opens a popup whose values are text
(a hazard called "<img src=x onerror=alert(1)>" stays text), filters change the tile requests, the
coordinate read-out agrees with the server's formatter, and the search box moves the map. The
``page`` fixture fails any test whose page tries to reach a host other than 127.0.0.1."""
from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from geo.coordinates import format_coordinate
from tests.web.api_support import drop_env, hazard_body, make_env

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips, or fails under CI, and says why
    expect = None

PASSWORD = "demo-password"
APPROVER = "approver@nmaa.example.org"
SDG_SURVEYOR = "surveyor@sdg.example.org"
XSS_NAME = "<img src=x onerror=alert(1)>"

LAYERS_LOADED = """() => {
    const m = window.SafeGroundStaffMap && SafeGroundStaffMap.current;
    if (!m) return false;
    return Object.values(m.layers).every(l => !m.map.hasLayer(l) || !l.isLoading());
}"""

FEATURES = """(key) => {
    const current = SafeGroundStaffMap.current, layer = current.layers[key];
    const zoom = ':' + current.map.getZoom();
    const out = [];
    for (const [at, tile] of Object.entries(layer._vectorTiles || {})) {
        if (!at.endsWith(zoom)) continue;  // tiles of the zoom level on screen
        for (const f of Object.values(tile._features)) out.push({layer: f.layerName, ...f.feature.properties});
    }
    return out;
}"""

PATHS = """(key) => {
    const layer = SafeGroundStaffMap.current.layers[key];
    return layer.getContainer() ? layer.getContainer().querySelectorAll('svg path').length : 0;
}"""

# Pixels of the map screenshot coloured like a hazard: SHA amber or CHA red at 50 % (or a cluster)
# over the plain background; the graticule, products, finds and survey points do not count.
HAZARD_PIXELS = """async (png) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + png;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i] - d[i + 2] > 60) n++;
    return n;
}"""


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/overview$"))


def open_map(page, base: str, address: str = "/map") -> None:
    """Load the map page afresh (a new address that differs only in its #fragment would not reload
    it) and wait until every layer shown has its tiles."""
    page.goto("about:blank")
    page.goto(base + address)
    page.wait_for_function(LAYERS_LOADED)
    page.wait_for_timeout(150)  # let VectorGrid finish drawing the last tile


def hazard_pixels(page) -> int:
    png = page.locator(".folium-map").screenshot()
    return page.evaluate(HAZARD_PIXELS, base64.b64encode(png).decode())


@pytest.fixture(scope="module")
def env(pg_cluster):
    """A throw-away database with a little demo data and a draft hazard (of SDG) whose name is an
    HTML injection attempt; never the shared demo database."""
    e = make_env(pg_cluster, hazards=12)
    res = e.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body(XSS_NAME))
    assert res.status_code == 201, res.get_json()
    e.xss_id = res.get_json()["id"]
    e.xss_code = res.get_json()["properties"]["national_code"]
    yield e
    drop_env(e, pg_cluster)


def test_the_map_draws_the_staff_tiles(page, start_server, demo_url, demo_engine, screenshot):
    server = start_server(demo_url)
    sign_in(page, server.url, APPROVER)
    tiles = []
    page.on("request", lambda r: tiles.append(r.url) if "/tiles/staff/" in r.url else None)
    open_map(page, server.url)
    assert page.locator("header.topbar").count() == 1 and page.locator("iframe").count() == 0

    # The opening view (the whole gazetteer): small hazards are cluster points, finds too.
    hazards = page.evaluate(FEATURES, "hazards")
    assert len(hazards) > 50
    assert {f["layer"] for f in hazards} <= {"hazards", "hazards_clusters"}
    assert sum(f.get("count", 1) for f in hazards) >= 250  # nearly every approved hazard is there
    assert page.evaluate(PATHS, "hazards") >= len(hazards) - 5
    eo = page.evaluate(FEATURES, "eo")
    assert eo and {f["layer"] for f in eo} <= {"eo", "eo_clusters"}
    assert page.evaluate(FEATURES, "survey_points") == []  # only from zoom 15
    assert page.evaluate(FEATURES, "remaining") == []  # off until ticked in the layer control
    assert all(re.search(r"/tiles/staff/(hazards|products|eo|survey_points)/\d+/\d+/\d+\.pbf$", u)
               for u in tiles), tiles[:5]
    shot = screenshot(page, "staff-map-overview")
    assert shot.exists()
    assert hazard_pixels(page) > 500

    # Close up on one approved hazard: its perimeter, products, finds and survey points are drawn.
    with demo_engine.connect() as conn:
        hid, lat, lon = conn.execute(text("""
            SELECT h.id, ST_Y(ST_Centroid(h.perimeter)), ST_X(ST_Centroid(h.perimeter))
              FROM hazards h WHERE h.record_state = 'approved' AND h.status = 'worked_on'
               AND EXISTS (SELECT 1 FROM release_products p WHERE p.hazard_id = h.id AND p.applied)
               AND EXISTS (SELECT 1 FROM eo_items e WHERE e.hazard_id = h.id)
             ORDER BY h.original_area_m2 DESC LIMIT 1""")).one()
    open_map(page, server.url, f"/map#map=16/{lat:.6f}/{lon:.6f}")
    hazards = page.evaluate(FEATURES, "hazards")
    assert hid in [f.get("id") for f in hazards if f["layer"] == "hazards"]
    assert all(f["layer"] == "hazards" for f in hazards)  # no clusters from zoom 13
    assert page.evaluate(FEATURES, "products")
    assert [f for f in page.evaluate(FEATURES, "eo") if f["hazard_id"] == hid]
    assert [f for f in page.evaluate(FEATURES, "survey_points") if f["hazard_id"] == hid]
    # the map's centre shows a hazard (or a product on it) on top of everything else
    on_top = page.evaluate("""() => {
        const r = document.querySelector('.folium-map').getBoundingClientRect();
        const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return el ? el.tagName + ' ' + (el.closest('.leaflet-sgStaff-pane') ? 'staff' : 'other') : '';
    }""")
    assert on_top == "path staff"
    screenshot(page, "staff-map-hazard")
    assert hazard_pixels(page) > 300
    assert page.console_errors == []


def test_a_click_opens_a_popup_whose_values_are_text(page, env, start_server, screenshot):
    server = start_server(env.url)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, server.url, SDG_SURVEYOR)
    # the example traverse: a 100 m × 50 m rectangle 20 m north of 48°N 37°E
    open_map(page, server.url, "/map#map=18/47.999955/37.000670")
    mine = [f for f in page.evaluate(FEATURES, "hazards") if f.get("id") == env.xss_id]
    assert mine and mine[0]["name"] == XSS_NAME and mine[0]["record_state"] == "draft"

    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".sg-popup-name")).to_have_text(XSS_NAME)
    expect(popup.locator(".sg-popup-code")).to_have_text(env.xss_code)
    assert popup.locator("img").count() == 0
    assert page.locator(".leaflet-popup img, .leaflet-container img[src='x']").count() == 0
    expect(popup).to_contain_text("SHA")
    expect(popup).to_contain_text("Draft")
    expect(popup).to_contain_text("5\u202f000 m² (0.50 ha)")
    hrefs = popup.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"/hazards/{env.xss_id}", f"/hazards/{env.xss_id}/history",
                     f"/hazards/{env.xss_id}#reports-title"]
    page.wait_for_timeout(300)
    screenshot(page, "staff-map-popup")
    assert dialogs == [], "a script in the hazard's name ran"
    assert page.console_errors == []


def test_another_organisation_does_not_see_the_draft(page, env, start_server):
    server = start_server(env.url)
    sign_in(page, server.url, "surveyor@dhc.example.org")
    open_map(page, server.url, "/map#map=18/47.999955/37.000670")
    assert [f for f in page.evaluate(FEATURES, "hazards") if f.get("id") == env.xss_id] == []
    assert page.console_errors == []


def test_changing_a_filter_changes_the_tile_requests(page, start_server, demo_url, demo_engine, screenshot):
    server = start_server(demo_url)
    sign_in(page, server.url, APPROVER)
    open_map(page, server.url)
    before = {f["classification"] for f in page.evaluate(FEATURES, "hazards")}
    assert before >= {"SHA", "CHA"}
    requested = []
    page.on("request", lambda r: requested.append(r.url) if "/tiles/staff/" in r.url else None)

    page.click("details[data-filter=classification] summary")
    page.check("input[name=classification][value=CHA]")
    page.wait_for_function("() => location.search.includes('classification=CHA')")
    page.wait_for_function(LAYERS_LOADED)
    page.wait_for_timeout(150)
    assert requested, "the layers asked for new tiles"
    for url in requested:
        assert parse_qs(urlsplit(url).query) == {"classification": ["CHA"]}, url
    assert {urlsplit(u).path.split("/")[3] for u in requested} >= {"hazards", "products", "eo"}
    after = page.evaluate(FEATURES, "hazards")
    assert after and {f["classification"] for f in after} == {"CHA"}
    screenshot(page, "staff-map-cha-only")

    # A date range and an admin area too; the page address keeps them, so the view can be shared.
    page.click("details[data-filter=classification] summary")
    page.fill("input[name=from]", "2023-01-01")
    page.dispatch_event("input[name=from]", "change")
    with demo_engine.connect() as conn:
        izium = conn.execute(text("SELECT id FROM admin_areas WHERE code = 'UA6304'")).scalar_one()
    page.select_option("select[name=admin_area]", str(izium))
    page.wait_for_function("() => location.search.includes('admin_area=')")
    page.wait_for_function(LAYERS_LOADED)
    query = parse_qs(urlsplit(page.url).query)
    assert query["classification"] == ["CHA"] and query["from"] == ["2023-01-01"]
    last = [u for u in requested if "/tiles/staff/hazards/" in u][-1]
    assert parse_qs(urlsplit(last).query) == query

    shared = page.url
    requested.clear()
    open_map(page, server.url, shared.replace(server.url, ""))
    assert page.is_checked("input[name=classification][value=CHA]")
    assert page.input_value("input[name=from]") == "2023-01-01"
    assert requested and all(parse_qs(urlsplit(u).query) == query for u in requested)
    assert page.console_errors == []


def test_the_pointer_position_is_shown_in_the_chosen_format(page, start_server, demo_url):
    server = start_server(demo_url)
    sign_in(page, server.url, APPROVER)
    open_map(page, server.url)
    # The browser's formatter writes what the server's writes (geo.coordinates), for the checked
    # example of the domain notes and points across Ukraine and beyond.
    points = [(48.0, 37.0), (48.0001799, 37.0013400), (47.9997302, 37.0), (49.99935, 36.2304),
              (50.4501, 30.5234), (46.4825, 30.7233), (51.5, 23.9), (44.95, 34.1), (-33.9, 18.4),
              (64.1, -21.9), (60.0, 5.0), (-52.0, -70.0), (1.0, 103.8)]
    for fmt, kwargs in (("DD", {"precision": 6}), ("DMS", {}), ("UTM", {}), ("MGRS", {})):
        for lat, lon in points:
            shown = page.evaluate("([lat, lon, f]) => SafeGroundStaffMap.Coordinates.format(lat, lon, f)",
                                  [lat, lon, fmt])
            assert shown == format_coordinate(lat, lon, fmt, **kwargs), (fmt, lat, lon)
    assert page.evaluate("SafeGroundStaffMap.Coordinates.format(48, 37, 'MGRS')") == "37U CP 50812 18235"
    assert page.evaluate("SafeGroundStaffMap.Coordinates.format(48, 37, 'UTM')") == "37N 350812 5318236"

    # Pointer moves update the read-out; the chosen format survives a reload.
    box = page.locator(".folium-map").bounding_box()
    page.select_option(".sg-position select", "MGRS")
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    expect(page.locator(".sg-position output")).to_have_text(re.compile(r"^37U [A-Z]{2} \d{5} \d{5}$|^36U"))
    open_map(page, server.url)
    assert page.input_value(".sg-position select") == "MGRS"
    page.mouse.move(box["x"] + 350, box["y"] + 320)
    expect(page.locator(".sg-position output")).to_have_text(re.compile(r"^3[67]U [A-Z]{2} \d{5} \d{5}$"))
    page.select_option(".sg-position select", "DMS")
    expect(page.locator(".sg-position output")).to_have_text(
        re.compile(r"^\d+°\d\d'\d\d\.\d\d\"N \d+°\d\d'\d\d\.\d\d\"E$"))
    assert page.console_errors == []


def test_the_search_box_moves_the_map(page, start_server, demo_url, demo_engine, screenshot):
    server = start_server(demo_url)
    sign_in(page, server.url, APPROVER)
    open_map(page, server.url)
    page.fill(".sg-search input", "Ізюмський")
    page.press(".sg-search input", "Enter")
    result = page.locator(".sg-search-item", has_text="Izium raion")
    expect(result).to_be_visible()
    result.click()
    with demo_engine.connect() as conn:
        lat, lon = conn.execute(text("""SELECT ST_Y(ST_PointOnSurface(geom)), ST_X(ST_PointOnSurface(geom))
                                          FROM admin_areas WHERE code = 'UA6304'""")).one()
        code, hid = conn.execute(text("""SELECT national_code, id FROM hazards
                                          WHERE record_state = 'approved' ORDER BY id LIMIT 1""")).one()
    assert page.evaluate(f"SafeGroundStaffMap.current.map.getBounds().contains([{lat}, {lon}])")
    assert page.evaluate("SafeGroundStaffMap.current.map.getZoom()") >= 8

    page.fill(".sg-search input", code)
    page.press(".sg-search input", "Enter")
    page.locator(".sg-search-item", has_text=code).first.click()
    expect(page.locator(".leaflet-popup-content .sg-popup-code")).to_have_text(code)
    assert page.evaluate("SafeGroundStaffMap.current.map.getZoom()") >= 13
    page.wait_for_function(LAYERS_LOADED)
    screenshot(page, "staff-map-search")

    page.fill(".sg-search input", "no such place at all")
    page.press(".sg-search input", "Enter")
    expect(page.locator(".sg-search-none")).to_contain_text("Nothing found")
    assert page.console_errors == []


def test_the_map_fits_a_phone(page, start_server, demo_url, screenshot):
    server = start_server(demo_url)
    sign_in(page, server.url, APPROVER)
    page.set_viewport_size({"width": 390, "height": 844})
    open_map(page, server.url)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    # the layer list and the filters fold away; a tap opens them
    layers = page.locator(".leaflet-control-layers")
    expect(layers).not_to_have_class(re.compile(r"leaflet-control-layers-expanded"))
    expect(page.locator("form.map-filters")).to_be_hidden()
    page.click("details.map-filters-box > summary")
    expect(page.locator("form.map-filters")).to_be_visible()
    page.click("details.map-filters-box > summary")
    layers.locator(".leaflet-control-layers-toggle").click()
    expect(layers).to_have_class(re.compile(r"leaflet-control-layers-expanded"))
    assert len(page.evaluate(FEATURES, "hazards")) > 20
    screenshot(page, "staff-map-phone")
    assert page.console_errors == []
