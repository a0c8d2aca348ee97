"""The start page and a map page in a real Chromium: they render, log no errors, and load nothing
from outside 127.0.0.1 (the ``page`` fixture fails the test if they try)."""
from __future__ import annotations

import re

import folium
import folium.plugins
import pytest
from flask import Response, current_app, render_template_string, url_for

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips, or fails under CI, and says why
    expect = None

from webapp.maps import assets
from webapp.maps.basemap import Graticule, make_map, render_parts

MAP_PAGE = """{% extends "base.html" %}
{% block head %}{{ parts.header }}{% endblock %}
{% block content %}<section class="card"><h1>Test map</h1>{{ parts.html }}</section>
{{ parts.script }}{% endblock %}
"""


def _url_for(app, endpoint: str) -> str:
    with app.test_request_context():
        return url_for(endpoint)


def test_start_page_shows_the_figures_in_chromium(page, start_server, demo_url, screenshot):
    server = start_server(demo_url)
    response = page.goto(server.url + _url_for(server.app, "home.index"))
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Land release at a glance")
    expect(page.locator("table")).to_contain_text("Izium raion")
    assert page.locator("table tbody tr").count() >= 7
    screenshot(page, "start-page")
    assert page.console_errors == []


def _map_page(with_plugins: bool):
    """A throw-away route serving a map built by make_map inside the app layout, plus an empty
    vector-tile endpoint for VectorGrid to fetch from."""

    def configure(app):
        assets.use_local_assets(app)

        @app.get("/_test/map")
        def test_map():
            m = make_map(current_app.config["SAFEGROUND"], location=[49.6, 36.9], zoom_start=8)
            folium.plugins.VectorGridProtobuf("/_test/tiles/{z}/{x}/{y}.pbf", "hazards", {}).add_to(m)
            if with_plugins:
                folium.plugins.Draw().add_to(m)
                folium.plugins.MeasureControl().add_to(m)
                folium.plugins.LocateControl().add_to(m)
                folium.plugins.Fullscreen().add_to(m)
                folium.plugins.MousePosition().add_to(m)
                cluster = folium.plugins.MarkerCluster().add_to(m)
                folium.Marker([49.6, 36.9], popup="Izium").add_to(cluster)
            graticule = next(c for c in m._children.values() if isinstance(c, Graticule))
            html = render_template_string(MAP_PAGE, parts=render_parts(m))
            return Response(html, headers={"X-Graticule": graticule.get_name()})

        @app.get("/_test/tiles/<int:z>/<int:x>/<int:y>.pbf")
        def empty_tile(z, x, y):
            return Response(b"", mimetype="application/x-protobuf")

    return configure


def test_map_page_loads_leaflet_and_vectorgrid_locally_and_draws_a_graticule(
        page, start_server, demo_url, screenshot):
    server = start_server(demo_url, configure=_map_page(with_plugins=False))
    scripts = []
    page.on("request", lambda req: scripts.append(req.url) if req.resource_type == "script" else None)
    response = page.goto(server.url + "/_test/map")
    assert response.status == 200
    graticule = response.headers["x-graticule"]

    assert page.evaluate("window.L.version") == "1.9.4"
    assert page.evaluate("typeof L.vectorGrid.protobuf") == "function"
    assert server.url + "/static/vendor/leaflet-1.9.4/leaflet.js" in scripts
    assert page.evaluate("typeof window.jQuery") == "undefined", "jQuery is loaded only for popups"

    # The page is inside the app layout, not an iframe.
    assert page.locator("header.topbar").count() == 1 and page.locator("iframe").count() == 0
    # With no basemap configured: no tile layer, a graticule with lines and labels.
    assert page.locator(".leaflet-tile-pane img").count() == 0
    assert page.evaluate(f"{graticule}.getLayers().length") > 8
    expect(page.locator(".sg-graticule-label.lat span").first).to_be_visible()
    expect(page.locator(".sg-graticule-label.lng span").first).to_be_visible()
    page.wait_for_function("""() => {
        const c = document.querySelector('.leaflet-graticule-pane canvas');
        if (!c || !c.width) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
        return false;
    }""")
    screenshot(page, "test-map")
    assert page.console_errors == []


def test_every_vendored_plugin_loads_without_errors(page, start_server, demo_url, screenshot):
    server = start_server(demo_url, configure=_map_page(with_plugins=True))
    assert page.goto(server.url + "/_test/map").status == 200
    loaded = page.evaluate("""() => ({
        draw: typeof L.Control.Draw, measure: typeof L.Control.Measure, locate: typeof L.control.locate,
        fullscreen: typeof L.control.fullscreen, mouse: typeof L.Control.MousePosition,
        cluster: typeof L.markerClusterGroup, jquery: typeof window.jQuery })""")
    assert set(loaded.values()) == {"function"}, loaded
    for control in (".leaflet-draw", ".leaflet-control-measure", ".leaflet-control-locate",
                    ".leaflet-control-zoom-fullscreen", ".leaflet-control-mouseposition"):
        expect(page.locator(control).first).to_be_visible()
    # The default marker icon comes from Leaflet's vendored images.
    icon = page.locator("img.leaflet-marker-icon").first
    expect(icon).to_have_attribute(
        "src", re.compile(r"^http://127\.0\.0\.1:\d+/static/vendor/leaflet-1\.9\.4/images/marker-icon\.png$"))
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0")
    page.locator("img.leaflet-marker-icon").first.click()
    expect(page.locator(".leaflet-popup-content")).to_have_text("Izium")
    screenshot(page, "test-map-plugins")
    assert page.console_errors == []


@pytest.mark.parametrize("endpoint", ["home.index", "auth.login"])
def test_pages_reference_no_cdn(page, start_server, demo_url, endpoint):
    server = start_server(demo_url)
    if endpoint not in server.app.view_functions:
        pytest.skip(f"this app has no {endpoint} page")
    page.goto(server.url + _url_for(server.app, endpoint))
    assert assets.cdn_links_in(page.content()) == []
    assert page.console_errors == []
