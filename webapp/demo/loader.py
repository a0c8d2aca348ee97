"""Write generated demo data into an empty database with COPY, then let PostGIS compute the
remaining hazard of every hazard in one statement."""
from __future__ import annotations

from typing import Iterable

import shapely
from psycopg.types.json import Jsonb
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..config import Settings
from ..services.passwords import hash_password
from ..store.public_zones import refresh as refresh_public_zones
from ..store.db import set_actor
from ..store.land_release import recompute_all_remaining
from .generator import DEMO_PASSWORD, DemoData

COLUMNS = {
    "organisations": ["id", "name", "short_name", "kind", "country", "contact"],
    "admin_areas": ["id", "code", "level", "parent_id", "name", "names", "geom"],
    "users": ["id", "email", "name", "password_hash", "role", "organisation_id"],
    "user_admin_areas": ["user_id", "admin_area_id"],
    "hazards": ["id", "national_code", "name", "classification", "status", "record_state",
                "contamination_types", "evidence", "priority", "land_use_blocked", "marking",
                "location_precision", "date_of_information", "organisation_id", "admin_area_id",
                "perimeter", "location", "last_applied_date", "created_by_id", "approved_by_id",
                "approved_at"],
    "survey_points": ["id", "hazard_id", "product_id", "sequence", "point_type", "input_format",
                      "input_text", "bearing", "bearing_unit", "bearing_reference", "declination_deg",
                      "distance_m", "from_point_id", "marker", "altitude_m", "accuracy_m", "geom"],
    "activities": ["id", "hazard_id", "activity_type", "status", "organisation_id", "team", "asset",
                   "method", "clearance_depth_cm", "start_date", "end_date"],
    "reports": ["id", "hazard_id", "activity_id", "report_type", "workflow_state",
                "date_of_information", "organisation_id", "evidence", "confirms_cha", "details",
                "created_by_id", "submitted_by_id", "submitted_at", "decided_by_id", "decided_at",
                "decision_comment", "out_of_order"],
    "release_products": ["id", "hazard_id", "report_id", "activity_id", "product_type", "geom",
                         "criteria", "clearance_depth_cm", "date_released", "applied"],
    "eo_items": ["id", "hazard_id", "report_id", "category", "model", "fuze", "condition", "quantity",
                 "depth_cm", "found_on", "geom"],
}


class DatabaseNotEmptyError(RuntimeError):
    """Demo data is only loaded into a database without hazards."""


def _value(v):
    if isinstance(v, shapely.Geometry):
        return shapely.to_wkb(shapely.set_srid(v, 4326), hex=True, include_srid=True)
    if isinstance(v, dict):
        return Jsonb(v)
    return v


def _copy(cursor, table: str, rows: Iterable[dict]) -> int:
    cols = COLUMNS[table]
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_value(row.get(c)) for c in cols])
            count += 1
    return count


def load(session: Session, data: DemoData, password: str = DEMO_PASSWORD, audit: bool = True,
         settings=None) -> dict:
    """Load ``data`` in the session's transaction; returns row counts per table. The public warning
    zones are built with ``settings`` (default: from the environment)."""
    if session.execute(text("SELECT EXISTS (SELECT 1 FROM hazards) OR EXISTS (SELECT 1 FROM users)")
                       ).scalar_one():
        raise DatabaseNotEmptyError(
            "the database already holds hazards or users; demo data goes only into an empty one")
    set_actor(session, None, "demo loader")
    if not audit:
        session.execute(text("SELECT set_config('safeground.audit', 'off', true)"))
    driver = session.connection().connection.driver_connection
    area_ids = {a.code: i for i, a in enumerate(data.areas, start=1)}
    areas = [{"id": area_ids[a.code], "code": a.code, "level": a.level,
              "parent_id": area_ids.get(a.parent_code), "name": a.name, "names": a.names,
              "geom": a.geom} for a in data.areas]
    users = [{**u, "password_hash": hash_password(password)} for u in data.users]
    links = [{"user_id": u["id"], "admin_area_id": a} for u in data.users for a in u["admin_area_ids"]]
    counts = {}
    with driver.cursor() as cur:
        counts["organisations"] = _copy(cur, "organisations", data.organisations)
        counts["admin_areas"] = _copy(cur, "admin_areas", areas)
        counts["users"] = _copy(cur, "users", users)
        counts["user_admin_areas"] = _copy(cur, "user_admin_areas", links)
        counts["hazards"] = _copy(cur, "hazards", data.hazards)
        counts["activities"] = _copy(cur, "activities", data.activities)
        counts["reports"] = _copy(cur, "reports", data.reports)
        counts["release_products"] = _copy(cur, "release_products", data.products)
        counts["survey_points"] = _copy(cur, "survey_points", data.survey_points)
        counts["eo_items"] = _copy(cur, "eo_items", data.eo_items)
    for table in COLUMNS:
        if "id" in COLUMNS[table]:
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
    recompute_all_remaining(session)
    counts["public_zones"] = refresh_public_zones(session, settings or Settings.from_env())
    return counts


HAZARD_TABLES = ("hazards", "activities", "reports", "release_products", "survey_points", "eo_items")
"""The tables :func:`append_hazards` writes, in the order their foreign keys need."""


def append_hazards(session: Session, data: DemoData, audit: bool = True) -> dict:
    """Bulk loads in parts (the benchmark's large data sets): COPY only the hazards of ``data`` and
    what belongs to them (activities, reports, release products, survey points, EO finds) in the
    session's transaction, next to what :func:`load` wrote before — the organisations, users and admin
    areas must already be there, and ids must not collide with rows already loaded.

    Unlike :func:`load` it neither moves the id sequences nor recomputes remaining areas or public
    zones: the caller does that once, after the last part. Returns row counts per table."""
    set_actor(session, None, "demo loader")
    if not audit:
        session.execute(text("SELECT set_config('safeground.audit', 'off', true)"))
    driver = session.connection().connection.driver_connection
    sources = {"hazards": data.hazards, "activities": data.activities, "reports": data.reports,
               "release_products": data.products, "survey_points": data.survey_points,
               "eo_items": data.eo_items}
    with driver.cursor() as cur:
        return {table: _copy(cur, table, sources[table]) for table in HAZARD_TABLES}
