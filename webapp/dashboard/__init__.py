"""The clearance-progress dashboard (``/dashboard``) for organisations, authorities and donors:
land-release totals and trends from the PostGIS progress query, a choropleth of remaining hazard by
admin area, charts, and every table as CSV."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import views  # noqa: E402,F401  (routes register on bp)
