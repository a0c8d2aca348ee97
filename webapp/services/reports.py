"""Activity reports and the land-release workflow.

draft → submitted → approved | rejected (back to editable, with the approver's comment);
approved → un-approved (back to submitted) by an approver. Only approving changes the authoritative
hazard — classification, status, remaining geometry and area — in the caller's one transaction.

Rules enforced here:
- release products lie inside their hazard and do not overlap each other or land already released,
  beyond the tolerance in settings; cleared land carries a clearance depth;
- a TS report that confirms direct evidence turns an SHA into a CHA;
- an approved completion report closes the hazard only when the remaining area is below the
  tolerance; with a handover it is handed over;
- a report whose date of information is older than the last applied one is recorded and its land
  released, but it does not roll classification or status back; it is flagged ``out_of_order``.
"""
from __future__ import annotations

import datetime as dt

import geo
import shapely
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid, NotFound, PreconditionFailed
from ..store import land_release
from ..store.models import Activity, EOItem, Hazard, ReleaseProduct, Report
from . import permissions as perm
from .hazards import ewkt, get_hazard, refresh_public
from .inputs import ReportCreate
from .recording import GeometryRejected, quality_settings, record

ACTIVITY_FOR_REPORT = {"nts": "nts", "ts": "ts", "clearance": "clearance", "eod_spot_task": "eod_spot_task"}


def etag(report: Report) -> str:
    return f'"report-{report.id}-v{report.version}"'


def _hazard_shape(hazard: Hazard):
    return shapely.from_wkb(bytes(hazard.perimeter.data))


def _overlap_beyond(a, b, tolerance_m: float) -> bool:
    """True when a and b share more than a sliver ``tolerance_m`` wide."""
    if not a.intersects(b):
        return False
    inter = a.intersection(b)
    if inter.is_empty or inter.area == 0:
        return False
    return not geo.buffer_m(inter, -tolerance_m).is_empty


def _applied_products(session: Session, hazard_id: int, exclude_report: int | None = None) -> list:
    rows = session.execute(text("""
        SELECT id, ST_AsBinary(geom) AS g FROM release_products
         WHERE hazard_id = :h AND applied AND (CAST(:r AS integer) IS NULL OR report_id IS DISTINCT FROM :r)"""),
        {"h": hazard_id, "r": exclude_report}).all()
    return [(r.id, shapely.from_wkb(bytes(r.g))) for r in rows]


def _check_products(session: Session, settings, hazard: Hazard, products: list, report_id: int | None = None) -> None:
    """Inside the hazard; no overlap among themselves or with land already released."""
    tol = settings.product_tolerance_m
    problems = []
    released = _applied_products(session, hazard.id, exclude_report=report_id)
    for i, g in enumerate(products):
        for j in range(i):
            if _overlap_beyond(g, products[j], tol):
                problems.append({"code": "products_overlap", "severity": "error", "product": i + 1,
                                 "message": f"product {i + 1} overlaps product {j + 1}"})
        for pid, other in released:
            if _overlap_beyond(g, other, tol):
                problems.append({"code": "already_released", "severity": "error", "product": i + 1,
                                 "message": f"product {i + 1} overlaps land already released (product {pid})"})
    if problems:
        raise GeometryRejected("release products overlap", details={"findings": problems})


def create_report(session: Session, actor: perm.Actor, settings, hazard_id: int, body: ReportCreate) -> Report:
    """A draft report of the actor's organisation on an approved hazard."""
    hazard = get_hazard(session, actor, hazard_id)
    perm.require_role(actor, *perm.ORG_EDITORS, action="write activity reports")
    _check_hazard_open_for_reports(hazard)
    report = Report(hazard_id=hazard.id, report_type=body.report_type, workflow_state="draft",
                    date_of_information=body.date_of_information, organisation_id=actor.organisation_id,
                    created_by_id=actor.id, details={})
    session.add(report)
    _write_content(session, actor, settings, hazard, report, body)
    return report


def replace_report(session: Session, actor: perm.Actor, settings, report_id: int, expected_version: int,
                   body: ReportCreate) -> Report:
    """Replace the whole content of a draft (or rejected) report of one's own organisation — how a
    report sent back by the approver is corrected. A rejected report becomes a draft again."""
    report = get_report(session, actor, report_id, for_update=True)
    if not perm.can_edit_record(actor, report.organisation_id, report.workflow_state):
        perm.require_edit_record(actor, report.organisation_id, report.workflow_state, "report")
        raise perm.Forbidden("approvers decide on reports; the organisation that wrote one corrects it")
    if report.version != expected_version:
        raise PreconditionFailed(
            f"report {report_id} was changed by someone else (now version {report.version}, you edited "
            f"version {expected_version}); reload it and apply your change again",
            details={"current_version": report.version})
    hazard = get_hazard(session, actor, report.hazard_id)
    _check_hazard_open_for_reports(hazard)
    old_activity = report.activity_id
    session.execute(text("DELETE FROM release_products WHERE report_id = :r"), {"r": report.id})
    session.execute(text("DELETE FROM eo_items WHERE report_id = :r"), {"r": report.id})
    report.activity = None
    report.report_type = body.report_type
    report.date_of_information = body.date_of_information
    report.workflow_state = "draft"
    session.flush()
    if old_activity is not None:
        session.execute(text("DELETE FROM activities WHERE id = :a"), {"a": old_activity})
    _write_content(session, actor, settings, hazard, report, body)
    return report


def _check_hazard_open_for_reports(hazard: Hazard) -> None:
    if hazard.record_state != "approved":
        raise Conflict(f"hazard {hazard.id} is {hazard.record_state}; reports go on approved hazards")
    if hazard.status in ("closed", "handed_over"):
        raise Conflict(f"hazard {hazard.id} is {hazard.status.replace('_', ' ')}; residual contamination "
                       "opens a new hazard linked to it")


def _write_content(session: Session, actor: perm.Actor, settings, hazard: Hazard, report: Report,
                   body: ReportCreate) -> None:
    """Check and write what a report carries: activity, release products, EO finds, details."""
    parent = _hazard_shape(hazard)
    quality = quality_settings(settings)
    geoms, findings = [], []
    for i, p in enumerate(body.products):
        rec = record(p, quality, parent=parent)
        for f in rec.findings:
            f["product"] = i + 1
        if rec.blocking:
            raise GeometryRejected(f"release product {i + 1} fails quality checks",
                                   details={"findings": rec.findings})
        findings.extend(rec.findings)
        geoms.append(rec.polygon)
    _check_products(session, settings, hazard, geoms, report_id=report.id)

    activity = None
    if body.report_type in ACTIVITY_FOR_REPORT:
        a = body.activity
        activity = Activity(
            hazard_id=hazard.id, activity_type=ACTIVITY_FOR_REPORT[body.report_type],
            status=a.status if a else "completed", organisation_id=report.organisation_id,
            team=a.team if a else None, asset=a.asset if a else None,
            method=a.method if a else "nts", clearance_depth_cm=a.clearance_depth_cm if a else None,
            start_date=a.start_date if a else body.date_of_information, end_date=a.end_date if a else None)
        session.add(activity)
    details = {}
    if body.handover:
        details["handover"] = body.handover.model_dump()
    if body.residual_risk:
        details["residual_risk"] = body.residual_risk
    if findings:
        details["findings"] = findings
    report.activity = activity
    report.evidence = body.evidence
    report.confirms_cha = body.confirms_cha
    report.details = details
    session.flush()
    for p, g in zip(body.products, geoms):
        session.add(ReleaseProduct(hazard_id=hazard.id, report_id=report.id,
                                   activity_id=activity.id if activity else None, product_type=p.product_type,
                                   geom=ewkt(g), criteria=p.criteria, clearance_depth_cm=p.clearance_depth_cm,
                                   date_released=body.date_of_information, applied=False))
    for i, f in enumerate(body.eo_items):
        if f.position:
            try:
                pos = geo.parse_coordinate(f.position)
            except geo.CoordinateError as exc:
                raise Invalid(f"EO find {i + 1}: {exc}", details={"field": f"eo_items[{i}].position",
                                                                  "code": exc.code}) from None
            lon, lat = pos.lon, pos.lat
        else:
            lon, lat = f.geometry.coordinates[0], f.geometry.coordinates[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise Invalid(f"EO find {i + 1}: position out of range", details={"field": f"eo_items[{i}]"})
        session.add(EOItem(hazard_id=hazard.id, report_id=report.id, category=f.category, model=f.model,
                           fuze=f.fuze, condition=f.condition, quantity=f.quantity, depth_cm=f.depth_cm,
                           found_on=f.found_on or body.date_of_information,
                           geom=f"SRID=4326;POINT({lon!r} {lat!r})"))
    session.flush()
    session.refresh(report)


def get_report(session: Session, actor: perm.Actor, report_id: int, for_update: bool = False) -> Report:
    vis, params = perm.visibility_sql(actor, alias="h")
    rvis, rparams = perm.report_visible_sql(actor, alias="r")
    found = session.execute(text(f"""
        SELECT r.id FROM reports r JOIN hazards h ON h.id = r.hazard_id
         WHERE r.id = :rid AND {vis} AND {rvis}"""), {"rid": report_id, **params, **rparams}).scalar()
    if found is None:
        raise NotFound(f"report {report_id} not found")
    stmt = select(Report).where(Report.id == report_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def report_dict(session: Session, report: Report) -> dict:
    products = session.execute(text("""
        SELECT json_agg(json_build_object('id', id, 'product_type', product_type,
               'area_m2', round(area_m2::numeric, 1), 'clearance_depth_cm', clearance_depth_cm,
               'criteria', criteria, 'applied', applied, 'date_released', date_released,
               'geometry', ST_AsGeoJSON(geom, 7)::json) ORDER BY id)
          FROM release_products WHERE report_id = :r"""), {"r": report.id}).scalar() or []
    finds = session.execute(text("""
        SELECT json_agg(json_build_object('id', id, 'category', category, 'model', model, 'fuze', fuze,
               'condition', condition, 'quantity', quantity, 'depth_cm', depth_cm, 'found_on', found_on,
               'geometry', ST_AsGeoJSON(geom, 7)::json) ORDER BY id)
          FROM eo_items WHERE report_id = :r"""), {"r": report.id}).scalar() or []
    activity = None
    if report.activity is not None:
        a = report.activity
        activity = {"id": a.id, "activity_type": a.activity_type, "status": a.status, "method": a.method,
                    "asset": a.asset, "team": a.team, "clearance_depth_cm": a.clearance_depth_cm,
                    "start_date": a.start_date, "end_date": a.end_date}
    return {
        "id": report.id, "hazard_id": report.hazard_id, "report_type": report.report_type,
        "workflow_state": report.workflow_state, "date_of_information": report.date_of_information,
        "organisation_id": report.organisation_id, "evidence": report.evidence,
        "confirms_cha": report.confirms_cha, "details": report.details, "activity": activity,
        "products": products, "eo_items": finds, "out_of_order": report.out_of_order,
        "submitted_at": report.submitted_at, "decided_at": report.decided_at,
        "decision_comment": report.decision_comment, "version": report.version,
    }


def submit_report(session: Session, actor: perm.Actor, settings, report_id: int) -> Report:
    report = get_report(session, actor, report_id, for_update=True)
    perm.require_submit(actor, report.organisation_id)
    if report.workflow_state not in ("draft", "rejected"):
        raise Conflict(f"report {report_id} is {report.workflow_state}; only drafts can be submitted")
    report.workflow_state = "submitted"
    report.submitted_by_id = actor.id
    report.submitted_at = dt.datetime.now(dt.timezone.utc)
    session.flush()
    return report


def reject_report(session: Session, actor: perm.Actor, settings, report_id: int, comment: str | None) -> Report:
    report = get_report(session, actor, report_id, for_update=True)
    perm.require_approver(actor, "reject reports")
    if not comment:
        raise Invalid("say why the report is rejected (comment)", details={"field": "comment"})
    if report.workflow_state != "submitted":
        raise Conflict(f"report {report_id} is {report.workflow_state}; only submitted reports can be rejected")
    report.workflow_state = "rejected"
    report.decided_by_id, report.decided_at = actor.id, dt.datetime.now(dt.timezone.utc)
    report.decision_comment = comment
    session.flush()
    return report


def approve_report(session: Session, actor: perm.Actor, settings, report_id: int, comment: str | None = None) -> Report:
    """Apply the report to its hazard: products, remaining, classification, status — one transaction."""
    report = get_report(session, actor, report_id, for_update=True)
    perm.require_approver(actor, "approve reports")
    if report.workflow_state != "submitted":
        raise Conflict(f"report {report_id} is {report.workflow_state}; only submitted reports can be approved")
    hazard = get_hazard(session, actor, report.hazard_id, for_update=True)
    if hazard.record_state != "approved":
        raise Conflict(f"hazard {hazard.id} is not approved yet; approve the hazard record first")
    products = list(session.scalars(select(ReleaseProduct).where(ReleaseProduct.report_id == report.id)))
    _check_products(session, settings, hazard, [shapely.from_wkb(bytes(p.geom.data)) for p in products],
                    report_id=report.id)
    for p in products:
        p.applied = True
    session.flush()
    land_release.recompute_remaining(session, [hazard.id])
    session.refresh(hazard)

    out_of_order = hazard.last_applied_date is not None and report.date_of_information < hazard.last_applied_date
    if report.report_type == "completion":
        remaining = land_release.effective_remaining_m2(session, hazard.id, settings.product_tolerance_m)
        if remaining >= settings.release_tolerance_m2:
            raise Conflict(f"{remaining:,.0f} m² of the hazard are not released yet; a completion report "
                           "can close it only when nothing remains",
                           details={"remaining_area_m2": round(remaining, 1)})
    if out_of_order:
        report.out_of_order = True
    else:
        if report.confirms_cha and hazard.classification == "SHA":
            hazard.classification = "CHA"
        if report.report_type == "completion":
            hazard.status = "handed_over" if (report.details or {}).get("handover") else "closed"
        elif hazard.status == "open":
            hazard.status = "worked_on"
        hazard.last_applied_date = report.date_of_information
    report.workflow_state = "approved"
    report.decided_by_id, report.decided_at = actor.id, dt.datetime.now(dt.timezone.utc)
    report.decision_comment = comment
    session.flush()
    refresh_public(session, settings, [hazard.id])
    return report


def unapprove_report(session: Session, actor: perm.Actor, settings, report_id: int, comment: str | None) -> Report:
    """Take an approval back: its products stop counting and the hazard is re-derived from the
    reports still approved."""
    report = get_report(session, actor, report_id, for_update=True)
    perm.require_approver(actor, "un-approve reports")
    if not comment:
        raise Invalid("say why the approval is withdrawn (comment)", details={"field": "comment"})
    if report.workflow_state != "approved":
        raise Conflict(f"report {report_id} is {report.workflow_state}; only approved reports can be un-approved")
    hazard = get_hazard(session, actor, report.hazard_id, for_update=True)
    session.execute(text("UPDATE release_products SET applied = false, updated_at = now() WHERE report_id = :r"),
                    {"r": report.id})
    report.workflow_state = "submitted"
    report.decided_by_id, report.decided_at = actor.id, dt.datetime.now(dt.timezone.utc)
    report.decision_comment = comment
    report.out_of_order = False
    session.flush()
    land_release.recompute_remaining(session, [hazard.id])
    session.refresh(hazard)
    _rederive(session, hazard)
    session.flush()
    refresh_public(session, settings, [hazard.id])
    return report


def _rederive(session: Session, hazard: Hazard) -> None:
    """Classification, status and last applied date from the reports still approved."""
    rows = session.execute(text("""
        SELECT report_type, confirms_cha, date_of_information, details ? 'handover' AS handover,
               EXISTS (SELECT 1 FROM release_products p WHERE p.report_id = r.id) AS has_products
          FROM reports r WHERE hazard_id = :h AND workflow_state = 'approved' AND NOT out_of_order
         ORDER BY date_of_information"""), {"h": hazard.id}).all()
    recorded_as = session.execute(text("""
        SELECT after ->> 'classification' FROM audit_log
         WHERE table_name = 'hazards' AND row_id = :h AND action = 'insert' ORDER BY id LIMIT 1"""),
        {"h": hazard.id}).scalar() or hazard.classification
    classification = recorded_as
    if any(r.confirms_cha for r in rows) and classification == "SHA":
        classification = "CHA"
    hazard.classification = classification
    if hazard.status != "suspended":
        completion = [r for r in rows if r.report_type == "completion"]
        if completion:
            hazard.status = "handed_over" if completion[-1].handover else "closed"
        elif rows:
            hazard.status = "worked_on"
        else:
            hazard.status = "open"
    hazard.last_applied_date = rows[-1].date_of_information if rows else None


def hazard_reports(session: Session, actor: perm.Actor, hazard_id: int) -> list[dict]:
    """The reports of a hazard that ``actor`` may see, oldest date of information first, with their
    workflow state and released area (NotFound when the hazard itself is not visible; approvers also
    see those of deleted hazards, which they may restore)."""
    get_hazard(session, actor, hazard_id, include_deleted=actor.role == "approver")
    rvis, rparams = perm.report_visible_sql(actor, alias="r")
    rows = session.execute(text(f"""
        SELECT r.id, r.report_type, r.workflow_state, r.date_of_information, r.out_of_order,
               r.confirms_cha, r.decision_comment, r.submitted_at, r.decided_at,
               o.short_name AS organisation,
               (SELECT count(*) FROM release_products p WHERE p.report_id = r.id) AS products,
               (SELECT COALESCE(sum(p.area_m2), 0) FROM release_products p WHERE p.report_id = r.id) AS released_m2,
               (SELECT COALESCE(sum(e.quantity), 0) FROM eo_items e WHERE e.report_id = r.id) AS finds
          FROM reports r JOIN organisations o ON o.id = r.organisation_id
         WHERE r.hazard_id = :h AND {rvis}
         ORDER BY r.date_of_information, r.id"""), {"h": hazard_id, **rparams}).mappings().all()
    return [dict(r) for r in rows]
