"""Reading and writing coordinates as surveyors type them: DD, DDM, DMS, UTM and MGRS.

Reading rules (see also docs/decisions/0003-survey-geometry-toolkit.md):

* **Axis order.** Hemisphere letters (N/S/E/W, before or after each value) decide
  which value is the latitude. Without letters, a value above 90 can only be a
  longitude; otherwise the latitude comes first, as field forms and GPS units write
  it. A caller that cannot assume this passes ``default_order=None`` and gets
  ``ambiguous_order`` instead of a guess.
* **Letters and signs.** Letters must be on both values or on neither; a minus sign
  together with a hemisphere letter is refused (``hemisphere_conflict``).
* **Decimal comma.** A comma between two digits is a decimal comma only when the
  text has no full stop and the two values are separated otherwise (blank,
  semicolon, slash, degree marks or hemisphere letters): ``48,5 37,2`` reads as
  48.5, 37.2; ``48,37`` is refused as ``ambiguous_separator``.
* **Split values.** Both values must use the same notation (both DMS, ...); a DMS
  latitude with a DDM longitude is usually a dropped field and is refused
  (``mixed_formats``).
* **UTM letter.** After a zone number, a letter other than N or S is a latitude
  band. N and S follow the EPSG convention (``37N`` = zone 37, northern
  hemisphere). N is harmless: band N lies wholly in the northern hemisphere, so both
  readings give the same point whenever band N is possible. S is not: ``42S`` on a
  GPS in Afghanistan means band S (32°N-40°N), not the southern hemisphere. By
  default (:attr:`UtmLetter.AUTO`) an S whose northing also fits band S is refused
  as ``ambiguous_hemisphere``; elsewhere S is the southern hemisphere.
* **MGRS.** A reference names a square; it is read as the square's centre, so the
  error of a truncated reference is at most half the square's diagonal.
"""

from __future__ import annotations

import math
import re

from .coordinate_types import AxisOrder, CoordinateFormat, ParsedCoordinate, UtmLetter, fixed_decimals
from .errors import (
    CoordinateError,
    CoordinateRangeError,
    CoordinateSyntaxError,
    EmptyCoordinateError,
    GridReferenceError,
)
from .geographic_notation import format_sexagesimal, parse_geographic
from .grid_references import (
    MGRS_RE,
    POLAR_MGRS_RE,
    ZONE_WITHOUT_LETTER_RE,
    format_mgrs,
    format_utm,
    match_utm,
    parse_mgrs,
    parse_utm,
)

# Starts like a grid reference (zone, band, 100 km square letters) but did not parse as one.
_GRID_LIKE_RE = re.compile(r"^\s*\d{1,2}\s*[A-Za-z]\s*[A-Za-z]{2}(?![A-Za-z])")


def parse_coordinate(
    text: str,
    *,
    default_order: AxisOrder | None = AxisOrder.LAT_LON,
    utm_letter: UtmLetter = UtmLetter.AUTO,
) -> ParsedCoordinate:
    """Read one point typed in any supported notation.

    Raises a :class:`~geo.errors.CoordinateError` subclass whose ``code`` says what is
    wrong and whose message says where.
    """
    if not isinstance(text, str):
        raise CoordinateSyntaxError("a coordinate must be given as text", code="unrecognised_format", text=str(text))
    default_order = AxisOrder(default_order) if default_order is not None else None
    utm_letter = UtmLetter(utm_letter)
    if not text.strip():
        raise EmptyCoordinateError("no coordinate was given", text=text)

    if POLAR_MGRS_RE.match(text):
        raise GridReferenceError(
            "polar (UPS) grid references are not supported", code="polar_not_supported", text=text
        )
    match = MGRS_RE.match(text)
    if match:
        return parse_mgrs(text, match)
    utm = match_utm(text)
    if utm is not None:
        return parse_utm(text, utm, utm_letter)
    if ZONE_WITHOUT_LETTER_RE.match(text):
        raise CoordinateSyntaxError(
            "a UTM coordinate needs a hemisphere (N/S) or latitude band letter after the zone number",
            code="unrecognised_format",
            text=text,
        )
    grid_like = _GRID_LIKE_RE.match(text)
    if grid_like:
        rest = text[grid_like.end():]
        offset = grid_like.end() + next((i for i, c in enumerate(rest) if not (c.isdigit() or c.isspace())), 0)
        raise CoordinateSyntaxError(
            f"unexpected {text[offset]!r} in an MGRS reference; after the square letters only digits may follow"
            + (" (the letter O is never a digit)" if text[offset] in "oO" else ""),
            code="unrecognised_format", text=text, span=(offset, offset + 1), part="digits",
        )
    return parse_geographic(text, default_order)


_DEFAULT_PRECISION = {
    CoordinateFormat.DD: 7,
    CoordinateFormat.DDM: 4,
    CoordinateFormat.DMS: 2,
    CoordinateFormat.UTM: 0,
    CoordinateFormat.MGRS: 5,
}


def format_coordinate(
    lat: float,
    lon: float,
    fmt: CoordinateFormat | str,
    *,
    precision: int | None = None,
    utm_letter: UtmLetter = UtmLetter.HEMISPHERE,
    zone: int | None = None,
) -> str:
    """Write a WGS84 point in a notation :func:`parse_coordinate` reads back.

    ``precision`` is the number of decimals of the last field (degrees for DD, minutes
    for DDM, seconds for DMS, metres for UTM) or, for MGRS, the digits per axis (1-5).
    Defaults: DD 7 (1 cm), DDM 4 (0.2 m), DMS 2 (0.3 m), UTM 0 (1 m), MGRS 5 (1 m).

    UTM is written with the hemisphere letter (``37N 350812 5318235``) unless
    ``utm_letter`` is :attr:`UtmLetter.BAND`. In 50°S-58°S, where a hemisphere S could
    be taken for band S, the band letter is written instead so the text stays
    unambiguous. MGRS is truncated, as the standard requires, never rounded.
    """
    fmt = CoordinateFormat(fmt)
    utm_letter = UtmLetter(utm_letter)
    if precision is None:
        precision = _DEFAULT_PRECISION[fmt]
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise CoordinateRangeError("coordinates must be finite numbers", code="out_of_range")
    if not -90.0 <= lat <= 90.0:
        raise CoordinateRangeError(f"latitude {lat} is outside 90°S-90°N", code="out_of_range", part="latitude")
    if not -180.0 <= lon <= 180.0:
        raise CoordinateRangeError(f"longitude {lon} is outside 180°W-180°E", code="out_of_range", part="longitude")
    if fmt is CoordinateFormat.MGRS:
        if not 1 <= precision <= 5:
            raise ValueError("MGRS precision is 1 to 5 digits per axis")
    elif not 0 <= precision <= 10:
        raise ValueError("precision must be between 0 and 10 decimals")

    if fmt is CoordinateFormat.DD:
        return f"{fixed_decimals(lat, precision)}, {fixed_decimals(lon, precision)}"
    if fmt is CoordinateFormat.DDM:
        return f"{format_sexagesimal(lat, 'NS', precision, 2)} {format_sexagesimal(lon, 'EW', precision, 2)}"
    if fmt is CoordinateFormat.DMS:
        return f"{format_sexagesimal(lat, 'NS', precision, 3)} {format_sexagesimal(lon, 'EW', precision, 3)}"
    if fmt is CoordinateFormat.UTM:
        return format_utm(lat, lon, precision, utm_letter, zone)
    return format_mgrs(lat, lon, precision)


__all__ = [
    "AxisOrder",
    "CoordinateError",
    "CoordinateFormat",
    "ParsedCoordinate",
    "UtmLetter",
    "format_coordinate",
    "parse_coordinate",
]
