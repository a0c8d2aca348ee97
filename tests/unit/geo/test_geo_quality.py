"""Quality findings (one test per code) and normalisation."""

import math

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from geo import Finding, GeometryError, QualitySettings, Severity, check_polygon, geodesic_area_m2, normalise
from geo.measures import WGS84

# A 100 m × 100 m square near the checked example, as raw (lon, lat) coordinates.
LON, LAT = 37.0, 48.0
D_LON = 100.0 / (111_320.0 * math.cos(math.radians(LAT)))
D_LAT = 100.0 / 111_200.0
SQUARE = [(LON, LAT), (LON + D_LON, LAT), (LON + D_LON, LAT + D_LAT), (LON, LAT + D_LAT), (LON, LAT)]
AREA_OF_OPERATIONS = box(36.0, 47.0, 39.0, 49.0)


def only(findings, code):
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, findings
    return matching[0]


def codes(findings):
    return [f.code for f in findings]


def test_clean_polygon_has_no_findings():
    settings = QualitySettings(area_of_operations=AREA_OF_OPERATIONS)
    assert check_polygon(SQUARE, settings=settings) == []
    assert check_polygon(Polygon(SQUARE), settings=settings) == []
    assert check_polygon({"type": "Polygon", "coordinates": [SQUARE]}, settings=settings) == []


def test_too_many_vertices_is_checked_first_and_alone():
    ring = [(LON + 0.0001 * math.cos(a / 100), LAT + 0.0001 * math.sin(a / 100)) for a in range(629)]
    findings = check_polygon(ring + [(float("nan"), 0)], settings=QualitySettings(max_vertices=500))
    assert codes(findings) == ["too_many_vertices"]
    assert findings[0].severity is Severity.ERROR


def test_non_finite_coordinates():
    ring = list(SQUARE)
    ring[2] = (float("inf"), LAT)
    finding = only(check_polygon(ring), "non_finite_coordinate")
    assert finding.severity is Severity.ERROR
    assert "vertex 3" in finding.message
    assert codes(check_polygon([(LON, LAT), (float("nan"), LAT), (LON, LAT + D_LAT)])) == ["non_finite_coordinate"]


def test_not_polygonal_and_empty():
    assert codes(check_polygon(Point(LON, LAT))) == ["not_polygonal"]
    assert codes(check_polygon({"type": "LineString", "coordinates": SQUARE})) == ["not_polygonal"]
    assert codes(check_polygon(Polygon())) == ["empty"]
    assert codes(check_polygon([[("a", "b"), (1, 2), (3, 4)]])) == ["bad_coordinate"]


def test_coordinates_out_of_range_with_swap_hint():
    swapped = [(lat, lon + 100) for lon, lat in SQUARE]
    finding = only(check_polygon(swapped), "coordinate_out_of_range")
    assert "swapped" in finding.message
    hopeless = [(lon + 150, lat + 100) for lon, lat in SQUARE]
    assert "swapped" not in only(check_polygon(hopeless), "coordinate_out_of_range").message


def test_unclosed_ring_only_for_raw_input():
    finding = only(check_polygon(SQUARE[:-1]), "unclosed_ring")
    assert finding.severity is Severity.WARNING
    assert finding.location == SQUARE[3]
    assert "unclosed_ring" not in codes(check_polygon(Polygon(SQUARE[:-1])))


def test_duplicate_consecutive_vertices_are_informational():
    ring = [SQUARE[0], SQUARE[1], SQUARE[1], (SQUARE[1][0] + 1e-9, SQUARE[1][1]), SQUARE[2], SQUARE[3], SQUARE[0]]
    finding = only(check_polygon(ring), "duplicate_vertices")
    assert finding.severity is Severity.INFO
    assert "2 vertex" in finding.message
    assert finding.location == pytest.approx(SQUARE[1])


def test_fewer_than_three_distinct_vertices():
    ring = [SQUARE[0], SQUARE[1], SQUARE[1], SQUARE[0]]
    finding = only(check_polygon(ring), "too_few_vertices")
    assert finding.severity is Severity.ERROR


def test_self_intersection_with_the_crossing_point():
    bowtie = [SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3], SQUARE[0]]
    finding = only(check_polygon(bowtie), "self_intersection")
    assert finding.severity is Severity.ERROR
    centre = (LON + D_LON / 2, LAT + D_LAT / 2)
    # Found on the 1e-7° grid the vertices are compared on.
    assert finding.location == pytest.approx(centre, abs=1e-7)


def test_other_invalidity():
    shell = box(LON, LAT, LON + D_LON, LAT + D_LAT)
    hole_outside = box(LON + 2 * D_LON, LAT, LON + 3 * D_LON, LAT + D_LAT)
    polygon = Polygon(shell.exterior.coords, [hole_outside.exterior.coords])
    finding = only(check_polygon(polygon), "invalid_geometry")
    assert "hole" in finding.message


def test_zero_area():
    sliver = [(LON, LAT), (LON + D_LON, LAT), (LON + D_LON, LAT + 1e-9), (LON, LAT)]
    finding = only(check_polygon(sliver, settings=QualitySettings(precision_deg=1e-12)), "zero_area")
    assert finding.severity is Severity.ERROR


def test_vertices_far_apart():
    big = [(LON, LAT), (LON + 0.1, LAT), (LON + 0.1, LAT + 0.01), (LON, LAT + 0.01), (LON, LAT)]
    findings = [f for f in check_polygon(big) if f.code == "vertices_far_apart"]
    assert len(findings) == 2
    assert all(f.severity is Severity.WARNING for f in findings)
    assert check_polygon(big, settings=QualitySettings(max_vertex_spacing_m=10_000)) == []


def test_outside_the_area_of_operations():
    far = [(lon + 5.0, lat) for lon, lat in SQUARE]
    finding = only(check_polygon(far, settings=QualitySettings(area_of_operations=AREA_OF_OPERATIONS)),
                   "outside_area_of_operations")
    assert finding.severity is Severity.ERROR
    assert "4 of 4" in finding.message


def test_swapped_latitude_and_longitude_inside_the_area_of_operations():
    area = box(36.0, 47.0, 49.0, 49.0)  # wide enough that 48°E, 37°N is outside
    swapped = [(lat, lon) for lon, lat in SQUARE]
    finding = only(check_polygon(swapped, settings=QualitySettings(area_of_operations=area)), "lat_lon_swapped")
    assert "swapped" in finding.message


def test_overlap_with_another_hazard():
    half = box(LON + D_LON / 2, LAT, LON + 2 * D_LON, LAT + D_LAT)
    finding = only(check_polygon(SQUARE, others=[("HZ-0042", half)]), "overlaps_other")
    assert finding.related == "HZ-0042"
    assert finding.severity is Severity.WARNING
    assert "50.0%" in finding.message


def test_small_overlap_below_the_share_is_accepted():
    touching = box(LON + D_LON * 0.995, LAT, LON + 2 * D_LON, LAT + D_LAT)
    assert check_polygon(SQUARE, others=[touching]) == []
    assert codes(check_polygon(SQUARE, others=[touching], settings=QualitySettings(max_overlap_share=0.001))) == [
        "overlaps_other"
    ]


def test_release_product_outside_its_hazard():
    hazard = Polygon(SQUARE)
    # A release product that pokes 5 m east out of its hazard.
    five_m = 5.0 / (111_320.0 * math.cos(math.radians(LAT)))
    product = box(LON + D_LON / 2, LAT + D_LAT / 4, LON + D_LON + five_m, LAT + D_LAT / 2)
    finding = only(check_polygon(product, parent=hazard), "outside_parent")
    assert finding.severity is Severity.ERROR
    assert "up to 5.0 m" in finding.message
    assert check_polygon(product, parent=hazard, settings=QualitySettings(parent_tolerance_m=6.0)) == []


def test_release_product_on_its_hazard_boundary_is_accepted():
    hazard = Polygon(SQUARE)
    product = box(LON + D_LON / 2, LAT, LON + D_LON, LAT + D_LAT)
    assert check_polygon(product, parent=hazard) == []


def test_crossing_the_antimeridian_is_checked_as_drawn():
    jumping = [(179.9995, -17.5), (-179.9995, -17.5), (-179.9995, -17.499), (179.9995, -17.499), (179.9995, -17.5)]
    findings = check_polygon(jumping)
    assert codes(findings) == ["crosses_antimeridian"]
    assert findings[0].severity is Severity.INFO


def test_findings_are_plain_dataclasses():
    finding = check_polygon(SQUARE[:-1])[0]
    assert isinstance(finding, Finding)
    assert finding.severity.value == "warning"


# --------------------------------------------------------------------------- normalise


def test_normalise_closes_orients_dedupes_and_quantises():
    clockwise = [SQUARE[0], SQUARE[3], SQUARE[3], SQUARE[2], (SQUARE[1][0] + 3e-9, SQUARE[1][1] - 4e-9)]
    result = normalise(clockwise)
    assert isinstance(result, Polygon)
    assert result.exterior.is_ccw
    coords = list(result.exterior.coords)
    assert coords[0] == coords[-1]
    assert len(coords) == 5
    for x, y in coords:
        assert round(x, 7) == x and round(y, 7) == y
    assert result.normalize().equals_exact(Polygon(SQUARE).normalize(), 2e-7)


def test_normalise_makes_holes_clockwise():
    outer = box(LON, LAT, LON + D_LON, LAT + D_LAT, ccw=False)
    hole = box(LON + D_LON / 4, LAT + D_LAT / 4, LON + D_LON / 2, LAT + D_LAT / 2, ccw=True)
    result = normalise(Polygon(outer.exterior.coords, [hole.exterior.coords]))
    assert result.exterior.is_ccw
    assert not result.interiors[0].is_ccw
    assert geodesic_area_m2(result) == pytest.approx(geodesic_area_m2(outer) - geodesic_area_m2(hole), rel=1e-4)


def test_normalise_keeps_multipolygons_and_is_idempotent():
    parts = MultiPolygon([Polygon(SQUARE), box(LON + 1, LAT, LON + 1 + D_LON, LAT + D_LAT, ccw=False)])
    once = normalise(parts)
    assert isinstance(once, MultiPolygon)
    assert all(p.exterior.is_ccw for p in once.geoms)
    assert normalise(once).equals_exact(once, 0)


def test_normalise_custom_precision():
    result = normalise(SQUARE, precision_deg=1e-3)
    for x, y in result.exterior.coords:
        assert round(x, 3) == x and round(y, 3) == y


def test_normalise_splits_at_the_antimeridian():
    jumping = [(179.9995, -17.5), (-179.9995, -17.5), (-179.9995, -17.499), (179.9995, -17.499)]
    result = normalise(jumping)
    assert isinstance(result, MultiPolygon)
    assert all(p.exterior.is_ccw for p in result.geoms)
    minx, _, maxx, _ = result.bounds
    assert minx >= -180 and maxx <= 180
    _, _, width = WGS84.inv(179.9995, -17.5, -179.9995, -17.5)
    assert geodesic_area_m2(result) == pytest.approx(width * 110.7, rel=0.01)


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        ([SQUARE[0], SQUARE[1], SQUARE[1], SQUARE[0]], "too_few_vertices"),
        ([(LON, LAT), (float("nan"), LAT), (LON, LAT + 1), (LON, LAT)], "non_finite_coordinate"),
        ([(LAT, 137.0), (LAT, 137.1), (LAT + 0.1, 137.1)], "coordinate_out_of_range"),
        (Point(0, 0), "not_polygonal"),
        (MultiPolygon(), "empty"),
    ],
)
def test_normalise_refuses_what_it_cannot_repair(geometry, code):
    with pytest.raises(GeometryError) as caught:
        normalise(geometry)
    assert caught.value.code == code
