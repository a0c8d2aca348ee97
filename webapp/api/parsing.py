"""Reading requests in one place: the JSON body (strict: no NaN/Infinity, objects only, validated by
a pydantic model) and each query parameter, each raising a clear 4xx."""
from __future__ import annotations

import datetime as dt
import json
import math

from flask import request
from pydantic import BaseModel, ValidationError

from ..errors import Invalid, PreconditionRequired, UserError


class BadRequest(UserError):
    status = 400
    code = "bad_request"


class UnsupportedMediaType(UserError):
    status = 415
    code = "unsupported_media_type"


def _reject_constant(name: str):
    raise BadRequest(f"{name} is not a number JSON allows; send a finite number")


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise BadRequest(f"the field {key!r} appears twice in one object")
        seen[key] = value
    return seen


def json_body() -> dict:
    """The request body as a JSON object, refusing NaN/Infinity and duplicate keys."""
    if request.mimetype not in ("application/json", "application/geo+json"):
        raise UnsupportedMediaType("send the body as application/json")
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequest("the request has no body")
    try:
        data = json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise BadRequest("the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def validation_details(exc: ValidationError) -> list[dict]:
    details = []
    for err in exc.errors(include_url=False, include_input=False)[:50]:
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        msg = err["msg"].removeprefix("Value error, ")
        details.append({"field": loc or None, "message": msg, "type": err["type"]})
    return details


def parse_model(model: type[BaseModel], data: dict) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = validation_details(exc)
        first = details[0] if details else {"field": None, "message": "invalid"}
        where = f"{first['field']}: " if first["field"] else ""
        raise Invalid(f"{where}{first['message']}", details={"errors": details}) from None


def body_as(model: type[BaseModel]) -> BaseModel:
    return parse_model(model, json_body())


# -- query parameters -----------------------------------------------------------------------------
def only_params(*allowed: str) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise BadRequest(f"unknown query parameter {', '.join(unknown)}; allowed: {', '.join(allowed) or 'none'}")


def bbox_param(name: str = "bbox") -> tuple[float, float, float, float] | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        values = tuple(float(v) for v in raw.split(","))
    except ValueError:
        raise BadRequest(f"{name} must be four numbers: min_lon,min_lat,max_lon,max_lat") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadRequest(f"{name} must be four finite numbers: min_lon,min_lat,max_lon,max_lat")
    x0, y0, x1, y1 = values
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 <= 90 and -90 <= y1 <= 90):
        raise BadRequest(f"{name} is outside -180..180 / -90..90 (longitude first)")
    if x0 >= x1 or y0 >= y1:
        raise BadRequest(f"{name} must have min before max (min_lon,min_lat,max_lon,max_lat)")
    return values


def int_param(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BadRequest(f"{name} must be a whole number")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}")
    return value


def choice_list(name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    raw = request.args.get(name)
    if raw is None:
        return ()
    values = tuple(v.strip() for v in raw.split(",") if v.strip())
    bad = [v for v in values if v not in allowed]
    if bad:
        raise BadRequest(f"{name}: unknown value {', '.join(bad)}; choose from {', '.join(allowed)}")
    return values


def date_param(name: str) -> dt.date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date like 2024-05-01") from None


def if_match(kind: str, object_id: int) -> int:
    """The version the client edited, from If-Match. 428 when missing, 412 when it names
    something else (the caller checks the version itself)."""
    from ..errors import PreconditionFailed
    from ..services.hazards import parse_etag

    raw = request.headers.get("If-Match")
    if not raw:
        raise PreconditionRequired(
            "send If-Match with the ETag you read, so that nobody's change is overwritten")
    version = parse_etag(raw, kind, object_id)
    if version is None:
        raise PreconditionFailed("If-Match does not name a version of this object; read it again")
    return version
