"""Recording hazards: create (traverse, coordinates, drawing), read, list, change, delete and
restore, submit and approve — with permission checks on every object and optimistic locking.

Every function takes a session already inside a transaction (the caller owns the unit of work) and
the acting :class:`~webapp.services.permissions.Actor`.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import shapely
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid, NotFound, PreconditionFailed
from ..store import land_release, public_zones
from ..store.models import Hazard, SurveyPoint
from . import permissions as perm
from .inputs import GeometryInput, HazardCreate, HazardPatch
from .recording import GeometryRejected, RecordedGeometry, quality_settings, record

EDITABLE_BY_ORG = {"name", "classification", "contamination_types", "evidence", "priority",
                   "land_use_blocked", "marking", "date_of_information", "admin_area_id"}
EDITABLE_BY_APPROVER = {"classification", "status"}


def ewkt(geom) -> str:
    return f"SRID=4326;{shapely.to_wkt(geom, rounding_precision=-1)}"


def etag(hazard: Hazard) -> str:
    return f'"hazard-{hazard.id}-v{hazard.version}"'


def parse_etag(value: str | None, kind: str, object_id: int) -> int | None:
    """The version named by an If-Match value for this object, or None when it names another."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    prefix = f'"{kind}-{object_id}-v'
    if value.startswith(prefix) and value.endswith('"'):
        digits = value[len(prefix):-1]
        if digits.isdigit():
            return int(digits)
    return None


# -- preview and recording ----------------------------------------------------------------------
def _others_near(session: Session, actor: perm.Actor, polygon, exclude_id: int | None = None) -> list:
    """Active hazards that touch the polygon: approved ones, and the actor's own organisation's
    records (so a surveyor is warned of a likely duplicate without learning of others' drafts)."""
    rows = session.execute(text("""
        SELECT id, national_code, ST_AsBinary(perimeter) AS g FROM hazards
         WHERE perimeter && ST_GeomFromEWKT(:g) AND ST_Intersects(perimeter, ST_GeomFromEWKT(:g))
           AND deleted_at IS NULL AND status NOT IN ('closed', 'handed_over')
           AND (record_state = 'approved' OR organisation_id = :org)
           AND (CAST(:exclude AS integer) IS NULL OR id <> :exclude)
         LIMIT 50"""), {"g": ewkt(polygon), "org": actor.organisation_id, "exclude": exclude_id}).all()
    return [(r.national_code, shapely.from_wkb(bytes(r.g))) for r in rows]


def preview(session: Session, actor: perm.Actor, settings, data: GeometryInput,
            exclude_id: int | None = None) -> dict:
    """What the recording page shows before saving: polygon, areas, misclosure, findings."""
    rec = record(data, quality_settings(settings))
    _add_overlap_findings(session, actor, rec, settings, exclude_id)
    return rec.summary()


def _add_overlap_findings(session, actor, rec: RecordedGeometry, settings, exclude_id=None) -> None:
    import geo

    others = _others_near(session, actor, rec.polygon, exclude_id)
    if others:
        for f in geo.check_polygon(rec.polygon, settings=quality_settings(settings), others=others):
            if f.code == "overlaps_other":
                rec.findings.append({"code": f.code, "severity": "warning", "message": f.message,
                                     "location": list(f.location) if f.location else None,
                                     "related": f.related})


def _admin_area_for(session: Session, polygon) -> int | None:
    return session.execute(text("""
        SELECT id FROM admin_areas WHERE geom IS NOT NULL
           AND ST_Covers(geom, ST_PointOnSurface(ST_GeomFromEWKT(:g)))
         ORDER BY level DESC LIMIT 1"""), {"g": ewkt(polygon)}).scalar()


def _survey_point_rows(rec: RecordedGeometry) -> list[SurveyPoint]:
    rows = []
    for p in rec.survey_points:
        rows.append(SurveyPoint(
            sequence=p["sequence"], point_type=p["point_type"], input_format=p["input_format"],
            input_text=p.get("input_text"), bearing=p.get("bearing"), bearing_unit=p.get("bearing_unit"),
            bearing_reference=p.get("bearing_reference"), declination_deg=p.get("declination_deg"),
            distance_m=p.get("distance_m"), marker=p.get("marker"),
            geom=f"SRID=4326;POINT({p['lon']!r} {p['lat']!r})"))
    return rows


def _link_legs(session: Session, rec: RecordedGeometry, points: list[SurveyPoint]) -> None:
    by_sequence = {p.sequence: p for p in points}
    for row, data in zip(points, rec.survey_points):
        if data.get("from_sequence"):
            row.from_point_id = by_sequence[data["from_sequence"]].id


def _check_admin_area(session: Session, area_id: int | None) -> None:
    if area_id is not None and not session.execute(
            text("SELECT 1 FROM admin_areas WHERE id = :i"), {"i": area_id}).scalar():
        raise Invalid(f"there is no admin area {area_id}", details={"field": "admin_area_id"})


def create_hazard(session: Session, actor: perm.Actor, settings, body: HazardCreate) -> tuple[Hazard, RecordedGeometry]:
    """Record a new draft hazard of the actor's organisation."""
    perm.require_role(actor, *perm.ORG_EDITORS, action="record hazards")
    rec = record(body, quality_settings(settings))
    if rec.blocking:
        raise GeometryRejected("the perimeter fails quality checks", details={"findings": rec.findings})
    _add_overlap_findings(session, actor, rec, settings)
    props = body.properties
    _check_admin_area(session, props.admin_area_id)
    code = props.national_code
    if code and session.execute(select(Hazard.id).where(Hazard.national_code == code)).first():
        raise Conflict(f"a hazard with the national code {code} exists already",
                       details={"field": "national_code"})
    hazard_id = session.execute(text("SELECT nextval(pg_get_serial_sequence('hazards', 'id'))")).scalar()
    hazard = Hazard(
        id=hazard_id, national_code=code or f"SG-{hazard_id:06d}", name=props.name,
        classification=props.classification, status="open", record_state="draft",
        contamination_types=list(props.contamination_types), evidence=props.evidence,
        priority=props.priority, land_use_blocked=list(props.land_use_blocked),
        marking=list(props.marking), location_precision=props.location_precision,
        date_of_information=props.date_of_information, organisation_id=actor.organisation_id,
        admin_area_id=props.admin_area_id or _admin_area_for(session, rec.polygon),
        perimeter=ewkt(rec.polygon), location=ewkt(rec.polygon.representative_point()),
        created_by_id=actor.id)
    hazard.survey_points = _survey_point_rows(rec)
    session.add(hazard)
    session.flush()
    _link_legs(session, rec, hazard.survey_points)
    land_release.recompute_remaining(session, [hazard.id])
    session.flush()
    session.refresh(hazard)
    return hazard, rec


# -- reading ------------------------------------------------------------------------------------
def get_hazard(session: Session, actor: perm.Actor, hazard_id: int, *, include_deleted: bool = False,
               for_update: bool = False) -> Hazard:
    """The hazard if the actor may see it; otherwise NotFound, whether it exists or not."""
    stmt = select(Hazard).where(Hazard.id == hazard_id,
                                perm.hazard_visible(actor, include_deleted=include_deleted))
    if for_update:
        stmt = stmt.with_for_update()
    hazard = session.scalar(stmt)
    if hazard is None:
        raise NotFound(f"hazard {hazard_id} not found")
    return hazard


FEATURE_SQL = """
    SELECT h.id, json_build_object(
      'type', 'Feature', 'id', h.id,
      'geometry', ST_AsGeoJSON(h.perimeter, 7)::json,
      'properties', json_build_object(
        'id', h.id, 'national_code', h.national_code, 'name', h.name,
        'classification', h.classification, 'status', h.status, 'record_state', h.record_state,
        'contamination_types', h.contamination_types, 'evidence', h.evidence, 'priority', h.priority,
        'land_use_blocked', h.land_use_blocked, 'marking', h.marking,
        'location_precision', h.location_precision, 'date_of_information', h.date_of_information,
        'organisation', json_build_object('id', o.id, 'name', o.name, 'short_name', o.short_name),
        'admin_area', CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('id', a.id, 'code', a.code, 'name', a.name) END,
        'area_m2', round(h.original_area_m2::numeric, 1),
        'remaining_area_m2', round(h.remaining_area_m2::numeric, 1),
        'perimeter_m', round(h.perimeter_m::numeric, 2),
        'remaining', ST_AsGeoJSON(h.remaining, 7)::json,
        'last_applied_date', h.last_applied_date, 'approved_at', h.approved_at,
        'deleted', h.deleted_at IS NOT NULL, 'version', h.version,
        'created_at', h.created_at, 'updated_at', h.updated_at))
      FROM hazards h JOIN organisations o ON o.id = h.organisation_id
      LEFT JOIN admin_areas a ON a.id = h.admin_area_id
"""


def hazard_feature(session: Session, hazard_id: int) -> dict:
    return session.execute(text(FEATURE_SQL + " WHERE h.id = :id"), {"id": hazard_id}).one()[1]


def survey_points(session: Session, hazard_id: int) -> list[dict]:
    rows = session.execute(text("""
        SELECT sequence, point_type, input_format, input_text, bearing, bearing_unit, bearing_reference,
               declination_deg, distance_m, marker, ST_Y(geom) AS lat, ST_X(geom) AS lon
          FROM survey_points WHERE hazard_id = :h ORDER BY sequence"""), {"h": hazard_id}).mappings()
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class HazardFilter:
    bbox: tuple[float, float, float, float] | None = None
    status: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()
    organisation_id: int | None = None
    record_state: tuple[str, ...] = ()
    limit: int = 100
    offset: int = 0


def list_hazards_json(session: Session, actor: perm.Actor, flt: HazardFilter) -> tuple[str, int, bool]:
    """A page of hazards as GeoJSON features, with only what the actor may see: the JSON text of the
    feature array exactly as PostGIS wrote it (never parsed and written again), how many features
    it holds and whether more follow."""
    vis, params = perm.visibility_sql(actor, alias="h")
    conds = [vis]
    if flt.bbox:
        conds.append("h.perimeter && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)")
        params.update(x0=flt.bbox[0], y0=flt.bbox[1], x1=flt.bbox[2], y1=flt.bbox[3])
    for name in ("status", "classification", "record_state"):
        if getattr(flt, name):
            conds.append(f"h.{name} = ANY(:{name})")
            params[name] = list(getattr(flt, name))
    if flt.organisation_id is not None:
        conds.append("h.organisation_id = :org_filter")
        params["org_filter"] = flt.organisation_id
    params.update(limit=flt.limit, offset=flt.offset)
    # the page's ids first (one row past it says whether more follow), then the features of the page
    sql = f"""
        WITH page AS (SELECT h.id, row_number() OVER (ORDER BY h.id) AS n
                        FROM (SELECT h.id FROM hazards h WHERE {' AND '.join(conds)}
                               ORDER BY h.id LIMIT :limit + 1 OFFSET :offset) h)
        SELECT (SELECT coalesce(json_agg(f.feature ORDER BY f.id), '[]'::json)::text
                  FROM ({FEATURE_SQL} WHERE h.id IN (SELECT id FROM page WHERE n <= :limit)) AS f(id, feature)),
               (SELECT count(*) FROM page WHERE n <= :limit),
               (SELECT count(*) > :limit FROM page)"""
    features, returned, more = session.execute(text(sql), params).one()
    return features, int(returned), bool(more)


def list_hazards(session: Session, actor: perm.Actor, flt: HazardFilter) -> dict:
    """:func:`list_hazards_json` as a FeatureCollection dict."""
    features, returned, more = list_hazards_json(session, actor, flt)
    return {"type": "FeatureCollection", "features": json.loads(features), "numberReturned": returned,
            "more": more}


# -- changing -----------------------------------------------------------------------------------
def _check_version(hazard: Hazard, expected: int) -> None:
    if hazard.version != expected:
        raise PreconditionFailed(
            f"hazard {hazard.id} was changed by someone else (now version {hazard.version}, "
            f"you edited version {expected}); reload it and apply your change again",
            details={"current_version": hazard.version})


def patch_hazard(session: Session, actor: perm.Actor, settings, hazard_id: int, expected_version: int,
                 patch: HazardPatch) -> Hazard:
    hazard = get_hazard(session, actor, hazard_id, for_update=True)
    _check_version(hazard, expected_version)
    changes = patch.changes()
    if not changes and patch.perimeter is None:
        raise Invalid("the change is empty")
    if actor.role == "approver":
        extra = set(changes) - EDITABLE_BY_APPROVER
        if extra or patch.perimeter is not None:
            raise perm.Forbidden("approvers change classification and status; other fields are the "
                                 f"surveyors' ({', '.join(sorted(extra)) or 'perimeter'})")
        if not patch.reason:
            raise Invalid("a reason is needed to change classification or status directly",
                          details={"field": "reason"})
    else:
        perm.require_edit_record(actor, hazard.organisation_id, hazard.record_state, "hazard")
        extra = set(changes) - EDITABLE_BY_ORG
        if extra:
            raise perm.Forbidden(f"you may not change {', '.join(sorted(extra))}")
    if "admin_area_id" in changes:
        _check_admin_area(session, changes["admin_area_id"])
    for key, value in changes.items():
        setattr(hazard, key, list(value) if isinstance(value, (list, tuple)) else value)
    if patch.perimeter is not None:
        rec = record(patch.perimeter, quality_settings(settings))
        if rec.blocking:
            raise GeometryRejected("the perimeter fails quality checks", details={"findings": rec.findings})
        hazard.perimeter = ewkt(rec.polygon)
        hazard.location = ewkt(rec.polygon.representative_point())
        hazard.survey_points = _survey_point_rows(rec)
        session.flush()
        _link_legs(session, rec, hazard.survey_points)
        land_release.recompute_remaining(session, [hazard.id])
    session.flush()
    session.refresh(hazard)
    if hazard.record_state == "approved":
        refresh_public(session, settings, [hazard.id])
    return hazard


def delete_hazard(session: Session, actor: perm.Actor, settings, hazard_id: int, expected_version: int) -> Hazard:
    """Soft delete: hidden everywhere, kept in history, reversible by an approver."""
    hazard = get_hazard(session, actor, hazard_id, for_update=True)
    _check_version(hazard, expected_version)
    if actor.role != "approver":
        perm.require_edit_record(actor, hazard.organisation_id, hazard.record_state, "hazard")
    hazard.deleted_at = dt.datetime.now(dt.timezone.utc)
    session.flush()
    refresh_public(session, settings, [hazard.id])
    return hazard


def restore_hazard(session: Session, actor: perm.Actor, settings, hazard_id: int) -> Hazard:
    # deleted hazards exist only for approvers; everyone else gets "not found"
    hazard = get_hazard(session, actor, hazard_id, include_deleted=actor.role == "approver", for_update=True)
    perm.require_approver(actor, "restore deleted hazards")
    if hazard.deleted_at is None:
        raise Conflict(f"hazard {hazard_id} is not deleted")
    hazard.deleted_at = None
    session.flush()
    refresh_public(session, settings, [hazard.id])
    return hazard


# -- the hazard record's own workflow -------------------------------------------------------------
def submit_hazard(session: Session, actor: perm.Actor, settings, hazard_id: int) -> Hazard:
    hazard = get_hazard(session, actor, hazard_id, for_update=True)
    perm.require_submit(actor, hazard.organisation_id)
    if hazard.record_state not in ("draft", "rejected"):
        raise Conflict(f"hazard {hazard_id} is {hazard.record_state}; only drafts can be submitted")
    hazard.record_state = "submitted"
    session.flush()
    return hazard


def approve_hazard(session: Session, actor: perm.Actor, settings, hazard_id: int) -> Hazard:
    hazard = get_hazard(session, actor, hazard_id, for_update=True)
    perm.require_approver(actor, "approve hazards")
    if hazard.record_state != "submitted":
        raise Conflict(f"hazard {hazard_id} is {hazard.record_state}; only submitted hazards can be approved")
    hazard.record_state = "approved"
    hazard.approved_by_id = actor.id
    hazard.approved_at = dt.datetime.now(dt.timezone.utc)
    session.flush()
    land_release.recompute_remaining(session, [hazard.id])
    refresh_public(session, settings, [hazard.id])
    session.refresh(hazard)
    return hazard


def reject_hazard(session: Session, actor: perm.Actor, settings, hazard_id: int, comment: str | None) -> Hazard:
    hazard = get_hazard(session, actor, hazard_id, for_update=True)
    perm.require_approver(actor, "reject hazards")
    if not comment:
        raise Invalid("say why the hazard is rejected (comment)", details={"field": "comment"})
    if hazard.record_state != "submitted":
        raise Conflict(f"hazard {hazard_id} is {hazard.record_state}; only submitted hazards can be rejected")
    hazard.record_state = "rejected"
    session.flush()
    return hazard


def refresh_public(session: Session, settings, hazard_ids) -> None:
    """Keep the public warning zones in step with the authoritative hazards (same transaction)."""
    public_zones.refresh(session, settings, hazard_ids)


# -- for the hazard pages (list table, filters, land-release figures) -----------------------------------
def hazard_table(session: Session, actor: perm.Actor, flt: HazardFilter, *, include_deleted: bool = False) -> dict:
    """One page of the hazards ``actor`` may see as table rows (no geometry), ordered by id, with
    ``more`` telling whether another page follows (no count of the whole collection).
    ``include_deleted`` is honoured for approvers only (they restore deleted hazards)."""
    vis, params = perm.visibility_sql(actor, alias="h",
                                      include_deleted=include_deleted and actor.role == "approver")
    conds = [vis]
    for name in ("status", "classification", "record_state"):
        if getattr(flt, name):
            conds.append(f"h.{name} = ANY(:{name})")
            params[name] = list(getattr(flt, name))
    if flt.organisation_id is not None:
        conds.append("h.organisation_id = :org_filter")
        params["org_filter"] = flt.organisation_id
    params.update(limit=flt.limit + 1, offset=flt.offset)
    rows = session.execute(text(f"""
        SELECT h.id, h.national_code, h.name, h.classification, h.status, h.record_state,
               o.short_name AS organisation, o.name AS organisation_name,
               h.original_area_m2 AS area_m2, COALESCE(h.remaining_area_m2, h.original_area_m2) AS remaining_m2,
               h.date_of_information, h.deleted_at IS NOT NULL AS deleted
          FROM hazards h JOIN organisations o ON o.id = h.organisation_id
         WHERE {' AND '.join(conds)}
         ORDER BY h.id LIMIT :limit OFFSET :offset"""), params).mappings().all()
    return {"rows": [dict(r) for r in rows[:flt.limit]], "more": len(rows) > flt.limit}


def organisation_choices(session: Session) -> list[dict]:
    """Organisations for a filter list: id, short name, name (operators first)."""
    rows = session.execute(text("""
        SELECT id, short_name, name FROM organisations
         ORDER BY kind <> 'operator', short_name""")).mappings().all()
    return [dict(r) for r in rows]


def release_figures(session: Session, hazard_id: int) -> dict:
    """Original, cancelled, reduced, cleared and remaining m² of one hazard (applied products only).
    The caller has checked that the actor may see the hazard."""
    row = session.execute(text("""
        SELECT h.original_area_m2 AS original_m2,
               COALESCE(sum(p.area_m2) FILTER (WHERE p.product_type = 'cancelled'), 0) AS cancelled_m2,
               COALESCE(sum(p.area_m2) FILTER (WHERE p.product_type = 'reduced'), 0) AS reduced_m2,
               COALESCE(sum(p.area_m2) FILTER (WHERE p.product_type = 'cleared'), 0) AS cleared_m2,
               COALESCE(h.remaining_area_m2, h.original_area_m2) AS remaining_m2
          FROM hazards h LEFT JOIN release_products p ON p.hazard_id = h.id AND p.applied
         WHERE h.id = :h GROUP BY h.id"""), {"h": hazard_id}).mappings().first()
    return dict(row) if row else {}
