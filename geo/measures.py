"""Geodesic measures and metre-true operations on lon/lat geometries.

Areas and lengths are computed on the WGS84 ellipsoid (``pyproj.Geod``, i.e.
GeographicLib), never in Web Mercator or plate carrée. Operations that need a
planar metric (buffers, distances between shapes) run in an azimuthal equidistant
projection centred on the geometry and are projected back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
import shapely.affinity
from shapely.geometry import (
    GeometryCollection,
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
    box,
)
from shapely.geometry.base import BaseGeometry

from .errors import GeometryError
from .utm import check_utm_latitude, local_aeqd_transformers, utm_epsg, zone_number

#: The WGS84 ellipsoid; Geod holds no projection context and is safe to share.
WGS84 = pyproj.Geod(ellps="WGS84")

#: Largest extent (metres, bounding-box diagonal) handled in one local projection.
MAX_LOCAL_EXTENT_M = 2_000_000.0


# --------------------------------------------------------------------------- area, length


def _ring_area_perimeter(coords: np.ndarray) -> tuple[float, float]:
    if len(coords) < 3:
        return 0.0, _line_length(coords)
    area, perimeter = WGS84.polygon_area_perimeter(coords[:, 0], coords[:, 1])
    return abs(float(area)), float(perimeter)


def _line_length(coords: np.ndarray) -> float:
    if len(coords) < 2:
        return 0.0
    return float(WGS84.line_length(coords[:, 0], coords[:, 1]))


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if isinstance(geom, MultiPolygon):
        return [p for p in geom.geoms if not p.is_empty]
    if isinstance(geom, GeometryCollection):
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def _open_ring(ring: LinearRing) -> np.ndarray:
    coords = np.asarray(ring.coords)[:, :2]
    if len(coords) > 1 and np.array_equal(coords[0], coords[-1]):
        coords = coords[:-1]
    return coords


def geodesic_area_perimeter(geom: BaseGeometry) -> tuple[float, float]:
    """Geodesic area (m², always positive) and perimeter (m) of a (multi)polygon with holes.

    Each ring is measured on its own and holes are subtracted by magnitude, so the
    result does not depend on ring orientation. The perimeter includes hole
    boundaries. Lines and points have zero area; a line's perimeter is its length.
    """
    polygons = _polygons(geom)
    if not polygons:
        return 0.0, geodesic_length_m(geom)
    total_area = 0.0
    total_perimeter = 0.0
    for polygon in polygons:
        area, perimeter = _ring_area_perimeter(_open_ring(polygon.exterior))
        for hole in polygon.interiors:
            hole_area, hole_perimeter = _ring_area_perimeter(_open_ring(hole))
            area -= hole_area
            perimeter += hole_perimeter
        total_area += max(area, 0.0)
        total_perimeter += perimeter
    return total_area, total_perimeter


def geodesic_area_m2(geom: BaseGeometry) -> float:
    """Geodesic area in m² (positive whatever the ring orientation)."""
    return geodesic_area_perimeter(geom)[0]


def geodesic_perimeter_m(geom: BaseGeometry) -> float:
    """Geodesic perimeter in metres (exterior plus holes); a line's length."""
    return geodesic_area_perimeter(geom)[1]


def geodesic_length_m(geom: BaseGeometry) -> float:
    """Geodesic length in metres of a (multi)line, or of a polygon's rings."""
    if isinstance(geom, (LineString, LinearRing)):
        return _line_length(np.asarray(geom.coords)[:, :2])
    if isinstance(geom, Polygon):
        return geodesic_area_perimeter(geom)[1]
    if hasattr(geom, "geoms"):
        return sum(geodesic_length_m(g) for g in geom.geoms)
    return 0.0


def geodesic_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two points given as lon/lat."""
    return float(WGS84.inv(lon1, lat1, lon2, lat2)[2])


def geodesic_inverse(lon1: float, lat1: float, lon2: float, lat2: float) -> tuple[float, float]:
    """Distance (m) and forward azimuth (degrees, 0-360) from the first point to the second."""
    azimuth, _, distance = WGS84.inv(lon1, lat1, lon2, lat2)
    return float(distance), float(azimuth) % 360.0


# --------------------------------------------------------------------------- UTM zone


def utm_epsg_for(geom: BaseGeometry) -> int:
    """EPSG code of the UTM zone (WGS 84 / UTM zone nnN|S) holding the geometry's centre.

    Uses the standard zone grid including the Norway and Svalbard exceptions. Raises
    ``polar_not_supported`` outside 80°S-84°N.
    """
    lon, lat = _centre(geom)
    check_utm_latitude(lat)
    return utm_epsg(zone_number(lat, lon), lat >= 0.0)


# --------------------------------------------------------------------------- local projection


def _centre(geom: BaseGeometry) -> tuple[float, float]:
    if geom.is_empty:
        raise GeometryError("the geometry is empty", code="empty")
    unwrapped = unwrap_antimeridian(geom)
    minx, miny, maxx, maxy = unwrapped.bounds
    lon = (minx + maxx) / 2.0
    lat = (miny + maxy) / 2.0
    lon = ((lon + 180.0) % 360.0) - 180.0
    return lon, lat


@dataclass(frozen=True)
class LocalProjection:
    """An azimuthal equidistant projection centred on a geometry, in metres.

    ``to_metres`` and ``to_lonlat`` move geometries between EPSG:4326 lon/lat and the
    local plane. Geometries that cross the antimeridian are handled: ``to_lonlat``
    splits results at ±180°.
    """

    lon_0: float
    lat_0: float

    def _pair(self) -> tuple[pyproj.Transformer, pyproj.Transformer]:
        return local_aeqd_transformers(self.lat_0, self.lon_0)

    def to_metres(self, geom: BaseGeometry) -> BaseGeometry:
        forward, _ = self._pair()
        unwrapped = unwrap_antimeridian(geom)
        return shapely.transform(unwrapped, lambda xy: _apply(forward, xy))

    def to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        _, inverse = self._pair()
        lonlat = shapely.transform(geom, lambda xy: _apply(inverse, xy))
        return split_antimeridian(lonlat) if crosses_antimeridian(lonlat) else lonlat


def _apply(transformer: pyproj.Transformer, xy: np.ndarray) -> np.ndarray:
    if len(xy) == 0:
        return xy
    x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=True)
    return np.column_stack([x, y])


def local_projection(geom: BaseGeometry) -> LocalProjection:
    """Local metric projection for a geometry (refuses geometries too large for one)."""
    lon, lat = _centre(geom)
    unwrapped = unwrap_antimeridian(geom)
    minx, miny, maxx, maxy = unwrapped.bounds
    extent = WGS84.inv(minx, miny, maxx, maxy)[2]
    if extent > MAX_LOCAL_EXTENT_M:
        raise GeometryError(
            f"the geometry spans about {extent / 1000:.0f} km, too large for a local metric projection",
            code="too_large",
        )
    return LocalProjection(lon, lat)


def buffer_m(geom: BaseGeometry, distance_m: float, *, quad_segs: int = 16) -> BaseGeometry:
    """Buffer a lon/lat geometry by a distance in metres on the ground.

    The geometry is projected to an azimuthal equidistant plane centred on it,
    buffered there (round joins, ``quad_segs`` segments per quarter circle) and
    projected back; results crossing the antimeridian are split there. A negative
    distance shrinks polygons.
    """
    if not math.isfinite(distance_m):
        raise GeometryError("buffer distance must be a finite number of metres", code="non_finite_coordinate")
    projection = local_projection(geom)
    buffered = projection.to_metres(geom).buffer(distance_m, quad_segs=quad_segs)
    if buffered.is_empty:
        return Polygon()
    return projection.to_lonlat(buffered)


def hausdorff_distance_m(a: BaseGeometry, b: BaseGeometry, *, densify: float | None = None) -> float:
    """Hausdorff distance in metres between two lon/lat geometries (in a common local projection)."""
    projection = local_projection(GeometryCollection([a, b]))
    pa, pb = projection.to_metres(a), projection.to_metres(b)
    if densify is None:
        return float(shapely.hausdorff_distance(pa, pb))
    return float(shapely.hausdorff_distance(pa, pb, densify=densify))


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Shortest distance in metres between two lon/lat geometries (0 when they touch)."""
    if isinstance(a, Point) and isinstance(b, Point):
        return geodesic_distance_m(a.x, a.y, b.x, b.y)
    projection = local_projection(GeometryCollection([a, b]))
    return float(projection.to_metres(a).distance(projection.to_metres(b)))


# --------------------------------------------------------------------------- antimeridian


def _unwrap_coords(coords: np.ndarray) -> np.ndarray:
    out = np.array(coords, dtype=float, copy=True)
    if len(out) < 2:
        return out
    steps = np.diff(out[:, 0])
    shifts = np.where(steps > 180.0, -360.0, np.where(steps < -180.0, 360.0, 0.0))
    out[1:, 0] += np.cumsum(shifts)
    return out


def _unwrap_ring(ring: LinearRing) -> np.ndarray:
    coords = _unwrap_coords(np.asarray(ring.coords))
    if len(coords) > 1 and abs(coords[-1, 0] - coords[0, 0]) > 1e-9:
        raise GeometryError(
            "the ring encircles a pole; such polygons are not supported", code="polar_not_supported"
        )
    return coords


def unwrap_antimeridian(geom: BaseGeometry) -> BaseGeometry:
    """Make longitudes continuous along each part (e.g. 179 → -179 becomes 179 → 181).

    Parts are shifted so their first vertex stays where it was; a part written with a
    jump across ±180° comes back with longitudes beyond ±180°.
    """
    if geom.is_empty:
        return geom
    if isinstance(geom, Polygon):
        return Polygon(_unwrap_ring(geom.exterior), [_unwrap_ring(r) for r in geom.interiors])
    if isinstance(geom, (LineString, LinearRing)):
        return type(geom)(_unwrap_coords(np.asarray(geom.coords)))
    if isinstance(geom, Point):
        return geom
    if isinstance(geom, (MultiPolygon, MultiLineString, MultiPoint, GeometryCollection)):
        parts = [unwrap_antimeridian(g) for g in geom.geoms]
        return type(geom)(_align(parts))
    raise GeometryError(f"unsupported geometry type {geom.geom_type}", code="not_polygonal")


def _align(parts: list[BaseGeometry]) -> list[BaseGeometry]:
    """Shift parts by whole turns so they sit next to the first one."""
    if not parts:
        return parts
    reference = (parts[0].bounds[0] + parts[0].bounds[2]) / 2.0
    aligned = []
    for part in parts:
        if part.is_empty:
            aligned.append(part)
            continue
        centre = (part.bounds[0] + part.bounds[2]) / 2.0
        turns = round((reference - centre) / 360.0)
        aligned.append(shapely.affinity.translate(part, xoff=360.0 * turns) if turns else part)
    return aligned


def crosses_antimeridian(geom: BaseGeometry) -> bool:
    """True when a part jumps more than 180° in longitude between vertices or leaves [-180, 180]."""
    if geom.is_empty:
        return False
    for part in getattr(geom, "geoms", [geom]):
        if isinstance(part, Polygon):
            rings = [part.exterior, *part.interiors]
        elif isinstance(part, (LineString, LinearRing)):
            rings = [part]
        else:
            continue
        for ring in rings:
            lons = np.asarray(ring.coords)[:, 0]
            if len(lons) > 1 and (np.any(np.abs(np.diff(lons)) > 180.0) or lons.max() > 180.0 or lons.min() < -180.0):
                return True
    return False


def _geodesic_crossing_lat(lon1: float, lat1: float, lon2: float, lat2: float, meridian: float) -> float:
    """Latitude where the geodesic between two (unwrapped) points crosses an (unwrapped) meridian."""
    azimuth, _, length = WGS84.inv(lon1, lat1, lon2, lat2)
    low, high = 0.0, length
    lat = lat1
    for _ in range(60):
        mid = (low + high) / 2.0
        lon, lat, _ = WGS84.fwd(lon1, lat1, azimuth, mid)
        lon = lon1 + ((lon - lon1 + 180.0) % 360.0 - 180.0)
        if (lon - meridian) * (lon1 - meridian) > 0:
            low = mid
        else:
            high = mid
        if high - low < 1e-6:
            break
    return float(lat)


def _insert_crossings(coords: np.ndarray) -> np.ndarray:
    out = [coords[0]]
    for a, b in zip(coords[:-1], coords[1:]):
        low, high = sorted((a[0], b[0]))
        for k in range(math.ceil((low - 180.0) / 360.0), math.floor((high - 180.0) / 360.0) + 1):
            meridian = 180.0 + 360.0 * k
            if low < meridian < high:
                lat = _geodesic_crossing_lat(a[0], a[1], b[0], b[1], meridian)
                vertex = np.array(a, dtype=float)
                vertex[0], vertex[1] = meridian, lat
                out.append(vertex)
        out.append(b)
    return np.array(out)


def split_antimeridian(geom: BaseGeometry) -> BaseGeometry:
    """Split a geometry that crosses the antimeridian into parts within [-180, 180].

    Accepts either notation for a crossing: a jump in longitude (179 → -179) or
    longitudes beyond ±180° (179 → 181). The cut vertices are placed where the
    geodesic edge meets the meridian, so measures of the parts add up to those of
    the original. Polygons come back as a (Multi)Polygon, lines as a
    (Multi)LineString; a geometry that does not cross is returned unchanged.
    """
    if geom.is_empty or not crosses_antimeridian(geom):
        return geom
    unwrapped = unwrap_antimeridian(geom)

    def densified(g: BaseGeometry) -> BaseGeometry:
        if isinstance(g, Polygon):
            return Polygon(_insert_crossings(np.asarray(g.exterior.coords)),
                           [_insert_crossings(np.asarray(r.coords)) for r in g.interiors])
        if isinstance(g, LineString):
            return LineString(_insert_crossings(np.asarray(g.coords)))
        if hasattr(g, "geoms"):
            return type(g)([densified(p) for p in g.geoms])
        return g

    prepared = densified(unwrapped)
    minx, _, maxx, _ = prepared.bounds
    pieces: list[BaseGeometry] = []
    for k in range(math.floor((minx + 180.0) / 360.0), math.floor((maxx + 180.0) / 360.0) + 1):
        window = box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        piece = prepared.intersection(window)
        if piece.is_empty:
            continue
        pieces.append(shapely.affinity.translate(piece, xoff=-360.0 * k) if k else piece)

    polygons = [p for piece in pieces for p in _polygons(piece)]
    if polygons:
        return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    lines = [
        line
        for piece in pieces
        for line in (piece.geoms if hasattr(piece, "geoms") else [piece])
        if isinstance(line, LineString) and not line.is_empty
    ]
    merged = shapely.line_merge(MultiLineString(lines)) if len(lines) > 1 else lines[0]
    return merged
