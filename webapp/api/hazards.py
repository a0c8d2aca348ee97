"""Hazards over JSON: create (GeoJSON, traverse, typed points), read (ETag, as_of), list, change
(If-Match), soft delete and restore, submit/approve/reject, history, and the recording preview."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Response, jsonify, request
from sqlalchemy.orm.exc import StaleDataError

from ..auth import current_actor, login_required
from ..errors import PreconditionFailed
from ..extensions import store
from ..services import hazards as hz
from ..services import history
from ..services.inputs import Decision, GeometryInput, HazardCreate, HazardPatch
from ..store.models import CLASSIFICATIONS, HAZARD_STATUSES, RECORD_STATES
from ..store.public_zones import STAFF_LAYER
from ..version_cache import cached, request_stamp, version_tag
from . import bp
from .parsing import (
    bbox_param, body_as, choice_list, date_param, if_match, int_param, json_body, only_params, parse_model,
)


def _settings():
    return store().settings


def _feature_response(session, hazard, status: int = 200, extra: dict | None = None):
    feature = hz.hazard_feature(session, hazard.id)
    if extra:
        feature["properties"].update(extra)
    res = jsonify(feature)
    res.status_code = status
    res.headers["ETag"] = hz.etag(hazard)
    res.headers["Cache-Control"] = "private, no-cache"
    if status == 201:
        res.headers["Location"] = f"/api/v1/hazards/{hazard.id}"
    return res


def _create_body(data: dict) -> HazardCreate:
    """Accept a GeoJSON Feature as well as the {properties, traverse|points|geometry} form."""
    if data.get("type") == "Feature":
        data = {k: v for k, v in data.items() if k not in ("type", "id")}
    return parse_model(HazardCreate, data)


@bp.post("/hazards")
@login_required
def create_hazard():
    actor = current_actor()
    body = _create_body(json_body())
    with store().transaction(actor.id, actor.label) as session:
        hazard, rec = hz.create_hazard(session, actor, _settings(), body)
        return _feature_response(session, hazard, 201, {
            "misclosure_m": None if rec.misclosure_m is None else round(rec.misclosure_m, 3),
            "findings": rec.findings, "input_method": rec.method})


@bp.post("/preview")
@login_required
def preview():
    """Measure and check a perimeter without saving it (the recording page's live preview)."""
    actor = current_actor()
    data = json_body()
    exclude = data.pop("hazard_id", None)
    if exclude is not None and (not isinstance(exclude, int) or isinstance(exclude, bool)):
        from .parsing import BadRequest
        raise BadRequest("hazard_id must be a whole number")
    body = parse_model(GeometryInput, data)
    with store().reader() as session:
        return jsonify(hz.preview(session, actor, _settings(), body, exclude_id=exclude))


@bp.get("/hazards")
@login_required
def list_hazards():
    only_params("bbox", "status", "classification", "record_state", "organisation", "limit", "offset")
    flt = hz.HazardFilter(
        bbox=bbox_param(), status=choice_list("status", HAZARD_STATUSES),
        classification=choice_list("classification", CLASSIFICATIONS),
        record_state=choice_list("record_state", RECORD_STATES),
        organisation_id=int_param("organisation", None, 1, 2**31 - 1) if "organisation" in request.args else None,
        limit=int_param("limit", 100, 1, 1000), offset=int_param("offset", 0, 0, 10_000_000))
    actor = current_actor()
    session = store().request_reader()
    # the page is named by who may see what, the query and the staff data version: a client holding
    # it gets a 304, and a page already built at this version is served from the process's cache
    stamp = request_stamp(session, STAFF_LAYER)
    scope = actor.scope_key()
    etag = version_tag("hazard-list", stamp, scope, flt)
    if request.if_none_match.contains_weak(etag):
        res = Response(status=304)
    else:
        args = request.args.to_dict()

        def build() -> bytes:
            features, returned, more = hz.list_hazards_json(session, actor, flt)
            links = []
            if more:
                args["offset"] = str(flt.offset + flt.limit)
                links.append({"rel": "next", "href": f"/api/v1/hazards?{urlencode(args)}",
                              "type": "application/geo+json"})
            # the features are PostGIS's JSON text as it is: only the envelope is written here
            return (f'{{"type":"FeatureCollection","numberReturned":{returned},'
                    f'"links":{json.dumps(links)},"features":{features}}}').encode()

        res = Response(cached((STAFF_LAYER, stamp, "hazard-list", scope, flt), build), status=200,
                       content_type="application/geo+json")
    res.set_etag(etag, weak=True)
    res.headers["Cache-Control"] = "private, no-cache"
    res.headers["Vary"] = "Cookie, Authorization"
    return res


@bp.get("/hazards/<int:hazard_id>")
@login_required
def get_hazard(hazard_id: int):
    only_params("as_of")
    actor = current_actor()
    as_of = date_param("as_of")
    with store().reader() as session:
        if as_of is not None:
            return jsonify(history.hazard_as_of(session, actor, hazard_id, as_of))
        hazard = hz.get_hazard(session, actor, hazard_id)
        if request.headers.get("If-None-Match") == hz.etag(hazard):
            res = jsonify()
            res.status_code = 304
            res.headers["ETag"] = hz.etag(hazard)
            return res
        return _feature_response(session, hazard, extra={"survey_points": hz.survey_points(session, hazard.id)})


@bp.patch("/hazards/<int:hazard_id>")
@login_required
def patch_hazard(hazard_id: int):
    actor = current_actor()
    data = json_body()
    patch = parse_model(HazardPatch, data)
    with store().reader() as session:
        hz.get_hazard(session, actor, hazard_id)  # 404 before 428 for what the actor cannot see
    expected = if_match("hazard", hazard_id)
    try:
        with store().transaction(actor.id, actor.label, patch.reason) as session:
            hazard = hz.patch_hazard(session, actor, _settings(), hazard_id, expected, patch)
            return _feature_response(session, hazard)
    except (PreconditionFailed, StaleDataError) as exc:
        with store().transaction(actor.id, actor.label) as session:
            history.record_hazard_conflict(session, actor, hazard_id, data,
                                           f"edit refused: based on version {expected}")
        if isinstance(exc, PreconditionFailed):
            raise
        raise PreconditionFailed(f"hazard {hazard_id} was changed by someone else while you saved; "
                                 "reload it and apply your change again") from None


@bp.delete("/hazards/<int:hazard_id>")
@login_required
def delete_hazard(hazard_id: int):
    actor = current_actor()
    with store().reader() as session:
        hz.get_hazard(session, actor, hazard_id)
    expected = if_match("hazard", hazard_id)
    with store().transaction(actor.id, actor.label, "deleted") as session:
        hz.delete_hazard(session, actor, _settings(), hazard_id, expected)
    return "", 204


def _transition(hazard_id: int, action, reason: str | None = None, **kwargs):
    actor = current_actor()
    with store().transaction(actor.id, actor.label, reason) as session:
        hazard = action(session, actor, _settings(), hazard_id, **kwargs)
        return _feature_response(session, hazard)


@bp.post("/hazards/<int:hazard_id>/restore")
@login_required
def restore_hazard(hazard_id: int):
    return _transition(hazard_id, hz.restore_hazard, "restored")


@bp.post("/hazards/<int:hazard_id>/submit")
@login_required
def submit_hazard(hazard_id: int):
    return _transition(hazard_id, hz.submit_hazard, "submitted for approval")


@bp.post("/hazards/<int:hazard_id>/approve")
@login_required
def approve_hazard(hazard_id: int):
    return _transition(hazard_id, hz.approve_hazard, "approved")


@bp.post("/hazards/<int:hazard_id>/reject")
@login_required
def reject_hazard(hazard_id: int):
    decision = body_as(Decision)
    return _transition(hazard_id, hz.reject_hazard, decision.comment, comment=decision.comment)


@bp.get("/hazards/<int:hazard_id>/history")
@login_required
def hazard_history(hazard_id: int):
    only_params()
    with store().reader() as session:
        return jsonify({"hazard_id": hazard_id, "entries": history.timeline(session, current_actor(), hazard_id)})
