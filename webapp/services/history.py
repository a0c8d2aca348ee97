"""A hazard's history from the audit log: its timeline, the hazard as it was on a date, and the
record of edits that lost a conflict (so that nothing anyone typed is lost)."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..errors import NotFound
from . import permissions as perm
from .hazards import get_hazard

RELATED = ("reports", "release_products", "survey_points", "activities", "eo_items")
NOISE = {"updated_at", "version", "created_at"}
GEOMETRY_FIELDS = {"perimeter", "remaining", "location", "geom"}


def _changes(before: dict | None, after: dict | None) -> dict:
    """Field → [old, new] for what changed; geometries are summarised, not dumped."""
    before, after = before or {}, after or {}
    out = {}
    for key in sorted(set(before) | set(after)):
        if key in NOISE:
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in GEOMETRY_FIELDS:
            out[key] = ["(geometry)" if old else None, "(geometry)" if new else None]
        else:
            out[key] = [old, new]
    return out


def timeline(session: Session, actor: perm.Actor, hazard_id: int) -> list[dict]:
    """Every recorded change of the hazard and of what belongs to it, oldest first, limited to what
    the actor may see (another organisation's unapproved reports stay hidden)."""
    get_hazard(session, actor, hazard_id, include_deleted=actor.role in perm.STAFF_ALL)
    rvis, rparams = perm.report_visible_sql(actor, alias="r")
    rows = session.execute(text(f"""
        SELECT l.id, l.at, l.actor_id, l.actor_label, l.action, l.table_name, l.row_id, l.reason,
               l.before, l.after, u.name AS actor_name
          FROM audit_log l
          LEFT JOIN users u ON u.id = l.actor_id
         WHERE (l.table_name = 'hazards' AND l.row_id = :h)
            OR (l.table_name = ANY(:related)
                AND COALESCE(l.after, l.before) ->> 'hazard_id' = CAST(:h AS text)
                AND (COALESCE(l.after, l.before) ->> 'report_id' IS NULL
                     OR l.table_name = 'reports'
                     OR EXISTS (SELECT 1 FROM reports r
                                 WHERE r.id = (COALESCE(l.after, l.before) ->> 'report_id')::int AND {rvis}))
                AND (l.table_name <> 'reports'
                     OR EXISTS (SELECT 1 FROM reports r WHERE r.id = l.row_id AND {rvis})))
         ORDER BY l.at, l.id"""), {"h": hazard_id, "related": list(RELATED), **rparams}).mappings().all()
    return [{
        "id": r["id"], "at": r["at"], "actor": r["actor_name"] or r["actor_label"] or "system",
        "action": r["action"], "object": r["table_name"], "object_id": r["row_id"], "reason": r["reason"],
        "changes": _changes(r["before"], r["after"]) if r["action"] in ("update", "conflict") else None,
    } for r in rows]


def hazard_as_of(session: Session, actor: perm.Actor, hazard_id: int, day: dt.date) -> dict:
    """The hazard as recorded at the end of ``day`` (UTC): geometry, classification, status,
    remaining area. NotFound when it was not recorded yet (or had been deleted) by then."""
    get_hazard(session, actor, hazard_id, include_deleted=True)
    row = session.execute(text("""
        SELECT l.action, l.at, l.after FROM audit_log l
         WHERE l.table_name = 'hazards' AND l.row_id = :h AND l.action <> 'conflict'
           AND l.at < CAST(:day AS date) + 1
         ORDER BY l.at DESC, l.id DESC LIMIT 1"""), {"h": hazard_id, "day": day}).mappings().first()
    if row is None or row["action"] == "delete" or (row["after"] or {}).get("deleted_at"):
        raise NotFound(f"hazard {hazard_id} was not on record on {day.isoformat()}")
    state = row["after"]
    # to_jsonb() in the audit trigger writes geometries as GeoJSON (PostGIS's json cast), with a
    # legacy "crs" member that RFC 7946 dropped
    for key in ("perimeter", "remaining"):
        if isinstance(state.get(key), dict):
            state[key] = {k: v for k, v in state[key].items() if k != "crs"}
    keep = ("national_code", "name", "classification", "status", "record_state", "priority", "marking",
            "contamination_types", "date_of_information", "original_area_m2", "remaining_area_m2",
            "last_applied_date", "organisation_id", "version")
    return {"type": "Feature", "id": hazard_id, "geometry": state.get("perimeter"),
            "properties": {**{k: state.get(k) for k in keep}, "id": hazard_id, "as_of": day.isoformat(),
                           "recorded_at": row["at"], "remaining": state.get("remaining")}}


def record_hazard_conflict(session: Session, actor: perm.Actor, hazard_id: int, attempted: dict,
                           reason: str) -> None:
    """Keep an edit of a hazard that was refused because someone else changed it first: the log
    gets the hazard as it stood and the change that was attempted."""
    session.execute(text("""
        INSERT INTO audit_log (at, actor_id, actor_label, action, table_name, row_id, reason, before, after)
        SELECT clock_timestamp(), :actor, :label, 'conflict', 'hazards', :id, :reason,
               to_jsonb(h) - 'perimeter' - 'remaining' - 'location', CAST(:after AS jsonb)
          FROM hazards h WHERE h.id = :id"""),
        {"actor": actor.id, "label": actor.label, "id": hazard_id, "reason": reason,
         "after": json.dumps(attempted, default=str)})
