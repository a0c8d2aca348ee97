"""``GET /api/v1/search?q=…[&limit=…]`` — the staff map's search box: admin areas by name (in any
language) or code, and hazards the caller may see by national code or name, each with a bounding box
and a point to move the map to. Read-only; hazards are limited by ``visibility_sql`` and admin areas
by the areas the caller is limited to."""
from __future__ import annotations

from flask import jsonify, request

from ..auth import current_actor, login_required
from ..extensions import store
from ..maps import places
from . import bp
from .parsing import BadRequest, int_param, only_params

MIN_QUERY = 2
MAX_QUERY = 100
DEFAULT_LIMIT = 10
MAX_LIMIT = 25


def query_param() -> str:
    """``q``: what to look for, 2 to 100 characters once trimmed, no control characters."""
    values = request.args.getlist("q")
    if len(values) > 1:
        raise BadRequest("give q once")
    raw = (values[0] if values else "").strip()
    if not raw:
        raise BadRequest("q is required: part of a hazard's national code or name, or of a place name")
    if len(raw) < MIN_QUERY:
        raise BadRequest(f"q must be at least {MIN_QUERY} characters")
    if len(raw) > MAX_QUERY:
        raise BadRequest(f"q must be at most {MAX_QUERY} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise BadRequest("q must not contain control characters")
    return raw


@bp.get("/search")
@login_required
def search():
    only_params("q", "limit")
    if len(request.args.getlist("limit")) > 1:
        raise BadRequest("give limit once")
    q = query_param()
    limit = int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    with store().reader() as session:
        results = places.search(session, current_actor(), q, limit)
    response = jsonify({"query": q, "limit": limit, "results": results})
    response.headers["Cache-Control"] = "private, no-store"
    return response
