"""Query parameters of the hazard pages, each read in one place; a bad value is a 400 page."""
from __future__ import annotations

import datetime as dt

from flask import request

from ..errors import UserError

PAGE_SIZE = 50
MAX_PAGE = 100_000


class BadParameter(UserError):
    status = 400
    code = "bad_request"


def choice(name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """One value from ``allowed`` (empty: no filter)."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return ()
    if raw not in allowed:
        raise BadParameter(f"{name.replace('_', ' ')}: choose one of {', '.join(allowed)}")
    return (raw,)


def whole_number(name: str, default: int | None, minimum: int = 1, maximum: int = 2**31 - 1) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise BadParameter(f"{name} must be a whole number from {minimum} to {maximum}")
    return int(raw)


def page_number() -> int:
    return whole_number("page", 1, 1, MAX_PAGE)


def flag(name: str) -> bool:
    return (request.args.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def day(name: str) -> dt.date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a date like 2024-05-01") from None
