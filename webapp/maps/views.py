"""The staff map page, ``GET /map``: every staff layer as vector tiles, limited to what the signed-in
person may see, with filters that are query parameters of the tile URLs (and of this page, so that a
filtered view can be shared by its address).

The page takes exactly the staff tile route's parameters (``organisation``, ``classification``,
``status``, ``from``, ``to``, ``admin_area``), parsed by the same functions, so that what the page
accepts and what the tiles accept cannot drift apart. The map view (zoom, centre) is kept in the
address's fragment (``#map=z/lat/lon``) by the page script.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from ..auth import current_actor, login_required
from ..errors import NotFound
from ..extensions import store
from ..public.params import tile_filters
from ..store.models import CLASSIFICATIONS, HAZARD_STATUSES
from . import places, staff

bp = Blueprint("maps", __name__)

AREA_CHOICE_MAX_LEVEL = 2
"""The admin-area filter lists areas down to raions; finer areas are reached with the search box
(and then listed too, while chosen)."""


@bp.get("/map")
@login_required
def staff_map():
    actor = current_actor()
    # The filter form without script sends its empty fields too (from=&to=&admin_area=): blank means
    # "no filter" here, whereas the tile route (which only scripts call) refuses blanks.
    filters = tile_filters(MultiDict([(k, v) for k, v in request.args.items(multi=True) if v.strip()]))
    settings = current_app.config["SAFEGROUND"]
    with store().reader() as session:
        if filters.admin_area_id is not None and not places.area_allowed(session, actor, filters.admin_area_id):
            raise NotFound(f"admin area {filters.admin_area_id} not found")
        areas = places.area_choices(session, actor, AREA_CHOICE_MAX_LEVEL, also=filters.admin_area_id)
        organisations = places.organisation_choices(session)
        bounds = places.opening_bounds(session, actor, filters.admin_area_id)
    parts, urls = staff.staff_map(settings, filters, base=request.script_root, bounds=bounds)
    config = {
        "symbology": staff.symbology(),
        "tileUrls": urls,
        "tileBase": f"{request.script_root}/tiles/staff",
        "api": {"hazard": f"{request.script_root}/api/v1/hazards/{{id}}",
                "search": f"{request.script_root}/api/v1/search"},
        "links": {"hazard": f"{request.script_root}/hazards/{{id}}",
                  "history": f"{request.script_root}/hazards/{{id}}/history",
                  "reports": f"{request.script_root}/hazards/{{id}}#reports-title"},
        "pagePath": request.path,
    }
    return render_template(
        "maps/staff_map.html", parts=parts, config=config, filters=filters,
        query=staff.filter_query(filters), areas=areas, organisations=organisations,
        classifications=CLASSIFICATIONS, statuses=HAZARD_STATUSES, class_labels=staff.CLASS_LABELS,
        status_labels=staff.STATUS_LABELS, legend=staff.legend())
