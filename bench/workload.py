"""What the load client asks for, derived deterministically from the loaded data.

- tiles: for each zoom, the tiles holding the centres of hazards drawn with a fixed seed, in the
  order drawn, without repeats (so busy tiles come first, as they do for people looking at a map);
  at low zooms that is every tile with data;
- viewports: 1280 × 800-pixel map views at zooms 12 and 14 centred on hazards drawn the same way;
- points for the public check: *inside* a warning zone, *near* one (just outside its east edge) and
  *far* from any (drawn over the area of operations), each classified by PostGIS, not assumed.

The same lists are used for every server in a run.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

SEED = 9009
ZOOMS = (6, 9, 12, 15)
TILES_PER_ZOOM = 40
VIEWPORT_ZOOMS = (12, 14)
VIEWPORTS_PER_ZOOM = 10
VIEWPORT_PX = (1280, 800)
POINTS_PER_KIND = 20
NEAR_M = 500.0
"""The check answers *near* within this distance (the app's default ``public_near_distance_m``)."""


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return z, min(max(x, 0), n - 1), min(max(y, 0), n - 1)


@dataclass
class Workload:
    tiles: dict[int, list[tuple[int, int, int]]]
    viewports: list[tuple[float, float, float, float]]
    points: dict[str, list[tuple[float, float]]]

    def as_dict(self) -> dict:
        return {"tiles": {str(z): [list(t) for t in ts] for z, ts in self.tiles.items()},
                "viewports": [list(v) for v in self.viewports],
                "points": {k: [list(p) for p in v] for k, v in self.points.items()}}


def _sample_locations(conn, n_hazards: int, k: int, rng: random.Random) -> list[tuple[float, float]]:
    ids = rng.sample(range(1, n_hazards + 1), min(k, n_hazards))
    rows = conn.execute(
        "SELECT h.id, ST_X(h.location), ST_Y(h.location) FROM hazards h WHERE h.id = ANY(%s)",
        (ids,)).fetchall()
    by_id = {r[0]: (r[1], r[2]) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def build(conn, n_hazards: int) -> Workload:
    rng = random.Random(SEED)
    centres = _sample_locations(conn, n_hazards, 4000, rng)
    tiles: dict[int, list[tuple[int, int, int]]] = {}
    for z in ZOOMS:
        seen: dict[tuple[int, int, int], None] = {}
        for lon, lat in centres:
            seen.setdefault(tile_of(lon, lat, z), None)
            if len(seen) >= TILES_PER_ZOOM:
                break
        tiles[z] = list(seen)

    viewports = []
    for j, z in enumerate(VIEWPORT_ZOOMS):
        for lon, lat in centres[j::len(VIEWPORT_ZOOMS)][:VIEWPORTS_PER_ZOOM]:
            deg_per_px = 360.0 / (256 * (1 << z))
            half_w = VIEWPORT_PX[0] / 2 * deg_per_px
            half_h = VIEWPORT_PX[1] / 2 * deg_per_px * math.cos(math.radians(lat))
            viewports.append((round(lon - half_w, 6), round(lat - half_h, 6),
                              round(lon + half_w, 6), round(lat + half_h, 6)))

    points = _points(conn, rng)
    return Workload(tiles=tiles, viewports=viewports, points=points)


_DISTANCE = """
    SELECT COALESCE((SELECT ST_Distance(z.geom::geography, p.g::geography)
                       FROM public_zones z ORDER BY z.geom <-> p.g LIMIT 1), 1e9)
      FROM (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS g) p"""


def _points(conn, rng: random.Random) -> dict[str, list[tuple[float, float]]]:
    """Inside, near and far points, each checked against the zones by PostGIS (nearest by index,
    then geodesic distance; good enough to classify, the app computes the exact answer)."""
    zones = conn.execute("SELECT hazard_id FROM public_zones ORDER BY hazard_id").fetchall()
    picked = [zones[i][0] for i in sorted(rng.sample(range(len(zones)), min(200, len(zones))))]
    inside, near = [], []
    for hid in picked:
        lon, lat, east, mid_lat = conn.execute(
            "SELECT ST_X(p), ST_Y(p), ST_XMax(geom), (ST_YMin(geom) + ST_YMax(geom)) / 2 FROM "
            "(SELECT geom, ST_PointOnSurface(geom) AS p FROM public_zones WHERE hazard_id = %s) z",
            (hid,)).fetchone()
        if len(inside) < POINTS_PER_KIND and conn.execute(_DISTANCE, (lon, lat)).fetchone()[0] == 0:
            inside.append((round(lon, 6), round(lat, 6)))
        if len(near) < POINTS_PER_KIND:
            # 150 m east of the zone's east edge, on the zone's middle latitude
            nlon = east + 150.0 / (111_320.0 * math.cos(math.radians(mid_lat)))
            d = conn.execute(_DISTANCE, (nlon, mid_lat)).fetchone()[0]
            if 0 < d <= NEAR_M:
                near.append((round(nlon, 6), round(mid_lat, 6)))
        if len(inside) >= POINTS_PER_KIND and len(near) >= POINTS_PER_KIND:
            break
    far = []
    for _ in range(2000):
        lon, lat = rng.uniform(22.5, 40.0), rng.uniform(44.5, 52.3)
        if conn.execute(_DISTANCE, (lon, lat)).fetchone()[0] > 5 * NEAR_M:
            far.append((round(lon, 6), round(lat, 6)))
            if len(far) >= POINTS_PER_KIND:
                break
    return {"inside": inside, "near": near, "far": far}
