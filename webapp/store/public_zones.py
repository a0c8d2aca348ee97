"""Public warning zones: the allow-listed projection of approved hazards that civilians may see.

Everything public (the warning map's tiles, "am I near a hazard?") reads ``public_zones`` and nothing
else, so a field that is not copied here cannot leak (decision record 0008).

A hazard has a zone while it is approved, not deleted, not closed or handed over, and has more than
``Settings.release_tolerance_m2`` left. Its zone is the *remaining* hazard, worked in metres in the
local UTM zone: buffered by 1 m (this rounds off the needle-thin spikes that cutting release products
out of a hazard can leave, whose tips a plain buffer may miss by a fraction of a millimetre),
generalised (tolerance ``public_simplify_m``, at most a quarter of the margin), then buffered by the
rest of the national safety margin ``public_safety_margin_m``. The zone therefore covers the whole
remaining hazard; SQL checks it, and where it does not the ungeneralised outline is buffered
instead. A hazard recorded only by its community's centre point (or
with no perimeter at all) is published as a coarse circle of at least
``public_approximate_radius_m`` around that point, flagged ``approximate``, never as a precise shape.

:func:`refresh` recomputes the zones of some or all hazards in one statement and bumps the
``public`` layer version in ``map_versions`` when anything changed; tile ETags derive from it. The
recording workflow calls it in the transaction that approves a change to a hazard.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..config import Settings

PUBLIC_LAYER = "public"
STAFF_LAYER = "staff"
"""The ``map_versions`` row of the staff layers, raised by triggers on their tables (migration 0006)."""

ALLOWED_PROPERTIES = ("national_code", "classification", "status", "marking", "last_survey_date",
                      "organisation", "precision")
"""What a civilian may learn about a zone; the only properties any public output carries."""

# The zone of every hazard given by ``{hazard_filter}``; ``utm`` is the local UTM zone of the
# hazard's representative point (northern or southern hemisphere). Circles are drawn with 32 segments
# whose inscribed radius is the wanted radius (hence the 1/cos(π/32) factor).
_ZONES = """
    WITH src AS (
        SELECT h.id AS hazard_id, h.national_code, h.classification, h.status, h.marking,
               COALESCE(h.last_applied_date, h.date_of_information) AS last_survey_date,
               o.name AS organisation,
               (h.location_precision = 'community_centre' OR h.perimeter IS NULL) AS coarse,
               CASE WHEN h.location_precision = 'surveyed' AND h.perimeter IS NOT NULL
                    THEN 'surveyed' ELSE 'approximate' END AS precision,
               COALESCE(h.remaining, h.perimeter) AS shape,
               COALESCE(h.location, ST_PointOnSurface(COALESCE(h.remaining, h.perimeter))) AS centre
          FROM hazards h
          JOIN organisations o ON o.id = h.organisation_id
         WHERE {hazard_filter}
           AND h.record_state = 'approved'
           AND h.deleted_at IS NULL
           AND h.status NOT IN ('closed', 'handed_over')
           AND (h.perimeter IS NULL
                OR COALESCE(h.remaining_area_m2, h.original_area_m2) > :tolerance_m2)
    ),
    projected AS (
        SELECT s.*,
               (CASE WHEN ST_Y(s.centre) >= 0 THEN 32600 ELSE 32700 END)
                 + LEAST(60, GREATEST(1, floor((ST_X(s.centre) + 180) / 6)::int + 1)) AS utm
          FROM src s
    ),
    shaped AS (
        SELECT p.*,
               CASE WHEN p.coarse THEN
                        ST_Transform(ST_Buffer(ST_Transform(p.centre, p.utm),
                            GREATEST(:approx_radius,
                                     COALESCE(ST_MaxDistance(ST_Transform(p.centre, p.utm),
                                                             ST_Transform(p.shape, p.utm)), 0)
                                     + :margin) / cos(pi() / 32)), 4326)
                    ELSE
                        ST_Transform(ST_Buffer(ST_SimplifyPreserveTopology(
                            ST_Buffer(ST_Transform(p.shape, p.utm), :inner), :simplify), :outer), 4326)
               END AS zone
          FROM projected p
    ),
    checked AS (
        SELECT s.*, (s.shape IS NULL OR ST_Covers(s.zone, s.shape)) AS covers
          FROM shaped s
         WHERE NOT ST_IsEmpty(s.zone)
    ),
    fresh AS (
        SELECT c.hazard_id, c.national_code, c.classification, c.status, c.marking,
               c.last_survey_date, c.organisation, c.precision,
               ST_Multi(CASE WHEN c.covers THEN c.zone ELSE (
                   -- simplification uncovered part of the hazard: buffer the exact outline instead
                   SELECT CASE WHEN ST_Covers(q.exact, c.shape) THEN q.exact
                               ELSE ST_CollectionExtract(ST_Union(q.exact, c.shape), 3) END
                     FROM (SELECT CASE WHEN c.coarse THEN c.zone
                                       ELSE ST_Transform(ST_Buffer(ST_Buffer(
                                           ST_Transform(c.shape, c.utm), :inner), :outer), 4326)
                                  END AS exact) q
               ) END)::geometry(MultiPolygon, 4326) AS geom
          FROM checked c
    ),
    written AS (
        INSERT INTO public_zones AS z (hazard_id, national_code, classification, status, marking,
                                       last_survey_date, organisation, precision, geom)
        SELECT hazard_id, national_code, classification, status, marking, last_survey_date,
               organisation, precision, geom
          FROM fresh
        ON CONFLICT (hazard_id) DO UPDATE
           SET national_code = EXCLUDED.national_code, classification = EXCLUDED.classification,
               status = EXCLUDED.status, marking = EXCLUDED.marking,
               last_survey_date = EXCLUDED.last_survey_date, organisation = EXCLUDED.organisation,
               precision = EXCLUDED.precision, geom = EXCLUDED.geom
         WHERE (z.national_code, z.classification, z.status, z.marking, z.last_survey_date,
                z.organisation, z.precision, z.geom)
               IS DISTINCT FROM
               (EXCLUDED.national_code, EXCLUDED.classification, EXCLUDED.status, EXCLUDED.marking,
                EXCLUDED.last_survey_date, EXCLUDED.organisation, EXCLUDED.precision, EXCLUDED.geom)
        RETURNING z.hazard_id
    ),
    removed AS (
        DELETE FROM public_zones z
         WHERE {zone_filter}
           AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.hazard_id = z.hazard_id)
        RETURNING z.hazard_id
    )
    SELECT (SELECT count(*) FROM written) + (SELECT count(*) FROM removed)
"""

REFRESH_SOME = text(_ZONES.format(hazard_filter="h.id = ANY(:ids)", zone_filter="z.hazard_id = ANY(:ids)"))
REFRESH_ALL = text(_ZONES.format(hazard_filter="true", zone_filter="true"))

BUMP_VERSION = text("""
    INSERT INTO map_versions AS m (layer, version, updated_at) VALUES (:layer, 1, now())
    ON CONFLICT (layer) DO UPDATE SET version = m.version + 1, updated_at = now()
    RETURNING version
""")


@dataclass(frozen=True)
class ZoneRules:
    """The national settings that shape public zones, in metres."""

    margin_m: float
    simplify_m: float
    approximate_radius_m: float
    tolerance_m2: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "ZoneRules":
        margin = max(0.0, float(settings.public_safety_margin_m))
        return cls(margin_m=margin,
                   simplify_m=min(max(0.0, float(settings.public_simplify_m)), margin / 4),
                   approximate_radius_m=max(1000.0, float(settings.public_approximate_radius_m)),
                   tolerance_m2=max(0.0, float(settings.release_tolerance_m2)))

    def params(self) -> dict:
        for value in (self.margin_m, self.simplify_m, self.approximate_radius_m, self.tolerance_m2):
            if not math.isfinite(value):
                raise ValueError("public zone settings must be finite numbers")
        inner = min(1.0, self.margin_m / 2)
        return {"margin": self.margin_m, "inner": inner, "outer": self.margin_m - inner,
                "simplify": self.simplify_m,
                "approx_radius": self.approximate_radius_m, "tolerance_m2": self.tolerance_m2}


def refresh(session: Session, settings: Settings, hazard_ids: Iterable[int] | None = None) -> int:
    """Recompute the public zones of ``hazard_ids`` (all hazards when ``None``) in the session's
    transaction: zones are written for hazards that must be public, removed for those that no
    longer are, and left alone where nothing changed. Returns the number of zones written or
    removed; when it is not 0 the ``public`` layer version is bumped (tiles get new ETags)."""
    params = ZoneRules.from_settings(settings).params()
    if hazard_ids is None:
        statement = REFRESH_ALL
    else:
        ids = sorted({int(i) for i in hazard_ids})
        if not ids:
            return 0
        statement = REFRESH_SOME
        params["ids"] = ids
    changed = session.execute(statement, params).scalar_one()
    if changed:
        bump_version(session, PUBLIC_LAYER)
    return int(changed)


# -- "am I near a hazard?" ---------------------------------------------------------------------------
# Candidates: every zone whose planar (degree) distance could be within ``near`` metres — an
# index-assisted ST_DWithin with a radius in degrees that can only over-reach — plus the few
# nearest by the KNN operator ``<->`` on the GiST index, for an answer when nothing is near. Only
# those candidates get the exact geodesic distance (spheroid). The direction is the geodesic
# azimuth to the closest point of the zone, found in the local UTM zone.
NEAREST = text("""
    WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g),
    cand AS (
        (SELECT z.hazard_id FROM public_zones z
          WHERE ST_DWithin(z.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :radius_deg))
        UNION
        (SELECT z.hazard_id FROM public_zones z
          ORDER BY z.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT :k)
    ),
    measured AS (
        SELECT z.*, ST_Intersects(z.geom, pt.g) AS covers_point,
               ST_Distance(z.geom::geography, pt.g::geography) AS distance_m
          FROM cand JOIN public_zones z USING (hazard_id), pt
    ),
    best AS (
        SELECT * FROM measured
         ORDER BY (covers_point OR distance_m = 0) DESC, distance_m, national_code
         LIMIT 1
    )
    SELECT b.national_code, b.classification, b.status, b.marking, b.last_survey_date,
           b.organisation, b.precision,
           (b.covers_point OR b.distance_m = 0) AS inside,
           CASE WHEN b.covers_point THEN 0 ELSE b.distance_m END AS distance_m,
           CASE WHEN b.covers_point OR b.distance_m = 0 THEN NULL ELSE
               degrees(ST_Azimuth(pt.g::geography, ST_Transform(ST_ClosestPoint(
                   ST_Transform(b.geom, :utm), ST_Transform(pt.g, :utm)), 4326)::geography))
           END AS bearing_deg
      FROM best b, pt
""")


@dataclass(frozen=True)
class NearestZone:
    """The warning zone nearest to a point, with only allow-listed properties."""

    inside: bool
    distance_m: float
    bearing_deg: float | None
    """Geodesic azimuth from the point to the closest point of the zone (0 = north, clockwise)."""
    properties: dict


def utm_srid(lon: float, lat: float) -> int:
    """EPSG code of the UTM zone (WGS 84) that holds the point."""
    zone = min(60, max(1, int((lon + 180) // 6) + 1))
    return (32600 if lat >= 0 else 32700) + zone


def nearest_zone(session: Session, lon: float, lat: float, near_m: float,
                 candidates: int = 4) -> NearestZone | None:
    """The public warning zone nearest to (lon, lat), by geodesic distance; exact for every zone
    within ``near_m`` metres, and the best of the ``candidates`` nearest (by index) beyond that.
    ``None`` when there are no zones at all."""
    # Degrees of arc that ``near_m`` metres can span at most around this latitude (a longitude
    # degree shrinks with cos(latitude)); over-reaching only costs a few more exact distances.
    reach_lat = min(89.0, abs(lat) + near_m / 110_574 + 0.01)
    radius_deg = near_m / (110_574 * math.cos(math.radians(reach_lat))) * 1.01
    row = session.execute(NEAREST, {"lon": lon, "lat": lat, "radius_deg": radius_deg,
                                    "k": candidates, "utm": utm_srid(lon, lat)}).mappings().first()
    if row is None:
        return None
    props = {name: row[name] for name in ALLOWED_PROPERTIES}
    props["marking"] = list(props["marking"] or [])
    props["last_survey_date"] = props["last_survey_date"].isoformat()
    bearing = None if row["bearing_deg"] is None else float(row["bearing_deg"]) % 360
    return NearestZone(inside=bool(row["inside"]), distance_m=float(row["distance_m"]),
                       bearing_deg=bearing, properties=props)


# -- versions ----------------------------------------------------------------------------------------
def bump_version(session: Session, layer: str = PUBLIC_LAYER) -> int:
    """Increase a layer's version (creating it at 1) and return the new value."""
    return int(session.execute(BUMP_VERSION, {"layer": layer}).scalar_one())


def layer_stamp(session: Session, layer: str = PUBLIC_LAYER) -> tuple[int, int]:
    """The layer's version counter and when it was last raised (microseconds since the epoch):
    together they name one state of the layer's data, even across a restore from backup."""
    row = session.execute(text(
        "SELECT version, (extract(epoch FROM updated_at) * 1000000)::bigint FROM map_versions "
        "WHERE layer = :layer"), {"layer": layer}).first()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def layer_version(session: Session, layer: str = PUBLIC_LAYER) -> int:
    """The layer's current version (0 before its first refresh)."""
    return layer_stamp(session, layer)[0]
