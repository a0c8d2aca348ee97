"""Types shared by the coordinate readers and writers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from shapely.geometry import Point

#: Metres per degree of latitude, used only to express a typed resolution on the ground.
M_PER_DEGREE = 111_320.0

#: Latitude slack when checking a UTM band letter against the point (about 11 m).
BAND_TOLERANCE_DEG = 1e-4


class CoordinateFormat(str, Enum):
    DD = "DD"
    DDM = "DDM"
    DMS = "DMS"
    UTM = "UTM"
    MGRS = "MGRS"


class AxisOrder(str, Enum):
    LAT_LON = "lat_lon"
    LON_LAT = "lon_lat"


class UtmLetter(str, Enum):
    """How to read N and S after a UTM zone number (other letters are always bands)."""

    AUTO = "auto"
    HEMISPHERE = "hemisphere"
    BAND = "band"


@dataclass(frozen=True)
class ParsedCoordinate:
    """A coordinate read from text.

    Attributes:
        lat, lon: WGS84 degrees.
        format: the notation detected.
        text: the text as typed, verbatim (keep it beside the parsed value).
        resolution_m: ground size of the last digit typed (an MGRS square's side, one
            unit of the last decimal, ...), approximate for geographic notations.
        notes: remarks on how an unusual text was read (e.g. longitude first).
    """

    lat: float
    lon: float
    format: CoordinateFormat
    text: str
    resolution_m: float
    notes: tuple[str, ...] = ()

    @property
    def point(self) -> Point:
        return Point(self.lon, self.lat)


def describe_latitude(lat: float) -> str:
    """Short human form of a latitude for messages, e.g. ``48°N``."""
    return f"{abs(lat):.4g}°{'N' if lat >= 0 else 'S'}"


def decimal_places(number_text: str) -> int:
    """Digits after the decimal point or comma of a number as typed."""
    parts = re.split(r"[.,]", number_text)
    return len(parts[1]) if len(parts) > 1 else 0


def fixed_decimals(value: float, decimals: int) -> str:
    """A number with a fixed count of decimals, never written as negative zero."""
    out = f"{value:.{decimals}f}"
    if float(out) == 0.0:
        out = out.lstrip("-")
    return out
