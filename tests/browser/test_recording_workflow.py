"""Recording and approving a hazard in a real Chromium, on a throw-away database: the checked
traverse typed into the legs table, the live preview (about 5,000 m²), saving, submission by the
team leader, approval by the national authority; a conflict between two people editing the same
draft shown side by side; errors shown beside the input that caused them; a polygon drawn on the
map; and an activity report whose products come from typed coordinates and a GeoJSON file."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips, or fails under CI, and says why
    expect = None

from tests.browser.conftest import LOCAL_HOSTS, LOCAL_SCHEMES, VIEWPORT
from tests.web.api_support import BENCHMARK, drop_env, hazard_body, make_env

PASSWORD = "demo-password"
SURVEYOR = "surveyor@sdg.example.org"
LEADER = "leader@sdg.example.org"
APPROVER = "approver@nmaa.example.org"
LEGS = [("000", "20"), ("090", "100"), ("180", "50"), ("270", "100"), ("000", "50")]
HAZARD_PAGE = re.compile(r".*/hazards/(\d+)$")


@pytest.fixture(scope="module")
def env(pg_cluster):
    """A throw-away database with a little demo data (never the shared demo database)."""
    e = make_env(pg_cluster, hazards=12)
    yield e
    drop_env(e, pg_cluster)


@pytest.fixture
def server(env, start_server):
    return start_server(env.url)


def shoot(screenshot, page, name: str):
    """A full-page screenshot taken from the top, so that sticky panels sit where a reader sees them."""
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    return screenshot(page, name)


def unexpected_errors(page) -> list[str]:
    """Console errors other than the 4xx answers the test provoked on purpose (Chromium logs every
    failed request) and the favicon the app does not have."""
    return [e for e in page.console_errors
            if not re.search(r"status of (404|409|412|422)", e) and "favicon.ico" not in e]


def sign_in(page, base: str, email: str) -> None:
    # generous waits: on a busy 2-core machine the threaded test server can lag behind the browser
    page.goto(base + "/login", wait_until="domcontentloaded", timeout=45_000)
    page.fill("input[name=email]", email, timeout=45_000)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/overview$"), timeout=45_000)


@pytest.fixture
def second_page(browser):
    """Another person's browser (a separate context: its own cookies), also kept to 127.0.0.1."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
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
    page.on("console", lambda msg: errors.append(f"{msg.text} ({msg.location.get('url', '')})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.console_errors = errors
    yield page
    context.close()
    assert not outside, f"the page tried to reach hosts other than 127.0.0.1: {outside}"


def type_checked_traverse(page) -> None:
    page.fill("#perimeter-benchmark", BENCHMARK)
    for i, (bearing, distance) in enumerate(LEGS, 1):
        page.fill(f"[aria-label='Leg {i} bearing']", bearing)
        page.fill(f"[aria-label='Leg {i} distance in metres']", distance)
    page.select_option("[aria-label='Leg 1 point type']", "start")
    page.select_option("[aria-label='Leg 5 point type']", "end")


def preview_area(page) -> float:
    page.wait_for_function("document.getElementById('preview-area').dataset.areaM2 !== ''")
    return float(page.get_attribute("#preview-area", "data-area-m2"))


def test_record_submit_and_approve_a_hazard_in_the_browser(page, second_page, server, screenshot):
    base = server.url
    sign_in(page, base, SURVEYOR)
    page.click("a.nav-link:has-text('Record')")
    expect(page.locator("h1")).to_have_text("Record a hazard")
    expect(page.locator("#save")).to_be_disabled()

    page.fill("#prop-name", "Field north of the road to Kamianka")
    page.check("input[name=contamination_types][value=ap_mines]")
    page.check("input[name=marking][value=signs]")
    type_checked_traverse(page)
    assert preview_area(page) == pytest.approx(5000, abs=2)
    expect(page.locator("#preview-area")).to_have_text("5\u202f000 m²")
    expect(page.locator("#preview-ha")).to_have_text("0.50 ha")
    expect(page.locator("#preview-perimeter")).to_have_text("300.0 m")
    assert float(page.inner_text("#preview-misclosure").split()[0]) < 0.05
    expect(page.locator("#preview-findings .finding.warning").first).to_contain_text("intermediate")
    expect(page.locator("#preview-findings .finding.error")).to_have_count(0)
    # the preview polygon is drawn on the map, inside the app layout (no iframe)
    assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() >= 1
    assert page.locator("iframe").count() == 0
    expect(page.locator("#save")).to_be_enabled()
    shot = shoot(screenshot, page, "recording-page-with-preview")
    assert shot.exists() and shot.stat().st_size > 10_000

    page.click("#save")
    page.wait_for_url(HAZARD_PAGE)
    hazard_id = HAZARD_PAGE.match(page.url).group(1)
    expect(page.locator("h1 .hazard-name")).to_have_text("Field north of the road to Kamianka")
    expect(page.locator(".badges .badge.state-draft")).to_be_visible()
    expect(page.locator("table.points")).to_contain_text(BENCHMARK)
    expect(page.locator("table.points tbody tr")).to_have_count(6)
    expect(page.locator(".release-figures .remaining dd")).to_contain_text("5\u202f000 m²")
    assert page.locator("button:has-text('Submit for approval')").count() == 0  # surveyors do not submit
    shoot(screenshot, page, "hazard-page-draft")

    sign_in(second_page, base, LEADER)
    second_page.goto(f"{base}/hazards/{hazard_id}")
    second_page.click("button:has-text('Submit for approval')")
    expect(second_page.locator(".badges .badge.state-submitted")).to_be_visible()
    second_page.context.clear_cookies()

    sign_in(second_page, base, APPROVER)
    second_page.goto(f"{base}/hazards/{hazard_id}")
    second_page.click("button:has-text('Approve')")
    expect(second_page.locator(".badges .badge.state-approved")).to_be_visible()
    expect(second_page.locator(".props")).to_contain_text("Approved")

    page.goto(f"{base}/hazards/{hazard_id}")
    expect(page.locator(".badges .badge.state-approved")).to_be_visible()
    expect(page.locator("a:has-text('Write a report')")).to_be_visible()
    shoot(screenshot, page, "hazard-page-approved")

    page.goto(f"{base}/hazards?record_state=approved&organisation=")
    expect(page.locator(f"table.hazard-table a[href='/hazards/{hazard_id}']").first).to_be_visible()
    shoot(screenshot, page, "hazard-list")

    page.goto(f"{base}/hazards/{hazard_id}/history")
    entries = page.locator("ol.timeline li.entry")
    expect(entries.first).to_contain_text("Recorded the hazard")
    expect(page.locator("ol.timeline")).to_contain_text("Reason: submitted for approval")
    expect(page.locator("ol.timeline")).to_contain_text("Reason: approved")
    shoot(screenshot, page, "timeline")
    assert unexpected_errors(page) == [] and unexpected_errors(second_page) == []


def test_the_recording_page_fits_a_phone(page, server, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, server.url, SURVEYOR)
    page.goto(server.url + "/hazards/new")
    type_checked_traverse(page)
    assert preview_area(page) == pytest.approx(5000, abs=2)
    # nothing wider than the screen, and every control large enough to touch
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#recording button, #recording select, #recording input:not([type=checkbox]):not([type=radio])'))
        .filter(e => e.offsetParent !== null)
        .map(e => [e.getAttribute('aria-label') || e.id || e.textContent.trim(), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 40)""")
    assert small == []
    shoot(screenshot, page, "recording-page-phone")
    assert unexpected_errors(page) == []


def test_a_conflicting_edit_is_shown_side_by_side_and_re_applied(page, second_page, env, server, screenshot):
    res = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body("Orchard by the school"))
    assert res.status_code == 201
    hazard_id = res.get_json()["id"]
    base = server.url
    sign_in(page, base, SURVEYOR)
    sign_in(second_page, base, LEADER)
    page.goto(f"{base}/hazards/{hazard_id}/edit")
    second_page.goto(f"{base}/hazards/{hazard_id}/edit")
    for p in (page, second_page):
        expect(p.locator("#perimeter-benchmark")).to_have_value(BENCHMARK)
        assert preview_area(p) == pytest.approx(5000, abs=2)

    # the surveyor saves first
    page.fill("#prop-name", "Orchard by the school (north part)")
    page.click("#save")
    page.wait_for_url(HAZARD_PAGE)
    expect(page.locator("h1 .hazard-name")).to_have_text("Orchard by the school (north part)")

    # the team leader, still on the old version, changes the name and the priority
    second_page.fill("#prop-name", "Orchard and school garden")
    second_page.select_option("#prop-priority", "1")
    second_page.click("#save")
    conflict = second_page.locator("#conflict")
    expect(conflict).to_be_visible()
    name_row = conflict.locator("tr[data-field=name]")
    expect(name_row.locator("td.theirs")).to_contain_text("Orchard by the school (north part)")
    expect(name_row.locator("td.mine")).to_contain_text("Orchard and school garden")
    expect(conflict.locator("tr[data-field=priority] td.mine")).to_contain_text("1")
    expect(name_row.locator("input[value=mine]")).to_be_checked()
    shoot(screenshot, second_page, "edit-conflict")
    # nothing was overwritten
    stored = env.call("GET", f"/api/v1/hazards/{hazard_id}", "sdg_surveyor").get_json()["properties"]
    assert stored["name"] == "Orchard by the school (north part)" and stored["priority"] == 3

    second_page.click("[data-conflict-apply]")
    second_page.wait_for_url(HAZARD_PAGE)
    expect(second_page.locator("h1 .hazard-name")).to_have_text("Orchard and school garden")
    stored = env.call("GET", f"/api/v1/hazards/{hazard_id}", "sdg_surveyor").get_json()["properties"]
    assert stored["name"] == "Orchard and school garden" and stored["priority"] == 1
    history = env.call("GET", f"/api/v1/hazards/{hazard_id}/history", "sdg_surveyor").get_json()["entries"]
    assert [e["action"] for e in history if e["object"] == "hazards"].count("conflict") == 1
    assert unexpected_errors(page) == [] and unexpected_errors(second_page) == []


def test_reject_with_a_comment_and_delete_after_confirming(page, second_page, env, server):
    hazard_id = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body("Ditch by the railway")).get_json()["id"]
    assert env.call("POST", f"/api/v1/hazards/{hazard_id}/submit", "sdg_leader").status_code == 200
    base = server.url
    sign_in(page, base, APPROVER)
    page.goto(f"{base}/hazards/{hazard_id}")
    page.click("summary:has-text('Reject')")
    page.click("button:has-text('Reject the hazard')")
    expect(page.locator("[data-workflow-message]")).to_contain_text("Write a comment first")
    page.fill("#reject-comment", "The benchmark is on the wrong side of the road; check it.")
    page.click("button:has-text('Reject the hazard')")
    expect(page.locator(".badges .badge.state-rejected")).to_be_visible()
    expect(page.locator("button[data-url$='/approve']")).to_have_count(0)

    sign_in(second_page, base, SURVEYOR)
    second_page.goto(f"{base}/hazards/{hazard_id}/history")
    expect(second_page.locator("ol.timeline")).to_contain_text("The benchmark is on the wrong side of the road")
    second_page.goto(f"{base}/hazards/{hazard_id}")
    expect(second_page.locator("a:has-text('Edit')")).to_be_visible()  # rejected records go back to their team
    second_page.click("summary:has-text('Delete')")
    second_page.click("button:has-text('Yes, delete it')")
    second_page.wait_for_url(re.compile(r".*/hazards$"))
    assert second_page.goto(f"{base}/hazards/{hazard_id}").status == 404
    page.goto(f"{base}/hazards/{hazard_id}")  # the approver still opens it, to restore it
    page.click("button:has-text('Restore')")
    expect(page.locator(".badge.state-deleted")).to_have_count(0)
    assert unexpected_errors(page) == [] and unexpected_errors(second_page) == []


def test_errors_appear_beside_the_input_that_caused_them(page, server):
    base = server.url
    sign_in(page, base, SURVEYOR)
    page.goto(base + "/hazards/new")
    type_checked_traverse(page)
    preview_area(page)
    page.fill("[aria-label='Leg 3 distance in metres']", "-50")
    error_row = page.locator("tr.leg-error-row")
    expect(error_row).to_have_count(1)
    expect(error_row).to_contain_text("Distance")
    expect(error_row).to_have_attribute("data-leg", "3")
    expect(page.locator("[aria-label='Leg 3 distance in metres']")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#save")).to_be_disabled()
    # a leg that does not close the traverse
    page.fill("[aria-label='Leg 3 distance in metres']", "60")
    expect(page.locator("[data-error-for='traverse.legs']")).to_contain_text("misses the start point")
    expect(page.locator("#save")).to_be_disabled()
    page.fill("[aria-label='Leg 3 distance in metres']", "50")
    expect(page.locator("#save")).to_be_enabled()
    # an unreadable benchmark
    page.fill("#perimeter-benchmark", "48°61'N 37°00'E")
    expect(page.locator("[data-error-for='traverse.benchmark']")).to_contain_text("minutes")
    expect(page.locator("#save")).to_be_disabled()

    # coordinates: the bad line is named
    page.click("[role=tab][data-method=points]")
    page.fill("#perimeter-points", "37U CP 50812 18255\n37U CP 50912 18253\n\n48°61'N 37°00'E\n37T CP 50811 18205")
    expect(page.locator("[data-error-for=points]")).to_contain_text("Line 4")
    page.fill("#perimeter-points", "37U CP 50812 18255\n37U CP 50912 18253\n37T CP 50911 18203\n37T CP 50811 18205")
    assert preview_area(page) == pytest.approx(5000, rel=0.003)
    expect(page.locator("#save")).to_be_enabled()
    assert unexpected_errors(page) == []


def test_a_polygon_drawn_on_the_map_is_previewed_and_saved(page, server, env):
    base = server.url
    sign_in(page, base, SURVEYOR)
    page.goto(base + "/hazards/new")
    page.fill("#prop-name", "Drawn around the crater")
    page.click("[role=tab][data-method=drawing]")
    page.click("[data-start-drawing]")
    box = page.locator(".record-preview .folium-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-80, -60), (90, -50), (70, 70), (-60, 60)):
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(150)
    page.mouse.click(cx - 80, cy - 60)  # back on the first vertex closes the polygon
    expect(page.locator("[data-drawing-status]")).to_contain_text("A polygon is drawn")
    assert preview_area(page) > 0
    expect(page.locator("#preview-misclosure")).to_have_text("not a traverse")
    expect(page.locator("#save")).to_be_enabled()
    page.click("#save")
    page.wait_for_url(HAZARD_PAGE)
    expect(page.locator("table.points")).to_contain_text("drawn on the map")
    hazard_id = HAZARD_PAGE.match(page.url).group(1)
    feature = env.call("GET", f"/api/v1/hazards/{hazard_id}", "sdg_surveyor").get_json()
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert len(feature["geometry"]["coordinates"][0][0]) == 5
    assert unexpected_errors(page) == []


def test_an_activity_report_with_typed_and_uploaded_products(page, second_page, server, env, screenshot):
    hazard_id = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body("Pasture east of the farm")).get_json()["id"]
    assert env.call("POST", f"/api/v1/hazards/{hazard_id}/submit", "sdg_leader").status_code == 200
    assert env.call("POST", f"/api/v1/hazards/{hazard_id}/approve", "approver").status_code == 200
    base = server.url
    sign_in(page, base, SURVEYOR)
    page.goto(f"{base}/hazards/{hazard_id}")
    page.click("a:has-text('Write a report')")
    page.select_option("#r-type", "ts")
    page.fill("#r-evidence", "Fragments of PMN-2 found in the north-west corner")
    page.check("#r-confirms")
    page.fill("#a-asset", "Manual team 2")

    # product 1: cancelled, typed coordinates (the eastern strip)
    page.click("[data-add-product]")
    product = page.locator("[data-product]").nth(0)
    product.locator("[role=tab][data-method=points]").click()
    product.locator("textarea[data-field=points]").fill("48.0001700 37.0010000\n48.0001700 37.0013300\n47.9997400 37.0013300\n47.9997400 37.0010000")
    expect(product.locator("[data-product-area]")).to_contain_text("m²")

    # product 2: reduced, from a GeoJSON file read in the browser (the western strip)
    page.click("[data-add-product]")
    product2 = page.locator("[data-product]").nth(1)
    product2.locator("select[data-p=product_type]").select_option("reduced")
    product2.locator("[role=tab][data-method=file]").click()
    geojson = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "<b>west</b>"},
               "geometry": {"type": "Polygon", "coordinates": [[[37.00002, 47.99974], [37.0003, 47.99974],
                                                                 [37.0003, 48.00017], [37.00002, 48.00017],
                                                                 [37.00002, 47.99974]]]}}]}
    product2.locator("input[type=file]").set_input_files(files=[{
        "name": "west.geojson", "mimeType": "application/geo+json", "buffer": json.dumps(geojson).encode()}])
    expect(product2.locator("[data-file-status]")).to_contain_text("Read 1 polygon from west.geojson")
    expect(product2.locator("[data-product-area]")).to_contain_text("m²")

    # a find
    page.click("[data-add-find]")
    page.fill("[aria-label='Find 1 model']", "PMN-2")
    page.fill("[aria-label='Find 1 position']", "48.00015 37.00005")
    shoot(screenshot, page, "report-form")
    page.click("#save-report")
    page.wait_for_url(re.compile(r".*/reports/\d+$"))
    report_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".badges .badge.state-draft")).to_be_visible()
    expect(page.locator("main")).to_contain_text("PMN-2")
    expect(page.locator("main")).to_contain_text("Reduced")
    expect(page.locator("main")).to_contain_text("Cancelled")
    shoot(screenshot, page, "report-page")

    sign_in(second_page, base, LEADER)
    second_page.goto(f"{base}/reports/{report_id}")
    second_page.click("button:has-text('Submit for approval')")
    expect(second_page.locator(".badge.state-submitted").first).to_be_visible()
    second_page.context.clear_cookies()
    sign_in(second_page, base, APPROVER)
    second_page.goto(f"{base}/reports/{report_id}")
    second_page.click("summary:has-text('Approve')")
    second_page.click("button:has-text('Approve and apply')")
    expect(second_page.locator(".badge.state-approved").first).to_be_visible()
    second_page.goto(f"{base}/hazards/{hazard_id}")
    expect(second_page.locator(".badges")).to_contain_text("CHA")  # the TS confirmed it
    remaining = env.call("GET", f"/api/v1/hazards/{hazard_id}", "sdg_surveyor").get_json()["properties"]["remaining_area_m2"]
    assert 0 < remaining < 4000
    shoot(screenshot, second_page, "hazard-after-report")
    assert unexpected_errors(page) == [] and unexpected_errors(second_page) == []
