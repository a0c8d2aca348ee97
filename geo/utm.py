"""UTM zones, latitude bands, grid convergence and cached pyproj transformers.

UTM (and MGRS, which is built on it) is defined from 80°S to 84°N. The polar caps
use UPS, which no mine-action programme needs; they are refused with
``polar_not_supported`` rather than silently mis-projected.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import pyproj

from .errors import GeometryError

#: Latitude band letters from 80°S northwards, 8° each (X spans 72°N-84°N). I and O are not used.
BAND_LETTERS = "CDEFGHJKLMNPQRSTUVWX"

UTM_MIN_LAT = -80.0
UTM_MAX_LAT = 84.0

_local = threading.local()


def _cache() -> dict:
    # pyproj transformers are not safe to share between threads; keep one set per thread.
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    return cache


def utm_epsg(zone: int, northern: bool) -> int:
    """EPSG code of ``WGS 84 / UTM zone <zone><N|S>``."""
    if not 1 <= zone <= 60:
        raise GeometryError(f"UTM zone {zone} does not exist (zones run from 1 to 60)", code="unknown_zone")
    return (32600 if northern else 32700) + zone


def check_utm_latitude(lat: float) -> None:
    """Raise ``polar_not_supported`` for latitudes outside UTM's 80°S-84°N."""
    if not (UTM_MIN_LAT <= lat <= UTM_MAX_LAT):
        raise GeometryError(
            f"latitude {lat:.6f} is outside 80°S-84°N, where UTM and MGRS are defined (polar UPS is not supported)",
            code="polar_not_supported",
        )


def zone_number(lat: float, lon: float) -> int:
    """Standard UTM/MGRS zone of a point, including the Norway (32V) and Svalbard (31X-37X) exceptions."""
    lon = normalise_lon(lon)
    zone = int(math.floor((lon + 180.0) / 6.0)) + 1
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        zone = 32
    elif 72.0 <= lat <= 84.0 and 0.0 <= lon < 42.0:
        if lon < 9.0:
            zone = 31
        elif lon < 21.0:
            zone = 33
        elif lon < 33.0:
            zone = 35
        else:
            zone = 37
    return zone


def band_letter(lat: float) -> str:
    """Latitude band letter (C-X) of a latitude within 80°S-84°N."""
    check_utm_latitude(lat)
    index = int(math.floor((lat - UTM_MIN_LAT) / 8.0))
    return BAND_LETTERS[min(max(index, 0), len(BAND_LETTERS) - 1)]


def band_range(letter: str) -> tuple[float, float]:
    """Southern and northern latitude limits of a band letter."""
    index = BAND_LETTERS.index(letter.upper())
    south = UTM_MIN_LAT + 8.0 * index
    north = UTM_MAX_LAT if letter.upper() == "X" else south + 8.0
    return south, north


def normalise_lon(lon: float) -> float:
    """Longitude in [-180, 180)."""
    if -180.0 <= lon < 180.0:
        return lon
    return ((lon + 180.0) % 360.0) - 180.0


def _transformers(zone: int, northern: bool) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    key = ("utm", zone, northern)
    cache = _cache()
    pair = cache.get(key)
    if pair is None:
        epsg = utm_epsg(zone, northern)
        pair = (
            pyproj.Transformer.from_crs(4326, epsg, always_xy=True),
            pyproj.Transformer.from_crs(epsg, 4326, always_xy=True),
        )
        cache[key] = pair
    return pair


def _proj(zone: int, northern: bool) -> pyproj.Proj:
    key = ("proj", zone, northern)
    cache = _cache()
    proj = cache.get(key)
    if proj is None:
        proj = cache[key] = pyproj.Proj(pyproj.CRS.from_epsg(utm_epsg(zone, northern)))
    return proj


@dataclass(frozen=True)
class UtmCoordinate:
    """A UTM position: zone 1-60, hemisphere, easting and northing in metres."""

    zone: int
    northern: bool
    easting: float
    northing: float

    @property
    def epsg(self) -> int:
        return utm_epsg(self.zone, self.northern)


def latlon_to_utm(lat: float, lon: float, zone: int | None = None) -> UtmCoordinate:
    """Project a WGS84 point to UTM, in its own zone unless ``zone`` is given."""
    check_utm_latitude(lat)
    if zone is None:
        zone = zone_number(lat, lon)
    northern = lat >= 0.0
    forward, _ = _transformers(zone, northern)
    easting, northing = forward.transform(lon, lat, errcheck=True)
    return UtmCoordinate(zone, northern, float(easting), float(northing))


def utm_to_latlon(zone: int, northern: bool, easting: float, northing: float) -> tuple[float, float]:
    """Unproject a UTM position to WGS84 ``(lat, lon)``."""
    _, inverse = _transformers(zone, northern)
    lon, lat = inverse.transform(easting, northing, errcheck=True)
    return float(lat), float(lon)


def grid_convergence_deg(lat: float, lon: float, zone: int | None = None) -> float:
    """Meridian (grid) convergence γ in degrees at a point, for a UTM zone.

    Sign convention (that of PROJ's ``meridian_convergence``): γ is the angle from true
    north to grid north, clockwise positive, so that::

        true azimuth = grid bearing + γ

    East of the zone's central meridian in the northern hemisphere γ is positive
    (grid north lies east of true north); west of it, negative.
    """
    check_utm_latitude(lat)
    if zone is None:
        zone = zone_number(lat, lon)
    factors = _proj(zone, lat >= 0.0).get_factors(lon, lat, errcheck=True)
    return float(factors.meridian_convergence)


def local_aeqd_transformers(lat: float, lon: float) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    """Forward and inverse transformers to an azimuthal equidistant projection centred on a point.

    Distances from the centre are exact; over a few hundred kilometres the scale
    error elsewhere stays below 0.1 %.
    """
    key = ("aeqd", round(lat, 6), round(lon, 6))
    cache = _cache()
    pair = cache.get(key)
    if pair is None:
        crs = pyproj.CRS.from_proj4(
            f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
        )
        pair = (
            pyproj.Transformer.from_crs(4326, crs, always_xy=True),
            pyproj.Transformer.from_crs(crs, 4326, always_xy=True),
        )
        if len(cache) > 512:
            cache.clear()
        cache[key] = pair
    return pair
