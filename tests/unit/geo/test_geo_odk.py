"""ODK / Kobo geopoint, geotrace and geoshape strings."""

import pytest
from shapely.geometry import LineString, Point, Polygon

from geo import (
    OdkFormatError,
    OdkVertex,
    format_geopoint,
    format_geoshape,
    format_geotrace,
    geodesic_area_m2,
    parse_geopoint,
    parse_geoshape,
    parse_geotrace,
)

SHAPE = (
    "48.0001799 37.0 152.3 4.5;48.0001799 37.00134 151.0 3.9;"
    "47.9997302 37.00134 150.2 12.0;47.9997302 37.0 0.0 0.0;48.0001799 37.0 152.3 4.5"
)


def test_geopoint():
    result = parse_geopoint("48.0001799 37.00134 152.3 4.5")
    assert result.geometry.equals_exact(Point(37.00134, 48.0001799), 0)
    assert result.vertices == (OdkVertex(48.0001799, 37.00134, 152.3, 4.5),)
    assert result.low_accuracy == () and result.manual == ()


def test_geopoint_without_altitude_and_accuracy():
    vertex = parse_geopoint("48.5 37.2").vertices[0]
    assert (vertex.altitude_m, vertex.accuracy_m) == (None, None)
    assert parse_geopoint("48.5 37.2 100").vertices[0].altitude_m == 100.0


def test_geoshape_keeps_altitude_and_accuracy_per_vertex():
    result = parse_geoshape(SHAPE)
    assert isinstance(result.geometry, Polygon)
    assert geodesic_area_m2(result.geometry) == pytest.approx(5000.0, abs=1.0)
    assert [v.altitude_m for v in result.vertices] == [152.3, 151.0, 150.2, 0.0, 152.3]
    assert [v.accuracy_m for v in result.vertices] == [4.5, 3.9, 12.0, 0.0, 4.5]
    assert result.low_accuracy == (2,)
    assert result.manual == (3,)
    assert not result.closed_by_reader
    assert result.text == SHAPE


def test_accuracy_threshold_is_a_parameter():
    assert parse_geoshape(SHAPE, accuracy_threshold_m=4.0).low_accuracy == (0, 2, 4)
    assert parse_geoshape(SHAPE, accuracy_threshold_m=None).low_accuracy == ()


@pytest.mark.parametrize(
    "text",
    [
        SHAPE + ";",
        SHAPE + "; ",
        SHAPE.replace(";", "; "),
        SHAPE.replace(";", ";\r\n"),
        SHAPE.replace(";", "\n"),
        "  " + SHAPE.replace(" ", "   ") + "  \r\n",
    ],
    ids=["trailing-semicolon", "trailing-semicolon-blank", "blank-after-semicolon", "crlf", "lf-only", "extra-blanks"],
)
def test_tolerant_reading(text):
    assert parse_geoshape(text).geometry.equals_exact(parse_geoshape(SHAPE).geometry, 0)


def test_unclosed_geoshape_is_closed():
    open_ring = SHAPE.rsplit(";", 1)[0]
    result = parse_geoshape(open_ring)
    assert result.closed_by_reader
    assert len(result.vertices) == 4
    assert result.geometry.equals_exact(parse_geoshape(SHAPE).geometry, 0)


def test_geotrace():
    result = parse_geotrace("48.0 37.0 0 3;48.001 37.0 0 25")
    assert result.geometry.equals_exact(LineString([(37.0, 48.0), (37.0, 48.001)]), 0)
    assert result.low_accuracy == (1,)


@pytest.mark.parametrize(
    ("parser", "text", "code", "vertex"),
    [
        (parse_geopoint, "", "empty", None),
        (parse_geopoint, " ;\n", "empty", None),
        (parse_geopoint, "48.5", "wrong_value_count", 0),
        (parse_geopoint, "48.5 37.2 1 2 3", "wrong_value_count", 0),
        (parse_geopoint, "48.5 37.2;48.6 37.3", "wrong_value_count", None),
        (parse_geopoint, "48,5 37,2", "bad_number", 0),
        (parse_geopoint, "48.5 abc", "bad_number", 0),
        (parse_geopoint, "NaN 37.2", "non_finite", 0),
        (parse_geopoint, "48.5 inf", "non_finite", 0),
        (parse_geopoint, "137.2 48.5", "out_of_range", 0),
        (parse_geopoint, "48.5 181", "out_of_range", 0),
        (parse_geopoint, "48.5 37.2 100 -3", "negative_accuracy", 0),
        (parse_geotrace, "48.5 37.2", "too_few_points", None),
        (parse_geotrace, "48.5 37.2;;48.6 37.3", "wrong_value_count", 1),
        (parse_geoshape, "48.5 37.2;48.6 37.3;48.5 37.2", "too_few_points", None),
        (parse_geoshape, "48.5 37.2;48.6 37.3;48.6 x", "bad_number", 2),
    ],
)
def test_bad_strings(parser, text, code, vertex):
    with pytest.raises(OdkFormatError) as caught:
        parser(text)
    assert caught.value.code == code
    assert caught.value.vertex_index == vertex
    assert isinstance(caught.value, ValueError)


def test_swapped_order_hint():
    with pytest.raises(OdkFormatError) as caught:
        parse_geopoint("137.2 48.5")
    assert "latitude comes first" in str(caught.value)


def test_format_round_trip_keeps_everything():
    parsed = parse_geoshape(SHAPE)
    text = format_geoshape(
        parsed.geometry,
        altitudes=[v.altitude_m for v in parsed.vertices],
        accuracies=[v.accuracy_m for v in parsed.vertices],
    )
    assert parse_geoshape(text).vertices == parsed.vertices


def test_format_defaults_and_precision():
    assert format_geopoint(Point(37.00134, 48.0001799)) == "48.0001799 37.00134 0 0"
    assert format_geopoint(Point(37.00134, 48.0001799, 152.25), accuracy_m=4) == "48.0001799 37.00134 152.25 4"
    assert format_geopoint(OdkVertex(48.0, 37.0, 10.0, 2.5), precision=3) == "48.000 37.000 10 2.5"
    assert format_geotrace(LineString([(37, 48), (37.5, 48.5)])) == "48 37 0 0;48.5 37.5 0 0"


def test_format_geoshape_is_closed_and_refuses_holes():
    square = Polygon([(37, 48), (37.001, 48), (37.001, 48.001), (37, 48.001)])
    text = format_geoshape(square)
    points = text.split(";")
    assert len(points) == 5 and points[0] == points[-1]
    with pytest.raises(OdkFormatError) as caught:
        format_geoshape(Polygon(square.exterior.coords, [[(37.0002, 48.0002), (37.0004, 48.0002), (37.0004, 48.0004)]]))
    assert caught.value.code == "unsupported_geometry"


def test_format_refuses_wrong_lengths_and_types():
    with pytest.raises(OdkFormatError) as caught:
        format_geotrace(LineString([(37, 48), (37.5, 48.5)]), accuracies=[1.0])
    assert caught.value.code == "wrong_value_count"
    with pytest.raises(OdkFormatError):
        format_geotrace(Point(0, 0))
    with pytest.raises(OdkFormatError):
        format_geopoint(Point())
