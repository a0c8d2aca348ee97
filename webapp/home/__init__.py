"""The landing page and the health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select

from ..extensions import store
from ..store import db
from ..dashboard.figures import progress
from ..store.models import AdminArea, Hazard

bp = Blueprint("home", __name__)


@bp.get("/overview")
def index():
    with store().reader() as session:
        rows = progress(session, ("admin_area",), admin_level=2)
        names = dict(session.execute(select(AdminArea.id, AdminArea.name)).all())
        totals = progress(session, ())
        counts = dict(session.execute(
            select(Hazard.status, func.count()).where(Hazard.record_state == "approved",
                                                      Hazard.deleted_at.is_(None))
            .group_by(Hazard.status)).all())
    return render_template("index.html", rows=rows, names=names,
                           total=totals[0] if totals else None, counts=counts)


@bp.get("/healthz")
def healthz():
    """Database reachable, migrations at head, PostGIS version. 503 when any of it fails."""
    st = store()
    body = {"status": "ok"}
    try:
        migrations = db.migration_status(st.engine)
        body["database"] = "reachable"
        body["postgis"] = db.postgis_version(st.engine)
        body["migrations"] = migrations
        if not migrations["at_head"]:
            body["status"] = "migrations_pending"
    except Exception:  # noqa: BLE001 - any failure means unhealthy; details go to the log only
        bp_logger().warning("health check: database unreachable", exc_info=True)
        body = {"status": "database_unreachable", "database": "unreachable"}
    return jsonify(body), (200 if body["status"] == "ok" else 503)


def bp_logger():
    import logging

    return logging.getLogger(__name__)
