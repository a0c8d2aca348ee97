"""Public outputs and map tiles: thin routes over :mod:`webapp.store.public_zones` and
:mod:`webapp.store.tiles`.

- ``GET /api/v1/public/check?lat=…&lon=…[&lang=en|uk]`` — "am I near a hazard?" (no sign-in);
- ``GET /tiles/public/{z}/{x}/{y}.pbf`` — the public warning map (no sign-in, cacheable, ETag);
- ``GET /tiles/staff/{layer}/{z}/{x}/{y}.pbf?organisation=…&classification=…&status=…&from=…&to=…&admin_area=…``
  — staff layers, limited to what the signed-in person may see (private, ETag).

Public answers are built only from ``public_zones`` (decision record 0008). Every error is JSON.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, request

from ..auth import current_actor, login_required
from ..errors import UserError
from ..extensions import store
from ..store import tiles
from ..store.public_zones import PUBLIC_LAYER, STAFF_LAYER, nearest_zone
from ..version_cache import cached, request_stamp, version_tag
from . import params
from .messages import compass_point, say

bp = Blueprint("public", __name__)

CHECK_PARAMETERS = ("lat", "lon", "lang")
TILE_FORMAT = "1"
"""Part of every tile ETag: change it when the tile encoding or generalisation rule changes, so that
caches do not keep tiles made by the old code."""


def _settings():
    return current_app.config["SAFEGROUND"]


@bp.errorhandler(UserError)
def _json_error(exc: UserError):
    """Tile and API clients always get JSON errors, whatever they accept."""
    body = {"error": exc.code, "message": exc.message}
    if exc.details is not None:
        body["details"] = exc.details
    return jsonify(body), exc.status


# -- am I near a hazard? -----------------------------------------------------------------------------
@bp.get("/api/v1/public/check")
def check():
    """Where the nearest public warning zone is from a point, with advice in English or Ukrainian."""
    args = request.args
    params.reject_unknown(args, CHECK_PARAMETERS)
    lat = params.latitude(args)
    lon = params.longitude(args)
    lang = params.language(args, request.accept_languages)
    settings = _settings()
    near_m = settings.public_near_distance_m
    nearest = nearest_zone(store().request_reader(), lon, lat, near_m)

    hotline = settings.hotline
    if nearest is None:
        status, distance, direction, bearing = "clear", None, None, None
        advice = say(lang, "advice.none", hotline=hotline)
    else:
        distance = 0 if nearest.inside else max(1, round(nearest.distance_m))
        bearing = None if nearest.bearing_deg is None else round(nearest.bearing_deg)
        direction = None if bearing is None else compass_point(nearest.bearing_deg)
        if nearest.inside:
            status = "inside"
            advice = say(lang, "advice.inside", hotline=hotline)
        elif nearest.distance_m <= near_m:
            status = "near"
            advice = say(lang, "advice.near", distance=distance,
                         direction=say(lang, f"direction.{direction}"), hotline=hotline)
        else:
            status = "clear"
            advice = say(lang, "advice.clear", near=round(near_m), hotline=hotline)

    body = {
        "status": status,
        "distance_m": distance,
        "direction": direction,
        "bearing_deg": bearing,
        "nearest": nearest.properties if nearest else None,
        "labels": _labels(lang, status, direction, nearest.properties if nearest else None),
        "advice": advice,
        "hotline": hotline,
        "near_distance_m": round(near_m),
        "lang": lang,
    }
    response = jsonify(body)
    response.headers["Content-Language"] = lang
    response.headers["Cache-Control"] = "no-store"  # a person's position is not for shared caches
    response.headers["Vary"] = "Accept-Language"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _labels(lang: str, status: str, direction: str | None, props: dict | None) -> dict:
    labels = {"status": say(lang, f"status.{status}"),
              "direction": say(lang, f"direction.{direction}") if direction else None}
    if props:
        labels["classification"] = say(lang, f"classification.{props['classification']}")
        labels["zone_status"] = say(lang, f"zone_status.{props['status']}")
        labels["precision"] = say(lang, f"precision.{props['precision']}")
        labels["marking"] = (", ".join(say(lang, f"marking.{m}") for m in props["marking"])
                             or say(lang, "marking.none"))
    return labels


# -- tiles --------------------------------------------------------------------------------------------
# Both tile routes name the data's state by the layer's version stamp before any tile work: a client
# holding the current tile gets a 304 and a repeated tile comes from the process's cache, neither
# running the tile query (see webapp/version_cache.py).
def _tile_response(data: bytes, etag: str, cache_control: str):
    response = make_response(data)
    response.headers["Content-Type"] = tiles.MVT_MEDIA_TYPE
    response.headers["Cache-Control"] = cache_control
    response.set_etag(etag, weak=True)
    return response


def _not_modified(etag: str, cache_control: str):
    response = make_response("", 304)
    response.headers["Cache-Control"] = cache_control
    response.set_etag(etag, weak=True)
    return response


@bp.get("/tiles/public/<z>/<x>/<y>.pbf")
def public_tile(z: str, x: str, y: str):
    """The public warning map; ETag from the public layer version, so a refresh invalidates it."""
    z_, x_, y_ = params.tile_address(z, x, y)
    tiles.check_address(z_, x_, y_)
    params.reject_unknown(request.args, ())
    cache_control = f"public, max-age={_settings().public_tile_max_age_s}"
    session = store().request_reader()
    stamp = request_stamp(session, PUBLIC_LAYER)
    etag = f"public-{TILE_FORMAT}-{stamp[0]}.{stamp[1]}-{z_}-{x_}-{y_}"
    if request.if_none_match.contains_weak(etag):
        response = _not_modified(etag, cache_control)
    else:
        data = cached((PUBLIC_LAYER, stamp, z_, x_, y_), lambda: tiles.public_tile(session, z_, x_, y_))
        response = _tile_response(data, etag, cache_control)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/tiles/staff/<layer>/<z>/<x>/<y>.pbf")
@login_required
def staff_tile(layer: str, z: str, x: str, y: str):
    """A staff layer, showing only what the signed-in person may see. The ETag and the cache key name
    what the tile is drawn from: the visibility scope of who asks, the layer, the filters, the
    address and the staff data version."""
    z_, x_, y_ = params.tile_address(z, x, y)
    if layer not in tiles.STAFF_LAYERS:
        raise tiles.TileRequestError(f"unknown layer '{layer[:40]}'; choose from "
                                     f"{', '.join(tiles.STAFF_LAYERS)}", code="no_such_layer", status=404)
    tiles.check_address(z_, x_, y_)
    filters = params.tile_filters(request.args)
    actor = current_actor()
    session = store().request_reader()
    stamp = request_stamp(session, STAFF_LAYER)
    scope, what = actor.scope_key(), filters.key()
    etag = version_tag(TILE_FORMAT, stamp, scope, layer, z_, x_, y_, what)
    cache_control = "private, no-cache"
    if request.if_none_match.contains_weak(etag):
        response = _not_modified(etag, cache_control)
    else:
        data = cached((STAFF_LAYER, stamp, scope, layer, z_, x_, y_, what),
                      lambda: tiles.staff_tile(session, actor, layer, z_, x_, y_, filters))
        response = _tile_response(data, etag, cache_control)
    response.headers["Vary"] = "Cookie, Authorization"
    return response


@bp.get("/tiles/<path:rest>")
def no_such_tile(rest: str):
    """Anything else under /tiles/ answers a JSON 404 that says where the tiles are."""
    raise tiles.TileRequestError(
        "no such tile address; public tiles are at /tiles/public/{z}/{x}/{y}.pbf and staff tiles at "
        "/tiles/staff/{layer}/{z}/{x}/{y}.pbf", code="no_such_tile", status=404)


from . import pages  # noqa: E402,F401  (the warning map page, GET /)
