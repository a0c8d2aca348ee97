"""Coordinate reading rules and formatting."""

import mgrs
import pytest

from geo import (
    AxisOrder,
    CoordinateError,
    CoordinateFormat,
    UtmLetter,
    format_coordinate,
    geodesic_distance_m,
    latlon_to_utm,
    parse_coordinate,
)


# --------------------------------------------------------------------------- axis order


def test_latitude_first_without_letters():
    result = parse_coordinate("37.00134 48.0001799")
    assert (result.lat, result.lon) == (37.00134, 48.0001799)


def test_value_above_ninety_is_a_longitude_and_the_swap_is_noted():
    result = parse_coordinate("106.5, 15.2")
    assert (result.lat, result.lon) == (15.2, 106.5)
    assert any("longitude first" in note for note in result.notes)


def test_lon_lat_default_order():
    result = parse_coordinate("37.00134 48.0001799", default_order=AxisOrder.LON_LAT)
    assert (result.lat, result.lon) == (48.0001799, 37.00134)


def test_no_default_order_refuses_to_guess():
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate("48.5 37.2", default_order=None)
    assert caught.value.code == "ambiguous_order"
    # Letters or a value above 90 still decide.
    assert parse_coordinate("37.2E 48.5N", default_order=None).lat == 48.5
    assert parse_coordinate("120.1 48.5", default_order=None).lat == 48.5


def test_negative_zero_is_plain_zero():
    result = parse_coordinate("-0.0 -0.0")
    assert str(result.lat) == "0.0" and str(result.lon) == "0.0"


def test_text_is_kept_verbatim():
    text = "  48°00'00.65\"N   37°00'04.82\"E "
    assert parse_coordinate(text).text == text


# --------------------------------------------------------------------------- error reporting


def test_error_says_which_part_and_where():
    text = "48 61 00 N 37 00 00 E"
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate(text)
    error = caught.value
    assert error.code == "minutes_out_of_range"
    assert error.span == (3, 5)
    assert text[slice(*error.span)] == "61"
    assert "61" in str(error) and "characters 4-5" in str(error)


def test_band_error_points_at_the_letter():
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate("37I 350812 5318235")
    assert caught.value.span == (2, 3)
    assert caught.value.part == "band"


def test_latitude_out_of_range_names_the_latitude():
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate("91.5N 37.2E")
    assert caught.value.part == "latitude"
    assert caught.value.span == (0, 5)


def test_errors_are_value_errors():
    with pytest.raises(ValueError):
        parse_coordinate("not a place")


# --------------------------------------------------------------------------- UTM letters


def test_n_is_the_northern_hemisphere_and_band_reading_is_reported_impossible():
    result = parse_coordinate("37N 350812 5318235")
    assert result.lat == pytest.approx(48.0, abs=1e-4)
    assert any("hemisphere" in note for note in result.notes)


def test_n_inside_band_n_needs_no_note():
    result = parse_coordinate("37N 500000 442000")
    assert 0 < result.lat < 8
    assert result.notes == ()


def test_s_is_the_southern_hemisphere_where_band_s_is_impossible():
    result = parse_coordinate("34S 261879 6243186")
    assert result.lat == pytest.approx(-33.92, abs=0.01)
    assert any("southern hemisphere" in note for note in result.notes)


def test_s_that_fits_band_s_is_ambiguous_unless_a_rule_is_set():
    text = "42S 512345 3812345"
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate(text)
    assert caught.value.code == "ambiguous_hemisphere"
    as_band = parse_coordinate(text, utm_letter=UtmLetter.BAND)
    as_hemisphere = parse_coordinate(text, utm_letter=UtmLetter.HEMISPHERE)
    assert 32 < as_band.lat < 40
    assert -58 < as_hemisphere.lat < -50
    assert parse_coordinate("42N 512345 3812345").lat == pytest.approx(as_band.lat)


def test_band_rule_checks_n_as_a_band():
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate("37N 350812 5318235", utm_letter=UtmLetter.BAND)
    assert caught.value.code == "band_mismatch"


def test_band_letters_set_the_hemisphere():
    south = parse_coordinate("34H 261879 6243186")
    assert south.lat == pytest.approx(-33.92, abs=0.01)


# --------------------------------------------------------------------------- MGRS


def test_mgrs_square_is_read_as_its_centre():
    ten_km = parse_coordinate("37U CP 5 1")
    utm = latlon_to_utm(ten_km.lat, ten_km.lon, zone=37)
    assert utm.easting == pytest.approx(355_000.0, abs=0.01)
    assert utm.northing == pytest.approx(5_315_000.0, abs=0.01)
    assert ten_km.resolution_m == 10_000.0
    one_m = parse_coordinate("37U CP 50812 18235")
    utm = latlon_to_utm(one_m.lat, one_m.lon, zone=37)
    assert (utm.easting, utm.northing) == (pytest.approx(350_812.5, abs=1e-4), pytest.approx(5_318_235.5, abs=1e-4))


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(48.0, 37.0), (21.41, -157.92), (-33.9, 18.4), (60.0, 5.0), (78.2, 15.6), (2.0, -75.0),
     (-79.5, 179.0), (-75.0, -177.0), (50.85, 4.35), (-0.01, 36.8), (71.0, 24.0)],
)
@pytest.mark.parametrize("digits", [1, 3, 5])
def test_mgrs_agrees_with_the_reference_implementation(lat, lon, digits):
    reference = mgrs.MGRS().toMGRS(lat, lon, MGRSPrecision=digits)
    zone, hemisphere, easting, northing = mgrs.MGRS().MGRSToUTM(reference)
    ours = parse_coordinate(reference)
    utm = latlon_to_utm(ours.lat, ours.lon, zone=zone)
    assert utm.northern == (hemisphere == "N")
    # The reference library also reports the square's centre (checked here, not relied on).
    assert utm.easting == pytest.approx(easting, abs=1e-3)
    assert utm.northing == pytest.approx(northing, abs=1e-3)


def test_even_zone_row_letters_are_offset():
    # Zone 34 (even): row H starts at 200 km in the 2 000 km cycle.
    result = parse_coordinate("34H BH 59583 45888")
    utm = latlon_to_utm(result.lat, result.lon, zone=34)
    assert utm.northing == pytest.approx(6_245_888.5, abs=1e-3)


# --------------------------------------------------------------------------- formatting


def test_format_each_notation():
    lat, lon = 48.0001799, 37.00134
    assert format_coordinate(lat, lon, CoordinateFormat.DD) == "48.0001799, 37.0013400"
    assert format_coordinate(lat, lon, CoordinateFormat.DDM) == "48°00.0108'N 37°00.0804'E"
    assert format_coordinate(lat, lon, CoordinateFormat.DMS) == "48°00'00.65\"N 37°00'04.82\"E"
    assert format_coordinate(lat, lon, CoordinateFormat.UTM) == "37N 350913 5318253"
    assert format_coordinate(lat, lon, CoordinateFormat.UTM, utm_letter=UtmLetter.BAND) == "37U 350913 5318253"
    assert format_coordinate(lat, lon, CoordinateFormat.MGRS) == "37U CP 50912 18253"
    assert format_coordinate(lat, lon, CoordinateFormat.MGRS, precision=3) == "37U CP 509 182"
    assert format_coordinate(lat, lon, "DD", precision=3) == "48.000, 37.001"


def test_format_southern_and_western():
    assert format_coordinate(-33.9249, -18.4241, CoordinateFormat.DMS) == "33°55'29.64\"S 18°25'26.76\"W"
    assert format_coordinate(-0.00000001, 0.0, CoordinateFormat.DD) == "0.0000000, 0.0000000"
    assert format_coordinate(-0.00000001, 0.0, CoordinateFormat.DMS).startswith("0°00'00.00\"N")


def test_format_carries_rounded_seconds_into_minutes_and_degrees():
    just_below = 47.0 + 59.0 / 60 + 59.999 / 3600
    assert format_coordinate(just_below, 37.0, CoordinateFormat.DMS) == "48°00'00.00\"N 37°00'00.00\"E"
    assert format_coordinate(47.99999999, 37.0, CoordinateFormat.DDM) == "48°00.0000'N 37°00.0000'E"


def test_format_utm_in_the_ambiguous_southern_strip_uses_the_band_letter():
    text = format_coordinate(-54.0, -60.0, CoordinateFormat.UTM)
    assert text.startswith("21F ")
    back = parse_coordinate(text)
    assert geodesic_distance_m(back.lon, back.lat, -60.0, -54.0) < 1.0


def test_format_utm_in_a_forced_zone():
    text = format_coordinate(48.0, 37.0, CoordinateFormat.UTM, zone=36, precision=1)
    assert text.startswith("36N ")
    back = parse_coordinate(text)
    assert geodesic_distance_m(back.lon, back.lat, 37.0, 48.0) < 0.1


@pytest.mark.parametrize("fmt", [CoordinateFormat.UTM, CoordinateFormat.MGRS])
@pytest.mark.parametrize("lat", [84.5, -80.5, 89.9])
def test_polar_regions_are_refused_for_grids(fmt, lat):
    with pytest.raises(CoordinateError) as caught:
        format_coordinate(lat, 10.0, fmt)
    assert caught.value.code == "polar_not_supported"


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (float("nan"), 0.0)])
def test_format_refuses_impossible_points(lat, lon):
    with pytest.raises(CoordinateError):
        format_coordinate(lat, lon, CoordinateFormat.DD)
