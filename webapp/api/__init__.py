"""The JSON API, version 1 (documented at /api/v1/openapi.json)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import hazards, openapi, reports  # noqa: E402,F401  (routes register on bp)
from . import search  # noqa: E402,F401  (the staff map's search box)
