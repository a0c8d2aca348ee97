"""UTM and MGRS references: reading them with precise diagnostics, and writing them.

MGRS is read by this module rather than by the ``mgrs`` library, which reports every
mistake as "String Error" and only warns when the band letter contradicts the
northing. It is written with ``mgrs`` (NGA GeoTrans), which truncates as the standard
requires.
"""

from __future__ import annotations

import re
import threading

import mgrs as _mgrs

from .coordinate_types import (
    BAND_TOLERANCE_DEG,
    M_PER_DEGREE,
    CoordinateFormat,
    ParsedCoordinate,
    UtmLetter,
    decimal_places,
    describe_latitude,
    fixed_decimals,
)
from .errors import AmbiguousCoordinateError, CoordinateRangeError, CoordinateSyntaxError, GridReferenceError
from .utm import BAND_LETTERS, UTM_MAX_LAT, UTM_MIN_LAT, band_letter, band_range, latlon_to_utm, utm_to_latlon

# --------------------------------------------------------------------------- MGRS

MGRS_RE = re.compile(
    r"^\s*(?P<zone>\d{1,2})\s*(?P<band>[A-Za-z])\s*(?P<col>[A-Za-z])\s*(?P<row>[A-Za-z])"
    r"\s*(?P<d1>\d*)\s*(?P<d2>\d*)\s*$"
)
POLAR_MGRS_RE = re.compile(r"^\s*[ABYZabyz]\s*[A-Za-z]{2}\s*\d*\s*\d*\s*$")
_ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUV"
_COLUMN_SETS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")


def _column_letters(zone: int) -> str:
    return _COLUMN_SETS[(zone - 1) % 3]


def parse_mgrs(text: str, m: re.Match) -> ParsedCoordinate:
    """Read a reference matched by :data:`MGRS_RE` as the centre of the square it names."""
    zone = int(m["zone"])
    band = m["band"].upper()
    col = m["col"].upper()
    row = m["row"].upper()
    d1, d2 = m["d1"], m["d2"]

    if not 1 <= zone <= 60:
        raise GridReferenceError(
            f"grid zone {zone} does not exist (zones run from 1 to 60)",
            code="unknown_zone", text=text, span=m.span("zone"), part="zone",
        )
    _check_band_letter(text, band, m.span("band"))
    columns = _column_letters(zone)
    if col not in columns:
        raise GridReferenceError(
            f"100 km column letter {col} is not used in zone {zone} "
            f"(letters {columns[0]}-{columns[-1]}, without I and O)",
            code="unknown_square", text=text, span=m.span("col"), part="100 km square",
        )
    if row not in _ROW_LETTERS:
        raise GridReferenceError(
            f"100 km row letter {row} does not exist (letters A-V, without I and O)",
            code="unknown_square", text=text, span=m.span("row"), part="100 km square",
        )

    if d2:
        if len(d1) != len(d2):
            raise CoordinateSyntaxError(
                f"easting and northing must have the same number of digits ({len(d1)} and {len(d2)} given)",
                code="precision_mismatch", text=text, span=(m.start("d1"), m.end("d2")), part="digits",
            )
        east_digits, north_digits = d1, d2
    else:
        if len(d1) % 2:
            raise CoordinateSyntaxError(
                f"an MGRS reference needs an even number of digits ({len(d1)} given)",
                code="precision_mismatch", text=text, span=m.span("d1"), part="digits",
            )
        half = len(d1) // 2
        east_digits, north_digits = d1[:half], d1[half:]
    digits = len(east_digits)
    if digits == 0:
        raise CoordinateSyntaxError(
            "an MGRS reference needs at least one digit each for easting and northing (10 km precision)",
            code="precision_mismatch", text=text, span=m.span("row"), part="digits",
        )
    if digits > 5:
        raise CoordinateSyntaxError(
            f"an MGRS reference has at most 5 digits each for easting and northing ({digits} given)",
            code="precision_mismatch", text=text, span=(m.start("d1"), m.end("d2") if d2 else m.end("d1")),
            part="digits",
        )

    size = 10.0 ** (5 - digits)
    # The reference names a square; read it as the square's centre.
    easting = (columns.index(col) + 1) * 100_000.0 + int(east_digits) * size + size / 2.0
    row_index = _ROW_LETTERS.index(row)
    if zone % 2 == 0:
        row_index = (row_index - 5) % 20
    northing_in_cycle = row_index * 100_000.0 + int(north_digits) * size + size / 2.0

    south, north = band_range(band)
    northern = band >= "N"
    # The row letters repeat every 2 000 km; the band picks the cycle.
    slack = BAND_TOLERANCE_DEG + size / M_PER_DEGREE
    best: tuple[float, float, float] | None = None
    # A square just south of the equator can start at a southern northing of 10 000 km.
    for cycle in range(6):
        northing = northing_in_cycle + cycle * 2_000_000.0
        if northing > 10_000_000.0 + size:
            break
        lat, lon = utm_to_latlon(zone, northern, easting, northing)
        miss = max(south - lat, lat - north, 0.0)
        if best is None or miss < best[0]:
            best = (miss, lat, lon)
    assert best is not None
    miss, lat, lon = best
    if miss > slack:
        raise GridReferenceError(
            f"square {col}{row} does not occur in zone {zone} band {band} (band {band} covers "
            f"{describe_latitude(south)} to {describe_latitude(north)}; "
            f"the nearest reading is at {describe_latitude(lat)})",
            code="band_mismatch", text=text, span=(m.start("band"), m.end("row")), part="band and square",
        )
    return ParsedCoordinate(lat, lon, CoordinateFormat.MGRS, text, size)


def _check_band_letter(text: str, band: str, span: tuple[int, int]) -> None:
    if band in "IO":
        raise GridReferenceError(
            f"{band} is not a latitude band letter (I and O are never used)",
            code="unknown_band", text=text, span=span, part="band",
        )
    if band in "ABYZ":
        raise GridReferenceError(
            f"{band} is a polar (UPS) letter, not a UTM latitude band (polar UPS is not supported)",
            code="unknown_band", text=text, span=span, part="band",
        )
    if band not in BAND_LETTERS:
        raise GridReferenceError(
            f"{band} is not a latitude band letter (C-X)", code="unknown_band", text=text, span=span, part="band",
        )


def describe_latitude(lat: float) -> str:
    return f"{abs(lat):.4g}°{'N' if lat >= 0 else 'S'}"


# --------------------------------------------------------------------------- UTM

_UTM_NUM_DOT = r"\d+(?:\.\d+)?"
_UTM_NUM_COMMA = r"\d+(?:,\d+)?"


def _utm_regex(num: str, sep: str) -> re.Pattern:
    return re.compile(
        r"^\s*(?P<zone>\d{1,2})\s*(?P<letter>[A-Za-z])(?![A-Za-z])\s*"
        rf"(?:E\s*)?(?P<e>{num})\s*(?:m?E\b)?"
        rf"{sep}"
        rf"(?:N\s*)?(?P<n>{num})\s*(?:m?N)?\s*$"
    )


# Decimal comma only where blanks or a semicolon separate easting from northing.
_UTM_RES = (
    _utm_regex(_UTM_NUM_DOT, r"(?:\s*[,;]\s*|\s+)"),
    _utm_regex(_UTM_NUM_COMMA, r"(?:\s*;\s*|\s+)"),
)
ZONE_WITHOUT_LETTER_RE = re.compile(r"^\s*\d{1,2}\s+\d{4,}(?:[.,]\d+)?\s*[,;]?\s*\d+(?:[.,]\d+)?\s*$")


def match_utm(text: str) -> re.Match | None:
    for regex in _UTM_RES:
        m = regex.match(text)
        # Geographic values never have more than 3 integer digits; an easting does.
        if m and len(re.split(r"[.,]", m["e"])[0]) >= 4:
            return m
    return None


def _utm_float(s: str) -> float:
    return float(s.replace(",", "."))


def parse_utm(text: str, m: re.Match, rule: UtmLetter) -> ParsedCoordinate:
    """Read a UTM coordinate matched by :func:`match_utm`, applying the N/S letter ``rule``."""
    zone = int(m["zone"])
    letter = m["letter"].upper()
    easting = _utm_float(m["e"])
    northing = _utm_float(m["n"])
    notes: list[str] = []

    if not 1 <= zone <= 60:
        raise GridReferenceError(
            f"UTM zone {zone} does not exist (zones run from 1 to 60)",
            code="unknown_zone", text=text, span=m.span("zone"), part="zone",
        )
    if not 100_000.0 <= easting <= 900_000.0:
        raise CoordinateRangeError(
            f"a UTM easting lies between 100 000 and 900 000 m; {m['e']} does not",
            code="out_of_range", text=text, span=m.span("e"), part="easting",
        )
    if not 0.0 <= northing <= 10_000_000.0:
        raise CoordinateRangeError(
            f"a UTM northing lies between 0 and 10 000 000 m; {m['n']} does not",
            code="out_of_range", text=text, span=m.span("n"), part="northing",
        )

    is_hemisphere = letter in "NS" and rule is not UtmLetter.BAND
    if not is_hemisphere:
        _check_band_letter(text, letter, m.span("letter"))

    if letter == "S" and rule is UtmLetter.AUTO:
        north_lat, _ = utm_to_latlon(zone, True, easting, northing)
        south_lat, _ = utm_to_latlon(zone, False, easting, northing)
        band_s_south, band_s_north = band_range("S")
        if band_s_south - BAND_TOLERANCE_DEG <= north_lat <= band_s_north + BAND_TOLERANCE_DEG:
            raise AmbiguousCoordinateError(
                f"'S' after the zone can mean the southern hemisphere ({describe_latitude(south_lat)}) "
                f"or latitude band S ({describe_latitude(north_lat)}); write N for the northern hemisphere "
                "or use a band letter other than S "
                "for the southern (or set the programme's UTM letter rule)",
                code="ambiguous_hemisphere", text=text, span=m.span("letter"), part="hemisphere/band",
            )
        notes.append(
            f"'S' read as southern hemisphere (as band S the northing would lie at {describe_latitude(north_lat)}, "
            "outside 32°N-40°N)"
        )

    if is_hemisphere:
        northern = letter == "N"
    else:
        northern = letter >= "N"
    lat, lon = utm_to_latlon(zone, northern, easting, northing)

    if not (UTM_MIN_LAT - BAND_TOLERANCE_DEG <= lat <= UTM_MAX_LAT + BAND_TOLERANCE_DEG):
        raise CoordinateRangeError(
            f"northing {m['n']} lies at {describe_latitude(lat)}, outside 80°S-84°N where UTM is defined",
            code="out_of_range", text=text, span=m.span("n"), part="northing",
        )
    if is_hemisphere:
        if letter == "N" and not (0.0 <= lat <= 8.0):
            notes.append("'N' read as northern hemisphere (as latitude band N it would be impossible here)")
    else:
        south, north = band_range(letter)
        if not (south - BAND_TOLERANCE_DEG <= lat <= north + BAND_TOLERANCE_DEG):
            actual = band_letter(min(max(lat, UTM_MIN_LAT), UTM_MAX_LAT))
            raise GridReferenceError(
                f"northing {m['n']} lies at {describe_latitude(lat)}, which is band {actual}, not band {letter} "
                f"({describe_latitude(south)} to {describe_latitude(north)})",
                code="band_mismatch", text=text, span=m.span("letter"), part="band",
            )
    resolution = 10.0 ** -max(decimal_places(m["e"]), decimal_places(m["n"]))
    return ParsedCoordinate(lat, lon, CoordinateFormat.UTM, text, resolution, tuple(notes))


# --------------------------------------------------------------------------- writing

# GeoTrans keeps conversion parameters in process-wide state; serialise calls into it.
_MGRS = _mgrs.MGRS()
_MGRS_LOCK = threading.Lock()


def format_utm(lat: float, lon: float, decimals: int, utm_letter: UtmLetter, zone: int | None) -> str:
    """``37N 350812 5318235``; see :func:`geo.coordinates.format_coordinate` for the letter rule."""
    if not (UTM_MIN_LAT <= lat <= UTM_MAX_LAT):
        raise GridReferenceError(
            f"UTM is defined from 80°S to 84°N; latitude {lat} is outside (polar UPS is not supported)",
            code="polar_not_supported",
        )
    utm = latlon_to_utm(lat, lon, zone)
    band = band_letter(lat)
    if utm_letter is UtmLetter.BAND:
        letter = band
    else:
        letter = "N" if utm.northern else "S"
        if letter == "S":
            north_lat, _ = utm_to_latlon(utm.zone, True, utm.easting, utm.northing)
            south, north = band_range("S")
            if south - 2 * BAND_TOLERANCE_DEG <= north_lat <= north + 2 * BAND_TOLERANCE_DEG:
                letter = band
    return f"{utm.zone}{letter} {fixed_decimals(utm.easting, decimals)} {fixed_decimals(utm.northing, decimals)}"


def format_mgrs(lat: float, lon: float, digits: int) -> str:
    """``37U CP 50812 18235``, truncated to ``digits`` per axis."""
    if not (UTM_MIN_LAT <= lat < UTM_MAX_LAT):
        raise GridReferenceError(
            f"MGRS is written with UTM from 80°S to 84°N; latitude {lat} is outside (polar UPS is not supported)",
            code="polar_not_supported",
        )
    with _MGRS_LOCK:
        compact = _MGRS.toMGRS(lat, lon, MGRSPrecision=digits)
    m = re.fullmatch(r"(\d{1,2})([A-Z])([A-Z]{2})(\d*)", compact)
    if not m:
        raise GridReferenceError(f"unexpected MGRS reference {compact!r}", code="unrecognised_format")
    numbers = m[4]
    half = len(numbers) // 2
    return f"{int(m[1])}{m[2]} {m[3]} {numbers[:half]} {numbers[half:]}"
