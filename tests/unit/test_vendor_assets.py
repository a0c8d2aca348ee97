"""Front-end assets: every map page loads its scripts and styles from static/vendor, never a CDN;
the vendored files are all there, unchanged, and each package carries its licence."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import SimpleNamespace

import folium
import folium.plugins
import pytest

from webapp.config import Settings
from webapp.maps import assets
from webapp.maps.basemap import PLAIN_BACKGROUND, Graticule, SafeGroundMap, make_map, render_parts

VENDOR = assets.VENDOR_DIR
STATIC = VENDOR.parent

PLUGIN_FACTORIES = {
    folium.plugins.VectorGridProtobuf: lambda: folium.plugins.VectorGridProtobuf(
        "/tiles/{z}/{x}/{y}.pbf", "hazards", {}),
    folium.plugins.Draw: folium.plugins.Draw,
    folium.plugins.MeasureControl: folium.plugins.MeasureControl,
    folium.plugins.LocateControl: folium.plugins.LocateControl,
    folium.plugins.Fullscreen: folium.plugins.Fullscreen,
    folium.plugins.MousePosition: folium.plugins.MousePosition,
    folium.plugins.MarkerCluster: folium.plugins.MarkerCluster,
}


@pytest.fixture(autouse=True)
def local_assets():
    assets.use_local_assets()


def _map_with_everything(settings=None) -> SafeGroundMap:
    m = make_map(settings or Settings(), location=[49.6, 36.9], zoom_start=9)
    for factory in PLUGIN_FACTORIES.values():
        factory().add_to(m)
    folium.Marker([49.6, 36.9], popup="Izium").add_to(m)
    folium.GeoJson({"type": "Point", "coordinates": [36.9, 49.6]}, tooltip="point").add_to(m)
    return m


def _vendor_refs(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](/static/vendor/[^"']+)["']""", html)


def test_every_plugin_we_use_has_local_assets():
    assert set(PLUGIN_FACTORIES) == set(assets.LOCAL_PLUGINS)


def test_a_map_with_every_plugin_we_use_has_no_cdn_link():
    page = _map_with_everything().get_root().render()
    assert assets.cdn_links_in(page) == []
    parts = render_parts(_map_with_everything())
    assert assets.cdn_links_in(parts["header"] + parts["html"] + parts["script"]) == []


def test_every_vendor_file_a_map_references_exists():
    parts = render_parts(_map_with_everything())
    refs = _vendor_refs(parts["header"])
    assert len(refs) >= 15
    for ref in refs:
        assert (STATIC / ref.removeprefix("/static/")).is_file(), ref


def test_vendored_stylesheets_reference_only_files_that_exist():
    for css in VENDOR.rglob("*.css"):
        for url in re.findall(r"""url\(\s*['"]?([^'")]+)""", css.read_text()):
            if url.startswith(("data:", "#")):
                continue
            assert not assets.cdn_links_in(f"<style>a{{b:url({url})}}</style>"), (css, url)
            assert (css.parent / url).resolve().is_file(), f"{css.relative_to(VENDOR)} needs {url}"


def test_each_vendored_package_is_complete_and_has_its_licence():
    assert assets.missing_files() == []
    for package in assets.PACKAGES:
        licence = VENDOR / package.folder / package.licence_file
        assert licence.stat().st_size > 200, package.folder
    folders = {p.name for p in VENDOR.iterdir() if p.is_dir()}
    assert folders == {p.folder for p in assets.PACKAGES}, "every vendored folder is a known package"


def test_vendored_files_are_unchanged_copies_from_npm():
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    assert lines
    for line in lines:
        digest, rel = line.split(maxsplit=1)
        assert hashlib.sha256((VENDOR / rel).read_bytes()).hexdigest() == digest, rel


def test_vendor_readme_lists_every_package_with_its_version_and_licence():
    readme = (VENDOR / "README.md").read_text()
    for package in assets.PACKAGES:
        assert f"npm pack {package.name}@{package.version}" in readme
        assert package.licence in readme


def test_use_local_assets_is_idempotent():
    def links():
        return {cls: (list(cls.default_js), list(cls.default_css)) for cls in (folium.Map, *assets.LOCAL_PLUGINS)}

    before = links()
    assets.use_local_assets()
    assets.use_local_assets()
    assert links() == before
    assert assets.local_assets_in_use()


def test_use_local_assets_gives_templates_the_vendor_urls():
    from flask import Flask, render_template_string

    app = Flask(__name__)
    assets.use_local_assets(app)
    with app.app_context():
        html = render_template_string("<script src=\"{{ vendor_url(vendor['chart.js']) }}\"></script>")
    assert html == '<script src="/static/vendor/chart.js-4.6.1/chart.umd.min.js"></script>'
    assert (STATIC / "vendor/chart.js-4.6.1/chart.umd.min.js").is_file()


def test_a_plain_map_loads_leaflet_only():
    html = folium.Map(tiles=None).get_root().render()
    assert _vendor_refs(html) == ["/static/vendor/leaflet-1.9.4/leaflet.js",
                                  "/static/vendor/leaflet-1.9.4/leaflet.css"]
    assert assets.cdn_links_in(html) == []


def test_jquery_is_loaded_only_where_popups_need_it():
    plain = render_parts(make_map(Settings()))["header"]
    assert "jquery" not in plain
    m = make_map(Settings())
    folium.Marker([49.6, 36.9], popup=folium.Popup("<b>Izium</b>")).add_to(m)
    assert "/static/vendor/jquery-3.7.1/jquery.min.js" in render_parts(m)["header"]


def test_a_plugin_we_did_not_vendor_shows_up_as_a_cdn_link():
    m = make_map(Settings())
    folium.plugins.Geocoder().add_to(m)
    found = assets.cdn_links_in(render_parts(m)["header"])
    assert found and all("Geocoder" in url for url in found)


def test_cdn_links_in_finds_every_kind_of_external_load():
    html = """<html><head>
      <script src="https://cdn.example.org/a.js"></script>
      <link rel="stylesheet" href="//cdn.example.org/b.css"/>
      <link rel="preload" href="HTTP://cdn.example.org/c.woff2">
      <style>@import "https://fonts.example.org/d.css";
             .x { background: url('https://e.example.org/e.png') }</style>
      <script src="/static/vendor/leaflet-1.9.4/leaflet.js"></script>
      <script>var doc = "https://not-a-load.example.org/";</script>
    </head><body>
      <img src="https://f.example.org/f.png"><div style="background:url(//g.example.org/g.png)"></div>
      <a href="https://leafletjs.com">Leaflet</a><img src="data:image/png;base64,AAAA">
      <iframe src="https://h.example.org/"></iframe>
    </body></html>"""
    assert assets.cdn_links_in(html) == [
        "https://cdn.example.org/a.js", "//cdn.example.org/b.css", "HTTP://cdn.example.org/c.woff2",
        "https://fonts.example.org/d.css", "https://e.example.org/e.png", "https://f.example.org/f.png",
        "//g.example.org/g.png", "https://h.example.org/",
    ]


def test_render_parts_fits_the_map_into_our_layout():
    m = make_map(Settings(), location=[49.6, 36.9])
    parts = render_parts(m)
    assert set(parts) == {"header", "html", "script"}
    assert "<html" not in "".join(parts.values()) and "<iframe" not in parts["html"]
    assert "html, body" not in parts["header"] and "#map {" not in parts["header"]
    assert "<meta" not in parts["header"]
    assert f'id="{m.get_name()}"' in parts["html"]
    assert parts["script"].startswith("<script>") and parts["script"].endswith("</script>")
    assert f"L.map(" in parts["script"] and m.get_name() in parts["script"]
    assert render_parts(m) == parts, "rendering twice gives the same page"


def test_without_a_basemap_the_map_has_a_plain_background_and_a_graticule():
    m = make_map(Settings(basemap_url=""))
    parts = render_parts(m)
    assert '"preferCanvas": true' in parts["script"]
    assert PLAIN_BACKGROUND in parts["header"]
    assert "L.tileLayer" not in parts["script"]
    assert any(isinstance(c, Graticule) for c in m._children.values())
    assert '"maxZoom": 19' in parts["script"]


def test_a_configured_basemap_is_used_without_a_graticule():
    settings = Settings(basemap_url="http://tiles.local/{z}/{x}/{y}.png", basemap_attribution="Local tiles")
    m = make_map(settings)
    script = render_parts(m)["script"]
    assert "http://tiles.local/{z}/{x}/{y}.png" in script and "Local tiles" in script
    assert not any(isinstance(c, Graticule) for c in m._children.values())
    assert any(isinstance(c, Graticule) for c in make_map(settings, graticule=True)._children.values())


def test_basemap_falls_back_to_the_environment_for_settings_without_the_fields(monkeypatch):
    monkeypatch.setenv("SAFEGROUND_BASEMAP_URL", "http://tiles.env/{z}/{x}/{y}.png")
    monkeypatch.setenv("SAFEGROUND_BASEMAP_ATTRIBUTION", "Env tiles")
    script = render_parts(make_map(SimpleNamespace()))["script"]
    assert "http://tiles.env/{z}/{x}/{y}.png" in script and "Env tiles" in script


def test_make_map_refuses_tiles_from_elsewhere():
    with pytest.raises(TypeError, match="basemap from settings"):
        make_map(Settings(), tiles="OpenStreetMap")


def test_use_local_assets_fails_at_start_up_when_a_file_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(assets, "VENDOR_DIR", Path(tmp_path))
    with pytest.raises(RuntimeError, match="leaflet-1.9.4/leaflet.js"):
        assets.use_local_assets()
