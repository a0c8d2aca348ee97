"""Hazard pages: the list, recording (traverse, coordinates, drawing), the hazard page with its
workflow buttons, the timeline and the as-of view, and activity reports.

Thin routes: they parse the request, call :mod:`webapp.services` and render. Everything the pages
change goes through the JSON API (``/api/v1/…``) from the page scripts, with the session cookie and
the CSRF token of ``<meta name="csrf-token">``.
"""
from flask import Blueprint

bp = Blueprint("hazards", __name__)

from . import reports, views  # noqa: E402,F401  (routes register on bp)
