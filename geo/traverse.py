"""Perimeter traverses: from a benchmark, legs of bearing and distance, to a hazard polygon.

How a traverse is read:

* The first leg runs from the **benchmark** to the **start point**; the benchmark is
  not a vertex of the polygon. Each further leg runs from the previous perimeter
  point. Any point may instead be an absolute coordinate (:class:`FixedPoint`).
* **Evidence points** are side shots: measured from the last perimeter point (or the
  benchmark), recorded, but neither polygon vertices nor stations for the next leg.
* Bearings are true, magnetic (true = magnetic + declination, east positive) or grid
  (true = grid + γ, the meridian convergence of the benchmark's UTM zone at the leg's
  origin). Distances are horizontal ground distances in metres.
* Every leg is solved on the WGS84 ellipsoid (``Geod.fwd``), never on a flat earth.
* **Closure**: the misclosure is the distance and bearing from the last perimeter
  point back to the start point. Within ``closure_tolerance_m`` the last point is
  taken as the start point and the ring closes there. Beyond it the traverse is
  refused (:class:`~geo.errors.TraverseNotClosedError`) unless ``close=True``: then
  the last point stays a vertex and the ring is closed by the straight (geodesic)
  closing leg back to the start point, which is reported. No adjustment (Bowditch or
  other) is applied; measured points stay where they were measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Sequence, Union

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from .coordinates import ParsedCoordinate, UtmLetter, parse_coordinate
from .errors import CoordinateError, GeoError, TraverseError, TraverseNotClosedError
from .measures import (
    WGS84,
    crosses_antimeridian,
    geodesic_area_perimeter,
    geodesic_inverse,
    split_antimeridian,
    unwrap_antimeridian,
)
from .quality import DEFAULT_MIN_AREA_M2
from .utm import check_utm_latitude, grid_convergence_deg, zone_number

#: NATO mils in a full circle.
MILS_PER_CIRCLE = 6400.0

#: Default closure tolerance in metres (see module docstring).
DEFAULT_CLOSURE_TOLERANCE_M = 1.0
#: Turning points further apart than this need an intermediate point between them.
DEFAULT_INTERMEDIATE_SPACING_M = 50.0
#: Legs longer than this are reported as suspicious.
DEFAULT_MAX_LEG_M = 1000.0

# Tapes and rangefinders read to the centimetre at best; a side computed back from
# geodesic solutions as 50.002 m is a 50 m side, not "more than 50 m".
_LENGTH_SLACK_M = 0.01


class BearingUnit(str, Enum):
    DEGREES = "degrees"
    MILS = "mils"


class BearingReference(str, Enum):
    TRUE = "true"
    MAGNETIC = "magnetic"
    GRID = "grid"


class PointType(str, Enum):
    START = "start"
    TURNING = "turning"
    INTERMEDIATE = "intermediate"
    END = "end"
    EVIDENCE = "evidence"


@dataclass(frozen=True)
class Leg:
    """A measured leg: bearing (in the traverse's unit and reference) and ground distance."""

    bearing: float
    distance_m: float
    point_type: PointType | None = None
    label: str | None = None


@dataclass(frozen=True)
class FixedPoint:
    """A point given by absolute coordinate instead of a leg (text in any supported notation)."""

    coordinate: Union[str, ParsedCoordinate]
    point_type: PointType | None = None
    label: str | None = None


TraverseItem = Union[Leg, FixedPoint]


@dataclass(frozen=True)
class TraversePoint:
    """One computed point.

    Attributes:
        index: position of the item in the input sequence (0-based).
        point_type: type as given, or as inferred (first perimeter point START, last END, others TURNING).
        lat, lon: WGS84 degrees.
        label: the label given with the item.
        source: the input item, unchanged.
        from_index: index of the point the leg was measured from (``None``: the benchmark
            or an absolute coordinate).
        true_azimuth_deg: the true azimuth the leg was solved with (``None`` for fixed points).
        coordinate: the parsed coordinate of a fixed point (``None`` for legs).
    """

    index: int
    point_type: PointType
    lat: float
    lon: float
    label: str | None
    source: TraverseItem
    from_index: int | None
    true_azimuth_deg: float | None
    coordinate: ParsedCoordinate | None = None


@dataclass(frozen=True)
class TraverseWarning:
    code: str
    message: str
    point_index: int | None = None


@dataclass(frozen=True)
class TraverseResult:
    """A computed traverse.

    Attributes:
        benchmark: the parsed benchmark.
        points: every computed point in input order, evidence points included.
        polygon: the perimeter polygon (lon/lat, exterior counter-clockwise); a
            MultiPolygon split at ±180° when the perimeter crosses the antimeridian.
        misclosure_m, misclosure_bearing_deg: from the last perimeter point back to the start point.
        closed_by_request: the ring was closed with a closing leg because ``close=True``.
        warnings: survey-practice warnings (codes ``missing_intermediate``,
            ``leg_too_long``, ``closed_by_request``).
        area_m2, perimeter_m: geodesic area and perimeter of the polygon.
        grid_zone: UTM zone whose convergence was applied to grid bearings, else ``None``.
    """

    benchmark: ParsedCoordinate
    points: tuple[TraversePoint, ...]
    polygon: Polygon | MultiPolygon
    misclosure_m: float
    misclosure_bearing_deg: float
    closed_by_request: bool
    warnings: tuple[TraverseWarning, ...]
    area_m2: float
    perimeter_m: float
    grid_zone: int | None = None
    evidence: tuple[TraversePoint, ...] = field(default=())


def bearing_to_degrees(bearing: float, unit: BearingUnit) -> float:
    """Convert a bearing to degrees, refusing values outside a full circle."""
    full = MILS_PER_CIRCLE if unit is BearingUnit.MILS else 360.0
    if not math.isfinite(bearing) or not 0.0 <= bearing <= full:
        raise TraverseError(
            f"bearing {bearing} is outside 0-{full:g} {unit.value}", code="bearing_out_of_range"
        )
    return bearing * 360.0 / MILS_PER_CIRCLE if unit is BearingUnit.MILS else float(bearing)


def compute_traverse(
    benchmark: Union[str, ParsedCoordinate],
    legs: Sequence[TraverseItem],
    *,
    bearing_unit: BearingUnit = BearingUnit.DEGREES,
    reference: BearingReference = BearingReference.TRUE,
    declination_deg: float = 0.0,
    grid_zone: int | None = None,
    closure_tolerance_m: float = DEFAULT_CLOSURE_TOLERANCE_M,
    close: bool = False,
    intermediate_spacing_m: float = DEFAULT_INTERMEDIATE_SPACING_M,
    max_leg_m: float = DEFAULT_MAX_LEG_M,
    utm_letter: UtmLetter = UtmLetter.AUTO,
) -> TraverseResult:
    """Compute the points, polygon, closure and warnings of a perimeter traverse.

    Args:
        benchmark: coordinate text (any notation) or an already parsed coordinate.
        legs: :class:`Leg` and :class:`FixedPoint` items in the order surveyed.
        bearing_unit: degrees (0-360) or NATO mils (0-6400).
        reference: what the bearings are measured from.
        declination_deg: magnetic declination, east positive; used only for magnetic bearings.
        grid_zone: UTM zone of the grid for grid bearings; default the benchmark's zone.
        closure_tolerance_m: largest misclosure accepted as closing on the start point.
        close: close a traverse whose misclosure exceeds the tolerance with a closing leg.
        intermediate_spacing_m: turning points further apart need an intermediate point.
        max_leg_m: legs longer than this are warned about.
        utm_letter: how N/S after a UTM zone are read in coordinate texts (the
            programme's rule; see :class:`~geo.coordinates.UtmLetter`).

    Raises:
        TraverseError: bad bearing or distance (``bearing_out_of_range``,
            ``non_positive_distance``), bad point types, fewer than three perimeter
            points (``too_few_points``), a self-intersecting or degenerate ring
            (``self_intersection``, ``invalid_polygon``, ``zero_area``), an unreadable coordinate
            (``bad_coordinate``), a value that is not a number (``bad_number``).
        TraverseNotClosedError: misclosure above the tolerance and ``close`` is false.
    """
    bearing_unit = BearingUnit(bearing_unit)
    reference = BearingReference(reference)
    utm_letter = UtmLetter(utm_letter)
    bm = _parse_point(benchmark, None, (), utm_letter)
    if not math.isfinite(declination_deg) or abs(declination_deg) > 180.0:
        raise TraverseError(f"declination {declination_deg} is not an angle in degrees", code="bad_declination")
    if closure_tolerance_m < 0 or not math.isfinite(closure_tolerance_m):
        raise TraverseError("closure tolerance must be a non-negative distance", code="bad_tolerance")
    if not legs:
        raise TraverseError("a traverse needs legs", code="too_few_points")

    used_zone: int | None = None
    if reference is BearingReference.GRID:
        try:
            check_utm_latitude(bm.lat)
        except GeoError as exc:
            raise TraverseError(f"grid bearings need a UTM grid: {exc}", code="polar_not_supported") from exc
        used_zone = grid_zone if grid_zone is not None else zone_number(bm.lat, bm.lon)

    perimeter_indices = [i for i, item in enumerate(legs) if _declared_type(item) is not PointType.EVIDENCE]
    types = _resolve_types(legs, perimeter_indices)

    points: list[TraversePoint] = []
    warnings: list[TraverseWarning] = []
    station_lat, station_lon = bm.lat, bm.lon
    station_index: int | None = None

    for index, item in enumerate(legs):
        point_type = types[index]
        if isinstance(item, Leg):
            degrees = _leg_degrees(item, index, bearing_unit, tuple(points))
            distance = _as_float(item.distance_m, "distance", index, tuple(points))
            if not math.isfinite(distance) or distance <= 0.0:
                raise TraverseError(
                    f"distance {distance} m is not a positive length", code="non_positive_distance",
                    leg_index=index, points=tuple(points),
                )
            if distance > max_leg_m:
                warnings.append(
                    TraverseWarning(
                        "leg_too_long", f"leg {index + 1} is {distance:g} m long, more than {max_leg_m:g} m", index
                    )
                )
            azimuth = _true_azimuth(degrees, reference, declination_deg, used_zone, station_lat, station_lon)
            lon, lat, _ = WGS84.fwd(station_lon, station_lat, azimuth, distance)
            point = TraversePoint(
                index, point_type, float(lat), float(lon), item.label, item, station_index, azimuth
            )
        elif isinstance(item, FixedPoint):
            parsed = _parse_point(item.coordinate, index, tuple(points), utm_letter)
            point = TraversePoint(
                index, point_type, parsed.lat, parsed.lon, item.label, item, None, None, parsed
            )
        else:
            raise TraverseError(
                f"item of type {type(item).__name__} is neither a Leg nor a FixedPoint",
                code="bad_item", leg_index=index, points=tuple(points),
            )
        points.append(point)
        if point_type is not PointType.EVIDENCE:
            station_lat, station_lon, station_index = point.lat, point.lon, index

    perimeter = [p for p in points if p.point_type is not PointType.EVIDENCE]
    if len(perimeter) < 3:
        raise TraverseError(
            f"a perimeter needs at least three points ({len(perimeter)} given)", code="too_few_points",
            points=tuple(points),
        )
    start, last = perimeter[0], perimeter[-1]
    misclosure_m, misclosure_bearing = geodesic_inverse(last.lon, last.lat, start.lon, start.lat)

    closed_by_request = False
    if misclosure_m <= closure_tolerance_m:
        ring = perimeter[:-1]
    elif close:
        ring = perimeter
        closed_by_request = True
        warnings.append(
            TraverseWarning(
                "closed_by_request",
                f"the traverse misses the start point by {misclosure_m:.2f} m "
                f"(bearing {_fmt_bearing(misclosure_bearing)}); "
                "it was closed with a closing leg as requested",
                last.index,
            )
        )
    else:
        raise TraverseNotClosedError(
            f"the traverse misses the start point by {misclosure_m:.2f} m (bearing {_fmt_bearing(misclosure_bearing)} "
            f"from the last point), more than the {closure_tolerance_m:g} m tolerance",
            misclosure_m=misclosure_m,
            misclosure_bearing_deg=misclosure_bearing,
            tolerance_m=closure_tolerance_m,
            points=tuple(points),
        )
    if len(ring) < 3:
        raise TraverseError(
            f"the closed ring has only {len(ring)} distinct points; a polygon needs three",
            code="too_few_points", points=tuple(points),
        )

    closing_point = ring[0] if closed_by_request else last
    warnings.extend(_spacing_warnings(ring, closing_point, intermediate_spacing_m))

    # Continuous longitudes first, so a perimeter across ±180° is judged as drawn on the ground.
    polygon = unwrap_antimeridian(Polygon([(p.lon, p.lat) for p in ring]))
    reason = shapely.is_valid_reason(polygon)
    if reason != "Valid Geometry":
        raise TraverseError(
            f"the perimeter is not a simple polygon: {reason}; check the bearings and distances",
            code="self_intersection" if "Self-intersection" in reason else "invalid_polygon",
            points=tuple(points),
        )
    polygon = orient(polygon, sign=1.0)
    area, perimeter_m = geodesic_area_perimeter(polygon)
    if area < DEFAULT_MIN_AREA_M2:
        raise TraverseError(
            f"the perimeter encloses {area:.3g} m², no area at all; check the bearings and distances",
            code="zero_area", points=tuple(points),
        )
    if crosses_antimeridian(polygon):
        polygon = _oriented(split_antimeridian(polygon))
    return TraverseResult(
        benchmark=bm,
        points=tuple(points),
        polygon=polygon,
        misclosure_m=misclosure_m,
        misclosure_bearing_deg=misclosure_bearing,
        closed_by_request=closed_by_request,
        warnings=tuple(warnings),
        area_m2=area,
        perimeter_m=perimeter_m,
        grid_zone=used_zone,
        evidence=tuple(p for p in points if p.point_type is PointType.EVIDENCE),
    )


def _oriented(geom: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    return orient(geom, sign=1.0)


def _parse_point(
    value: Union[str, ParsedCoordinate],
    index: int | None,
    points: tuple[TraversePoint, ...],
    utm_letter: UtmLetter,
) -> ParsedCoordinate:
    if isinstance(value, ParsedCoordinate):
        return value
    try:
        return parse_coordinate(value, utm_letter=utm_letter)
    except CoordinateError as exc:
        what = "benchmark" if index is None else "point"
        raise TraverseError(f"the {what} coordinate cannot be read: {exc}", code="bad_coordinate",
                            leg_index=index, points=points) from exc


def _declared_type(item: TraverseItem) -> PointType | None:
    declared = getattr(item, "point_type", None)
    return PointType(declared) if declared is not None else None


def _resolve_types(legs: Sequence[TraverseItem], perimeter_indices: list[int]) -> list[PointType]:
    types: list[PointType] = []
    first = perimeter_indices[0] if perimeter_indices else None
    last = perimeter_indices[-1] if perimeter_indices else None
    for index, item in enumerate(legs):
        declared = _declared_type(item)
        if declared is PointType.EVIDENCE:
            types.append(declared)
        elif index == first:
            if declared not in (None, PointType.START, PointType.TURNING):
                raise TraverseError(
                    f"the first perimeter point is the start point, not {declared.value}",
                    code="bad_point_type", leg_index=index,
                )
            types.append(PointType.START)
        elif declared is PointType.START:
            raise TraverseError("only the first perimeter point can be the start point", code="bad_point_type",
                                leg_index=index)
        elif declared is PointType.END and index != last:
            raise TraverseError("only the last perimeter point can be the end point", code="bad_point_type",
                                leg_index=index)
        elif declared is None:
            types.append(PointType.END if index == last else PointType.TURNING)
        else:
            types.append(declared)
    return types


def _as_float(value: object, name: str, index: int, points: tuple[TraversePoint, ...]) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise TraverseError(f"{name} {value!r} is not a number", code="bad_number", leg_index=index,
                            points=points) from exc


def _leg_degrees(leg: Leg, index: int, unit: BearingUnit, points: tuple[TraversePoint, ...]) -> float:
    bearing = _as_float(leg.bearing, "bearing", index, points)
    try:
        return bearing_to_degrees(bearing, unit)
    except TraverseError as exc:
        raise TraverseError(exc.message, code=exc.code, leg_index=index, points=points) from exc


def _true_azimuth(
    degrees: float,
    reference: BearingReference,
    declination_deg: float,
    zone: int | None,
    lat: float,
    lon: float,
) -> float:
    if reference is BearingReference.MAGNETIC:
        degrees += declination_deg
    elif reference is BearingReference.GRID:
        assert zone is not None
        degrees += grid_convergence_deg(lat, lon, zone)
    return degrees % 360.0


def _fmt_bearing(degrees: float) -> str:
    return f"{round(degrees, 1) % 360.0:05.1f}°"


def _name(point: TraversePoint) -> str:
    return f"point {point.label}" if point.label else f"point {point.index + 1}"


def _spacing_warnings(
    ring: list[TraversePoint], closing_point: TraversePoint, spacing_m: float
) -> list[TraverseWarning]:
    """Turning points more than ``spacing_m`` apart with no intermediate point between them.

    The ring is walked once around. The closing side ends at ``closing_point``: the
    measured last point when it closed on the start point within tolerance (so the
    side is judged by what was measured), else the start point itself.
    """
    warnings: list[TraverseWarning] = []
    sequence = list(ring) + [closing_point]
    previous: TraversePoint | None = None
    intermediate_seen = False
    for position, point in enumerate(sequence):
        if point.point_type is PointType.INTERMEDIATE:
            intermediate_seen = True
            continue
        if previous is not None and not intermediate_seen:
            distance, _ = geodesic_inverse(previous.lon, previous.lat, point.lon, point.lat)
            if distance > spacing_m + _LENGTH_SLACK_M:
                to_name = f"the start point ({_name(ring[0])})" if position == len(ring) else _name(point)
                warnings.append(
                    TraverseWarning(
                        "missing_intermediate",
                        f"{_name(previous)} and {to_name} are {distance:.1f} m apart with no intermediate "
                        f"point between them (expected beyond {spacing_m:g} m)",
                        previous.index,
                    )
                )
        previous = point
        intermediate_seen = False
    return warnings
