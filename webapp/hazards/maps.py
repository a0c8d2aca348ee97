"""The maps of the hazard pages: one hazard's own geometry rendered into the page (never a layer),
and the recording map with the Draw plugin, all built with :func:`webapp.maps.basemap.make_map`.

Only geometries go into the map script; names and other text typed by people stay in the HTML,
where Jinja escapes them.
"""
from __future__ import annotations

import folium
import folium.plugins
from folium.elements import MacroElement
from folium.template import Template
from shapely.geometry import shape

from ..maps.basemap import make_map, render_parts

CLASS_COLOURS = {"CHA": "#FF0000", "SHA": "#F4A718", "EOD_SPOT_TASK": "#8E24AA", "ASA": "#6D4C41"}
"""Fill of the remaining hazard by classification (CHA red, SHA amber, at 50% opacity)."""
PRODUCT_COLOURS = {"cancelled": "#1E88E5", "reduced": "#00897B", "cleared": "#2E7D32"}
CLOSED_OUTLINE = "#2E7D32"
HEIGHT = "55vh"


class FitView(MacroElement):
    """Fit the map to bounds without animation. folium's ``fit_bounds`` animates the zoom, and
    Leaflet ignores any other view change (e.g. a page script fitting the preview) until that
    animation ends."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }},
            {animate: false, maxZoom: {{ this.max_zoom|tojson }}, padding: [24, 24]});
        {% endmacro %}
    """)

    def __init__(self, bounds, max_zoom: int = 18):
        super().__init__()
        self._name = "FitView"
        self.bounds = bounds
        self.max_zoom = max_zoom


def outline_style(classification: str, status: str) -> dict:
    """The perimeter's outline shows the status: open solid, worked on dashed, closed green."""
    colour = CLASS_COLOURS.get(classification, "#B3261E")
    style = {"color": "#7A1B12" if classification == "CHA" else "#8A5A00", "weight": 3, "opacity": 1,
             "fill": False}
    if status == "worked_on":
        style["dashArray"] = "10 6"
    elif status in ("closed", "handed_over"):
        style["color"] = CLOSED_OUTLINE
    elif status == "suspended":
        style.update(color="#555555", dashArray="2 6")
    style["fillColor"] = colour
    return style


def remaining_style(classification: str) -> dict:
    return {"color": CLASS_COLOURS.get(classification, "#B3261E"), "weight": 0, "fill": True,
            "fillColor": CLASS_COLOURS.get(classification, "#B3261E"), "fillOpacity": 0.5}


def _feature(geometry: dict) -> dict:
    """A bare feature: the geometry only, no properties."""
    return {"type": "Feature", "properties": {}, "geometry": geometry}


def _add_geometry(m, geometry: dict | None, style: dict, name: str) -> None:
    if not geometry or not geometry.get("coordinates"):
        return
    folium.GeoJson(_feature(geometry), name=name, style_function=lambda _f, s=style: s,
                   zoom_on_click=False, control=False).add_to(m)


def _bounds(*geometries: dict | None):
    boxes = [shape(g).bounds for g in geometries if g and g.get("coordinates")]
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    return [[y0, x0], [y1, x1]]


def _base(settings, *, height: str = HEIGHT, around=None):
    m = make_map(settings, height=height, location=[49.5, 36.8], zoom_start=8)
    bounds = around
    if bounds is None and getattr(settings, "area_of_operations", None):
        x0, y0, x1, y1 = settings.area_of_operations
        bounds = [[y0, x0], [y1, x1]]
    if bounds:
        FitView(bounds).add_to(m)
    return m


def hazard_map(settings, perimeter: dict | None, remaining: dict | None, classification: str,
               status: str) -> dict:
    """The perimeter (outline by status) and the remaining area (filled by classification)."""
    m = _base(settings, around=_bounds(perimeter))
    _add_geometry(m, remaining, remaining_style(classification), "Remaining area")
    _add_geometry(m, perimeter, outline_style(classification, status), "Perimeter")
    return render_parts(m)


def report_map(settings, perimeter: dict | None, classification: str, status: str, products: list[dict],
               finds: list[dict]) -> dict:
    """A report's release products over its hazard's perimeter; finds as small circles."""
    m = _base(settings, around=_bounds(perimeter, *(p.get("geometry") for p in products)))
    _add_geometry(m, perimeter, outline_style(classification, status), "Hazard perimeter")
    for p in products:
        colour = PRODUCT_COLOURS.get(p.get("product_type"), "#555555")
        _add_geometry(m, p.get("geometry"), {"color": colour, "weight": 2, "fillColor": colour,
                                             "fillOpacity": 0.45}, "Release product")
    for f in finds:
        coords = (f.get("geometry") or {}).get("coordinates")
        if coords:
            folium.CircleMarker([coords[1], coords[0]], radius=6, color="#000000", weight=2,
                                fill=True, fill_color="#FFD600", fill_opacity=1).add_to(m)
    return render_parts(m)


def drawing_map(settings, context: dict | None = None, classification: str = "SHA",
                status: str = "open") -> tuple[dict, str, str]:
    """A map with the Draw plugin for entering polygons; ``context`` (a hazard perimeter) is shown
    for orientation. Returns the map parts and the JavaScript names of the map and of the feature
    group that receives drawn shapes (page scripts read drawn polygons from it)."""
    m = _base(settings, around=_bounds(context))
    if context:
        _add_geometry(m, context, outline_style(classification, status), "Hazard perimeter")
    drawn = folium.FeatureGroup(name="Drawn", control=False).add_to(m)
    folium.plugins.Draw(
        feature_group=drawn, show_geometry_on_click=False, position="topleft",
        draw_options={"polyline": False, "circle": False, "circlemarker": False, "marker": False,
                      "rectangle": {"shapeOptions": {"color": "#1A5FB4"}},
                      "polygon": {"allowIntersection": False, "showArea": False,
                                  "shapeOptions": {"color": "#1A5FB4"}}},
        edit_options={"poly": {"allowIntersection": False}},
    ).add_to(m)
    folium.plugins.Fullscreen(position="topright").add_to(m)
    folium.plugins.MousePosition(position="bottomright", separator=" · ", num_digits=6, empty_string="",
                                 prefix="Lat · lon:").add_to(m)
    return render_parts(m), m.get_name(), drawn.get_name()
