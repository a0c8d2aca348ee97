"""Geodesic measures, local UTM zone, metre buffers and the antimeridian."""

import math

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from geo import (
    GeometryError,
    buffer_m,
    distance_m,
    geodesic_area_m2,
    geodesic_area_perimeter,
    geodesic_length_m,
    geodesic_perimeter_m,
    hausdorff_distance_m,
    split_antimeridian,
    unwrap_antimeridian,
    utm_epsg_for,
)
from geo.measures import WGS84, crosses_antimeridian


def metre_square(lon, lat, side):
    """A square of ``side`` metres with its south-west corner at (lon, lat), built geodesically."""
    e_lon, e_lat, _ = WGS84.fwd(lon, lat, 90, side)
    ne_lon, ne_lat, _ = WGS84.fwd(e_lon, e_lat, 0, side)
    n_lon, n_lat, _ = WGS84.fwd(lon, lat, 0, side)
    return Polygon([(lon, lat), (e_lon, e_lat), (ne_lon, ne_lat), (n_lon, n_lat)])


# --------------------------------------------------------------------------- area and perimeter


def test_area_is_positive_whatever_the_orientation():
    square = metre_square(37.0, 48.0, 100)
    reversed_square = Polygon(list(square.exterior.coords)[::-1])
    assert square.exterior.is_ccw != reversed_square.exterior.is_ccw
    assert geodesic_area_m2(square) == pytest.approx(10_000.0, abs=0.5)
    assert geodesic_area_m2(reversed_square) == pytest.approx(geodesic_area_m2(square), rel=1e-12)
    assert geodesic_perimeter_m(square) == pytest.approx(400.0, abs=0.01)


@pytest.mark.parametrize("hole_ccw", [True, False])
def test_holes_are_subtracted_whatever_their_orientation(hole_ccw):
    outer = metre_square(37.0, 48.0, 100)
    inner = metre_square(37.0002, 48.0002, 20)
    hole = list(inner.exterior.coords)
    if inner.exterior.is_ccw != hole_ccw:
        hole = hole[::-1]
    area, perimeter = geodesic_area_perimeter(Polygon(outer.exterior.coords, [hole]))
    assert area == pytest.approx(10_000.0 - 400.0, abs=0.5)
    assert perimeter == pytest.approx(400.0 + 80.0, abs=0.01)


def test_multipolygon_sums_its_parts():
    a, b = metre_square(37.0, 48.0, 100), metre_square(38.0, 48.0, 50)
    assert geodesic_area_m2(MultiPolygon([a, b])) == pytest.approx(12_500.0, abs=1.0)


def test_area_is_not_web_mercator():
    """Web Mercator inflates areas by about 1/cos²(latitude): ×2.2 at 48°N (DOMAIN.md)."""
    square = metre_square(37.0, 48.0, 1000)
    geodesic = geodesic_area_m2(square)
    assert geodesic == pytest.approx(1_000_000.0, rel=1e-4)
    to_mercator = Transformer.from_crs(4326, 3857, always_xy=True)
    mercator = shapely.transform(square, to_mercator.transform, interleaved=False).area
    assert mercator / geodesic == pytest.approx(1 / math.cos(math.radians(48.0)) ** 2, rel=0.01)


def test_lines_and_points_have_no_area():
    line = LineString([(37.0, 48.0), (37.0, 48.001)])
    assert geodesic_area_m2(line) == 0.0
    assert geodesic_length_m(line) == pytest.approx(111.2, abs=0.1)
    assert geodesic_area_m2(Point(37, 48)) == 0.0


# --------------------------------------------------------------------------- UTM zone


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [(37.0, 48.0, 32637), (18.4, -33.9, 32734), (-0.1, 51.5, 32630), (5.0, 60.0, 32632), (15.6, 78.2, 32633),
     (179.99, -17.5, 32760), (-180.0, 10.0, 32601)],
)
def test_utm_zone_for_a_geometry(lon, lat, epsg):
    assert utm_epsg_for(Point(lon, lat).buffer(0.001)) == epsg


def test_utm_zone_refuses_polar_geometry():
    with pytest.raises(GeometryError) as caught:
        utm_epsg_for(Point(0, 86))
    assert caught.value.code == "polar_not_supported"


# --------------------------------------------------------------------------- buffers


@pytest.mark.parametrize("lat", [0.0, 48.0, -60.0, 75.0])
def test_point_buffer_is_a_circle_on_the_ground(lat):
    zone = buffer_m(Point(37.0, lat), 100.0, quad_segs=64)
    ring = shapely.get_coordinates(zone.exterior)
    _, _, distances = WGS84.inv([37.0] * len(ring), [lat] * len(ring), ring[:, 0], ring[:, 1])
    assert max(abs(d - 100.0) for d in distances) < 0.01
    assert geodesic_area_m2(zone) == pytest.approx(math.pi * 100.0**2, rel=0.001)


def test_negative_buffer_shrinks_and_can_vanish():
    square = metre_square(37.0, 48.0, 100)
    assert geodesic_area_m2(buffer_m(square, -10.0)) == pytest.approx(6_400.0, abs=2.0)
    assert buffer_m(square, -60.0).is_empty


def test_buffer_across_the_antimeridian_is_split():
    zone = buffer_m(Point(179.9999, -17.5), 100.0)
    assert isinstance(zone, MultiPolygon)
    minx, _, maxx, _ = zone.bounds
    assert minx >= -180.0 and maxx <= 180.0
    assert geodesic_area_m2(zone) == pytest.approx(math.pi * 100.0**2, rel=0.003)


def test_buffer_refuses_non_finite_distance():
    with pytest.raises(GeometryError):
        buffer_m(Point(37, 48), float("nan"))


def test_distances_in_metres():
    a, b = Point(37.0, 48.0), Point(37.0, 48.001)
    assert distance_m(a, b) == pytest.approx(111.2, abs=0.1)
    square = metre_square(37.0, 48.0, 100)
    assert distance_m(square, buffer_m(square, 30).exterior) == pytest.approx(30.0, abs=0.05)
    assert hausdorff_distance_m(square, square) == 0.0


# --------------------------------------------------------------------------- antimeridian


def test_split_polygon_given_with_a_jump():
    jumping = Polygon([(179.5, 10), (-179.5, 10), (-179.5, 11), (179.5, 11)])
    assert crosses_antimeridian(jumping)
    split = split_antimeridian(jumping)
    assert isinstance(split, MultiPolygon) and len(split.geoms) == 2
    east, west = sorted(split.geoms, key=lambda p: -p.bounds[0])
    assert east.bounds[2] == 180.0 and west.bounds[0] == -180.0
    assert geodesic_area_m2(split) == pytest.approx(geodesic_area_m2(jumping), rel=1e-9)


def test_split_polygon_given_beyond_180_matches_the_jump_form():
    beyond = Polygon([(179.5, 10), (180.5, 10), (180.5, 11), (179.5, 11)])
    jumping = Polygon([(179.5, 10), (-179.5, 10), (-179.5, 11), (179.5, 11)])
    assert split_antimeridian(beyond).equals_exact(split_antimeridian(jumping), 1e-9)


def test_cut_lies_on_the_geodesic_not_the_straight_line():
    # The northern edge runs along the 11th parallel in lon/lat but the geodesic bulges poleward.
    split = split_antimeridian(Polygon([(179.5, 10), (-179.5, 10), (-179.5, 11), (179.5, 11)]))
    cut_lats = sorted({round(y, 9) for x, y in shapely.get_coordinates(split) if abs(x) == 180.0})
    assert cut_lats[-1] > 11.0
    _, _, half = WGS84.inv(179.5, 11, 180.0, cut_lats[-1])
    _, _, whole = WGS84.inv(179.5, 11, -179.5, 11)
    assert half == pytest.approx(whole / 2, rel=1e-6)


def test_split_line():
    split = split_antimeridian(LineString([(170, 0), (-170, 5)]))
    assert split.geom_type == "MultiLineString"
    assert geodesic_length_m(split) == pytest.approx(geodesic_length_m(LineString([(170, 0), (190, 5)])), rel=1e-9)


def test_geometry_away_from_the_antimeridian_is_unchanged():
    square = metre_square(37.0, 48.0, 100)
    assert split_antimeridian(square) is square
    assert unwrap_antimeridian(square).equals_exact(square, 0)


def test_ring_around_a_pole_is_refused():
    ring = Polygon([(0, 85), (90, 85), (180, 85), (-90, 85)])
    with pytest.raises(GeometryError) as caught:
        unwrap_antimeridian(ring)
    assert caught.value.code == "polar_not_supported"
