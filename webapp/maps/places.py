"""Read-only PostGIS queries behind the staff map and the dashboard: which admin areas a person may
pick, where to open the map, the search box (hazard code or name, admin-area name in any language),
and simplified admin-area outlines for the dashboard's choropleth.

Every query limits hazards with :func:`~webapp.services.permissions.visibility_sql`, and admin areas
to the areas a person is limited to (and the areas below them), so that none of these helpers can
show more than the staff tiles do. No hazard geometry ever leaves here except as a bounding box and a
point of a hazard the person may see (to move the map to it).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..services.permissions import Actor, visibility_sql

# Admin areas a person may use: all of them, or the areas they are limited to and everything below.
_ALLOWED_AREAS = """
    allowed AS (
        SELECT id FROM admin_areas WHERE :unlimited
        UNION
        SELECT id FROM admin_areas WHERE id = ANY(:limit_ids)
        UNION
        SELECT a.id FROM admin_areas a JOIN allowed p ON a.parent_id = p.id WHERE NOT :unlimited
    )"""


def _area_params(actor: Actor) -> dict:
    return {"unlimited": not actor.admin_area_ids, "limit_ids": list(actor.admin_area_ids)}


@dataclass(frozen=True)
class AreaChoice:
    id: int
    code: str
    level: int
    name: str
    parent_id: int | None
    bbox: tuple[float, float, float, float] | None
    """(west, south, east, north), rounded to 4 decimals; None without geometry."""


def area_choices(session: Session, actor: Actor, max_level: int = 2,
                 also: int | None = None) -> list[AreaChoice]:
    """Admin areas the person may filter by, down to ``max_level`` (plus area ``also``, e.g. the one
    chosen from the search box, if they may use it), ordered as a tree: each area after its parent."""
    rows = session.execute(text(f"""
        WITH RECURSIVE {_ALLOWED_AREAS},
        tree AS (
            SELECT a.id, a.code, a.level, a.name, a.parent_id, a.geom, ARRAY[a.name::text] AS path
              FROM admin_areas a
             WHERE a.parent_id IS NULL OR a.parent_id NOT IN (SELECT id FROM admin_areas)
            UNION ALL
            SELECT c.id, c.code, c.level, c.name, c.parent_id, c.geom, t.path || c.name::text
              FROM admin_areas c JOIN tree t ON c.parent_id = t.id
        )
        SELECT t.id, t.code, t.level, t.name, t.parent_id,
               round(ST_XMin(t.geom)::numeric, 4), round(ST_YMin(t.geom)::numeric, 4),
               round(ST_XMax(t.geom)::numeric, 4), round(ST_YMax(t.geom)::numeric, 4)
          FROM tree t
         WHERE t.id IN (SELECT id FROM allowed) AND (t.level <= :max_level OR t.id = :also)
         ORDER BY t.path"""), {**_area_params(actor), "max_level": max_level, "also": also or 0})
    return [AreaChoice(r[0], r[1], r[2], r[3], r[4],
                       None if r[5] is None else (float(r[5]), float(r[6]), float(r[7]), float(r[8])))
            for r in rows]


def area_allowed(session: Session, actor: Actor, area_id: int) -> bool:
    """Whether the person may use admin area ``area_id`` (it exists and lies within their areas)."""
    return bool(session.execute(text(f"""
        WITH RECURSIVE {_ALLOWED_AREAS}
        SELECT EXISTS (SELECT 1 FROM allowed WHERE id = :area)"""),
        {**_area_params(actor), "area": area_id}).scalar())


def opening_bounds(session: Session, actor: Actor, area_id: int | None = None
                   ) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) to open the map on: the chosen admin area, else the areas the person
    is limited to, else the whole gazetteer. ``None`` when there is no admin-area geometry at all."""
    if area_id is not None:
        sql, params = "SELECT ST_Extent(geom) FROM admin_areas WHERE id = :area", {"area": area_id}
    elif actor.admin_area_ids:
        sql, params = ("SELECT ST_Extent(geom) FROM admin_areas WHERE id = ANY(:ids)",
                       {"ids": list(actor.admin_area_ids)})
    else:
        sql, params = ("SELECT ST_Extent(geom) FROM admin_areas "
                       "WHERE level = (SELECT min(level) FROM admin_areas WHERE geom IS NOT NULL)"), {}
    box = session.execute(text(f"""
        SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM ({sql}) AS e(b)"""), params).one()
    return None if box[0] is None else tuple(round(float(v), 4) for v in box)


# -- search ---------------------------------------------------------------------------------------------
def _like_pattern(q: str) -> str:
    """``q`` as a literal inside an ILIKE pattern (wildcards and the escape character escaped)."""
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, actor: Actor, q: str, limit: int) -> list[dict]:
    """Admin areas whose name (in any language) or code contains ``q``, then hazards the person may
    see whose national code starts with (or contains) ``q`` or whose name contains it; at most
    ``limit`` of each kind. Each result carries a bounding box and a point to move the map to."""
    literal = _like_pattern(q)
    params = {**_area_params(actor), "contains": f"%{literal}%", "prefix": f"{literal}%",
              "exact": q, "limit": limit}
    areas = session.execute(text(f"""
        WITH RECURSIVE {_ALLOWED_AREAS}
        SELECT a.id, a.code, a.level, a.name, a.names,
               ST_XMin(a.geom) AS w, ST_YMin(a.geom) AS s, ST_XMax(a.geom) AS e, ST_YMax(a.geom) AS n,
               ST_X(ST_PointOnSurface(a.geom)) AS lon, ST_Y(ST_PointOnSurface(a.geom)) AS lat
          FROM admin_areas a
         WHERE a.id IN (SELECT id FROM allowed) AND a.geom IS NOT NULL
           AND (a.name ILIKE :contains ESCAPE '\\' OR a.code ILIKE :prefix ESCAPE '\\'
                OR EXISTS (SELECT 1 FROM jsonb_each_text(a.names) n WHERE n.value ILIKE :contains ESCAPE '\\'))
         ORDER BY lower(a.name) = lower(:exact) DESC, a.level, a.name
         LIMIT :limit"""), params).mappings().all()
    visible, vis_params = visibility_sql(actor, alias="h")
    hazards = session.execute(text(f"""
        SELECT h.id, h.national_code, h.name, h.classification, h.status, h.record_state,
               ST_XMin(g.geom) AS w, ST_YMin(g.geom) AS s, ST_XMax(g.geom) AS e, ST_YMax(g.geom) AS n,
               ST_X(ST_PointOnSurface(g.geom)) AS lon, ST_Y(ST_PointOnSurface(g.geom)) AS lat
          FROM hazards h, LATERAL (SELECT COALESCE(h.perimeter, h.location) AS geom) g
         WHERE {visible}
           AND (h.national_code ILIKE :contains ESCAPE '\\' OR h.name ILIKE :contains ESCAPE '\\')
         ORDER BY lower(h.national_code) = lower(:exact) DESC, h.national_code ILIKE :prefix ESCAPE '\\' DESC,
                  h.national_code
         LIMIT :limit"""), {**params, **vis_params}).mappings().all()
    results = []
    for a in areas:
        results.append({"type": "admin_area", "id": a["id"], "code": a["code"], "level": a["level"],
                        "label": a["name"], "names": a["names"] or {},
                        "bbox": [a["w"], a["s"], a["e"], a["n"]], "point": [a["lon"], a["lat"]]})
    for h in hazards:
        results.append({"type": "hazard", "id": h["id"], "label": h["national_code"], "name": h["name"],
                        "classification": h["classification"], "status": h["status"],
                        "record_state": h["record_state"],
                        "bbox": [h["w"], h["s"], h["e"], h["n"]], "point": [h["lon"], h["lat"]]})
    return results


# -- dashboard outlines ---------------------------------------------------------------------------------
def area_outlines(session: Session, actor: Actor, level: int, within: int | None = None,
                  simplify_deg: float = 0.003, decimals: int = 4) -> dict:
    """Simplified outlines of the admin areas at ``level`` the person may see — the areas within their
    limits, and the areas at ``level`` that contain one of their areas (their figures roll up there) —
    optionally only those that overlap admin area ``within``. A GeoJSON FeatureCollection with
    ``id``, ``code``, ``name`` and ``names`` properties, built by PostGIS."""
    return session.execute(text(f"""
        WITH RECURSIVE {_ALLOWED_AREAS},
        up AS (  -- the person's areas and their ancestors
            SELECT id, parent_id FROM admin_areas WHERE id = ANY(:limit_ids)
            UNION
            SELECT a.id, a.parent_id FROM admin_areas a JOIN up ON a.id = up.parent_id
        ),
        inside AS (  -- the chosen area and everything below it
            SELECT id FROM admin_areas WHERE id = :within
            UNION
            SELECT a.id FROM admin_areas a JOIN inside p ON a.parent_id = p.id
        ),
        chosen_up AS (
            SELECT id, parent_id FROM admin_areas WHERE id = :within
            UNION
            SELECT a.id, a.parent_id FROM admin_areas a JOIN chosen_up ON a.id = chosen_up.parent_id
        )
        SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(
                   json_build_object('type', 'Feature', 'id', a.id,
                       'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, :tol), :decimals)::json,
                       'properties', json_build_object('id', a.id, 'code', a.code, 'name', a.name,
                                                       'names', a.names))
                   ORDER BY a.name), '[]'::json))
          FROM admin_areas a
         WHERE a.level = :level AND a.geom IS NOT NULL
           AND (a.id IN (SELECT id FROM allowed) OR a.id IN (SELECT id FROM up))
           AND (:within = 0 OR a.id IN (SELECT id FROM inside) OR a.id IN (SELECT id FROM chosen_up))"""),
        {**_area_params(actor), "level": level, "within": within or 0, "tol": simplify_deg,
         "decimals": decimals}).scalar_one()


def names_of(session: Session, table: str, ids) -> dict[int, dict]:
    """``{id: {"name": …, "code"|"short_name": …, "names": …}}`` for admin areas or organisations."""
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    if table == "admin_areas":
        sql = "SELECT id, name, code, names FROM admin_areas WHERE id = ANY(:ids)"
    elif table == "organisations":
        sql = "SELECT id, name, short_name, '{}'::jsonb AS names FROM organisations WHERE id = ANY(:ids)"
    else:
        raise ValueError(f"no names for {table}")
    rows = session.execute(text(sql), {"ids": ids}).all()
    return {r[0]: {"name": r[1], "short": r[2], "names": r[3] or {}} for r in rows}


def organisation_choices(session: Session) -> list[tuple[int, str, str]]:
    """(id, short name, name) of every organisation, operators first."""
    return [tuple(r) for r in session.execute(text(
        "SELECT id, short_name, name FROM organisations ORDER BY kind <> 'operator', short_name")).all()]
