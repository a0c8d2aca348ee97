"""The checked example of DOMAIN.md, reproduced end to end."""

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from geo import (
    BearingReference,
    CoordinateFormat,
    buffer_m,
    compute_traverse,
    geodesic_area_m2,
    geodesic_distance_m,
    hausdorff_distance_m,
    parse_coordinate,
    utm_epsg_for,
)


def test_turning_points_match_the_published_values(example):
    result = compute_traverse(example.benchmark, example.legs)
    computed = result.points[:4]
    assert [p.label for p in computed] == ["TP1", "TP2", "TP3", "TP4"]
    for point, (lat, lon) in zip(computed, example.turning_points):
        assert geodesic_distance_m(point.lon, point.lat, lon, lat) < 0.05


def test_area_perimeter_and_misclosure(example):
    result = compute_traverse(example.benchmark, example.legs)
    assert result.area_m2 == pytest.approx(5000.0, abs=1.0)
    assert result.perimeter_m == pytest.approx(300.0, abs=0.1)
    assert result.misclosure_m < 0.05
    assert not result.closed_by_request
    # The ring is the four turning points; the benchmark is not a vertex.
    assert len(result.polygon.exterior.coords) == 5
    assert result.polygon.exterior.is_ccw
    benchmark = parse_coordinate(example.benchmark).point
    assert not result.polygon.exterior.buffer(1e-9).contains(benchmark)


def test_benchmark_in_every_notation_is_the_same_point(example):
    dms = parse_coordinate(example.benchmark)
    utm = parse_coordinate(example.benchmark_utm)
    mgrs = parse_coordinate(example.benchmark_mgrs)
    assert (dms.lat, dms.lon) == (48.0, 37.0)
    assert dms.format is CoordinateFormat.DMS
    assert utm.format is CoordinateFormat.UTM
    assert mgrs.format is CoordinateFormat.MGRS
    assert geodesic_distance_m(utm.lon, utm.lat, 37.0, 48.0) < 0.05
    assert geodesic_distance_m(mgrs.lon, mgrs.lat, 37.0, 48.0) < 1.0


def test_traverse_from_the_mgrs_benchmark_is_within_a_metre(example):
    from_dms = compute_traverse(example.benchmark, example.legs)
    from_mgrs = compute_traverse(example.benchmark_mgrs, example.legs)
    assert hausdorff_distance_m(from_dms.polygon, from_mgrs.polygon) < 1.0


def test_mgrs_form_across_the_band_line_gives_the_same_polygon(example):
    parsed = [parse_coordinate(text) for text in example.mgrs]
    assert [p.lat >= 48.0 for p in parsed] == [True, True, False, False]
    mgrs_polygon = Polygon([(p.lon, p.lat) for p in parsed])
    traverse = compute_traverse(example.benchmark, example.legs)
    assert hausdorff_distance_m(mgrs_polygon, traverse.polygon) < 1.0
    assert geodesic_area_m2(mgrs_polygon) == pytest.approx(5000.0, rel=0.01)


def test_magnetic_declination_rotates_the_traverse(example):
    true = compute_traverse(example.benchmark, example.legs)
    magnetic = compute_traverse(
        example.benchmark, example.legs, reference=BearingReference.MAGNETIC, declination_deg=8.0
    )
    tp3_true, tp3_magnetic = true.points[2], magnetic.points[2]
    moved = geodesic_distance_m(tp3_true.lon, tp3_true.lat, tp3_magnetic.lon, tp3_magnetic.lat)
    assert moved == pytest.approx(14.6, abs=0.2)
    assert magnetic.area_m2 == pytest.approx(5000.0, abs=1.0)
    assert magnetic.misclosure_m < 0.05
    # East declination turns every leg clockwise: TP1 now lies east of the benchmark's meridian.
    assert magnetic.points[0].lon > 37.0
    assert magnetic.points[0].true_azimuth_deg == pytest.approx(8.0)


def test_fifty_metre_warning_buffer(example):
    polygon = compute_traverse(example.benchmark, example.legs).polygon
    zone = buffer_m(polygon, 50.0)
    area = geodesic_area_m2(zone)
    # Exact rounded buffer: 5 000 + 2·(100 + 50)·50 + π·50² ≈ 27 854 m²; 16 segments per
    # quarter circle give the published ≈ 27 840 m².
    assert area == pytest.approx(27_840.0, abs=15.0)
    assert area < 5_000 + 2 * 150 * 50 + 3.14159266 * 50**2
    assert zone.contains(polygon)
    assert hausdorff_distance_m(zone.exterior, polygon.exterior) == pytest.approx(50.0, abs=0.05)


def test_utm_area_differs_from_geodesic_area_as_published(example):
    polygon = compute_traverse(example.benchmark, example.legs).polygon
    assert utm_epsg_for(polygon) == 32637
    to_utm = Transformer.from_crs(4326, 32637, always_xy=True)
    utm_area = shapely.transform(polygon, to_utm.transform, interleaved=False).area
    assert utm_area == pytest.approx(4998.8, abs=0.1)
