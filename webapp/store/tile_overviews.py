"""Tile overviews: the low-zoom layers of the public warning map and of the staff map,
pre-aggregated so that a tile up to :data:`OVERVIEW_MAX_ZOOM` reads a few thousand rows however many
hazards lie under it (decision record 0008, "Tile overviews").

Below :data:`~webapp.store.tiles.DETAIL_ZOOM` the tile rule aggregates every feature smaller than
2 pixels into one point per 8-pixel cell of the tile grid (and classification). Up to
:data:`OVERVIEW_MAX_ZOOM` those cells are stored (migration 0005):

- ``tile_cells_public`` — per zoom, tile, cell and classification: the number of public warning
  zones aggregated there and the sums of their centres (Web Mercator millimetres, exact integers), so
  a cluster point is the mean of its members' centres, as the live rule places it. Only what the
  public tile already shows (classification, count) is kept;
- ``tile_cells_hazards`` — the same for hazards that are not deleted, split by classification,
  status, record state, organisation and admin area: what
  :func:`~webapp.services.permissions.visibility_sql` and :class:`~webapp.store.tiles.TileFilters`
  read, so a staff tile sums only the keys its reader may see (a surveyor never counts another
  organisation's drafts);
- ``tile_cells_eo`` — the same for EO finds (count and quantity), also split by the organisation
  and workflow state of the report that carries each find (what report visibility reads);
- ``tile_large_public`` / ``_hazards`` / ``_remaining`` / ``_products`` — the zones, hazards,
  remaining areas and release products that are drawn as themselves at some overview zoom (2 pixels
  or more), with the first such zoom and their bounding box, so a low-zoom tile finds them through a
  small GiST index instead of reading the small ones (small products and remaining areas are not
  drawn below the detail zoom at all).

**Kept in step by the database.** Statement-level triggers on ``hazards``, ``public_zones``,
``eo_items``, ``reports`` and ``release_products`` (transition tables) update the overviews in the
transaction that changes the rows, whatever the path (services, the public-zone refresh after an
approval, loaders, plain SQL): the old contribution of each changed row is subtracted and the new
one added, so only the cells of its old and new position are written. A row whose position and
keys did not change costs one comparison. Writers of cells take one transaction-level advisory lock
(:data:`LOCK_KEY`): low-zoom cells are shared by every writer in a region, so concurrent writers
would wait for each other anyway, and with the lock they cannot deadlock. Cells that fall to zero are deleted. A bulk COPY is
aggregated in one statement. The rule itself (zooms, cell size, the 2-pixel threshold) lives in the
SQL functions ``tile_overview_detail_zoom`` and ``tile_overview_cells`` (migration 0005), with the
same arithmetic as :mod:`webapp.store.tiles`.

:func:`rebuild` recomputes everything from scratch (``safeground tiles rebuild``): after a change of
the rule, or if triggers were ever bypassed (``session_replication_role = replica``).
"""
from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.orm import Session

OVERVIEW_MAX_ZOOM = 9
"""Tiles up to this zoom read the overviews; from the next zoom on, tiles are built live (a zoom-10
tile covers few enough rows: measured in decision record 0008). Must equal the database's
``tile_overview_max_zoom()``."""

HAZARD_DIMENSIONS = ("classification", "status", "record_state", "organisation_id", "admin_area_id")
"""What the staff cells are split by: every hazard column that visibility and tile filters read,
except the date of information (tiles filtered by date are built live)."""
EO_DIMENSIONS = HAZARD_DIMENSIONS + ("report_organisation_id", "report_state")
"""EO cells also carry what report visibility reads: the organisation and workflow state of the
report that carries the find (NULL: no report)."""

PUBLIC_CELL_COLUMNS = ("z", "tile_x", "tile_y", "cell", "classification", "n", "sum_x_mm", "sum_y_mm")
"""Every column of ``tile_cells_public``: nothing but classification and counts."""
PUBLIC_LARGE_COLUMNS = ("id", "detail_zoom", "bbox")
"""Every column of ``tile_large_public``: the zone's key, the zoom from which it is drawn, its box."""

LOCK_KEY = 1953066085
"""The transaction-level advisory lock that every writer of cells takes (the triggers and
:func:`rebuild`), so that concurrent writers wait for each other's commit instead of deadlocking on
the low-zoom cells they share."""

CELL_TABLES = ("tile_cells_public", "tile_cells_hazards", "tile_cells_eo")
LARGE_TABLES = ("tile_large_public", "tile_large_hazards", "tile_large_remaining", "tile_large_products")
TABLES = CELL_TABLES + LARGE_TABLES

_DIMS = ", ".join(HAZARD_DIMENSIONS)
_H_DIMS = ", ".join(f"h.{d}" for d in HAZARD_DIMENSIONS)
_LARGE_SOURCES = (  # table, key, geometry (over r), source table
    ("tile_large_public", "hazard_id", "r.geom", "public_zones"),
    ("tile_large_hazards", "id", "COALESCE(r.perimeter, r.location)", "hazards"),
    ("tile_large_remaining", "id", "CASE WHEN NOT ST_IsEmpty(r.remaining) THEN r.remaining END", "hazards"),
    ("tile_large_products", "id", "r.geom", "release_products"),
)

# The same statements as the migration's initial fill, over the database's rule functions. Bulk
# aggregation: hash tables in memory rather than sorts on disk, and no JIT compilation (its set-up
# costs more than it saves here).
_REBUILD = (
    f"SELECT pg_advisory_xact_lock({LOCK_KEY})",  # writers of cells wait until this commits
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL jit = off",
    *(f"DELETE FROM {table}" for table in TABLES),
    """INSERT INTO tile_cells_public (z, tile_x, tile_y, cell, classification, n, sum_x_mm, sum_y_mm)
        SELECT c.z, c.tile_x, c.tile_y, c.cell, p.classification, count(*), sum(c.x_mm), sum(c.y_mm)
          FROM public_zones p, LATERAL tile_overview_cells(p.geom) c
         GROUP BY c.z, c.tile_x, c.tile_y, c.cell, p.classification""",
    f"""INSERT INTO tile_cells_hazards (z, tile_x, tile_y, cell, {_DIMS}, n, sum_x_mm, sum_y_mm)
        SELECT c.z, c.tile_x, c.tile_y, c.cell, {_H_DIMS}, count(*), sum(c.x_mm), sum(c.y_mm)
          FROM hazards h, LATERAL tile_overview_cells(COALESCE(h.perimeter, h.location)) c
         WHERE h.deleted_at IS NULL
         GROUP BY c.z, c.tile_x, c.tile_y, c.cell, {_H_DIMS}""",
    f"""INSERT INTO tile_cells_eo (z, tile_x, tile_y, cell, {", ".join(EO_DIMENSIONS)}, n, quantity,
                               sum_x_mm, sum_y_mm)
        SELECT c.z, c.tile_x, c.tile_y, c.cell, {_H_DIMS}, r.organisation_id, r.workflow_state,
               count(*), sum(e.quantity), sum(c.x_mm), sum(c.y_mm)
          FROM eo_items e JOIN hazards h ON h.id = e.hazard_id LEFT JOIN reports r ON r.id = e.report_id,
               LATERAL tile_overview_cells(e.geom) c
         WHERE h.deleted_at IS NULL
         GROUP BY c.z, c.tile_x, c.tile_y, c.cell, {_H_DIMS}, r.organisation_id, r.workflow_state""",
    *(f"""INSERT INTO {table} (id, detail_zoom, bbox)
        SELECT q.id, q.dz, box2d(q.g)::geometry
          FROM (SELECT r.{key} AS id, {geom} AS g, tile_overview_detail_zoom({geom}) AS dz FROM {source} r) q
         WHERE q.dz <= tile_overview_max_zoom()""" for table, key, geom, source in _LARGE_SOURCES),
)


def rebuild(session: Session) -> dict:
    """Recompute every overview table from ``hazards`` and ``public_zones`` in the session's
    transaction (readers keep the old rows until it commits) and bump the ``public`` layer version,
    so public tiles get new ETags. Returns the row count of each table and the seconds taken."""
    from .public_zones import bump_version

    started = time.perf_counter()
    for statement in _REBUILD:
        session.execute(text(statement))
    bump_version(session, "public")
    result = counts(session)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def counts(session: Session) -> dict:
    """Rows in each overview table."""
    return {table: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES}


def database_max_zoom(session: Session) -> int:
    """The overview zoom the database's rule functions were built for (migration 0005)."""
    return int(session.execute(text("SELECT tile_overview_max_zoom()")).scalar_one())
