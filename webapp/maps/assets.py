"""Front-end assets served from ``webapp/static/vendor`` instead of CDNs.

folium links Leaflet, its plugins, jQuery, Bootstrap and Font Awesome from public CDNs (VectorGrid even
as ``@latest``). Field offices often work offline, and a page that silently depends on the internet
is a page that fails in the field, so every asset our pages use is pinned, committed under
``static/vendor/<package>-<version>/`` and linked from there.

:func:`use_local_assets` rewrites folium's class-level link lists once at start-up. folium plugins we
have not vendored keep their CDN links on purpose: a page that uses one shows a CDN link, and
:func:`cdn_links_in` (used by the tests) reports it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import folium
import folium.features
import folium.map
import folium.plugins

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
"""Where the vendored packages live on disk."""


@dataclass(frozen=True)
class Package:
    """One npm package vendored under ``static/vendor/<name>-<version>/``."""

    name: str
    version: str
    licence: str
    licence_file: str
    js: tuple[str, ...] = ()
    css: tuple[str, ...] = ()

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"

    def path(self, filename: str) -> str:
        """The file's path below the vendor folder, e.g. ``leaflet-1.9.4/leaflet.js``."""
        return f"{self.folder}/{filename}"


LEAFLET = Package("leaflet", "1.9.4", "BSD-2-Clause", "LICENSE", ("leaflet.js",), ("leaflet.css",))
VECTORGRID = Package("leaflet.vectorgrid", "1.3.0", "Beerware", "LICENSE",
                     ("Leaflet.VectorGrid.bundled.min.js",))
DRAW = Package("leaflet-draw", "1.0.4", "MIT", "LICENSE", ("leaflet.draw.js",), ("leaflet.draw.css",))
MEASURE = Package("leaflet-measure", "3.1.0", "MIT", "LICENSE", ("leaflet-measure.js",),
                  ("leaflet-measure.css",))
LOCATE = Package("leaflet.locatecontrol", "0.90.1", "MIT", "LICENSE.md", ("L.Control.Locate.min.js",),
                 ("L.Control.Locate.min.css",))
FULLSCREEN = Package("leaflet.fullscreen", "4.0.0", "MIT", "LICENSE.md", ("Control.FullScreen.js",),
                     ("Control.FullScreen.css",))
MARKERCLUSTER = Package("leaflet.markercluster", "1.5.3", "MIT", "MIT-LICENCE.txt",
                        ("leaflet.markercluster.js",), ("MarkerCluster.css", "MarkerCluster.Default.css"))
MOUSE_POSITION = Package("leaflet-mouse-position", "1.2.0", "MIT", "MIT-LICENCE.txt",
                         ("L.Control.MousePosition.js",), ("L.Control.MousePosition.css",))
CHART = Package("chart.js", "4.6.1", "MIT", "LICENSE.md", ("chart.umd.min.js",))
JQUERY = Package("jquery", "3.7.1", "MIT", "LICENSE.txt", ("jquery.min.js",))

PACKAGES: tuple[Package, ...] = (LEAFLET, VECTORGRID, DRAW, MEASURE, LOCATE, FULLSCREEN, MARKERCLUSTER,
                                 MOUSE_POSITION, CHART, JQUERY)

# folium element class -> (js links, css links) as (folium's link name, package, file). Keeping
# folium's link names matters: the page header holds one link per name, so two plugins that share
# a library (MarkerCluster, FastMarkerCluster) still load it once.
_FOLIUM_LINKS: dict[type, tuple[list[tuple[str, Package, str]], list[tuple[str, Package, str]]]] = {
    folium.Map: ([("leaflet", LEAFLET, "leaflet.js")],
                 [("leaflet_css", LEAFLET, "leaflet.css")]),
    folium.plugins.VectorGridProtobuf: ([("vectorGrid", VECTORGRID, "Leaflet.VectorGrid.bundled.min.js")],
                                        []),
    folium.plugins.Draw: ([("leaflet_draw_js", DRAW, "leaflet.draw.js")],
                          [("leaflet_draw_css", DRAW, "leaflet.draw.css")]),
    folium.plugins.MeasureControl: ([("leaflet_measure_js", MEASURE, "leaflet-measure.js")],
                                    [("leaflet_measure_css", MEASURE, "leaflet-measure.css")]),
    folium.plugins.LocateControl: ([("Control_locate_min_js", LOCATE, "L.Control.Locate.min.js")],
                                   [("Control_locate_min_css", LOCATE, "L.Control.Locate.min.css")]),
    folium.plugins.Fullscreen: ([("Control.Fullscreen.js", FULLSCREEN, "Control.FullScreen.js")],
                                [("Control.FullScreen.css", FULLSCREEN, "Control.FullScreen.css")]),
    folium.plugins.MousePosition: ([("Control_MousePosition_js", MOUSE_POSITION,
                                     "L.Control.MousePosition.js")],
                                   [("Control_MousePosition_css", MOUSE_POSITION,
                                     "L.Control.MousePosition.css")]),
    folium.plugins.MarkerCluster: ([("markerclusterjs", MARKERCLUSTER, "leaflet.markercluster.js")],
                                   [("markerclustercss", MARKERCLUSTER, "MarkerCluster.css"),
                                    ("markerclusterdefaultcss", MARKERCLUSTER, "MarkerCluster.Default.css")]),
}

LOCAL_PLUGINS: tuple[type, ...] = tuple(cls for cls in _FOLIUM_LINKS if cls is not folium.Map)
"""The folium plugins whose assets are vendored; no other plugin may be used on our pages."""

_static_url_path = "/static"
_applied = False


def vendor_url(package: Package, filename: str | None = None) -> str:
    """URL of a vendored file; without ``filename``, the package's first script (or stylesheet)."""
    if filename is None:
        filename = (package.js or package.css)[0]
    return f"{_static_url_path}/vendor/{package.path(filename)}"


def use_local_assets(app=None) -> None:
    """Point folium's ``default_js``/``default_css`` at the vendored copies.

    Call once at start-up; calling again is harmless (each call sets the same lists). With ``app``,
    URLs use its static URL path and templates get ``vendor_url`` and ``vendor`` (the packages by
    npm name) as globals, e.g. ``vendor_url(vendor['chart.js'])``. Raises ``RuntimeError`` when a
    vendored file is missing, so that a broken install fails at start-up instead of in the field.
    """
    global _static_url_path, _applied
    if app is not None and app.static_url_path:
        _static_url_path = app.static_url_path.rstrip("/")
    missing = missing_files()
    if missing:
        raise RuntimeError("vendored front-end files are missing: " + ", ".join(missing))
    for cls, (js, css) in _FOLIUM_LINKS.items():
        cls.default_js = [(name, vendor_url(pkg, f)) for name, pkg, f in js]
        cls.default_css = [(name, vendor_url(pkg, f)) for name, pkg, f in css]
    _applied = True
    if app is not None:
        app.jinja_env.globals.setdefault("vendor_url", vendor_url)
        app.jinja_env.globals.setdefault("vendor", {p.name: p for p in PACKAGES})
        app.extensions["safeground.local_assets"] = True


def local_assets_in_use() -> bool:
    return _applied


def missing_files() -> list[str]:
    """Vendored files (scripts, stylesheets, licences) that are not on disk."""
    wanted = [p.path(f) for p in PACKAGES for f in (*p.js, *p.css, p.licence_file)]
    return [rel for rel in wanted if not (VENDOR_DIR / rel).is_file()]


def on_demand_js(element) -> list[tuple[str, str]]:
    """Scripts the element tree needs beyond its classes' own links, as (name, url).

    folium's popups build their content with ``$(html)``, GeoJSON layers loaded by URL use
    ``$.ajax`` and ``Map.keep_in_front`` uses ``$(document).ready``; folium's Map therefore loads
    jQuery on every page. We load it only where one of these is present.
    """
    needs_jquery = False
    stack = [element]
    while stack and not needs_jquery:
        el = stack.pop()
        if isinstance(el, folium.map.Popup):
            needs_jquery = True
        elif isinstance(el, folium.features.GeoJson) and not getattr(el, "embed", True):
            needs_jquery = True
        elif isinstance(el, folium.Map) and el.objects_to_stay_in_front:
            needs_jquery = True
        stack.extend(el._children.values())
    return [("jquery", vendor_url(JQUERY))] if needs_jquery else []


_URL_IN_CSS = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""", re.I)
_LOADING_ATTRS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "embed": "src",
                  "source": "src", "audio": "src", "video": "src"}


class _ExternalRefs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attr = _LOADING_ATTRS.get(tag)
        if attr:
            for name, value in attrs:
                if name == attr and value and _is_external(value):
                    self.found.append(value.strip())
        for name, value in attrs:
            if name == "style" and value:
                self.found.extend(_URL_IN_CSS.findall(value))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found.extend(_URL_IN_CSS.findall(data))


def _is_external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//"))


def cdn_links_in(html: str) -> list[str]:
    """Every reference in ``html`` that makes a browser load something from another host.

    Looks at ``<script src>``, ``<link href>``, media and frame sources, and ``url()``/``@import`` in
    inline CSS; absolute ``http(s)://`` and protocol-relative ``//`` URLs count, in document order.
    Plain ``<a href>`` links are not loads and are ignored.
    """
    parser = _ExternalRefs()
    parser.feed(html)
    parser.close()
    return parser.found
