"""Land-release accounting, done by PostGIS.

``remaining = perimeter − ∪ applied release products`` is recomputed in one statement for any set of
hazards; areas follow from the generated geodesic columns. The progress query aggregates original,
cancelled, reduced, cleared and remaining areas along any of the dimensions below in one SQL query.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

RECOMPUTE_REMAINING = text("""
    UPDATE hazards AS h
       SET remaining = r.geom,
           version = h.version + 1,
           updated_at = now()
      FROM (
            SELECT h2.id,
                   CASE WHEN u.released IS NULL THEN h2.perimeter
                        ELSE ST_Multi(ST_CollectionExtract(
                                 ST_MakeValid(ST_Difference(h2.perimeter, u.released)), 3))
                   END AS geom
              FROM hazards h2
              LEFT JOIN LATERAL (
                    SELECT ST_Union(p.geom) AS released
                      FROM release_products p
                     WHERE p.hazard_id = h2.id AND p.applied
                   ) u ON true
             WHERE h2.id = ANY(:ids) AND h2.perimeter IS NOT NULL
           ) AS r
     WHERE h.id = r.id
       AND NOT ST_Equals(COALESCE(h.remaining, 'SRID=4326;POINT EMPTY'::geometry), r.geom)
 RETURNING h.id, h.remaining_area_m2
""")

RECOMPUTE_ALL_REMAINING = text("""
    UPDATE hazards AS h
       SET remaining = r.geom
      FROM (
            SELECT h2.id,
                   CASE WHEN u.released IS NULL THEN h2.perimeter
                        ELSE ST_Multi(ST_CollectionExtract(
                                 ST_MakeValid(ST_Difference(h2.perimeter, u.released)), 3))
                   END AS geom
              FROM hazards h2
              LEFT JOIN (
                    SELECT p.hazard_id, ST_Union(p.geom) AS released
                      FROM release_products p
                     WHERE p.applied
                     GROUP BY p.hazard_id
                   ) u ON u.hazard_id = h2.id
             WHERE h2.perimeter IS NOT NULL
           ) AS r
     WHERE h.id = r.id
""")


def recompute_remaining(session: Session, hazard_ids: Iterable[int]) -> dict[int, float]:
    """Recompute the remaining geometry of the given hazards; returns {id: remaining m²} for the
    hazards whose remaining geometry changed (their version is bumped)."""
    ids = sorted(set(int(i) for i in hazard_ids))
    if not ids:
        return {}
    rows = session.execute(RECOMPUTE_REMAINING, {"ids": ids}).all()
    return {row.id: row.remaining_area_m2 for row in rows}


def recompute_all_remaining(session: Session) -> int:
    """Recompute every hazard at once (bulk loads, repairs). Returns the number of hazards."""
    return session.execute(RECOMPUTE_ALL_REMAINING).rowcount


def effective_remaining_m2(session: Session, hazard_id: int, tolerance_m: float) -> float:
    """Remaining area once slivers narrower than twice ``tolerance_m`` are disregarded.

    Products digitised separately never tile a hazard exactly; the hair-thin gaps between them are
    not land anyone could walk into. The stored remaining geometry keeps them (it is never shrunk);
    this figure only decides whether a hazard may be closed.
    """
    return session.execute(text("""
        SELECT COALESCE(ST_Area(ST_Buffer(ST_Buffer(remaining::geography, -:tol), :tol)), 0)
          FROM hazards WHERE id = :id AND remaining IS NOT NULL AND NOT ST_IsEmpty(remaining)"""),
        {"id": hazard_id, "tol": tolerance_m}).scalar() or 0.0


# -- progress -------------------------------------------------------------------------------------
DIMENSIONS = {
    # name: (SQL expression over the facts, output label)
    "admin_area": "f.admin_area_id",
    "organisation": "f.organisation_id",
    "method": "f.method",
    "month": "f.month",
    "classification": "f.classification",
}


class ProgressQueryError(ValueError):
    """A progress query asked for something that does not exist; the message says what."""


@dataclass(frozen=True)
class ProgressFilter:
    organisation_ids: Sequence[int] | None = None
    admin_area_ids: Sequence[int] | None = None
    """Restrict to hazards in these admin areas or any area below them."""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_unapproved: bool = False


@dataclass
class ProgressRow:
    keys: dict
    hazards: int
    original_m2: float
    cancelled_m2: float
    reduced_m2: float
    cleared_m2: float
    remaining_m2: float

    @property
    def released_m2(self) -> float:
        return self.cancelled_m2 + self.reduced_m2 + self.cleared_m2


def progress(session: Session, dimensions: Sequence[str] = ("admin_area",),
             flt: ProgressFilter | None = None, admin_level: int = 1) -> list[ProgressRow]:
    """Original suspected, cancelled, reduced, cleared and remaining areas (m², geodesic) grouped by
    ``dimensions`` (any of admin_area, organisation, method, month, classification).

    Hazard-level figures (original, remaining) fall on the month of the hazard's date of information
    and have no method; release figures fall on the month the land was released, with the method and
    organisation of the activity that released it. ``admin_area`` groups at ``admin_level``
    (0 country, 1 oblast, 2 raion …), rolling finer areas up to their ancestor at that level.
    """
    flt = flt or ProgressFilter()
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise ProgressQueryError(
            f"unknown grouping {', '.join(unknown)}; choose from {', '.join(DIMENSIONS)}")
    if len(set(dimensions)) != len(dimensions):
        raise ProgressQueryError("each grouping may be named once")

    conditions = ["h.deleted_at IS NULL", "h.perimeter IS NOT NULL"]
    params: dict = {"level": admin_level}
    if not flt.include_unapproved:
        conditions.append("h.record_state = 'approved'")
    if flt.organisation_ids is not None:
        conditions.append("h.organisation_id = ANY(:org_ids)")
        params["org_ids"] = list(flt.organisation_ids)
    if flt.admin_area_ids is not None:
        conditions.append("h.admin_area_id IN (SELECT id FROM allowed_areas)")
        params["area_ids"] = list(flt.admin_area_ids)
    hazard_where = " AND ".join(conditions)
    date_cond_h = date_cond_p = ""
    if flt.date_from:
        params["date_from"] = flt.date_from
        date_cond_h += " AND h.date_of_information >= :date_from"
        date_cond_p += " AND p.date_released >= :date_from"
    if flt.date_to:
        params["date_to"] = flt.date_to
        date_cond_h += " AND h.date_of_information <= :date_to"
        date_cond_p += " AND p.date_released <= :date_to"

    allowed = ""
    if flt.admin_area_ids is not None:
        allowed = """
        allowed_areas AS (
            SELECT id FROM admin_areas WHERE id = ANY(:area_ids)
            UNION
            SELECT a.id FROM admin_areas a JOIN allowed_areas p ON a.parent_id = p.id
        ),"""
    group_cols = [DIMENSIONS[d] for d in dimensions]
    select_keys = ", ".join(f"{col} AS {name}" for name, col in zip(dimensions, group_cols))
    group_by = ("GROUP BY " + ", ".join(group_cols)) if group_cols else ""
    order_by = ("ORDER BY " + ", ".join(f"{c} NULLS LAST" for c in group_cols)) if group_cols else ""

    sql = f"""
    WITH RECURSIVE {allowed}
    area_up AS (
        SELECT id AS area_id, id AS ancestor_id, level FROM admin_areas
        UNION ALL
        SELECT u.area_id, a.parent_id, p.level
          FROM area_up u JOIN admin_areas a ON a.id = u.ancestor_id
          JOIN admin_areas p ON p.id = a.parent_id
         WHERE u.level > :level
    ),
    area_at_level AS (
        SELECT area_id, ancestor_id FROM area_up WHERE level = :level
    ),
    facts AS (
        SELECT h.id AS hazard_id, lvl.ancestor_id AS admin_area_id, h.organisation_id,
               h.classification, NULL::text AS method,
               date_trunc('month', h.date_of_information)::date AS month,
               h.original_area_m2 AS original, 0::float8 AS cancelled, 0::float8 AS reduced,
               0::float8 AS cleared, COALESCE(h.remaining_area_m2, h.original_area_m2) AS remaining
          FROM hazards h
          LEFT JOIN area_at_level lvl ON lvl.area_id = h.admin_area_id
         WHERE {hazard_where} {date_cond_h}
        UNION ALL
        SELECT p.hazard_id, lvl.ancestor_id, COALESCE(a.organisation_id, r.organisation_id,
               h.organisation_id), h.classification, a.method,
               date_trunc('month', p.date_released)::date,
               0, CASE WHEN p.product_type = 'cancelled' THEN p.area_m2 ELSE 0 END,
               CASE WHEN p.product_type = 'reduced' THEN p.area_m2 ELSE 0 END,
               CASE WHEN p.product_type = 'cleared' THEN p.area_m2 ELSE 0 END, 0
          FROM release_products p
          JOIN hazards h ON h.id = p.hazard_id
          LEFT JOIN activities a ON a.id = p.activity_id
          LEFT JOIN reports r ON r.id = p.report_id
          LEFT JOIN area_at_level lvl ON lvl.area_id = h.admin_area_id
         WHERE p.applied AND {hazard_where} {date_cond_p}
    )
    SELECT {select_keys + ',' if select_keys else ''}
           count(DISTINCT f.hazard_id) FILTER (WHERE f.original > 0) AS hazards,
           COALESCE(sum(f.original), 0) AS original_m2,
           COALESCE(sum(f.cancelled), 0) AS cancelled_m2,
           COALESCE(sum(f.reduced), 0) AS reduced_m2,
           COALESCE(sum(f.cleared), 0) AS cleared_m2,
           COALESCE(sum(f.remaining), 0) AS remaining_m2
      FROM facts f
      {group_by}
      {order_by}
    """
    rows = session.execute(text(sql), params).mappings().all()
    return [
        ProgressRow(keys={d: row[d] for d in dimensions}, hazards=row["hazards"],
                    original_m2=row["original_m2"], cancelled_m2=row["cancelled_m2"],
                    reduced_m2=row["reduced_m2"], cleared_m2=row["cleared_m2"],
                    remaining_m2=row["remaining_m2"])
        for row in rows
    ]


HAZARD_BALANCE = text("""
    SELECT h.id, h.national_code, h.original_area_m2 AS original_m2,
           COALESCE(sum(p.area_m2) FILTER (WHERE p.product_type = 'cancelled'), 0) AS cancelled_m2,
           COALESCE(sum(p.area_m2) FILTER (WHERE p.product_type = 'reduced'), 0) AS reduced_m2,
           COALESCE(sum(p.area_m2) FILTER (WHERE p.product_type = 'cleared'), 0) AS cleared_m2,
           COALESCE(h.remaining_area_m2, h.original_area_m2) AS remaining_m2
      FROM hazards h
      LEFT JOIN release_products p ON p.hazard_id = h.id AND p.applied
     WHERE h.perimeter IS NOT NULL AND h.deleted_at IS NULL
     GROUP BY h.id
     ORDER BY h.id
""")


def hazard_balances(session: Session) -> list:
    """Per hazard: original, cancelled, reduced, cleared and remaining m² (they should add up)."""
    return session.execute(HAZARD_BALANCE).all()
