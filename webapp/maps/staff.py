"""The staff map: land-release symbology, the staff vector-tile layers and the map built with
:func:`webapp.maps.basemap.make_map`.

The page carries no feature of any layer: every layer is a Leaflet.VectorGrid layer over the staff
tiles (``/tiles/staff/{layer}/{z}/{x}/{y}.pbf``, built by PostGIS and limited to what the signed-in
person may see), and the filters are query parameters of those tile URLs. Styling, popups, the
coordinate read-out and the search box live in ``static/js/staff-map.js``; this module hands it the
symbology below as JSON, so that the legend (rendered by the template) and the drawing agree.

Which layers a tile carries (see :mod:`webapp.store.tiles`): ``hazards`` and, below zoom 13,
``hazards_clusters`` (one point per 8-px cell and classification, with ``count``); ``remaining``
and ``products`` (small ones dropped below zoom 13); ``eo`` and, below zoom 13, ``eo_clusters``
(``count``, ``quantity``); ``survey_points`` only from zoom 15.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import folium
import folium.plugins
from folium.elements import MacroElement
from folium.template import Template

from ..store.tiles import DETAIL_ZOOM, SURVEY_POINTS_MIN_ZOOM, TileFilters
from .basemap import make_map, render_parts

CLASS_FILL = {"SHA": "#F4A718", "CHA": "#FF0000", "EOD_SPOT_TASK": "#8E24AA", "ASA": "#6D4C41"}
"""Fill by classification, drawn at 50 % opacity (land-release symbology)."""
CLASS_OUTLINE = {"SHA": "#8A5A00", "CHA": "#7A1B12", "EOD_SPOT_TASK": "#4A148C", "ASA": "#3E2723"}
"""Outline colour of an open or worked-on hazard, a darker shade of its fill."""
FILL_OPACITY = 0.5
UNAPPROVED_FILL_OPACITY = 0.2
"""Drafts and submitted records (seen only by their own organisation and approvers) are paler."""
STATUS_OUTLINE = {
    "open": {"label": "open", "dashArray": None, "color": None},
    "worked_on": {"label": "worked on", "dashArray": "8 5", "color": None},
    "suspended": {"label": "suspended", "dashArray": "2 5", "color": "#555555"},
    "closed": {"label": "closed", "dashArray": None, "color": "#2E7D32"},
    "handed_over": {"label": "handed over", "dashArray": "1 4", "color": "#2E7D32"},
}
"""Outline by status: open solid, worked on dashed, closed green (``color`` None: the class outline)."""
PRODUCT_FILL = {"cancelled": "#1E88E5", "reduced": "#00897B", "cleared": "#2E7D32"}
PRODUCT_FILL_OPACITY = 0.55
"""Release products whose report is approved; those still in a draft report are paler and dashed."""
EO_COLOUR = "#FFD600"
EO_FILL = "#212121"
SURVEY_POINT_COLOUR = "#1A5FB4"
CLASS_LABELS = {"SHA": "SHA — suspected", "CHA": "CHA — confirmed", "EOD_SPOT_TASK": "EOD spot task",
                "ASA": "Ammunition storage area"}
STATUS_LABELS = {k: v["label"] for k, v in STATUS_OUTLINE.items()}

LAYERS = (
    # tile layer, name in the layer control, shown when the page opens
    ("hazards", "Hazards", True),
    ("remaining", "Remaining hazard", False),
    ("products", "Release products", True),
    ("eo", "EO finds", True),
    ("survey_points", f"Survey points (from zoom {SURVEY_POINTS_MIN_ZOOM})", True),
)
"""Drawn bottom to top."""

MAP_HEIGHT = "75vh"
"""The page stylesheet sets the height to what is left under the header and filters."""


def _swatch(fill: str, stroke: str, opacity: float = 1.0, point: bool = False) -> str:
    shape = (f'<circle cx="6" cy="6" r="4.5" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" '
             f'stroke-width="1.5"/>' if point else
             f'<rect x="1" y="1" width="10" height="10" fill="{fill}" fill-opacity="{opacity}" '
             f'stroke="{stroke}" stroke-width="1.5"/>')
    return f'<svg width="12" height="12" aria-hidden="true">{shape}</svg>'


def layer_label(key: str, name: str) -> str:
    """The layer's name in the layer control, with the legend swatches of what it draws. Leaflet
    writes these names as HTML; they are constants, never data."""
    if key == "hazards":
        swatches = [_swatch(CLASS_FILL[c], CLASS_OUTLINE[c], FILL_OPACITY) for c in ("SHA", "CHA")]
    elif key == "remaining":
        swatches = [_swatch("#B3261E", "#B3261E", 0.25)]
    elif key == "products":
        swatches = [_swatch(c, c, PRODUCT_FILL_OPACITY) for c in PRODUCT_FILL.values()]
    elif key == "eo":
        swatches = [_swatch(EO_FILL, EO_COLOUR, point=True)]
    else:
        swatches = [_swatch(SURVEY_POINT_COLOUR, SURVEY_POINT_COLOUR, point=True),
                    _swatch("#FFFFFF", SURVEY_POINT_COLOUR, point=True)]
    return f'{name} <span class="sg-swatches">{"".join(swatches)}</span>'


def symbology() -> dict:
    """The styles ``staff-map.js`` draws with, as plain JSON."""
    return {
        "classFill": CLASS_FILL, "classOutline": CLASS_OUTLINE, "fillOpacity": FILL_OPACITY,
        "unapprovedFillOpacity": UNAPPROVED_FILL_OPACITY,
        "statusOutline": {k: {"dashArray": v["dashArray"], "color": v["color"]}
                          for k, v in STATUS_OUTLINE.items()},
        "productFill": PRODUCT_FILL, "productFillOpacity": PRODUCT_FILL_OPACITY,
        "eoColour": EO_COLOUR, "eoFill": EO_FILL, "surveyPointColour": SURVEY_POINT_COLOUR,
        "detailZoom": DETAIL_ZOOM, "surveyPointsMinZoom": SURVEY_POINTS_MIN_ZOOM,
    }


def filter_query(filters: TileFilters) -> dict[str, str]:
    """The filters as the query parameters the staff tile route (and the map page) take."""
    query: dict[str, str] = {}
    if filters.organisation_ids:
        query["organisation"] = ",".join(str(i) for i in filters.organisation_ids)
    if filters.classifications:
        query["classification"] = ",".join(filters.classifications)
    if filters.statuses:
        query["status"] = ",".join(filters.statuses)
    if filters.date_from:
        query["from"] = filters.date_from.isoformat()
    if filters.date_to:
        query["to"] = filters.date_to.isoformat()
    if filters.admin_area_id is not None:
        query["admin_area"] = str(filters.admin_area_id)
    return query


def tile_url(base: str, layer: str, filters: TileFilters) -> str:
    """``{base}/tiles/staff/{layer}/{z}/{x}/{y}.pbf?…`` with the filters as query parameters."""
    query = urlencode(filter_query(filters), safe=",")
    return f"{base}/tiles/staff/{layer}/{{z}}/{{x}}/{{y}}.pbf" + (f"?{query}" if query else "")


class StaffTileLayer(folium.plugins.VectorGridProtobuf):
    """One staff tile layer. The layer object is made by ``SafeGroundStaffMap.tileLayer`` (styles,
    interactivity and feature ids for every sub-layer the tile may carry); folium only adds it to the
    map and to the layer control. Its script links are VectorGrid's, i.e. the vendored copy."""

    _template = Template("""
        {% macro script(this, kwargs) -%}
        var {{ this.get_name() }} = SafeGroundStaffMap.tileLayer({{ this._parent.get_name() }},
            {{ this.tile_layer|tojson }}, {{ this.url|tojson }});
        {%- endmacro %}
    """)

    def __init__(self, tile_layer: str, url: str, name: str, show: bool = True):
        super().__init__(url, name=name, overlay=True, control=True, show=show)
        self._name = "StaffTileLayer"
        self.tile_layer = tile_layer


class StaffMapView(MacroElement):
    """The opening view, set before any layer asks for tiles: ``#map=z/lat/lon`` from the page
    address, else ``bounds``."""

    _template = Template("""
        {% macro script(this, kwargs) -%}
        SafeGroundStaffMap.view({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {%- endmacro %}
    """)

    def __init__(self, bounds):
        super().__init__()
        self._name = "StaffMapView"
        self.bounds = bounds


class StaffMapTools(MacroElement):
    """Hands the map and its layers to ``staff-map.js``, which adds the popups, the filters, the
    coordinate read-out, the search box, the legend and the view kept in the page address."""

    _template = Template("""
        {% macro script(this, kwargs) -%}
        SafeGroundStaffMap.start({{ this._parent.get_name() }}, {
            {%- for key, layer in this.layers %}
            {{ key|tojson }}: {{ layer.get_name() }}{{ "," if not loop.last }}
            {%- endfor %}
        }, {{ this.layer_control.get_name() }});
        {%- endmacro %}
    """)

    def __init__(self, layers: list, layer_control: folium.LayerControl):
        super().__init__()
        self._name = "StaffMapTools"
        self.layers = layers
        self.layer_control = layer_control


def staff_map(settings, filters: TileFilters, base: str = "",
              bounds: tuple[float, float, float, float] | None = None) -> tuple[dict, dict]:
    """The staff map's parts for a template (:func:`render_parts`) and the tile URL of each layer.

    ``bounds`` (west, south, east, north) is where the map opens unless the page address names a
    view; without it, the area of operations from settings."""
    if bounds is None and getattr(settings, "area_of_operations", None):
        bounds = settings.area_of_operations
    center = [49.5, 36.5] if not bounds else [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    m = make_map(settings, location=center, zoom_start=8, height=MAP_HEIGHT, max_zoom=20)
    box = None if not bounds else [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]
    StaffMapView(box).add_to(m)
    urls: dict[str, str] = {}
    layers: list[tuple[str, StaffTileLayer]] = []
    for key, name, show in LAYERS:
        urls[key] = tile_url(base, key, filters)
        layer = StaffTileLayer(key, urls[key], layer_label(key, name), show=show)
        layer.add_to(m)
        layers.append((key, layer))
    folium.plugins.Fullscreen(position="topleft", title="Full screen", title_cancel="Leave full screen",
                              force_separate_button=True).add_to(m)
    folium.plugins.LocateControl(position="topleft", strings={"title": "Show where I am"},
                                 flyTo=False, keepCurrentZoomLevel=False, showPopup=False,
                                 locateOptions={"enableHighAccuracy": True, "maxZoom": 16}).add_to(m)
    folium.plugins.MeasureControl(position="topleft", primary_length_unit="meters",
                                  secondary_length_unit="kilometers", primary_area_unit="sqmeters",
                                  secondary_area_unit="hectares").add_to(m)
    control = folium.LayerControl(position="topright", collapsed=False).add_to(m)
    StaffMapTools(layers, control).add_to(m)
    return render_parts(m), urls


@dataclass(frozen=True)
class LegendEntry:
    label: str
    kind: str
    """``fill`` (a swatch), ``outline`` (a line sample), ``point`` or ``cluster``."""
    fill: str | None = None
    stroke: str | None = None
    dash: str | None = None
    opacity: float = 1.0


def legend() -> list[tuple[str, list[LegendEntry]]]:
    """The legend, grouped, from the same constants as the drawing."""
    return [
        ("Hazards (fill: classification)", [
            LegendEntry(CLASS_LABELS[c], "fill", CLASS_FILL[c], CLASS_OUTLINE[c], opacity=FILL_OPACITY)
            for c in ("SHA", "CHA", "EOD_SPOT_TASK", "ASA")]
         + [LegendEntry("not yet approved (paler)", "fill", CLASS_FILL["SHA"], CLASS_OUTLINE["SHA"],
                        opacity=UNAPPROVED_FILL_OPACITY)]),
        ("Outline: status", [
            LegendEntry(v["label"], "outline", None, v["color"] or "#444444", v["dashArray"])
            for v in STATUS_OUTLINE.values()]),
        ("Release products", [LegendEntry(t, "fill", c, c, opacity=PRODUCT_FILL_OPACITY)
                              for t, c in PRODUCT_FILL.items()]
         + [LegendEntry("in a report not yet approved", "fill", PRODUCT_FILL["cleared"], PRODUCT_FILL["cleared"],
                        "4 3", 0.2)]),
        ("Other layers", [
            LegendEntry("remaining hazard (off at the start; fill: classification)", "fill", CLASS_FILL["CHA"],
                        "#B3261E", "4 3", 0.25),
            LegendEntry("EO find", "point", EO_FILL, EO_COLOUR),
            LegendEntry(f"benchmark (from zoom {SURVEY_POINTS_MIN_ZOOM})", "point", SURVEY_POINT_COLOUR,
                        SURVEY_POINT_COLOUR),
            LegendEntry(f"other survey point (from zoom {SURVEY_POINTS_MIN_ZOOM})", "point", "#FFFFFF",
                        SURVEY_POINT_COLOUR),
            LegendEntry(f"cluster of hazards too small to draw (below zoom {DETAIL_ZOOM}); larger: more; "
                        "click to zoom in", "cluster", CLASS_FILL["SHA"], "#333333"),
            LegendEntry("cluster of EO finds", "point", EO_FILL, EO_COLOUR),
        ]),
    ]
