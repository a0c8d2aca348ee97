"""The clearance-progress dashboard in a real headless Chromium: both Chart.js charts are drawn (their
canvases hold non-blank pixels), the choropleth shows one shaded polygon per admin area the person may
see, nothing is loaded from outside 127.0.0.1, and the console stays clean."""
from __future__ import annotations

import re

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips, or fails under CI, and says why
    expect = None

PASSWORD = "demo-password"

DRAWN_PIXELS = """(id) => {
    const c = document.getElementById(id);
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
}"""

# distinct fill colours of the choropleth's polygons, as Leaflet drew them
CHOROPLETH = """() => {
    const layer = window.SafeGroundDashboard && SafeGroundDashboard.choropleth;
    if (!layer) return null;
    return layer.getLayers().map(l => ({name: l.feature.properties.name, fill: l.options.fillColor,
                                        drawn: !!(l._path || l._renderer)}));
}"""


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/overview$"))


def open_dashboard(page, base: str, address: str = "/dashboard") -> None:
    page.goto(base + address)
    page.wait_for_function("() => window.SafeGroundDashboard && SafeGroundDashboard.choropleth")


def test_the_dashboard_draws_its_charts_and_choropleth(page, live_server, screenshot):
    sign_in(page, live_server, "viewer@ddf.example.org")
    open_dashboard(page, live_server)
    expect(page.locator("h1")).to_have_text("Clearance progress")
    for chart in ("chart-months", "chart-methods"):
        page.wait_for_function(f"() => ({DRAWN_PIXELS})('{chart}') > 2000")
    assert page.evaluate("Chart.getChart('chart-months').data.datasets.length") == 4
    assert page.evaluate("Chart.getChart('chart-months').data.labels.length") > 12
    assert page.evaluate("Chart.getChart('chart-methods').data.labels.length") >= 3

    areas = page.evaluate(CHOROPLETH)
    assert len(areas) == 7 and all(a["drawn"] for a in areas)
    assert len({a["fill"] for a in areas}) >= 3  # shaded by remaining area, not all alike
    paths = page.locator(".choropleth-frame path.leaflet-interactive")
    assert paths.count() == 7 or page.locator(".choropleth-frame canvas").count() == 1
    expect(page.locator(".dash-legend li").first).to_contain_text("no remaining hazard")
    # every table's CSV link carries its name
    hrefs = page.locator("a.dash-csv").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {h.split("?")[0] for h in hrefs} == {f"/dashboard/{t}.csv" for t in (
        "totals", "admin_areas", "organisations", "methods", "months", "classifications")}
    screenshot(page, "dashboard")
    assert page.console_errors == []


def test_a_limited_viewer_sees_one_area_on_the_dashboard(page, live_server, screenshot):
    sign_in(page, live_server, "viewer@kocp.example.org")
    open_dashboard(page, live_server)
    page.wait_for_function(f"() => ({DRAWN_PIXELS})('chart-months') > 2000")
    areas = page.evaluate(CHOROPLETH)
    assert [a["name"] for a in areas] == ["Izium raion"]
    expect(page.locator("#table-admin_areas tbody tr")).to_have_count(1)
    expect(page.locator("#table-admin_areas tbody")).to_contain_text("Izium raion")
    assert "Kupiansk" not in page.content()
    screenshot(page, "dashboard-izium")
    assert page.console_errors == []


def test_the_dashboard_filters_and_fits_a_phone(page, live_server, screenshot):
    sign_in(page, live_server, "approver@nmaa.example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    open_dashboard(page, live_server, "/dashboard?level=3&from=2024-01-01")
    page.wait_for_function(f"() => ({DRAWN_PIXELS})('chart-methods') > 500")
    assert len(page.evaluate(CHOROPLETH)) > 7  # hromadas
    assert page.input_value("select[name=level]") == "3"
    assert page.input_value("input[name=from]") == "2024-01-01"
    # nothing wider than the screen but the tables, which scroll inside their frame
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    screenshot(page, "dashboard-phone")
    assert page.console_errors == []
