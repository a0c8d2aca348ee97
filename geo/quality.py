"""Quality checks and normalisation for hazard and release polygons.

The checks are those national databases found broken in practice: too few vertices,
unclosed or self-intersecting rings, zero area, duplicate or far-apart vertices,
points outside the programme's area of operations (often latitude and longitude
swapped), likely duplicate hazards, release products outside their hazard,
non-finite coordinates, and oversized inputs.

Input may be a Shapely (multi)polygon, a GeoJSON-like mapping
(``{"type": "Polygon", "coordinates": ...}``) or raw coordinates in lon/lat order:
one ring ``[(lon, lat), ...]``, a polygon ``[exterior, hole, ...]`` or a
multipolygon ``[[exterior, hole, ...], ...]``. Only raw input can reveal an
unclosed ring (Shapely closes rings on construction).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Hashable, Iterable, Mapping, Sequence, Union

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from .errors import GeometryError
from .measures import (
    WGS84,
    crosses_antimeridian,
    geodesic_area_m2,
    local_projection,
    split_antimeridian,
    unwrap_antimeridian,
)

#: Default grid for stored coordinates, in degrees (about 1 cm).
DEFAULT_PRECISION_DEG = 1e-7
#: Default area below which a polygon counts as having no area at all.
DEFAULT_MIN_AREA_M2 = 1.0


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One quality finding.

    Attributes:
        code: machine code (see :func:`check_polygon`).
        severity: ``error`` (reject), ``warning`` (flag for review) or ``info`` (normalised silently).
        message: what is wrong, for people.
        location: ``(lon, lat)`` of the problem, or ``None``.
        related: identifier of the other geometry involved (overlaps), or ``None``.
    """

    code: str
    severity: Severity
    message: str
    location: tuple[float, float] | None = None
    related: Hashable | None = None


@dataclass(frozen=True)
class QualitySettings:
    """Thresholds of the checks, to be set per programme.

    Attributes:
        max_vertices: inputs with more vertices are refused before any other work.
        max_vertex_spacing_m: consecutive vertices further apart are flagged (5 km).
        area_of_operations: polygon (lon/lat) the programme works in, or ``None``.
        max_overlap_share: overlap with another geometry above this share of the
            smaller of the two is flagged as a likely duplicate (1 %).
        parent_tolerance_m: how far a release product may stray outside its hazard.
        min_area_m2: geodesic areas below this count as zero.
        precision_deg: coordinate grid used before comparing vertices.
    """

    max_vertices: int = 10_000
    max_vertex_spacing_m: float = 5_000.0
    area_of_operations: BaseGeometry | None = None
    max_overlap_share: float = 0.01
    parent_tolerance_m: float = 1.0
    min_area_m2: float = DEFAULT_MIN_AREA_M2
    precision_deg: float = DEFAULT_PRECISION_DEG


GeometryInput = Union[BaseGeometry, Mapping[str, Any], Sequence[Any]]
Other = Union[BaseGeometry, tuple[Hashable, BaseGeometry]]


# --------------------------------------------------------------------------- input coercion


@dataclass
class _Rings:
    """Polygons as lists of rings, each an (n, 2) float array, plus how they were given."""

    polygons: list[list[np.ndarray]]
    raw: bool


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, (list, tuple, np.ndarray)) and len(value) > 0:
        value = value[0]
        depth += 1
    if isinstance(value, (list, tuple, np.ndarray)):
        depth += 1
    return depth


def _count_raw(value: Any, depth: int) -> int:
    if depth <= 2:
        return len(value)
    return sum(_count_raw(v, depth - 1) for v in value)


def _vertex_count(geom: GeometryInput) -> int:
    if isinstance(geom, BaseGeometry):
        return int(shapely.get_num_coordinates(geom))
    coords = geom.get("coordinates", []) if isinstance(geom, Mapping) else geom
    depth = _depth(coords)
    return _count_raw(coords, depth) if depth >= 2 else 0


def _ring_array(ring: Any) -> np.ndarray:
    try:
        array = np.array([[float(c[0]), float(c[1])] for c in ring], dtype=float)
    except (TypeError, ValueError, IndexError) as exc:
        raise GeometryError(f"a coordinate is not a pair of numbers: {exc}", code="bad_coordinate") from exc
    return array.reshape(-1, 2)


def _coerce(geom: GeometryInput) -> _Rings:
    if isinstance(geom, BaseGeometry):
        if isinstance(geom, Polygon):
            polygons = [geom]
        elif isinstance(geom, MultiPolygon):
            polygons = list(geom.geoms)
        else:
            raise GeometryError(f"a {geom.geom_type} is not a polygon", code="not_polygonal")
        return _Rings(
            [
                [np.asarray(p.exterior.coords, dtype=float)[:, :2]]
                + [np.asarray(r.coords, dtype=float)[:, :2] for r in p.interiors]
                for p in polygons
                if not p.is_empty
            ],
            raw=False,
        )
    if isinstance(geom, Mapping):
        kind = geom.get("type")
        coords = geom.get("coordinates")
        if kind == "Polygon":
            return _Rings([[_ring_array(r) for r in coords or []]], raw=True)
        if kind == "MultiPolygon":
            return _Rings([[_ring_array(r) for r in p] for p in coords or []], raw=True)
        raise GeometryError(f"a {kind} is not a polygon", code="not_polygonal")
    depth = _depth(geom)
    if depth == 2:
        return _Rings([[_ring_array(geom)]], raw=True)
    if depth == 3:
        return _Rings([[_ring_array(r) for r in geom]], raw=True)
    if depth == 4:
        return _Rings([[_ring_array(r) for r in p] for p in geom], raw=True)
    raise GeometryError("coordinates must be a ring, a polygon or a multipolygon", code="not_polygonal")


def _quantise(coords: np.ndarray, precision: float) -> np.ndarray:
    decimals = -math.log10(precision)
    if abs(decimals - round(decimals)) < 1e-9:
        return np.round(coords, int(round(decimals)))
    return np.round(coords / precision) * precision


def _dedupe(ring: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Drop consecutive duplicates of an open ring (closing vertex removed); return the dropped indices."""
    if len(ring) == 0:
        return ring, []
    keep = [0]
    dropped: list[int] = []
    for i in range(1, len(ring)):
        if np.array_equal(ring[i], ring[keep[-1]]):
            dropped.append(i)
        else:
            keep.append(i)
    while len(keep) > 1 and np.array_equal(ring[keep[-1]], ring[keep[0]]):
        dropped.append(keep.pop())
    return ring[keep], dropped


def _open(ring: np.ndarray) -> tuple[np.ndarray, bool]:
    closed = len(ring) > 1 and np.array_equal(ring[0], ring[-1])
    return (ring[:-1] if closed else ring), closed


# --------------------------------------------------------------------------- normalise


def normalise(geom: GeometryInput, *, precision_deg: float = DEFAULT_PRECISION_DEG) -> Polygon | MultiPolygon:
    """Canonical form of a polygon for storage and comparison.

    Rings are closed; coordinates quantised to ``precision_deg`` (default 1e-7°, about
    1 cm); consecutive duplicate vertices removed; the exterior made counter-clockwise
    and holes clockwise; a polygon crossing the antimeridian split there (all as
    RFC 7946 asks). Topology is not repaired: run :func:`check_polygon` to find what
    needs a person's decision.

    Raises :class:`~geo.errors.GeometryError` (``non_finite_coordinate``,
    ``coordinate_out_of_range``, ``too_few_vertices``, ``not_polygonal``,
    ``bad_coordinate``, ``empty``).
    """
    shape = _normalised(_coerce(geom), precision_deg)
    if crosses_antimeridian(shape):
        # RFC 7946: cut at ±180°; the cut vertices are new, so they are quantised in turn.
        shape = _normalised(_coerce(split_antimeridian(shape)), precision_deg)
    return shape


def _normalised(rings: _Rings, precision_deg: float) -> Polygon | MultiPolygon:
    polygons: list[Polygon] = []
    for poly_index, polygon in enumerate(rings.polygons):
        clean: list[np.ndarray] = []
        for ring_index, ring in enumerate(polygon):
            if not np.all(np.isfinite(ring)):
                raise GeometryError("a coordinate is NaN or infinite", code="non_finite_coordinate")
            if np.any(np.abs(ring[:, 1]) > 90.0):
                raise GeometryError(
                    "a latitude is beyond ±90° (are latitude and longitude swapped?)",
                    code="coordinate_out_of_range",
                )
            opened, _ = _open(ring)
            deduped, _ = _dedupe(_quantise(opened, precision_deg))
            if len(deduped) < 3:
                what = "exterior ring" if ring_index == 0 else f"hole {ring_index}"
                raise GeometryError(
                    f"the {what} of polygon {poly_index + 1} has fewer than 3 distinct vertices",
                    code="too_few_vertices",
                )
            clean.append(_closed(deduped))
        if clean:
            polygons.append(orient(Polygon(clean[0], clean[1:]), sign=1.0))
    if not polygons:
        raise GeometryError("the geometry is empty", code="empty")
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


# --------------------------------------------------------------------------- checks


def check_polygon(
    geom: GeometryInput,
    *,
    settings: QualitySettings = QualitySettings(),
    others: Iterable[Other] = (),
    parent: BaseGeometry | None = None,
) -> list[Finding]:
    """Check a hazard or release polygon; return findings (an empty list means clean).

    Codes, in the order checked:

    ==========================  ========  =================================================
    ``too_many_vertices``       error     more than ``max_vertices`` (checked first; stops)
    ``not_polygonal``           error     not a polygon or multipolygon (stops)
    ``bad_coordinate``          error     a coordinate is not a pair of numbers (stops)
    ``empty``                   error     no coordinates (stops)
    ``non_finite_coordinate``   error     NaN or infinity (stops)
    ``coordinate_out_of_range`` error     |lat| > 90 or |lon| > 180, swap hint (stops)
    ``unclosed_ring``           warning   raw ring whose last vertex is not the first
    ``duplicate_vertices``      info      consecutive repeated vertices (normalised away)
    ``too_few_vertices``        error     fewer than 3 distinct vertices in a ring (stops)
    ``self_intersection``       error     ring crosses itself or another ring, with the point
    ``crosses_antimeridian``    info      crosses ±180° (checked as drawn, stored split)
    ``invalid_geometry``        error     other invalidity (hole outside shell, ...)
    ``zero_area``               error     geodesic area below ``min_area_m2``
    ``vertices_far_apart``      warning   consecutive vertices beyond ``max_vertex_spacing_m``
    ``lat_lon_swapped``         error     outside the area of operations, inside once swapped
    ``outside_area_of_operations`` error  vertices outside the area of operations
    ``overlaps_other``          warning   overlap above ``max_overlap_share`` with an other
    ``outside_parent``          error     beyond ``parent_tolerance_m`` outside the parent hazard
    ==========================  ========  =================================================

    ``others`` are geometries or ``(identifier, geometry)`` pairs (e.g. the active
    hazards nearby); ``parent`` is the hazard a release product belongs to.
    """
    findings: list[Finding] = []

    try:
        count = _vertex_count(geom)
    except (TypeError, AttributeError):
        count = 0
    if count > settings.max_vertices:
        return [
            Finding(
                "too_many_vertices", Severity.ERROR,
                f"{count} vertices, more than the {settings.max_vertices} allowed",
            )
        ]

    try:
        rings = _coerce(geom)
    except GeometryError as exc:
        return [Finding(exc.code, Severity.ERROR, exc.message)]
    if not rings.polygons or not any(len(r) for p in rings.polygons for r in p):
        return [Finding("empty", Severity.ERROR, "the geometry has no coordinates")]

    for polygon in rings.polygons:
        for ring in polygon:
            bad = ~np.all(np.isfinite(ring), axis=1)
            if bad.any():
                return [
                    Finding(
                        "non_finite_coordinate", Severity.ERROR,
                        f"{int(bad.sum())} coordinate(s) are NaN or infinite "
                        f"(first at vertex {int(np.argmax(bad)) + 1})",
                    )
                ]
    range_finding = _range_finding(rings)
    if range_finding is not None:
        return [range_finding]

    clean_polygons: list[list[np.ndarray]] = []
    for poly_index, polygon in enumerate(rings.polygons):
        clean_rings: list[np.ndarray] = []
        for ring_index, ring in enumerate(polygon):
            name = _ring_name(poly_index, ring_index, len(rings.polygons))
            opened, closed = _open(ring)
            if rings.raw and not closed and len(ring) > 0:
                findings.append(
                    Finding(
                        "unclosed_ring", Severity.WARNING,
                        f"the {name} does not end on its first vertex; it will be closed",
                        _loc(ring[-1]),
                    )
                )
            deduped, dropped = _dedupe(_quantise(opened, settings.precision_deg))
            if dropped:
                findings.append(
                    Finding(
                        "duplicate_vertices", Severity.INFO,
                        f"the {name} repeats {len(dropped)} vertex(es) consecutively; duplicates are removed",
                        _loc(opened[dropped[0]]),
                    )
                )
            if len(deduped) < 3:
                findings.append(
                    Finding(
                        "too_few_vertices", Severity.ERROR,
                        f"the {name} has {len(deduped)} distinct vertices; a polygon needs at least 3",
                        _loc(opened[0]) if len(opened) else None,
                    )
                )
                return findings
            clean_rings.append(deduped)
        clean_polygons.append(clean_rings)

    polygons = [Polygon(_closed(p[0]), [_closed(h) for h in p[1:]]) for p in clean_polygons]
    shape: BaseGeometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    crossing = crosses_antimeridian(shape)
    if crossing:
        # Judge the shape as drawn on the ground: continuous longitudes, then cut at ±180°.
        shape = unwrap_antimeridian(shape)

    reason = shapely.is_valid_reason(shape)
    valid = reason == "Valid Geometry"
    if crossing:
        findings.append(
            Finding(
                "crosses_antimeridian", Severity.INFO,
                "the polygon crosses the antimeridian; it is stored split at ±180°",
            )
        )
        if valid:
            shape = split_antimeridian(shape)
    if not valid:
        location = _wrap(_reason_location(reason))
        if "Self-intersection" in reason:
            findings.append(
                Finding("self_intersection", Severity.ERROR, "the boundary crosses itself", location)
            )
        else:
            findings.append(
                Finding("invalid_geometry", Severity.ERROR, f"the polygon is not valid: {_reason_text(reason)}",
                        location)
            )

    area = geodesic_area_m2(shape)
    if area < settings.min_area_m2:
        findings.append(
            Finding(
                "zero_area", Severity.ERROR,
                f"the area is {area:.3g} m², below the {settings.min_area_m2:g} m² minimum",
                _loc(clean_polygons[0][0][0]),
            )
        )

    findings.extend(_spacing_findings(clean_polygons, len(rings.polygons), settings.max_vertex_spacing_m))

    if settings.area_of_operations is not None:
        finding = _area_of_operations_finding(clean_polygons, settings.area_of_operations)
        if finding is not None:
            findings.append(finding)

    if valid and area >= settings.min_area_m2:
        findings.extend(_overlap_findings(shape, area, others, settings.max_overlap_share))
        if parent is not None:
            finding = _parent_finding(shape, parent, settings.parent_tolerance_m)
            if finding is not None:
                findings.append(finding)
    return findings


def _wrap(location: tuple[float, float] | None) -> tuple[float, float] | None:
    if location is None:
        return None
    lon, lat = location
    if not -180.0 <= lon <= 180.0:
        lon = ((lon + 180.0) % 360.0) - 180.0
    return lon, lat


def _closed(ring: np.ndarray) -> np.ndarray:
    return np.vstack([ring, ring[:1]])


def _loc(xy: Sequence[float]) -> tuple[float, float]:
    return float(xy[0]), float(xy[1])


def _ring_name(poly_index: int, ring_index: int, polygon_count: int) -> str:
    ring = "exterior ring" if ring_index == 0 else f"hole {ring_index}"
    return f"{ring} of polygon {poly_index + 1}" if polygon_count > 1 else ring


_REASON_POINT = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]")


def _reason_location(reason: str) -> tuple[float, float] | None:
    m = _REASON_POINT.search(reason)
    return (float(m[1]), float(m[2])) if m else None


def _reason_text(reason: str) -> str:
    return _REASON_POINT.sub("", reason).strip().lower()


def _range_finding(rings: _Rings) -> Finding | None:
    all_coords = np.vstack([_open(r)[0] for p in rings.polygons for r in p if len(r)])
    lon, lat = all_coords[:, 0], all_coords[:, 1]
    bad = (np.abs(lat) > 90.0) | (np.abs(lon) > 180.0)
    if not bad.any():
        return None
    first = int(np.argmax(bad))
    swapped_ok = bool(np.all((np.abs(lon) <= 90.0) & (np.abs(lat) <= 180.0)))
    hint = "; latitude and longitude may be swapped" if swapped_ok else ""
    return Finding(
        "coordinate_out_of_range", Severity.ERROR,
        f"{int(bad.sum())} vertex(es) lie outside longitude ±180° / latitude ±90°{hint}",
        _loc(all_coords[first]),
    )


def _spacing_findings(polygons: list[list[np.ndarray]], polygon_count: int, max_m: float) -> list[Finding]:
    findings = []
    for poly_index, polygon in enumerate(polygons):
        for ring_index, ring in enumerate(polygon):
            closed = _closed(ring)
            _, _, distances = WGS84.inv(closed[:-1, 0], closed[:-1, 1], closed[1:, 0], closed[1:, 1])
            distances = np.atleast_1d(distances)
            for i in np.nonzero(distances > max_m)[0]:
                findings.append(
                    Finding(
                        "vertices_far_apart", Severity.WARNING,
                        f"vertices {i + 1} and {(i + 1) % len(ring) + 1} of the "
                        f"{_ring_name(poly_index, ring_index, polygon_count)} are {distances[i] / 1000:.2f} km apart "
                        f"(more than {max_m / 1000:g} km)",
                        _loc(ring[i]),
                    )
                )
    return findings


def _area_of_operations_finding(polygons: list[list[np.ndarray]], area: BaseGeometry) -> Finding | None:
    coords = np.vstack([r for p in polygons for r in p])
    shapely.prepare(area)
    inside = shapely.covers(area, shapely.points(coords))
    if inside.all():
        return None
    outside = np.nonzero(~inside)[0]
    swapped_inside = shapely.covers(area, shapely.points(coords[:, ::-1]))
    if swapped_inside.all():
        return Finding(
            "lat_lon_swapped", Severity.ERROR,
            "the polygon lies outside the area of operations but inside it once latitude and longitude are "
            "swapped; latitude and longitude may be swapped",
            _loc(coords[outside[0]]),
        )
    return Finding(
        "outside_area_of_operations", Severity.ERROR,
        f"{len(outside)} of {len(coords)} vertices lie outside the area of operations",
        _loc(coords[outside[0]]),
    )


def _as_other(item: Other, index: int) -> tuple[Hashable, BaseGeometry]:
    if isinstance(item, BaseGeometry):
        return index, item
    identifier, geometry = item
    return identifier, geometry


def _overlap_findings(
    shape: BaseGeometry, area: float, others: Iterable[Other], max_share: float
) -> list[Finding]:
    findings = []
    for index, item in enumerate(others):
        identifier, other = _as_other(item, index)
        if other is None or other.is_empty or not shape.intersects(other):
            continue
        if not other.is_valid:
            other = shapely.make_valid(other)
        overlap = shape.intersection(other)
        overlap_area = geodesic_area_m2(overlap)
        if overlap_area <= 0.0:
            continue
        other_area = geodesic_area_m2(other)
        smaller = min(area, other_area) if other_area > 0 else area
        share = overlap_area / smaller
        if share > max_share:
            point = overlap.representative_point()
            findings.append(
                Finding(
                    "overlaps_other", Severity.WARNING,
                    f"overlaps {identifier!s} by {overlap_area:,.0f} m² ({share:.1%} of the smaller of the two); "
                    "possibly a duplicate record",
                    (point.x, point.y),
                    related=identifier,
                )
            )
    return findings


def _parent_finding(shape: BaseGeometry, parent: BaseGeometry, tolerance_m: float) -> Finding | None:
    if not parent.is_valid:
        parent = shapely.make_valid(parent)
    projection = local_projection(shapely.GeometryCollection([shape, parent]))
    shape_m = projection.to_metres(shape)
    parent_m = projection.to_metres(parent)
    beyond = shape_m.difference(parent_m.buffer(tolerance_m, quad_segs=16))
    if beyond.is_empty or beyond.area <= 0.0:
        return None
    far = shapely.get_coordinates(beyond)
    distances = shapely.distance(parent_m, shapely.points(far))
    worst = int(np.argmax(distances))
    worst_lonlat = projection.to_lonlat(shapely.points(far[worst]))
    return Finding(
        "outside_parent", Severity.ERROR,
        f"{beyond.area:,.1f} m² lie more than {tolerance_m:g} m outside the parent hazard "
        f"(up to {float(distances[worst]):.1f} m)",
        (worst_lonlat.x, worst_lonlat.y),
    )
