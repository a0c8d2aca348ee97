"""Activity reports over JSON: create on a hazard, read, and the workflow actions."""
from __future__ import annotations

from flask import jsonify

from ..auth import current_actor, login_required
from ..extensions import store
from ..services import reports as rp
from ..services.inputs import Decision, ReportCreate
from . import bp
from .parsing import body_as, if_match, only_params


def _report_response(session, report, status: int = 200):
    res = jsonify(rp.report_dict(session, report))
    res.status_code = status
    res.headers["ETag"] = rp.etag(report)
    if status == 201:
        res.headers["Location"] = f"/api/v1/reports/{report.id}"
    return res


@bp.post("/hazards/<int:hazard_id>/reports")
@login_required
def create_report(hazard_id: int):
    actor = current_actor()
    body = body_as(ReportCreate)
    with store().transaction(actor.id, actor.label) as session:
        report = rp.create_report(session, actor, store().settings, hazard_id, body)
        return _report_response(session, report, 201)


@bp.put("/reports/<int:report_id>")
@login_required
def replace_report(report_id: int):
    """Correct a draft or rejected report: the body replaces its whole content (If-Match required)."""
    actor = current_actor()
    body = body_as(ReportCreate)
    with store().reader() as session:
        rp.get_report(session, actor, report_id)  # 404 before 428 for what the actor cannot see
    expected = if_match("report", report_id)
    with store().transaction(actor.id, actor.label, "report corrected") as session:
        report = rp.replace_report(session, actor, store().settings, report_id, expected, body)
        return _report_response(session, report)


@bp.get("/reports/<int:report_id>")
@login_required
def get_report(report_id: int):
    only_params()
    with store().reader() as session:
        return _report_response(session, rp.get_report(session, current_actor(), report_id))


def _decide(report_id: int, action, needs_body: bool):
    actor = current_actor()
    comment = None
    if needs_body:
        comment = body_as(Decision).comment
    elif json_body_present():
        comment = body_as(Decision).comment
    with store().transaction(actor.id, actor.label, comment) as session:
        kwargs = {"comment": comment} if action is not rp.submit_report else {}
        report = action(session, actor, store().settings, report_id, **kwargs)
        return _report_response(session, report)


def json_body_present() -> bool:
    from flask import request

    return bool(request.get_data(cache=True))


@bp.post("/reports/<int:report_id>/submit")
@login_required
def submit_report(report_id: int):
    return _decide(report_id, rp.submit_report, needs_body=False)


@bp.post("/reports/<int:report_id>/approve")
@login_required
def approve_report(report_id: int):
    return _decide(report_id, rp.approve_report, needs_body=False)


@bp.post("/reports/<int:report_id>/reject")
@login_required
def reject_report(report_id: int):
    return _decide(report_id, rp.reject_report, needs_body=True)


@bp.post("/reports/<int:report_id>/unapprove")
@login_required
def unapprove_report(report_id: int):
    return _decide(report_id, rp.unapprove_report, needs_body=True)
