"""Typed errors raised by the survey-geometry toolkit.

Every error carries a stable machine ``code`` (a short snake_case string the web
application can map to a translated message or a form field) and a human
message that says what is wrong and where.
"""

from __future__ import annotations

from typing import Any


class GeoError(ValueError):
    """Base class of every error raised by :mod:`geo`."""

    code: str = "geo_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message


# --------------------------------------------------------------------------- coordinates


class CoordinateError(GeoError):
    """A coordinate text could not be read.

    Attributes:
        code: machine code, one of :data:`COORDINATE_ERROR_CODES`.
        text: the text as given, verbatim.
        span: ``(start, end)`` character offsets (0-based, end exclusive) of the part
            of ``text`` that is wrong, or ``None`` when the whole text is at fault.
        part: which part of the coordinate is wrong (``"latitude"``, ``"longitude"``,
            ``"first value"``, ``"zone"``, ``"band"``, ``"easting"``, ...), or ``None``.
    """

    code = "unrecognised_format"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        text: str = "",
        span: tuple[int, int] | None = None,
        part: str | None = None,
    ) -> None:
        self.text = text
        self.span = span
        self.part = part
        super().__init__(_locate(message, text, span, part), code=code)


class EmptyCoordinateError(CoordinateError):
    """Nothing (or only blanks) was typed."""

    code = "empty"


class CoordinateSyntaxError(CoordinateError):
    """The text does not follow any supported coordinate notation."""

    code = "unrecognised_format"


class CoordinateRangeError(CoordinateError):
    """A number is outside the range its position allows (latitude 91, minutes 60, ...)."""

    code = "out_of_range"


class GridReferenceError(CoordinateError):
    """A UTM or MGRS reference names a zone, band or square that does not exist or does not fit."""

    code = "unknown_band"


class AmbiguousCoordinateError(CoordinateError):
    """The text can be read in more than one materially different way."""

    code = "ambiguous_order"


#: Codes a :class:`CoordinateError` may carry.
COORDINATE_ERROR_CODES = frozenset(
    {
        "empty",
        "unrecognised_format",
        "out_of_range",
        "minutes_out_of_range",
        "seconds_out_of_range",
        "unknown_zone",
        "unknown_band",
        "unknown_square",
        "band_mismatch",
        "polar_not_supported",
        "precision_mismatch",
        "mixed_formats",
        "missing_hemisphere",
        "hemisphere_conflict",
        "ambiguous_order",
        "ambiguous_hemisphere",
        "ambiguous_separator",
    }
)


def _locate(message: str, text: str, span: tuple[int, int] | None, part: str | None) -> str:
    where: list[str] = []
    if part:
        where.append(part)
    if span is not None and text:
        start, end = span
        fragment = text[start:end]
        if end - start == 1:
            where.append(f"'{fragment}' at character {start + 1}")
        else:
            where.append(f"'{fragment}' at characters {start + 1}-{end}")
    if where:
        return f"{message} ({', '.join(where)})"
    return message


# --------------------------------------------------------------------------- traverses


class TraverseError(GeoError):
    """A traverse cannot be computed as given.

    Attributes:
        code: machine code, e.g. ``bearing_out_of_range``, ``non_positive_distance``,
            ``not_closed``, ``too_few_points``, ``self_intersection``.
        leg_index: 0-based index of the offending leg, or ``None``.
        points: the points computed before (or despite) the failure, so a user
            interface can show them while the surveyor corrects the input.
    """

    code = "traverse_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        leg_index: int | None = None,
        points: tuple[Any, ...] = (),
    ) -> None:
        self.leg_index = leg_index
        self.points = points
        if leg_index is not None:
            message = f"{message} (leg {leg_index + 1})"
        super().__init__(message, code=code)


class TraverseNotClosedError(TraverseError):
    """The last point of the traverse is further from the start point than the tolerance."""

    code = "not_closed"

    def __init__(
        self,
        message: str,
        *,
        misclosure_m: float,
        misclosure_bearing_deg: float,
        tolerance_m: float,
        points: tuple[Any, ...] = (),
    ) -> None:
        self.misclosure_m = misclosure_m
        self.misclosure_bearing_deg = misclosure_bearing_deg
        self.tolerance_m = tolerance_m
        super().__init__(message, points=points)


# --------------------------------------------------------------------------- geometries


class GeometryError(GeoError):
    """A geometry cannot be processed (not polygonal, non-finite, too few vertices, polar...)."""

    code = "geometry_error"


class OdkFormatError(GeoError):
    """An ODK/Kobo ``geopoint``/``geotrace``/``geoshape`` string is malformed.

    Attributes:
        code: ``empty``, ``wrong_value_count``, ``bad_number``, ``non_finite``,
            ``out_of_range``, ``negative_accuracy``, ``too_few_points``, ``unsupported_geometry``.
        vertex_index: 0-based index of the offending point in the string, or ``None``.
    """

    code = "odk_format"

    def __init__(self, message: str, *, code: str | None = None, vertex_index: int | None = None) -> None:
        self.vertex_index = vertex_index
        if vertex_index is not None:
            message = f"{message} (point {vertex_index + 1})"
        super().__init__(message, code=code)
