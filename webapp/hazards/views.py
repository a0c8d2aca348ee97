"""Hazard pages: list, recording (new and edit), the hazard page, timeline and as-of view."""
from __future__ import annotations

import datetime as dt
import json

from flask import current_app, render_template, request, url_for

from ..auth import current_actor, login_required, roles_required
from ..errors import NotFound
from ..extensions import store
from ..services import hazards as hz
from ..services import history
from ..services import permissions as perm
from ..services import reports as rp
from ..store.models import (
    CLASSIFICATIONS, CONTAMINATION_TYPES, HAZARD_STATUSES, LAND_USES, MARKINGS, RECORD_STATES,
)
from . import bp, maps, params
from .actions import can_record, hazard_actions

EDIT_FIELDS = ("name", "classification", "contamination_types", "evidence", "priority", "land_use_blocked",
               "marking", "date_of_information")
"""The properties the recording page edits (what surveyors may change on a draft)."""

CHOICES = {
    "classifications": CLASSIFICATIONS, "statuses": HAZARD_STATUSES, "record_states": RECORD_STATES,
    "contamination_types": CONTAMINATION_TYPES, "land_uses": LAND_USES, "markings": MARKINGS,
}

LABELS = {
    "ap_mines": "AP mines", "at_mines": "AT mines", "uxo": "UXO", "axo": "AXO",
    "cluster_munitions": "Cluster munitions", "ied": "IEDs", "booby_traps": "Booby traps",
    "saa": "Small arms ammunition", "EOD_SPOT_TASK": "EOD spot task", "ASA": "Ammunition storage area",
    "nts": "Non-technical survey", "ts": "Technical survey", "clearance": "Clearance",
    "eod_spot_task": "EOD spot task", "completion": "Completion", "mdd": "Mine detection dogs",
    "eod": "EOD", "ap_mine": "AP mine", "at_mine": "AT mine", "submunition": "Submunition",
    "original_area_m2": "Original area (m²)", "remaining_area_m2": "Remaining area (m²)", "area_m2": "Area (m²)",
    "distance_m": "Distance (m)", "declination_deg": "Declination (°)", "depth_cm": "Depth (cm)",
    "clearance_depth_cm": "Clearance depth (cm)", "national_code": "National code",
}


def _settings():
    return current_app.config["SAFEGROUND"]


@bp.app_template_filter("hz_label")
def label(value) -> str:
    """A readable label for a code: ``worked_on`` → ``worked on``, ``ap_mines`` → ``AP mines``."""
    if value is None:
        return "—"
    value = str(value)
    if value in LABELS:
        return LABELS[value]
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


@bp.app_template_filter("hz_when")
def when(value) -> str:
    """Date and time in UTC, to the minute."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


@bp.app_template_filter("hz_value")
def value_text(value) -> str:
    """A value of the audit log as text (lists joined, booleans as yes/no)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(label(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)[:300]
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        return when(value)
    return str(value)


@bp.app_template_filter("hz_m2")
def square_metres(value) -> str:
    """``12 345 m²`` (the hectares go beside it with the ``ha`` filter)."""
    if value is None:
        return "—"
    return f"{value:,.0f}".replace(",", "\u202f") + " m²"


@bp.app_template_filter("hz_num")
def plain_number(value) -> str:
    """A stored number without float noise: 90.0 → 90, 100.25 → 100.25."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


# -- list -----------------------------------------------------------------------------------------
@bp.get("/hazards")
@login_required
def list_hazards():
    actor = current_actor()
    page = params.page_number()
    flt = hz.HazardFilter(
        status=params.choice("status", HAZARD_STATUSES),
        classification=params.choice("classification", CLASSIFICATIONS),
        record_state=params.choice("record_state", RECORD_STATES),
        organisation_id=params.whole_number("organisation", None),
        limit=params.PAGE_SIZE, offset=(page - 1) * params.PAGE_SIZE)
    deleted = actor.role == "approver" and params.flag("deleted")
    with store().reader() as session:
        table = hz.hazard_table(session, actor, flt, include_deleted=deleted)
        organisations = hz.organisation_choices(session)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "hazards/list.html", rows=table["rows"], more=table["more"], page=page, page_size=params.PAGE_SIZE,
        args=args, organisations=organisations, deleted=deleted, can_record=can_record(actor),
        is_approver=actor.role == "approver",
        prev_url=url_for(".list_hazards", **args, page=page - 1) if page > 1 else None,
        next_url=url_for(".list_hazards", **args, page=page + 1) if table["more"] else None,
        **CHOICES)


# -- recording ------------------------------------------------------------------------------------
def _recording_page(hazard_data: dict | None, context: dict | None = None):
    parts, map_name, drawn_name = maps.drawing_map(
        _settings(), context, (hazard_data or {}).get("properties", {}).get("classification", "SHA"))
    return render_template("hazards/record.html", hazard=hazard_data, map=parts, map_name=map_name,
                           drawn_name=drawn_name, today=dt.date.today().isoformat(), **CHOICES)


@bp.get("/hazards/new")
@roles_required(*perm.ORG_EDITORS)
def new_hazard():
    return _recording_page(None)


@bp.get("/hazards/<int:hazard_id>/edit")
@login_required
def edit_hazard(hazard_id: int):
    actor = current_actor()
    with store().reader() as session:
        hazard = hz.get_hazard(session, actor, hazard_id)
        if not perm.can_edit_record(actor, hazard.organisation_id, hazard.record_state):
            raise perm.Forbidden(f"hazard {hazard.national_code} is {hazard.record_state}; only drafts of "
                                 "your own organisation can be edited")
        feature = hz.hazard_feature(session, hazard.id)
        points = hz.survey_points(session, hazard.id)
        etag = hz.etag(hazard)
    props = feature["properties"]
    data = {"id": hazard_id, "etag": etag, "version": props["version"],
            "national_code": props["national_code"], "area_m2": props["area_m2"],
            "properties": {k: props.get(k) for k in EDIT_FIELDS},
            "survey_points": points, "geometry": feature["geometry"]}
    return _recording_page(data)


# -- one hazard -----------------------------------------------------------------------------------
def _load(session, actor, hazard_id: int):
    """The hazard for its pages; approvers also open deleted hazards (to restore them)."""
    return hz.get_hazard(session, actor, hazard_id, include_deleted=actor.role == "approver")


@bp.get("/hazards/<int:hazard_id>")
@login_required
def show_hazard(hazard_id: int):
    actor = current_actor()
    with store().reader() as session:
        hazard = _load(session, actor, hazard_id)
        feature = hz.hazard_feature(session, hazard.id)
        points = hz.survey_points(session, hazard.id)
        figures = hz.release_figures(session, hazard.id)
        reports = rp.hazard_reports(session, actor, hazard.id)
        actions = hazard_actions(actor, hazard)
        etag = hz.etag(hazard)
    props = feature["properties"]
    the_map = maps.hazard_map(_settings(), feature["geometry"], props.get("remaining"),
                              props["classification"], props["status"])
    return render_template("hazards/show.html", h=props, hazard_id=hazard_id, points=points,
                           figures=figures, reports=reports, actions=actions, etag=etag, map=the_map)


INTERNAL_FIELDS = {"from_point_id", "approved_by_id", "created_by_id", "submitted_by_id", "decided_by_id",
                   "hazard_id", "report_id", "activity_id", "id"}
"""Row ids the timeline does not show: who acted is already in the entry."""
GROUP_WITHIN = dt.timedelta(seconds=5)


def _group(entries: list[dict]) -> list[dict]:
    """Consecutive entries of one change to many rows (e.g. the survey points of a traverse) shown
    as one line; internal ids left out of the changes."""
    out: list[dict] = []
    for e in entries:
        changes = {k: v for k, v in (e["changes"] or {}).items() if k not in INTERNAL_FIELDS}
        e = {**e, "changes": changes or None, "count": 1}
        last = out[-1] if out else None
        if (last and e["object"] != "hazards" and e["action"] != "conflict" and last["object"] == e["object"]
                and last["action"] == e["action"] and last["actor"] == e["actor"] and last["reason"] == e["reason"]
                and e["at"] - last["last_at"] <= GROUP_WITHIN):
            last["count"] += 1
            last["last_at"] = e["at"]
            last["changes"] = None
            continue
        e["last_at"] = e["at"]
        out.append(e)
    return out


@bp.get("/hazards/<int:hazard_id>/history")
@login_required
def hazard_history(hazard_id: int):
    actor = current_actor()
    with store().reader() as session:
        hazard = _load(session, actor, hazard_id)
        entries = history.timeline(session, actor, hazard.id)
        code, name = hazard.national_code, hazard.name
    return render_template("hazards/history.html", hazard_id=hazard_id, code=code, name=name,
                           entries=_group(entries), today=dt.date.today().isoformat())


@bp.get("/hazards/<int:hazard_id>/as-of")
@login_required
def hazard_as_of(hazard_id: int):
    actor = current_actor()
    day = params.day("date")
    state, missing = None, None
    with store().reader() as session:
        hazard = _load(session, actor, hazard_id)
        code, name = hazard.national_code, hazard.name
        if day is not None:
            try:
                state = history.hazard_as_of(session, actor, hazard.id, day)
            except NotFound:
                missing = day
    the_map = None
    if state is not None:
        p = state["properties"]
        the_map = maps.hazard_map(_settings(), state["geometry"], p.get("remaining"),
                                  p.get("classification") or "SHA", p.get("status") or "open")
    return render_template("hazards/as_of.html", hazard_id=hazard_id, code=code, name=name, day=day,
                           state=state, missing=missing, map=the_map, today=dt.date.today().isoformat()), \
        (404 if missing else 200)
