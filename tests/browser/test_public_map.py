"""The public warning map on a phone, in a real Chromium over the demo data (read only): warning zones
drawn from vector tiles, counts of zones at low zoom, a tapped zone's properties, "am I near a
hazard?" for a point inside a zone, near one and far from any (by the phone's location, a tap and a
press-and-hold), a refused location explained, and the switch to Ukrainian. Nothing may be requested
from outside 127.0.0.1 and nothing may be logged as an error."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips, or fails under CI, and says why
    expect = None

from tests.browser.conftest import LOCAL_HOSTS, LOCAL_SCHEMES

PHONE = {"width": 390, "height": 844}
KYIV = (50.4501, 30.5234)  # far from every demo zone (they are in Kharkiv oblast), inside the programme area
CHA_FILL = (255, 0, 0)
SHA_FILL = (244, 167, 24)


@pytest.fixture
def phone(browser):
    """A page in a phone-sized, touch-enabled browser context that may only talk to 127.0.0.1;
    ``phone.console_errors`` and ``phone.checks`` (the check API calls) are collected."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="en-GB", service_workers="block")
    outside: list[str] = []

    def guard(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    checks: list[dict] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("request", lambda req: checks.append(parse_qs(urlsplit(req.url).query))
            if "/api/v1/public/check" in req.url else None)
    page.console_errors = errors
    page.checks = checks
    yield page
    context.close()
    assert not outside, f"the page tried to reach hosts other than 127.0.0.1: {outside}"


@pytest.fixture(scope="module")
def zone(demo_engine):
    """A surveyed demo zone with no other zone within 1.5 km: a point inside its hazard, a point 200 m
    north of its northernmost vertex (near), and the number of public zones."""
    with demo_engine.connect() as conn:
        row = conn.execute(text("""
            SELECT z.national_code, z.classification,
                   ST_Y(ST_PointOnSurface(h.remaining)) AS in_lat, ST_X(ST_PointOnSurface(h.remaining)) AS in_lon,
                   ST_Y(n.g) AS near_lat, ST_X(n.g) AS near_lon
              FROM public_zones z JOIN hazards h ON h.id = z.hazard_id,
                   LATERAL (SELECT ST_Project((SELECT d.geom FROM ST_DumpPoints(z.geom) d
                                                ORDER BY ST_Y(d.geom) DESC LIMIT 1)::geography, 200, 0)::geometry AS g) n
             WHERE z.precision = 'surveyed'
               AND NOT EXISTS (SELECT 1 FROM public_zones o WHERE o.hazard_id <> z.hazard_id
                                  AND ST_DWithin(o.geom::geography, z.geom::geography, 1500))
             ORDER BY z.national_code LIMIT 1""")).mappings().one()
        total = conn.execute(text("SELECT count(*) FROM public_zones")).scalar()
    return {**row, "inside": (row["in_lat"], row["in_lon"]), "near": (row["near_lat"], row["near_lon"]),
            "total": total}


# -- helpers --------------------------------------------------------------------------------------------
def open_map(page, base: str, query: str = ""):
    response = page.goto(base + "/" + query)
    assert response.status == 200
    page.wait_for_function("() => window.SafeGroundPublicMap && SafeGroundPublicMap.map")
    return response


def show(page, latlng, zoom: int) -> None:
    """Centre the map on a point and wait until every tile has been drawn."""
    page.evaluate("""([lat, lon, z]) => new Promise(done => {
        const m = SafeGroundPublicMap.map, zones = SafeGroundPublicMap.zones;
        m.setView([lat, lon], z, {animate: false});
        const settle = () => zones.isLoading() ? zones.once('load', () => setTimeout(done, 150)) : setTimeout(done, 150);
        setTimeout(settle, 50);
    })""", [latlng[0], latlng[1], zoom])


def screen_point(page, latlng) -> tuple[float, float]:
    """Where a point of the map is on the screen now (after any scrolling)."""
    box = page.locator("#map_public").bounding_box()
    x, y = page.evaluate("""([lat, lon]) => { const p = SafeGroundPublicMap.map.latLngToContainerPoint([lat, lon]);
                                               return [p.x, p.y]; }""", list(latlng))
    return box["x"] + x, box["y"] + y


def tap(page, latlng) -> None:
    page.touchscreen.tap(*screen_point(page, latlng))


def close_sheet(page) -> None:
    page.locator("#pm-sheet .pm-close").click()
    expect(page.locator("#pm-sheet")).to_be_hidden()


def drawn_zones(page) -> dict:
    """Zones drawn by VectorGrid on the tiles now on the map (national code → classification), and
    canvas pixels filled in the CHA and SHA colours (at 50 % opacity)."""
    return page.evaluate("""([cha, sha]) => {
        const zones = SafeGroundPublicMap.zones, codes = {};
        for (const key in zones._vectorTiles) {
            const tile = zones._vectorTiles[key];
            if (!tile._map) continue;
            for (const id in tile._layers) {
                const p = tile._layers[id].properties;
                if (p && p.national_code) codes[p.national_code] = p.classification;
            }
        }
        const near = (d, i, c) => Math.abs(d[i] - c[0]) <= 3 && Math.abs(d[i + 1] - c[1]) <= 3
                                  && Math.abs(d[i + 2] - c[2]) <= 3 && d[i + 3] >= 110 && d[i + 3] <= 145;
        let chaPx = 0, shaPx = 0;
        document.querySelectorAll('.leaflet-overlay-pane canvas.leaflet-tile').forEach(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) { if (near(d, i, cha)) chaPx++; else if (near(d, i, sha)) shaPx++; }
        });
        return {codes, chaPx, shaPx};
    }""", [list(CHA_FILL), list(SHA_FILL)])


def snap(screenshot, page, name: str):
    """A screenshot of what the phone shows, once the map has finished panning to the point."""
    page.wait_for_timeout(400)
    return screenshot(page, name, full_page=False)


def answer(page):
    return page.locator("#pm-sheet .pm-answer-title")


# -- the tests ------------------------------------------------------------------------------------------
def test_the_map_draws_warning_zones_from_tiles_on_a_phone(phone, live_server, zone, screenshot):
    tiles: list[str] = []
    phone.on("request", lambda req: tiles.append(req.url) if "/tiles/public/" in req.url else None)
    open_map(phone, live_server)
    assert phone.evaluate("[window.innerWidth, window.innerHeight]") == [390, 844]
    assert phone.evaluate("typeof window.jQuery") == "undefined"
    expect(phone.locator("#pm-locate")).to_be_enabled()
    # touch targets: the big button, the language switch, the zoom buttons, the hotline
    for selector in ("#pm-locate", ".pm-language", ".leaflet-control-zoom-in", ".pm-button-call", ".pm-footer a"):
        box = phone.locator(selector).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, selector

    # The programme's extent: every demo zone is in view, too small to draw, and counted in a circle.
    phone.wait_for_function("() => document.querySelectorAll('.pm-cluster').length > 0")
    show(phone, phone.evaluate("(() => { const c = SafeGroundPublicMap.map.getCenter(); return [c.lat, c.lng]; })()"),
         phone.evaluate("SafeGroundPublicMap.map.getZoom()"))
    counts = phone.locator(".pm-cluster-count").all_inner_texts()
    assert sum(int(c.replace(",", "").replace("\u202f", "")) for c in counts) == zone["total"]
    assert all(not urlsplit(u).query for u in tiles), "the tile route takes no query string"
    screenshot(phone, "public-map-phone-overview", full_page=False)

    # Closer in, the zones themselves: filled in the CHA and SHA colours, outlined by status.
    show(phone, zone["inside"], 14)
    drawn = drawn_zones(phone)
    assert zone["national_code"] in drawn["codes"]
    assert drawn["chaPx"] + drawn["shaPx"] > 500, drawn
    if zone["classification"] == "CHA":
        assert drawn["chaPx"] > 300
    else:
        assert drawn["shaPx"] > 300
    assert phone.locator(".pm-cluster").count() == 0, "no counts from the detail zoom on"

    show(phone, (49.55, 36.9), 11)
    drawn = drawn_zones(phone)
    assert len(drawn["codes"]) >= 5 and drawn["chaPx"] > 0 and drawn["shaPx"] > 0, drawn
    screenshot(phone, "public-map-phone-zones", full_page=False)

    # Tapping a zone shows what may be published about it, and nothing else.
    show(phone, zone["inside"], 15)
    tap(phone, zone["inside"])
    sheet = phone.locator("#pm-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator("h2")).to_have_text("Confirmed hazardous area" if zone["classification"] == "CHA"
                                             else "Suspected hazardous area")
    expect(sheet).to_contain_text(zone["national_code"])
    for label in ("Code", "Work", "Marking", "Last surveyed", "Responsible organisation", "Precision"):
        expect(sheet.locator("dt", has_text=label)).to_have_count(1)
    expect(sheet).to_contain_text("Surveyed boundary with a safety margin")
    expect(sheet.locator("a.pm-button-call")).to_have_attribute("href", "tel:+380800000000")
    assert phone.checks == [], "tapping a zone shows it; it does not check the point"
    snap(screenshot, phone, "public-map-phone-zone-tapped")
    close_sheet(phone)
    assert phone.console_errors == []


def test_am_i_near_a_hazard_inside_near_and_far(phone, live_server, zone, screenshot):
    context = phone.context
    context.grant_permissions(["geolocation"], origin=live_server)
    context.set_geolocation({"latitude": zone["inside"][0], "longitude": zone["inside"][1], "accuracy": 15})
    open_map(phone, live_server)

    # 1. The phone's location, inside a zone.
    phone.locator("#pm-locate").click()
    expect(answer(phone)).to_have_attribute("data-status", "inside")
    expect(answer(phone)).to_have_text("You may be inside a warning zone")
    sheet = phone.locator("#pm-sheet")
    expect(sheet.locator(".pm-kicker")).to_have_text("Your location")
    expect(sheet).to_contain_text("Stop. Do not move further")
    expect(sheet).to_contain_text(zone["national_code"])
    expect(sheet).to_contain_text("accurate to about 15 m")
    expect(sheet.locator("a.pm-button-call")).to_have_attribute("href", "tel:+380800000000")
    expect(phone.locator(".pm-checked-point")).to_have_count(1)
    assert phone.evaluate("SafeGroundPublicMap.map.getZoom()") >= 15
    marked = phone.evaluate("SafeGroundPublicMap.checked.getLayers().map(l => [l.getLatLng().lat, l.getLatLng().lng])")
    assert all(abs(lat - zone["inside"][0]) < 1e-6 and abs(lon - zone["inside"][1]) < 1e-6 for lat, lon in marked)
    snap(screenshot, phone, "public-map-phone-inside")
    close_sheet(phone)

    # 2. A tap 200 m north of the zone: near, with the distance and the direction.
    show(phone, zone["near"], 15)
    tap(phone, zone["near"])
    expect(answer(phone)).to_have_attribute("data-status", "near")
    expect(answer(phone)).to_have_text("A warning zone is near")
    expect(sheet.locator(".pm-kicker")).to_have_text("The point you checked")
    expect(sheet.locator(".pm-distance")).to_have_text(
        re.compile(r"Nearest known warning zone: (19\d|20\d) m to the (south|south-east|south-west)\."))
    expect(sheet).to_contain_text("Stay out of it")
    expect(sheet).to_contain_text(zone["national_code"])
    snap(screenshot, phone, "public-map-phone-near")
    close_sheet(phone)

    # 3. A tap far from every zone: no known zone nearby, and how far the nearest one is.
    show(phone, KYIV, 12)
    tap(phone, KYIV)
    expect(answer(phone)).to_have_attribute("data-status", "clear")
    expect(answer(phone)).to_have_text("No known warning zone nearby")
    expect(sheet.locator(".pm-distance")).to_contain_text("km to the east")
    expect(sheet).to_contain_text("Explosive ordnance can still lie anywhere")
    expect(sheet.locator("a.pm-button-call")).to_be_visible()
    close_sheet(phone)

    # 4. Pressing and holding on a zone checks that point too (a right click stands in for it).
    show(phone, zone["inside"], 15)
    x, y = screen_point(phone, zone["inside"])
    phone.mouse.click(x, y, button="right")
    expect(answer(phone)).to_have_attribute("data-status", "inside")

    assert [c["lang"] for c in phone.checks] == [["en"]] * 4
    assert all(set(c) == {"lat", "lon", "lang"} for c in phone.checks)
    assert phone.console_errors == []


def test_a_refused_location_is_explained(phone, live_server):
    open_map(phone, live_server)  # the context was never granted the location: Chromium refuses it
    phone.locator("#pm-locate").click()
    sheet = phone.locator("#pm-sheet")
    expect(sheet.locator("h2")).to_have_text("Your location is not available")
    expect(sheet).to_contain_text("You did not allow this page to use your location")
    expect(sheet).to_contain_text("tap the map where you are")
    expect(sheet.locator("a.pm-button-call")).to_be_visible()
    assert phone.checks == []
    assert phone.console_errors == []


def test_an_approximate_zone_says_so(phone, live_server, zone):
    """A zone drawn around a community's centre (none in the demo data: the tile's properties are
    handed to the map as a tap would) is called an approximate area, first thing."""
    open_map(phone, live_server)
    phone.evaluate("""([lat, lon]) => SafeGroundPublicMap.zones.fire('click', {latlng: L.latLng(lat, lon), layer: {properties: {
        national_code: 'UA63-000999', classification: 'SHA', status: 'open', marking: '', last_survey_date: '2024-03-01',
        organisation: 'Demo Operator', precision: 'approximate'}}})""", list(zone["inside"]))
    sheet = phone.locator("#pm-sheet")
    expect(sheet.locator(".pm-approximate")).to_have_text("Approximate area: the exact place is not published")
    expect(sheet.locator("dt", has_text="Precision")).to_have_count(0)
    expect(sheet.locator("dd", has_text="no marking reported")).to_have_count(1)
    expect(sheet.locator("dd", has_text="1 March 2024")).to_have_count(1)
    assert phone.console_errors == []


def test_a_failed_check_or_tile_is_said_not_hidden(phone, live_server, zone):
    """Without an answer the page says so (and to treat the area as dangerous): an empty map must
    never pass for a safe one."""
    phone.route("**/api/v1/public/check*", lambda route: route.abort("connectionfailed"))
    open_map(phone, live_server)
    show(phone, KYIV, 12)
    tap(phone, KYIV)
    sheet = phone.locator("#pm-sheet")
    expect(sheet.locator("h2")).to_have_text("The check could not be done")
    expect(sheet).to_contain_text("treat the area as dangerous")
    expect(sheet.locator("a.pm-button-call")).to_be_visible()
    close_sheet(phone)

    failed = "Some warning zones could not be loaded. Check your connection: the map may be incomplete."
    phone.route("**/tiles/public/**", lambda route: route.abort("connectionfailed"))
    show(phone, zone["inside"], 16)
    expect(phone.locator("#pm-status")).to_have_text(failed)

    # tiles are back: the warning goes; a server error brings it back (VectorGrid alone would show
    # an empty, safe-looking map)
    phone.unroute("**/tiles/public/**")
    show(phone, zone["inside"], 15)
    expect(phone.locator("#pm-status")).to_be_hidden()
    phone.route("**/tiles/public/**", lambda route: route.fulfill(status=500, body="{}"))
    show(phone, zone["inside"], 14)
    expect(phone.locator("#pm-status")).to_have_text(failed)
    # Chromium logs each refused request; nothing else may go wrong
    assert [e for e in phone.console_errors
            if "ERR_CONNECTION_FAILED" not in e and "status of 500" not in e] == []


def test_the_check_works_when_the_map_scripts_do_not_arrive(phone, live_server, zone):
    """On a connection that loses Leaflet, the button still answers (the page's own script needs
    only the check API), and the advice and the hotline are on the page regardless."""
    phone.route("**/static/vendor/**", lambda route: route.abort("connectionfailed"))
    phone.context.grant_permissions(["geolocation"], origin=live_server)
    phone.context.set_geolocation({"latitude": zone["near"][0], "longitude": zone["near"][1], "accuracy": 30})
    assert phone.goto(live_server + "/").status == 200
    phone.wait_for_function("() => window.SafeGroundPublicMap")
    assert phone.evaluate("SafeGroundPublicMap.map") is None
    expect(phone.locator(".pm-found")).to_contain_text("Leave the way you came")
    phone.locator("#pm-locate").click()
    expect(answer(phone)).to_have_attribute("data-status", "near")
    expect(phone.locator("#pm-sheet a.pm-button-call")).to_be_visible()
    unexpected = [e for e in phone.console_errors
                  if "ERR_CONNECTION_FAILED" not in e and "L is not defined" not in e]
    assert unexpected == []


def test_switching_to_ukrainian_changes_every_text(phone, live_server, zone, screenshot):
    open_map(phone, live_server)
    show(phone, zone["inside"], 14)
    phone.locator("a.pm-language[hreflang=uk]").click()
    phone.wait_for_url(re.compile(r".*/\?lang=uk#map=14/[-\d.]+/[-\d.]+$"))
    phone.wait_for_function("() => window.SafeGroundPublicMap && SafeGroundPublicMap.map")
    assert phone.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["uk", "ltr"]
    assert phone.evaluate("SafeGroundPublicMap.map.getZoom()") == 14, "the view travels with the language"
    expect(phone.locator("#pm-locate")).to_have_text("Чи є поруч зона небезпеки?")
    expect(phone.locator(".pm-notice")).to_contain_text("На мапі лише відомі зони небезпеки")
    expect(phone.locator(".pm-found h2")).to_have_text("Якщо ви знайшли підозрілий предмет")
    expect(phone.locator(".pm-legend summary")).to_have_text("Що показує мапа")
    expect(phone.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Наблизити")
    body = phone.locator("body").inner_text()
    for english in ("Am I near a hazard?", "If you find a suspicious object", "What the map shows", "Staff sign-in"):
        assert english not in body

    show(phone, zone["inside"], 15)
    tap(phone, zone["inside"])
    sheet = phone.locator("#pm-sheet")
    expect(sheet.locator(".pm-kicker")).to_have_text("Зона небезпеки")
    expect(sheet.locator("dt", has_text="Відповідальна організація")).to_have_count(1)
    expect(sheet.locator("a.pm-button-call")).to_have_text("Телефонуйте +380 800 000 000")
    snap(screenshot, phone, "public-map-phone-uk-zone")
    close_sheet(phone)

    show(phone, KYIV, 12)
    tap(phone, KYIV)
    expect(answer(phone)).to_have_text("Поруч немає відомих зон небезпеки")
    expect(sheet.locator(".pm-distance")).to_contain_text("км на схід")
    assert phone.checks[-1]["lang"] == ["uk"]

    # the choice is remembered: the plain address now opens in Ukrainian
    open_map(phone, live_server)
    assert phone.evaluate("document.documentElement.lang") == "uk"
    phone.locator("a.pm-language[hreflang=en]").click()
    phone.wait_for_url(re.compile(r".*/\?lang=en#map=.*"))
    expect(phone.locator("#pm-locate")).to_have_text("Am I near a hazard?")
    assert phone.console_errors == []
