"""Dashboard routes: the page and its tables as CSV. Thin: parse, count (figures.py), render."""
from __future__ import annotations

import datetime as dt

from flask import Response, current_app, render_template, request

from ..auth import current_actor, login_required
from ..errors import NotFound
from ..extensions import store
from ..maps import places
from ..maps.basemap import make_map, render_parts
from ..maps.staff import PRODUCT_FILL
from . import bp, figures

CHOROPLETH_HEIGHT = "26rem"
AREA_CHOICE_MAX_LEVEL = 2
"""The admin-area filter lists areas down to raions (a hromada chosen by address is listed too)."""


@bp.get("/dashboard")
@login_required
def index():
    actor = current_actor()
    query = figures.parse_query(request.args)
    with store().reader() as session:
        board = figures.build(session, actor, query)
        areas = places.area_choices(session, actor, AREA_CHOICE_MAX_LEVEL, also=query.admin_area_id)
        organisations = places.organisation_choices(session)
    m = make_map(current_app.config["SAFEGROUND"], height=CHOROPLETH_HEIGHT, location=[49.5, 36.5],
                 zoom_start=7, graticule=False, zoom_snap=0.25, zoom_delta=0.5)
    return render_template("dashboard/index.html", board=board, query=query, args=query.args(),
                           areas=areas, organisations=organisations, levels=figures.LEVELS,
                           figure_labels=figures.FIGURE_LABELS, map=render_parts(m), map_name=m.get_name(),
                           limited=bool(actor.admin_area_ids),
                           colours={**PRODUCT_FILL, "cumulative": "#222222"})


@bp.get("/dashboard/<name>.csv")
@login_required
def table_csv(name: str):
    actor = current_actor()
    query = figures.parse_query(request.args)
    if name not in figures.TABLES:
        raise NotFound(f"no table {name[:40]!r}; the tables are {', '.join(figures.TABLES)}")
    with store().reader() as session:
        table = figures.table(session, actor, query, name)
    filename = f"safeground-{name}-{dt.date.today().isoformat()}.csv"
    response = Response(figures.csv_text(table), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
