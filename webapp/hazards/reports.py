"""Activity report pages: writing a report on a hazard, and reading one with its workflow buttons."""
from __future__ import annotations

import datetime as dt

from flask import current_app, render_template
from sqlalchemy import text

from ..auth import current_actor, login_required, roles_required
from ..errors import Conflict
from ..extensions import store
from ..services import hazards as hz
from ..services import permissions as perm
from ..services import reports as rp
from ..store.models import (
    ACTIVITY_STATUSES, EO_CATEGORIES, EO_CONDITIONS, METHODS, PRODUCT_TYPES, REPORT_TYPES,
)
from . import bp, maps
from .actions import report_actions

REPORT_CHOICES = {"report_types": REPORT_TYPES, "methods": METHODS, "activity_statuses": ACTIVITY_STATUSES,
                  "product_types": PRODUCT_TYPES, "eo_categories": EO_CATEGORIES,
                  "eo_conditions": EO_CONDITIONS}


def _settings():
    return current_app.config["SAFEGROUND"]


@bp.get("/hazards/<int:hazard_id>/reports/new")
@roles_required(*perm.ORG_EDITORS)
def new_report(hazard_id: int):
    actor = current_actor()
    with store().reader() as session:
        hazard = hz.get_hazard(session, actor, hazard_id)
        if hazard.record_state != "approved":
            raise Conflict(f"hazard {hazard.national_code} is {hazard.record_state}; reports go on approved "
                           "hazards")
        if hazard.status in ("closed", "handed_over"):
            raise Conflict(f"hazard {hazard.national_code} is {hazard.status.replace('_', ' ')}; residual "
                           "contamination opens a new hazard linked to it")
        feature = hz.hazard_feature(session, hazard.id)
        figures = hz.release_figures(session, hazard.id)
    props = feature["properties"]
    parts, map_name, drawn_name = maps.drawing_map(_settings(), feature["geometry"], props["classification"],
                                                   props["status"])
    return render_template("reports/new.html", h=props, hazard_id=hazard_id, figures=figures, map=parts,
                           map_name=map_name, drawn_name=drawn_name, today=dt.date.today().isoformat(),
                           **REPORT_CHOICES)


@bp.get("/reports/<int:report_id>")
@login_required
def show_report(report_id: int):
    actor = current_actor()
    with store().reader() as session:
        report = rp.get_report(session, actor, report_id)
        data = rp.report_dict(session, report)
        hazard = hz.get_hazard(session, actor, report.hazard_id, include_deleted=actor.role == "approver")
        feature = hz.hazard_feature(session, hazard.id)
        organisation = session.execute(text("SELECT short_name, name FROM organisations WHERE id = :o"),
                                       {"o": report.organisation_id}).mappings().first()
        etag = rp.etag(report)
    props = feature["properties"]
    the_map = maps.report_map(_settings(), feature["geometry"], props["classification"], props["status"],
                              data["products"], data["eo_items"])
    return render_template("reports/show.html", r=data, h=props, organisation=organisation,
                           actions=report_actions(actor, data), etag=etag, map=the_map)
