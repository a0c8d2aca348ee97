"""Building folium maps for our pages, and embedding them in our own templates.

A map must work in a field office with no internet: there is no default tile layer from the web.
The background map comes from settings (``SAFEGROUND_BASEMAP_URL``, e.g. a local tile server); without
one the map shows a light plain background and a graticule, so that users still see where they are.
"""
from __future__ import annotations

import os

import folium
from branca.element import Element, JavascriptLink
from folium.elements import MacroElement
from folium.template import Template
from markupsafe import Markup

from . import assets

PLAIN_BACKGROUND = "#f4f2ec"
"""Colour of the map where no basemap is configured."""

DEFAULT_HEIGHT = "60vh"
DEFAULT_MAX_ZOOM = 19


class SafeGroundMap(folium.Map):
    """A folium Map that fits inside the app's layout and loads only what it uses.

    folium's Map header styles ``html, body`` and ``#map`` for a stand-alone page; embedded in our
    layout those rules would override the app's own CSS, so this map writes a header that styles its
    own ``<div>`` only. It also adds the scripts its elements need on demand (jQuery only for
    popups, see :func:`webapp.maps.assets.on_demand_js`).
    """

    def __init__(self, *args, background: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.background = background

    def render(self, **kwargs):
        figure = self.get_root()
        for name, url in assets.on_demand_js(self):
            figure.header.add_child(JavascriptLink(url), name=name)
        super().render(**kwargs)
        # Same name as the header folium just added, so this one takes its place.
        figure.header.add_child(Element(self._own_header()), name=self.get_name())

    def _own_header(self) -> str:
        name = self.get_name()
        background = f"background: {self.background};" if self.background else ""
        return (
            "<style>"
            f"#{name} {{ position: {self.position}; width: {self.width[0]}{self.width[1]}; "
            f"height: {self.height[0]}{self.height[1]}; left: {self.left[0]}{self.left[1]}; "
            f"top: {self.top[0]}{self.top[1]}; font-size: {self.font_size}; {background} }}"
            "</style>"
        )


class Graticule(MacroElement):
    """Lines of latitude and longitude, spaced for the current zoom, labelled along the top and
    right edges (the left edge is where Leaflet stacks its controls).

    Drawn in its own pane above any basemap and below the data, redrawn after each move; the step
    (30° down to 0.001°) is the finest that keeps lines ``min_gap_px`` apart on screen.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          /* Leaflet positions the marker element with an inline transform; the text is offset
             inside it. */
          .sg-graticule-label span { position: absolute; color: #6b6b6b; font: 11px/1.2 sans-serif;
                                     white-space: nowrap; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
          .sg-graticule-label.lat span { right: 3px; transform: translateY(-50%); }
          .sg-graticule-label.lng span { top: 3px; transform: translateX(-50%); }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
            var pane = map.createPane("graticule");
            pane.style.zIndex = 250;
            pane.style.pointerEvents = "none";
            var group = L.layerGroup().addTo(map);
            var steps = [30, 20, 10, 5, 2, 1, 0.5, 0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.0025, 0.001];
            var lineStyle = {pane: "graticule", color: {{ this.color|tojson }}, weight: 1,
                             opacity: 0.8, interactive: false};
            function pickStep(view) {
                // The finest step that keeps lines at least minGap pixels apart on both axes.
                var size = map.getSize(), minGap = {{ this.min_gap_px|tojson }},
                    degPerPx = Math.max((view.getEast() - view.getWest()) / size.x,
                                        (view.getNorth() - view.getSouth()) / size.y),
                    step = steps[0];
                for (var i = 0; i < steps.length && steps[i] >= minGap * degPerPx; i++) { step = steps[i]; }
                return step;
            }
            function decimals(step) {
                var d = 0;
                while (d < 6 && Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) > 1e-9) { d++; }
                return d;
            }
            function label(value, positive, negative, d) {
                return Math.abs(value).toFixed(d) + "\u00b0" + (value > 0 ? positive : value < 0 ? negative : "");
            }
            function marker(latlng, text, cls) {
                return L.marker(latlng, {pane: "graticule", interactive: false, keyboard: false,
                    icon: L.divIcon({className: "sg-graticule-label " + cls,
                                     html: "<span>" + text + "</span>", iconSize: null})});
            }
            function draw() {
                group.clearLayers();
                // Lines reach half a view beyond each edge, so panning does not show their ends.
                var view = map.getBounds(), b = view.pad(0.5),
                    s = Math.max(b.getSouth(), -85), n = Math.min(b.getNorth(), 85),
                    w = b.getWest(), e = b.getEast();
                var step = pickStep(view), d = decimals(step);
                for (var i = Math.ceil(w / step); i * step <= e; i++) {
                    var lng = i * step;
                    group.addLayer(L.polyline([[s, lng], [n, lng]], lineStyle));
                    if (view.getWest() <= lng && lng <= view.getEast()) {
                        group.addLayer(marker([view.getNorth(), lng],
                            label(L.Util.wrapNum(lng, [-180, 180], true), "E", "W", d), "lng"));
                    }
                }
                for (var j = Math.ceil(s / step); j * step <= n; j++) {
                    var lat = j * step;
                    group.addLayer(L.polyline([[lat, w], [lat, e]], lineStyle));
                    if (view.getSouth() <= lat && lat <= view.getNorth()) {
                        group.addLayer(marker([lat, view.getEast()], label(lat, "N", "S", d), "lat"));
                    }
                }
            }
            map.on("moveend", draw);
            map.whenReady(draw);
            return group;
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, color: str = "#9a9a9a", min_gap_px: int = 90):
        super().__init__()
        self._name = "Graticule"
        self.color = color
        self.min_gap_px = min_gap_px


def basemap_settings(settings) -> tuple[str, str]:
    """(tile URL, attribution) from settings, else from the environment; empty when unset."""
    url = getattr(settings, "basemap_url", None)
    attribution = getattr(settings, "basemap_attribution", None)
    if url is None:
        url = os.environ.get("SAFEGROUND_BASEMAP_URL", "")
    if attribution is None:
        attribution = os.environ.get("SAFEGROUND_BASEMAP_ATTRIBUTION", "")
    return url or "", attribution or ""


def make_map(settings, *, graticule: bool | None = None, max_zoom: int = DEFAULT_MAX_ZOOM,
             **kwargs) -> SafeGroundMap:
    """A map for our pages: canvas rendering, local assets, basemap only from settings.

    ``kwargs`` go to :class:`folium.Map` (``location``, ``zoom_start``, ``height`` …) and may
    override the defaults below, except ``tiles``: the background comes from settings only, so that
    no page fetches tiles from the internet unless an administrator configured it.
    ``graticule`` defaults to on when no basemap is configured. ``max_zoom`` is set on the map
    itself: without a tile layer Leaflet has none, and plugins such as MarkerCluster refuse to work.
    """
    if not assets.local_assets_in_use():
        assets.use_local_assets()
    if kwargs.get("tiles") is not None:
        raise TypeError("make_map takes the basemap from settings, not from a tiles argument")
    url, attribution = basemap_settings(settings)
    options = dict(prefer_canvas=True, control_scale=True, height=DEFAULT_HEIGHT, tiles=None,
                   background=None if url else PLAIN_BACKGROUND)
    options.update(kwargs)
    m = SafeGroundMap(**options)
    m.options["max_zoom"] = max_zoom
    if url:
        folium.TileLayer(tiles=url, attr=attribution or "Background map", name="Background map",
                         control=False, max_zoom=max_zoom).add_to(m)
    if graticule is None:
        graticule = not url
    if graticule:
        Graticule().add_to(m)
    return m


def render_parts(m: folium.Map) -> dict[str, Markup]:
    """The map as three pieces for a Jinja template (no iframe, no page of its own).

    ``header``: the ``<link>``/``<script>``/``<style>`` tags for ``<head>``; ``html``: the map's
    ``<div>``; ``script``: a ``<script>`` element that builds the map, to be placed after ``html``.
    Each is Markup, so ``{{ parts.header }}`` needs no ``|safe``.
    """
    root = m.get_root()
    for child in list(root._children.values()):
        child.render()
    header = "\n".join(el.render() for name, el in root.header._children.items() if name != "meta_http")
    html = root.html.render()
    script = "<script>\n" + root.script.render() + "\n</script>"
    return {"header": Markup(header), "html": Markup(html), "script": Markup(script)}
