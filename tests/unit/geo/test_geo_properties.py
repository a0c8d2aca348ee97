"""Round-trip properties of coordinate conversions, formatting and ODK strings.

UTM and MGRS are defined from 80°S to 84°N; the polar caps (UPS) are outside this
toolkit and outside these strategies. Example counts are kept modest so the suite
stays fast.
"""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from geo import (
    CoordinateError,
    CoordinateFormat,
    format_coordinate,
    format_geopoint,
    format_geotrace,
    geodesic_distance_m,
    latlon_to_utm,
    parse_coordinate,
    parse_geopoint,
    parse_geotrace,
    utm_to_latlon,
)

FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

latitudes = st.floats(min_value=-90.0, max_value=90.0, allow_nan=False)
longitudes = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)
# UTM/MGRS latitudes: 80°S to 84°N (MGRS switches to polar UPS at 84°N itself).
grid_latitudes = st.floats(min_value=-80.0, max_value=83.9999999, allow_nan=False)
grid_longitudes = st.floats(min_value=-180.0, max_value=179.9999999, allow_nan=False)


@FAST
@given(grid_latitudes, grid_longitudes)
def test_wgs84_to_utm_and_back_within_a_millimetre(lat, lon):
    utm = latlon_to_utm(lat, lon)
    back_lat, back_lon = utm_to_latlon(utm.zone, utm.northern, utm.easting, utm.northing)
    assert geodesic_distance_m(lon, lat, back_lon, back_lat) < 0.001


@FAST
@given(grid_latitudes, grid_longitudes)
def test_utm_text_round_trip(lat, lon):
    text = format_coordinate(lat, lon, CoordinateFormat.UTM, precision=3)
    parsed = parse_coordinate(text)
    assert parsed.format is CoordinateFormat.UTM
    assert geodesic_distance_m(lon, lat, parsed.lon, parsed.lat) < 0.002


@FAST
@given(grid_latitudes, grid_longitudes)
def test_mgrs_one_metre_round_trip(lat, lon):
    text = format_coordinate(lat, lon, CoordinateFormat.MGRS, precision=5)
    parsed = parse_coordinate(text)
    assert parsed.format is CoordinateFormat.MGRS
    # Truncated to the metre, read back as the square's centre: at most √2/2 m.
    assert geodesic_distance_m(lon, lat, parsed.lon, parsed.lat) <= 1.5


@FAST
@given(grid_latitudes, grid_longitudes, st.integers(min_value=1, max_value=4))
def test_mgrs_coarse_round_trip_stays_within_the_square(lat, lon, digits):
    text = format_coordinate(lat, lon, CoordinateFormat.MGRS, precision=digits)
    parsed = parse_coordinate(text)
    side = 10.0 ** (5 - digits)
    # Half the diagonal of the square, plus the grid's scale distortion.
    assert geodesic_distance_m(lon, lat, parsed.lon, parsed.lat) <= side * math.sqrt(2) / 2 * 1.002


def _within(parsed, lat, lon, tolerance_deg):
    slack = tolerance_deg + 1e-12
    return abs(parsed.lat - lat) <= slack and abs(parsed.lon - lon) <= slack


@FAST
@given(latitudes, longitudes, st.integers(min_value=0, max_value=4))
def test_dms_round_trip_within_printed_precision(lat, lon, decimals):
    text = format_coordinate(lat, lon, CoordinateFormat.DMS, precision=decimals)
    parsed = parse_coordinate(text)
    assert parsed.format is CoordinateFormat.DMS
    assert _within(parsed, lat, lon, 0.5 * 10.0**-decimals / 3600.0)


@FAST
@given(latitudes, longitudes, st.integers(min_value=0, max_value=6))
def test_ddm_round_trip_within_printed_precision(lat, lon, decimals):
    text = format_coordinate(lat, lon, CoordinateFormat.DDM, precision=decimals)
    parsed = parse_coordinate(text)
    assert parsed.format is CoordinateFormat.DDM
    assert _within(parsed, lat, lon, 0.5 * 10.0**-decimals / 60.0)


@FAST
@given(latitudes, longitudes, st.integers(min_value=0, max_value=9))
def test_dd_round_trip_within_printed_precision(lat, lon, decimals):
    text = format_coordinate(lat, lon, CoordinateFormat.DD, precision=decimals)
    parsed = parse_coordinate(text)
    assert parsed.format is CoordinateFormat.DD
    assert _within(parsed, lat, lon, 0.5 * 10.0**-decimals)


altitudes = st.floats(min_value=-500.0, max_value=9000.0, allow_nan=False)
accuracies = st.floats(min_value=0.0, max_value=5000.0, allow_nan=False)


@FAST
@given(latitudes, longitudes, altitudes, accuracies)
def test_odk_geopoint_is_exact(lat, lon, altitude, accuracy):
    from shapely.geometry import Point

    text = format_geopoint(Point(lon, lat), altitude_m=altitude, accuracy_m=accuracy)
    parsed = parse_geopoint(text)
    vertex = parsed.vertices[0]
    assert (vertex.lat, vertex.lon) == (lat + 0.0, lon + 0.0)
    assert (vertex.altitude_m, vertex.accuracy_m) == (altitude + 0.0, accuracy + 0.0)


@FAST
@given(
    st.lists(
        st.tuples(longitudes, latitudes, altitudes, accuracies), min_size=2, max_size=20, unique_by=lambda v: v[:2]
    ),
    st.one_of(st.none(), st.integers(min_value=3, max_value=9)),
)
def test_odk_geotrace_round_trip(vertices, precision):
    line = LineString([(v[0], v[1]) for v in vertices])
    text = format_geotrace(
        line, altitudes=[v[2] for v in vertices], accuracies=[v[3] for v in vertices], precision=precision
    )
    try:
        parsed = parse_geotrace(text)
    except ValueError:
        # Rounding may merge all points into one; then the string is rightly refused.
        assert precision is not None
        return
    assert len(parsed.vertices) == len(vertices)
    tolerance = 0.0 if precision is None else 0.5 * 10.0**-precision + 1e-12
    for vertex, (lon, lat, altitude, accuracy) in zip(parsed.vertices, vertices):
        assert abs(vertex.lat - lat) <= tolerance and abs(vertex.lon - lon) <= tolerance
        assert (vertex.altitude_m, vertex.accuracy_m) == (altitude + 0.0, accuracy + 0.0)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet="0123456789 .,;:-+°'\"NSEWnsewUTCPXIO′″º/", max_size=40))
def test_parser_fails_only_with_coordinate_errors(text):
    try:
        result = parse_coordinate(text)
    except CoordinateError as error:
        assert error.code
        return
    assert -90.0 <= result.lat <= 90.0
    assert -180.0 <= result.lon <= 180.0
    assert result.text == text
