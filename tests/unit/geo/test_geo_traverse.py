"""Traverse computation: references, units, point types, closure, warnings and errors."""

import math
from decimal import Decimal

import pytest
from pyproj import Geod, Transformer

from geo import (
    BearingReference,
    BearingUnit,
    FixedPoint,
    Leg,
    PointType,
    TraverseError,
    TraverseNotClosedError,
    UtmLetter,
    compute_traverse,
    format_coordinate,
    geodesic_area_m2,
    geodesic_distance_m,
    geodesic_inverse,
    grid_convergence_deg,
    hausdorff_distance_m,
)

BM = "48.0 37.0"


def square_legs(side=40.0, first=20.0):
    return [Leg(0, first), Leg(90, side), Leg(180, side), Leg(270, side), Leg(0, side)]


def codes(result):
    return [w.code for w in result.warnings]


def angle_between(a, b):
    """Smallest difference between two bearings in degrees."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


# --------------------------------------------------------------------------- grid convergence


def _grid_bearing_of_true_north(lat, lon, zone):
    to_grid = Transformer.from_crs(4326, 32600 + zone, always_xy=True).transform
    end_lon, end_lat, _ = Geod(ellps="WGS84").fwd(lon, lat, 0.0, 100.0)
    x1, y1 = to_grid(lon, lat)
    x2, y2 = to_grid(end_lon, end_lat)
    return math.degrees(math.atan2(x2 - x1, y2 - y1))


@pytest.mark.parametrize(
    ("lat", "lon", "sign"), [(48.0, 37.0, -1), (48.0, 40.5, +1), (10.0, 38.0, -1), (60.0, 43.0, +1)]
)
def test_convergence_sign_convention(lat, lon, sign):
    """true azimuth = grid bearing + γ; γ > 0 east of the central meridian (39°E) in the north."""
    gamma = grid_convergence_deg(lat, lon, zone=37)
    assert math.copysign(1, gamma) == sign
    # A line heading true north has grid bearing −γ.
    assert _grid_bearing_of_true_north(lat, lon, 37) == pytest.approx(-gamma, abs=1e-4)
    # Rule of thumb γ ≈ Δλ·sin φ.
    assert gamma == pytest.approx((lon - 39.0) * math.sin(math.radians(lat)), abs=0.01)


def test_grid_bearings_follow_the_grid():
    """A grid-north leg ends due grid-north of its start: same easting."""
    result = compute_traverse(
        BM, [Leg(0, 20), Leg(0, 100), Leg(90, 100), Leg(180, 100), Leg(270, 100)],
        reference=BearingReference.GRID,
    )
    assert result.grid_zone == 37
    to_utm = Transformer.from_crs(4326, 32637, always_xy=True)
    x0, y0 = to_utm.transform(37.0, 48.0)
    x1, y1 = to_utm.transform(result.points[0].lon, result.points[0].lat)
    assert x1 == pytest.approx(x0, abs=0.01)
    assert y1 - y0 == pytest.approx(20.0, abs=0.02)
    gamma = grid_convergence_deg(48.0, 37.0, 37)
    assert result.points[0].true_azimuth_deg == pytest.approx(gamma % 360.0, abs=1e-9)
    assert result.misclosure_m < 0.05


def test_grid_zone_can_be_forced():
    result = compute_traverse(BM, square_legs(), reference=BearingReference.GRID, grid_zone=36)
    assert result.grid_zone == 36
    assert result.points[0].true_azimuth_deg == pytest.approx(grid_convergence_deg(48.0, 37.0, 36) % 360)


def test_declination_is_ignored_for_true_bearings():
    plain = compute_traverse(BM, square_legs())
    with_declination = compute_traverse(BM, square_legs(), declination_deg=8.0)
    assert plain.polygon.equals_exact(with_declination.polygon, 1e-12)


def test_west_declination_turns_anticlockwise():
    result = compute_traverse(BM, square_legs(), reference=BearingReference.MAGNETIC, declination_deg=-5.0)
    assert result.points[0].true_azimuth_deg == pytest.approx(355.0)
    assert result.points[0].lon < 37.0


# --------------------------------------------------------------------------- units


def test_mils_equal_degrees():
    degrees = compute_traverse(BM, square_legs())
    mils = compute_traverse(
        BM, [Leg(0, 20), Leg(1600, 40), Leg(3200, 40), Leg(4800, 40), Leg(6400, 40)],
        bearing_unit=BearingUnit.MILS,
    )
    assert hausdorff_distance_m(degrees.polygon, mils.polygon) < 1e-6


@pytest.mark.parametrize(
    ("bearing", "unit"),
    [(-0.5, BearingUnit.DEGREES), (360.5, BearingUnit.DEGREES), (6400.1, BearingUnit.MILS),
     (-1, BearingUnit.MILS), (float("nan"), BearingUnit.DEGREES), (float("inf"), BearingUnit.DEGREES)],
)
def test_bearing_out_of_range_is_an_error(bearing, unit):
    legs = square_legs()
    legs[2] = Leg(bearing, 40)
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, legs, bearing_unit=unit)
    assert caught.value.code == "bearing_out_of_range"
    assert caught.value.leg_index == 2
    assert len(caught.value.points) == 2


@pytest.mark.parametrize("distance", [0.0, -5.0, float("nan")])
def test_non_positive_distance_is_an_error(distance):
    legs = square_legs()
    legs[1] = Leg(90, distance)
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, legs)
    assert caught.value.code == "non_positive_distance"
    assert caught.value.leg_index == 1


# --------------------------------------------------------------------------- closure


def test_open_traverse_is_refused_with_its_misclosure():
    legs = [Leg(0, 20), Leg(90, 40), Leg(180, 40), Leg(270, 40)]
    with pytest.raises(TraverseNotClosedError) as caught:
        compute_traverse(BM, legs)
    error = caught.value
    assert error.code == "not_closed"
    assert error.misclosure_m == pytest.approx(40.0, abs=0.01)
    assert angle_between(error.misclosure_bearing_deg, 0.0) < 0.01
    assert len(error.points) == 4


def test_close_on_request_keeps_the_end_point_and_reports_the_closing_leg():
    legs = [Leg(0, 20), Leg(90, 40), Leg(180, 40), Leg(270, 40)]
    result = compute_traverse(BM, legs, close=True)
    assert result.closed_by_request
    assert "closed_by_request" in codes(result)
    assert len(result.polygon.exterior.coords) == 5
    assert result.area_m2 == pytest.approx(1600.0, abs=0.5)
    assert result.misclosure_m == pytest.approx(40.0, abs=0.01)


def test_small_misclosure_within_tolerance_closes_on_the_start_point():
    legs = [Leg(0, 20), Leg(90, 40), Leg(180, 40), Leg(270, 40), Leg(0, 39.4)]
    result = compute_traverse(BM, legs)
    assert result.misclosure_m == pytest.approx(0.6, abs=0.01)
    assert angle_between(result.misclosure_bearing_deg, 0.0) < 0.1
    assert not result.closed_by_request
    assert len(result.polygon.exterior.coords) == 5
    start, last = result.points[0], result.points[-1]
    vertices = list(result.polygon.exterior.coords)
    assert (start.lon, start.lat) in vertices
    assert (last.lon, last.lat) not in vertices


def test_tolerance_is_a_parameter():
    legs = [Leg(0, 20), Leg(90, 40), Leg(180, 40), Leg(270, 40), Leg(0, 37.0)]
    with pytest.raises(TraverseNotClosedError):
        compute_traverse(BM, legs)
    assert compute_traverse(BM, legs, closure_tolerance_m=5.0).misclosure_m == pytest.approx(3.0, abs=0.01)


def test_misclosure_bearing_points_back_to_the_start():
    # The west side is 0.5 m short, so the last point lies 0.5 m east of the start point.
    legs = [Leg(0, 20), Leg(90, 40), Leg(180, 40), Leg(270, 39.5), Leg(0, 40)]
    result = compute_traverse(BM, legs)
    assert result.misclosure_m == pytest.approx(0.5, abs=0.01)
    assert angle_between(result.misclosure_bearing_deg, 270.0) < 0.5


def test_self_intersecting_perimeter_is_an_error():
    legs = [Leg(0, 20), Leg(90, 40), Leg(225, 56.5685), Leg(90, 40), Leg(315, 56.5685)]
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, legs, closure_tolerance_m=0.5)
    assert caught.value.code == "self_intersection"
    assert caught.value.points


def test_perimeter_without_area_is_an_error():
    there_and_along = [Leg(0, 20), Leg(90, 40), Leg(90, 40), Leg(270, 80)]
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, there_and_along)
    assert caught.value.code in ("zero_area", "self_intersection", "invalid_polygon")


def test_numbers_may_come_as_decimals_or_text():
    legs = [Leg(Decimal("0"), Decimal("20")), Leg("90", "40"), Leg(180, 40.0), Leg(270, 40), Leg(0, 40)]
    assert compute_traverse(BM, legs).area_m2 == pytest.approx(1600.0, abs=0.5)
    legs[1] = Leg("east", 40)
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, legs)
    assert caught.value.code == "bad_number"
    assert caught.value.leg_index == 1


def test_utm_letter_rule_reaches_fixed_points_and_benchmark():
    benchmark = "42S 512345 3812345"
    with pytest.raises(TraverseError) as caught:
        compute_traverse(benchmark, square_legs())
    assert caught.value.code == "bad_coordinate"
    result = compute_traverse(benchmark, square_legs(), utm_letter=UtmLetter.BAND)
    assert 32.0 < result.benchmark.lat < 40.0


@pytest.mark.parametrize("declination", [float("nan"), 200.0, -181.0])
def test_impossible_declination(declination):
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, square_legs(), reference=BearingReference.MAGNETIC, declination_deg=declination)
    assert caught.value.code == "bad_declination"


def test_grid_bearings_need_a_utm_grid():
    with pytest.raises(TraverseError) as caught:
        compute_traverse("85.5 10.0", square_legs(), reference=BearingReference.GRID)
    assert caught.value.code == "polar_not_supported"


def test_too_few_points():
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, [Leg(0, 20), Leg(90, 40)])
    assert caught.value.code == "too_few_points"
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, [])
    assert caught.value.code == "too_few_points"


# --------------------------------------------------------------------------- point types


def test_types_are_inferred():
    result = compute_traverse(BM, square_legs())
    assert [p.point_type for p in result.points] == [
        PointType.START, PointType.TURNING, PointType.TURNING, PointType.TURNING, PointType.END
    ]
    assert result.points[0].from_index is None
    assert result.points[1].from_index == 0


def test_evidence_points_are_side_shots_not_vertices():
    legs = square_legs()
    legs.insert(2, Leg(135, 10, PointType.EVIDENCE, "EV1"))
    result = compute_traverse(BM, legs)
    evidence = result.points[2]
    assert evidence.point_type is PointType.EVIDENCE
    assert result.evidence == (evidence,)
    # Measured from TP2; the next leg still starts at TP2.
    tp2, tp3 = result.points[1], result.points[3]
    assert evidence.from_index == 1 and tp3.from_index == 1
    assert geodesic_distance_m(tp2.lon, tp2.lat, evidence.lon, evidence.lat) == pytest.approx(10.0, abs=1e-6)
    assert len(result.polygon.exterior.coords) == 5
    assert (evidence.lon, evidence.lat) not in list(result.polygon.exterior.coords)
    assert result.area_m2 == pytest.approx(1600.0, abs=0.5)


def test_intermediate_points_are_vertices_and_silence_the_spacing_warning():
    legs = [
        Leg(0, 20), Leg(90, 50, PointType.INTERMEDIATE), Leg(90, 50), Leg(180, 50), Leg(270, 100), Leg(0, 50)
    ]
    result = compute_traverse(BM, legs)
    assert len(result.polygon.exterior.coords) == 6
    warned = [w for w in result.warnings if w.code == "missing_intermediate"]
    # TP1→TP2 has an intermediate point; TP3→TP4 (100 m) has none.
    assert [w.point_index for w in warned] == [3]


def test_spacing_threshold_is_a_parameter_and_fifty_metres_is_not_more_than_fifty():
    result = compute_traverse(BM, [Leg(0, 20), Leg(90, 50), Leg(180, 50), Leg(270, 50), Leg(0, 50)])
    assert "missing_intermediate" not in codes(result)
    strict = compute_traverse(
        BM, [Leg(0, 20), Leg(90, 50), Leg(180, 50), Leg(270, 50), Leg(0, 50)], intermediate_spacing_m=30
    )
    assert codes(strict).count("missing_intermediate") == 4


def test_long_leg_warning():
    legs = [Leg(0, 20), Leg(90, 1200), Leg(180, 40), Leg(270, 1200), Leg(0, 40)]
    result = compute_traverse(BM, legs)
    long_legs = [w for w in result.warnings if w.code == "leg_too_long"]
    assert [w.point_index for w in long_legs] == [1, 3]
    assert compute_traverse(BM, legs, max_leg_m=2000).warnings[0].code != "leg_too_long"


@pytest.mark.parametrize(
    ("position", "point_type"),
    [(0, PointType.INTERMEDIATE), (0, PointType.END), (2, PointType.START), (2, PointType.END)],
)
def test_misplaced_point_types_are_errors(position, point_type):
    legs = square_legs()
    legs[position] = Leg(legs[position].bearing, legs[position].distance_m, point_type)
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, legs)
    assert caught.value.code == "bad_point_type"
    assert caught.value.leg_index == position


def test_fixed_points_in_any_notation_and_verbatim_text():
    start = compute_traverse(BM, square_legs()).points
    tp2_text = format_coordinate(start[1].lat, start[1].lon, "DMS", precision=3)
    tp3_text = format_coordinate(start[2].lat, start[2].lon, "MGRS")
    legs = square_legs()
    legs[1] = FixedPoint(tp2_text)
    legs[2] = FixedPoint(tp3_text)
    result = compute_traverse(BM, legs)
    assert result.points[1].coordinate.text == tp2_text
    assert result.points[2].coordinate.format.value == "MGRS"
    assert result.points[3].from_index == 2
    assert result.misclosure_m < 1.0


def test_unreadable_fixed_point():
    legs = square_legs()
    legs[2] = FixedPoint("48 61 00 N 37 00 00 E")
    with pytest.raises(TraverseError) as caught:
        compute_traverse(BM, legs)
    assert caught.value.code == "bad_coordinate"
    assert caught.value.leg_index == 2
    assert "minutes" in str(caught.value)


def test_unreadable_benchmark():
    with pytest.raises(TraverseError) as caught:
        compute_traverse("37I 350812 5318235", square_legs())
    assert caught.value.code == "bad_coordinate"


def test_polygon_is_counter_clockwise_whatever_the_walking_direction():
    anticlockwise = [Leg(0, 20), Leg(270, 40), Leg(180, 40), Leg(90, 40), Leg(0, 40)]
    result = compute_traverse(BM, anticlockwise)
    assert result.polygon.exterior.is_ccw
    assert result.area_m2 == pytest.approx(1600.0, abs=0.5)


def test_perimeter_across_the_antimeridian_is_split():
    legs = [Leg(90, 20), Leg(90, 100), Leg(0, 100), Leg(270, 100), Leg(180, 100)]
    result = compute_traverse("-17.5, 179.9995", legs)
    first, second = result.points[0], result.points[1]
    assert first.lon > 179.0 and second.lon < -179.0
    distance, _ = geodesic_inverse(first.lon, first.lat, second.lon, second.lat)
    assert distance == pytest.approx(100.0, abs=1e-6)
    assert result.area_m2 == pytest.approx(10_000.0, abs=2.0)
    assert result.perimeter_m == pytest.approx(400.0, abs=0.1)
    assert result.polygon.geom_type == "MultiPolygon"
    minx, _, maxx, _ = result.polygon.bounds
    assert -180.0 <= minx and maxx <= 180.0
    assert geodesic_area_m2(result.polygon) == pytest.approx(result.area_m2, rel=1e-9)
    assert all(part.exterior.is_ccw for part in result.polygon.geoms)
