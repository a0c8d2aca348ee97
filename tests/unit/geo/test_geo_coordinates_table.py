"""Coordinate strings as surveyors really type them, good and bad."""

import pytest

from geo import CoordinateError, CoordinateFormat, geodesic_distance_m, parse_coordinate
from geo.errors import COORDINATE_ERROR_CODES

DD, DDM, DMS, UTM, MGRS = (
    CoordinateFormat.DD,
    CoordinateFormat.DDM,
    CoordinateFormat.DMS,
    CoordinateFormat.UTM,
    CoordinateFormat.MGRS,
)

# TP1 of the checked example, and a benchmark-like point, in many spellings.
TP1 = (48.0001799, 37.00134)
DMS_POINT = (48.0 + 0.65 / 3600, 37.0 + 4.82 / 3600)
DDM_POINT = (48.0 + 0.0108 / 60, 37.0 + 0.0804 / 60)
CAPE_TOWN = (-33.9249, 18.4241)

GOOD = [
    # text, expected (lat, lon), format, tolerance in metres
    ("48.0001799, 37.00134", TP1, DD, 0.01),
    ("48.0001799 37.00134", TP1, DD, 0.01),
    ("48.0001799,37.00134", TP1, DD, 0.01),
    ("   48.0001799 ,   37.00134  ", TP1, DD, 0.01),
    ("48.0001799;37.00134", TP1, DD, 0.01),
    ("N48.0001799 E37.00134", TP1, DD, 0.01),
    ("48.0001799N 37.00134E", TP1, DD, 0.01),
    ("48.0001799° N, 37.00134° E", TP1, DD, 0.01),
    ("48.0001799n 37.00134e", TP1, DD, 0.01),
    ("37.00134E 48.0001799N", TP1, DD, 0.01),
    ("E 37.00134, N 48.0001799", TP1, DD, 0.01),
    ("+48.0001799 +37.00134", TP1, DD, 0.01),
    ("48,0001799 37,00134", TP1, DD, 0.01),
    ("-33.9249, 18.4241", CAPE_TOWN, DD, 0.01),
    ("33.9249S 18.4241E", CAPE_TOWN, DD, 0.01),
    ("S 33.9249 E 18.4241", CAPE_TOWN, DD, 0.01),
    ("−33.9249 18.4241", CAPE_TOWN, DD, 0.01),
    ("106.5, 15.2", (15.2, 106.5), DD, 0.01),
    ("48°00.0108'N 37°00.0804'E", DDM_POINT, DDM, 0.01),
    ("N 48° 00.0108' E 037° 00.0804'", DDM_POINT, DDM, 0.01),
    ("48 00.0108 N 37 00.0804 E", DDM_POINT, DDM, 0.01),
    ("48°00,0108'N 37°00,0804'E", DDM_POINT, DDM, 0.01),
    ("48 00.0108, 37 00.0804", DDM_POINT, DDM, 0.01),
    ("48°00'00.65\"N 37°00'04.82\"E", DMS_POINT, DMS, 0.01),
    ("N48 00 00.65 E37 00 04.82", DMS_POINT, DMS, 0.01),
    ("48:00:00.65N 37:00:04.82E", DMS_POINT, DMS, 0.01),
    ("48°00′00.65″N 37°00′04.82″E", DMS_POINT, DMS, 0.01),
    ("48º00'00.65''N 37º00'04.82''E", DMS_POINT, DMS, 0.01),
    ("48°00’00.65”N 37°00’04.82”E", DMS_POINT, DMS, 0.01),
    ("48°00'00.65\"N37°00'04.82\"E", DMS_POINT, DMS, 0.01),
    ("48 00 00.65 37 00 04.82", DMS_POINT, DMS, 0.01),
    ("48°00'00,65\"N 37°00'04,82\"E", DMS_POINT, DMS, 0.01),
    ("-33 55 29.64, 18 25 26.76", CAPE_TOWN, DMS, 0.01),
    ("37U 350812 5318235", (48.0, 37.0), UTM, 1.0),
    ("37N 350812.1 5318235.6", (48.0, 37.0), UTM, 0.05),
    ("37u 350812 5318235", (48.0, 37.0), UTM, 1.0),
    ("37 U 350812E 5318235N", (48.0, 37.0), UTM, 1.0),
    ("37U 350812mE 5318235mN", (48.0, 37.0), UTM, 1.0),
    ("37U 350812,1 5318235,6", (48.0, 37.0), UTM, 0.05),
    ("37U 350812, 5318235", (48.0, 37.0), UTM, 1.0),
    ("37U CP 50812 18235", (48.0, 37.0), MGRS, 1.0),
    ("37UCP5081218235", (48.0, 37.0), MGRS, 1.0),
    ("37ucp 50812 18235", (48.0, 37.0), MGRS, 1.0),
    ("37U CP 5081218235", (48.0, 37.0), MGRS, 1.0),
    ("37U CP 5081 1823", (48.0, 37.0), MGRS, 10.0),
    ("34H BH 59583 45888", (-33.9, 18.4), MGRS, 1.0),
]

BAD = [
    # text, expected code
    ("", "empty"),
    ("   ", "empty"),
    ("48.5", "unrecognised_format"),
    ("48.5 37.2 12.1", "unrecognised_format"),
    ("48.5,37.2,12", "unrecognised_format"),
    ("48.5-37.2", "unrecognised_format"),
    ("48.5 x 37.2", "unrecognised_format"),
    ("48.5.1 37.2", "unrecognised_format"),
    ("48°30.5'15\"N 37°00'00\"E", "unrecognised_format"),
    ("48' 30 N 37 15 E", "unrecognised_format"),
    ("37 350812 5318235", "unrecognised_format"),
    ("48 61 00 N 37 00 00 E", "minutes_out_of_range"),
    ("48°60.5'N 37°00.1'E", "minutes_out_of_range"),
    ("48°00'60\"N 37°00'04\"E", "seconds_out_of_range"),
    ("48 00 75.2 37 00 04.8", "seconds_out_of_range"),
    ("91°N 37°E", "out_of_range"),
    ("91.5N 37.2E", "out_of_range"),
    ("48.5N 200.1E", "out_of_range"),
    ("95, 100", "out_of_range"),
    ("37U 35081 5318235", "out_of_range"),
    ("37U 950812 5318235", "out_of_range"),
    ("37N 350812 9500000", "out_of_range"),
    ("37I 350812 5318235", "unknown_band"),
    ("37O 350812 5318235", "unknown_band"),
    ("37I CP 50812 18235", "unknown_band"),
    ("37A CP 50812 18235", "unknown_band"),
    ("61U 350812 5318235", "unknown_zone"),
    ("0U 350812 5318235", "unknown_zone"),
    ("61U CP 50812 18235", "unknown_zone"),
    ("37U CI 50812 18235", "unknown_square"),
    ("37U JP 50812 18235", "unknown_square"),
    ("37U CW 50812 18235", "unknown_square"),
    ("37V CP 50812 18235", "band_mismatch"),
    ("37T 350812 5418235", "band_mismatch"),
    ("37U 350812 4318235", "band_mismatch"),
    ("42S 512345 3812345", "ambiguous_hemisphere"),
    ("48,37", "ambiguous_separator"),
    ("48,5,37,2", "ambiguous_separator"),
    ("48.5N 37.2", "missing_hemisphere"),
    ("48.5N 37.2N", "hemisphere_conflict"),
    ("37.2E 48.5W", "hemisphere_conflict"),
    ("-48.5N 37.2E", "hemisphere_conflict"),
    ("48 00 00.65 N 37 00.08 E", "mixed_formats"),
    ("37UCP 50812 1823", "precision_mismatch"),
    ("37UCP508121823", "precision_mismatch"),
    ("37UCP", "precision_mismatch"),
    ("ZAB 12345 67890", "polar_not_supported"),
    ("37U CP 5O812 18235", "unrecognised_format"),
    ("48.5 North 37.2 East", "unrecognised_format"),
]


@pytest.mark.parametrize(("text", "expected", "fmt", "tolerance_m"), GOOD, ids=[g[0] for g in GOOD])
def test_good_coordinate(text, expected, fmt, tolerance_m):
    result = parse_coordinate(text)
    assert result.format is fmt
    assert result.text == text
    lat, lon = expected
    assert geodesic_distance_m(result.lon, result.lat, lon, lat) <= tolerance_m


@pytest.mark.parametrize(("text", "code"), BAD, ids=[f"{b[1]}:{b[0]!r}" for b in BAD])
def test_bad_coordinate(text, code):
    assert code in COORDINATE_ERROR_CODES
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate(text)
    error = caught.value
    assert error.code == code, str(error)
    assert error.text == text
    assert str(error)


def test_table_is_large_enough():
    assert len(GOOD) + len(BAD) >= 40
    assert {code for _, code in BAD} >= {
        "empty", "unrecognised_format", "out_of_range", "minutes_out_of_range", "seconds_out_of_range",
        "unknown_band", "unknown_zone", "band_mismatch", "ambiguous_separator",
    }
