"""Query and path parameters of the public and tile routes: one function per parameter, each
validating its value and raising :class:`BadParameter` (400) with a message a person can act on."""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Iterable

from werkzeug.datastructures import LanguageAccept, MultiDict

from ..errors import UserError
from ..store.models import CLASSIFICATIONS, HAZARD_STATUSES
from ..store.tiles import TileFilters
from .messages import DEFAULT_LANGUAGE, LANGUAGES

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_WHOLE = re.compile(r"\d{1,9}")


class BadParameter(UserError):
    """A query or path parameter is missing, malformed, out of range or not expected."""

    status = 400
    code = "invalid_parameter"

    def __init__(self, code: str, parameter: str, message: str) -> None:
        super().__init__(message, {"parameter": parameter})
        self.code = code


def reject_unknown(args: MultiDict, allowed: Iterable[str], repeatable: Iterable[str] = ()) -> None:
    """Refuse parameters the route does not take, and repeats of single-valued ones."""
    allowed = tuple(allowed)
    repeatable = set(repeatable)
    for name in args.keys():
        if name not in allowed:
            accepts = (f"this address accepts {', '.join(allowed)}" if allowed
                       else "this address takes no query parameters")
            raise BadParameter("unknown_parameter", name, f"unknown parameter '{name[:40]}'; {accepts}")
        if name not in repeatable and len(args.getlist(name)) > 1:
            raise BadParameter("repeated_parameter", name, f"give {name} once")


def _single(args: MultiDict, name: str) -> str | None:
    value = args.get(name)
    return None if value is None else value.strip()


def _coordinate(args: MultiDict, name: str, what: str, limit: float, example: str) -> float:
    raw = _single(args, name)
    if raw is None or raw == "":
        raise BadParameter("missing_parameter", name,
                           f"{name} is required: your {what} in decimal degrees, e.g. {name}={example}")
    if raw.lower() in _NOT_FINITE:
        raise BadParameter("not_finite", name,
                           f"{name} must be a finite number of degrees, e.g. {name}={example}")
    if len(raw) > 32 or not _DECIMAL.fullmatch(raw):
        raise BadParameter("not_a_number", name,
                           f"{name} must be a number in decimal degrees (a dot for decimals, no "
                           f"degree sign), e.g. {name}={example}; got '{raw[:32]}'")
    value = float(raw)
    if not math.isfinite(value):
        raise BadParameter("not_finite", name, f"{name} must be a finite number of degrees")
    if not -limit <= value <= limit:
        raise BadParameter("out_of_range", name,
                           f"{name} must be between -{limit:g} and {limit:g} degrees; got {raw[:32]}")
    return value


def latitude(args: MultiDict) -> float:
    return _coordinate(args, "lat", "latitude", 90.0, "49.9935")


def longitude(args: MultiDict) -> float:
    return _coordinate(args, "lon", "longitude", 180.0, "36.2304")


def language(args: MultiDict, accepted: LanguageAccept | None = None) -> str:
    """``lang`` when given (en or uk), else the best of the browser's languages, else English."""
    raw = _single(args, "lang")
    if raw is not None:
        value = raw.lower()
        if value not in LANGUAGES:
            raise BadParameter("unsupported_language", "lang",
                               f"lang must be one of {', '.join(LANGUAGES)}; got '{raw[:16]}'")
        return value
    if accepted is not None:
        return accepted.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


# -- tiles ------------------------------------------------------------------------------------------
def tile_address(z: str, x: str, y: str) -> tuple[int, int, int]:
    """Whole numbers from the tile path; whether the tile exists is checked by the store (404)."""
    values = []
    for name, raw in (("z", z), ("x", x), ("y", y)):
        if not _WHOLE.fullmatch(raw or ""):
            raise BadParameter("invalid_tile_address", name,
                               f"{name} in /{{z}}/{{x}}/{{y}}.pbf must be a whole number of at most 9 "
                               f"digits; got '{(raw or '')[:16]}'")
        values.append(int(raw))
    return values[0], values[1], values[2]


def _list(args: MultiDict, name: str) -> list[str]:
    """A list parameter, given repeated (``a=1&a=2``) or comma-separated (``a=1,2``)."""
    items = [part.strip() for raw in args.getlist(name) for part in raw.split(",")]
    if any(item == "" for item in items):
        raise BadParameter("invalid_parameter", name, f"{name} has an empty value")
    if len(items) > 100:
        raise BadParameter("invalid_parameter", name, f"{name} takes at most 100 values")
    return items


def _ids(args: MultiDict, name: str) -> list[int]:
    items = _list(args, name)
    bad = [i for i in items if not _WHOLE.fullmatch(i) or int(i) < 1]
    if bad:
        raise BadParameter("invalid_parameter", name,
                           f"{name} takes positive whole numbers (ids); got '{bad[0][:16]}'")
    return [int(i) for i in items]


def _choices(args: MultiDict, name: str, allowed: tuple[str, ...]) -> list[str]:
    items = _list(args, name)
    bad = [i for i in items if i not in allowed]
    if bad:
        raise BadParameter("invalid_parameter", name,
                           f"{name} must be one of {', '.join(allowed)}; got '{bad[0][:32]}'")
    return items


def _date(args: MultiDict, name: str) -> dt.date | None:
    raw = _single(args, name)
    if raw is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter("invalid_parameter", name,
                           f"{name} must be a date written YYYY-MM-DD, e.g. {name}=2024-05-31; "
                           f"got '{raw[:16]}'") from None


def organisations(args: MultiDict) -> list[int]:
    return _ids(args, "organisation")


def classifications(args: MultiDict) -> list[str]:
    return _choices(args, "classification", CLASSIFICATIONS)


def statuses(args: MultiDict) -> list[str]:
    return _choices(args, "status", HAZARD_STATUSES)


def date_from(args: MultiDict) -> dt.date | None:
    return _date(args, "from")


def date_to(args: MultiDict) -> dt.date | None:
    return _date(args, "to")


def admin_area(args: MultiDict) -> int | None:
    raw = _single(args, "admin_area")
    if raw is None:
        return None
    if not _WHOLE.fullmatch(raw) or int(raw) < 1:
        raise BadParameter("invalid_parameter", "admin_area",
                           f"admin_area takes the id of one admin area; got '{raw[:16]}'")
    return int(raw)


STAFF_TILE_PARAMETERS = ("organisation", "classification", "status", "from", "to", "admin_area")
STAFF_TILE_REPEATABLE = ("organisation", "classification", "status")


def tile_filters(args: MultiDict) -> TileFilters:
    reject_unknown(args, STAFF_TILE_PARAMETERS, STAFF_TILE_REPEATABLE)
    start, end = date_from(args), date_to(args)
    if start and end and start > end:
        raise BadParameter("invalid_parameter", "from", f"from ({start}) is after to ({end})")
    return TileFilters(organisation_ids=tuple(organisations(args)),
                       classifications=tuple(classifications(args)), statuses=tuple(statuses(args)),
                       date_from=start, date_to=end, admin_area_id=admin_area(args))
