"""ODK / KoboToolbox ``geopoint``, ``geotrace`` and ``geoshape`` strings.

A point is ``"lat lon alt acc"`` (latitude first, altitude and accuracy in metres;
the last two may be missing); points are joined by ``;``. Readers accept a trailing
``;``, extra blanks and CR/LF between points. A ``geoshape`` is a closed ring (ODK
repeats the first point at the end); an unclosed one is closed on reading.

ODK writes an accuracy of 0 for a point placed by hand on the map rather than
measured by GNSS; such points are not flagged as low accuracy, but
:attr:`OdkGeometry.manual` lists them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from .errors import OdkFormatError

#: Default accuracy (metres) above which a vertex is flagged as low accuracy.
DEFAULT_ACCURACY_THRESHOLD_M = 10.0

_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")


@dataclass(frozen=True)
class OdkVertex:
    """One point of an ODK string: position plus altitude and accuracy in metres when present."""

    lat: float
    lon: float
    altitude_m: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True)
class OdkGeometry:
    """A parsed ODK value.

    Attributes:
        geometry: Point, LineString or Polygon in lon/lat (2D).
        vertices: the points as written, in order (a geoshape's closing point included
            when the string had it).
        low_accuracy: indices of vertices whose accuracy exceeds the threshold.
        manual: indices of vertices with accuracy 0 (placed by hand).
        text: the string as received.
        closed_by_reader: a geoshape whose string did not repeat the first point.
    """

    geometry: BaseGeometry
    vertices: tuple[OdkVertex, ...]
    low_accuracy: tuple[int, ...]
    manual: tuple[int, ...]
    text: str
    closed_by_reader: bool = False


def _split_points(text: str) -> list[str]:
    if not isinstance(text, str):
        raise OdkFormatError("an ODK geometry must be a string", code="empty")
    # A line break, alone or next to a ';', separates two points.
    joined = re.sub(r"[ \t]*(?:;[ \t]*)?(?:\r\n|\r|\n)[\s]*", ";", text.strip())
    parts = [p.strip() for p in joined.split(";")]
    while parts and parts[-1] == "":
        parts.pop()
    while parts and parts[0] == "":
        parts.pop(0)
    if not parts:
        raise OdkFormatError("the ODK geometry string is empty", code="empty")
    for index, part in enumerate(parts):
        if part == "":
            raise OdkFormatError("an empty point between two ';'", code="wrong_value_count", vertex_index=index)
    return parts


def _parse_vertex(part: str, index: int) -> OdkVertex:
    values = part.split()
    if not 2 <= len(values) <= 4:
        raise OdkFormatError(
            f"a point has 2 to 4 numbers (lat lon alt acc); {len(values)} given in {part!r}",
            code="wrong_value_count", vertex_index=index,
        )
    numbers = []
    for value in values:
        if not _NUMBER.match(value):
            lowered = value.lower().lstrip("+-")
            code = "non_finite" if lowered in ("nan", "inf", "infinity") else "bad_number"
            raise OdkFormatError(f"{value!r} is not a number", code=code, vertex_index=index)
        number = float(value)
        if not math.isfinite(number):
            raise OdkFormatError(f"{value!r} is not a finite number", code="non_finite", vertex_index=index)
        numbers.append(number)
    lat, lon = numbers[0], numbers[1]
    if not -90.0 <= lat <= 90.0:
        hint = " (latitude comes first in ODK strings)" if abs(lon) <= 90.0 < abs(lat) <= 180.0 else ""
        raise OdkFormatError(f"latitude {values[0]} is outside ±90°{hint}", code="out_of_range", vertex_index=index)
    if not -180.0 <= lon <= 180.0:
        raise OdkFormatError(f"longitude {values[1]} is outside ±180°", code="out_of_range", vertex_index=index)
    altitude = numbers[2] if len(numbers) > 2 else None
    accuracy = numbers[3] if len(numbers) > 3 else None
    if accuracy is not None and accuracy < 0.0:
        raise OdkFormatError(f"accuracy {values[3]} is negative", code="negative_accuracy", vertex_index=index)
    return OdkVertex(lat + 0.0, lon + 0.0, altitude, accuracy)


def _flags(vertices: Sequence[OdkVertex], threshold: float | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    low = tuple(
        i for i, v in enumerate(vertices)
        if threshold is not None and v.accuracy_m is not None and v.accuracy_m > threshold
    )
    manual = tuple(i for i, v in enumerate(vertices) if v.accuracy_m == 0.0)
    return low, manual


def parse_geopoint(text: str, *, accuracy_threshold_m: float | None = DEFAULT_ACCURACY_THRESHOLD_M) -> OdkGeometry:
    """Read a ``geopoint`` value (one point)."""
    parts = _split_points(text)
    if len(parts) != 1:
        raise OdkFormatError(f"a geopoint has one point; {len(parts)} given", code="wrong_value_count")
    vertex = _parse_vertex(parts[0], 0)
    low, manual = _flags([vertex], accuracy_threshold_m)
    return OdkGeometry(Point(vertex.lon, vertex.lat), (vertex,), low, manual, text)


def parse_geotrace(text: str, *, accuracy_threshold_m: float | None = DEFAULT_ACCURACY_THRESHOLD_M) -> OdkGeometry:
    """Read a ``geotrace`` value (a line of at least two distinct points)."""
    vertices = [_parse_vertex(part, i) for i, part in enumerate(_split_points(text))]
    if len({(v.lon, v.lat) for v in vertices}) < 2:
        raise OdkFormatError("a geotrace needs at least two distinct points", code="too_few_points")
    low, manual = _flags(vertices, accuracy_threshold_m)
    line = LineString([(v.lon, v.lat) for v in vertices])
    return OdkGeometry(line, tuple(vertices), low, manual, text)


def parse_geoshape(text: str, *, accuracy_threshold_m: float | None = DEFAULT_ACCURACY_THRESHOLD_M) -> OdkGeometry:
    """Read a ``geoshape`` value (a closed ring of at least three distinct points)."""
    vertices = [_parse_vertex(part, i) for i, part in enumerate(_split_points(text))]
    coords = [(v.lon, v.lat) for v in vertices]
    if len(set(coords)) < 3:
        raise OdkFormatError("a geoshape needs at least three distinct points", code="too_few_points")
    closed_by_reader = coords[0] != coords[-1]
    ring = coords + [coords[0]] if closed_by_reader else coords
    low, manual = _flags(vertices, accuracy_threshold_m)
    return OdkGeometry(Polygon(ring), tuple(vertices), low, manual, text, closed_by_reader)


# --------------------------------------------------------------------------- writing


def _number(value: float, decimals: int | None) -> str:
    if decimals is None:
        text = np.format_float_positional(float(value), unique=True, trim="-")
    else:
        text = f"{float(value):.{decimals}f}"
    if float(text) == 0.0:
        text = text.lstrip("-")
    return text


def _vertex_text(lon: float, lat: float, altitude: float, accuracy: float, precision: int | None) -> str:
    for name, value in (("longitude", lon), ("latitude", lat), ("altitude", altitude), ("accuracy", accuracy)):
        if not math.isfinite(value):
            raise OdkFormatError(f"{name} {value} is not a finite number", code="non_finite")
    return " ".join(
        [_number(lat, precision), _number(lon, precision), _number(altitude, None), _number(accuracy, None)]
    )


def _per_vertex(values: Sequence[float | None] | None, count: int, name: str) -> list[float]:
    if values is None:
        return [0.0] * count
    if len(values) != count:
        raise OdkFormatError(f"{len(values)} {name} values for {count} points", code="wrong_value_count")
    return [0.0 if v is None else float(v) for v in values]


def _join(coords: np.ndarray, altitudes, accuracies, precision: int | None) -> str:
    z = coords[:, 2] if coords.shape[1] > 2 and altitudes is None else None
    alts = _per_vertex(list(z) if z is not None else altitudes, len(coords), "altitude")
    accs = _per_vertex(accuracies, len(coords), "accuracy")
    return ";".join(
        _vertex_text(c[0], c[1], a, acc, precision) for c, a, acc in zip(coords, alts, accs)
    )


def format_geopoint(
    point: Point | OdkVertex, *, altitude_m: float | None = None, accuracy_m: float | None = None,
    precision: int | None = None,
) -> str:
    """Write a ``geopoint`` value. ``precision`` = decimals of lat/lon (default: shortest exact form)."""
    if isinstance(point, OdkVertex):
        lon, lat = point.lon, point.lat
        altitude_m = point.altitude_m if altitude_m is None else altitude_m
        accuracy_m = point.accuracy_m if accuracy_m is None else accuracy_m
    elif isinstance(point, Point) and not point.is_empty:
        lon, lat = point.x, point.y
        if altitude_m is None and point.has_z:
            altitude_m = point.z
    else:
        raise OdkFormatError("a geopoint is written from a non-empty Point", code="unsupported_geometry")
    return _vertex_text(lon, lat, altitude_m or 0.0, accuracy_m or 0.0, precision)


def format_geotrace(
    line: LineString, *, altitudes: Sequence[float | None] | None = None,
    accuracies: Sequence[float | None] | None = None, precision: int | None = None,
) -> str:
    """Write a ``geotrace`` value from a LineString (altitudes default to its Z values, else 0)."""
    if not isinstance(line, LineString) or line.is_empty:
        raise OdkFormatError("a geotrace is written from a non-empty LineString", code="unsupported_geometry")
    return _join(np.asarray(line.coords), altitudes, accuracies, precision)


def format_geoshape(
    polygon: Polygon, *, altitudes: Sequence[float | None] | None = None,
    accuracies: Sequence[float | None] | None = None, precision: int | None = None,
) -> str:
    """Write a ``geoshape`` value from a Polygon without holes (closing point repeated, as ODK does).

    ``altitudes`` and ``accuracies``, when given, have one value per ring coordinate,
    closing point included.
    """
    if not isinstance(polygon, Polygon) or polygon.is_empty:
        raise OdkFormatError("a geoshape is written from a non-empty Polygon", code="unsupported_geometry")
    if len(polygon.interiors):
        raise OdkFormatError("a geoshape cannot hold holes", code="unsupported_geometry")
    return _join(np.asarray(polygon.exterior.coords), altitudes, accuracies, precision)

