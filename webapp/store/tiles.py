"""Mapbox vector tiles, built by PostGIS (``ST_AsMVT(ST_AsMVTGeom(...))`` over ``ST_TileEnvelope``).

Two kinds of tile:

- :func:`public_tile` reads only the allow-listed ``public_zones`` table (decision record 0008);
- :func:`staff_tile` reads one staff layer (hazards, release products, remaining areas, EO finds,
  survey points), limited by :func:`~webapp.services.permissions.visibility_sql` on the hazard
  every object belongs to (and :func:`~webapp.services.permissions.report_visible_sql` on the report
  that carries a product or an EO find), and by optional :class:`TileFilters`.

Generalisation rule (the same for every layer; ``p`` is the size of one pixel of a 256-pixel tile
at zoom ``z``, in Web Mercator metres: ``p = 40,075,016.69 / 2^z / 256``):

1. tiles have an extent of 4096 units (16 per pixel) and a buffer of 64 units (4 pixels) on
   every side, for every layer;
2. outlines are simplified with a tolerance of ``p / 4`` (a quarter pixel), then quantised to the
   tile grid by ``ST_AsMVTGeom``;
3. below zoom :data:`DETAIL_ZOOM`, a feature whose bounding box is smaller than
   :data:`MIN_FEATURE_PX` pixels both wide and high is not drawn as such: hazards and public
   warning zones are *aggregated* into one point per cell of :data:`CLUSTER_CELL_PX` pixels and
   classification (layer ``<name>_clusters``, properties ``classification`` and ``count``), EO
   finds into one point per cell (``eo_clusters``: ``count``, ``quantity``), and release products
   and remaining areas (which the hazard layer already locates) are dropped. Cells are aligned on
   the tile grid and a point belongs to the tile that holds its cell, so no cluster is counted in
   two tiles. A tile therefore holds at most (256/8)² = 1,024 cluster points per classification
   however many hazards there are;
4. from :data:`DETAIL_ZOOM` on every feature is drawn individually; survey points are only served
   from :data:`SURVEY_POINTS_MIN_ZOOM` on (an empty tile below).

Sizes are computed from each row's stored bounding box with Mercator arithmetic, so only features
that are drawn are ever transformed and simplified. Every value that comes from a request is a bind
parameter; the SQL text is built only from the constants and column lists below.

Up to :data:`~webapp.store.tile_overviews.OVERVIEW_MAX_ZOOM` the tiles follow the same rule but read
pre-built overviews (:mod:`webapp.store.tile_overviews`): cluster points (zones, hazards, EO finds) are
summed from the cells of the tile (for staff, only the keys the person may see and the filters ask
for), and the features drawn as themselves (zones, hazards, remaining areas, products) are found
through the tables of large features, so a low-zoom tile no longer reads every row under it. The
result is the tile the live query builds. A date-of-information filter is not in the overviews: such
tiles are built live.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..errors import UserError
from ..services.permissions import Actor, report_visible_sql, visibility_sql
from .models import CLASSIFICATIONS, HAZARD_STATUSES
from .tile_overviews import OVERVIEW_MAX_ZOOM

MAX_ZOOM = 22
EXTENT = 4096
BUFFER = 64
"""Tile buffer in tile units (4 pixels), the same for every layer."""
PIXELS = 256
MIN_FEATURE_PX = 2.0
CLUSTER_CELL_PX = 8
DETAIL_ZOOM = 13
SURVEY_POINTS_MIN_ZOOM = 15
MERCATOR_HALF = 20037508.342789244
"""Half the width of the Web Mercator world, in metres."""

PUBLIC_LAYER = "warning_zones"
PUBLIC_PROPERTIES = ("national_code", "classification", "status", "marking", "last_survey_date",
                     "organisation", "precision")
"""Properties of a public warning zone feature; nothing else is ever put in a public tile."""
PUBLIC_CLUSTER_LAYER = "warning_clusters"
PUBLIC_CLUSTER_PROPERTIES = ("classification", "count")
"""Properties of a public cluster point: how many zones of one classification it stands for."""

STAFF_LAYERS = ("hazards", "products", "remaining", "eo", "survey_points")
MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


class TileRequestError(UserError):
    """A tile address or filter that cannot be served; the message says what is wrong."""

    status = 400
    code = "invalid_tile_request"

    def __init__(self, message: str, code: str | None = None, status: int | None = None,
                 details=None) -> None:
        super().__init__(message, details)
        if code:
            self.code = code
        if status:
            self.status = status


def check_address(z: int, x: int, y: int, max_zoom: int = MAX_ZOOM) -> None:
    """Raise :class:`TileRequestError` (404) unless z/x/y is a tile of the Web Mercator pyramid."""
    if not 0 <= z <= max_zoom:
        raise TileRequestError(f"there are no tiles at zoom {z}; zoom levels go from 0 to {max_zoom}",
                               code="no_such_tile", status=404, details={"z": z})
    last = (1 << z) - 1
    if not (0 <= x <= last and 0 <= y <= last):
        raise TileRequestError(f"at zoom {z}, x and y go from 0 to {last}; tile {z}/{x}/{y} does not exist",
                               code="no_such_tile", status=404, details={"z": z, "x": x, "y": y})


def pixel_size_m(z: int) -> float:
    """Size of one pixel of a 256-pixel tile at zoom ``z``, in Web Mercator metres."""
    return 2 * MERCATOR_HALF / (1 << z) / PIXELS


@dataclass(frozen=True)
class TileFilters:
    """Optional restrictions of a staff tile, all on the hazard an object belongs to."""

    organisation_ids: tuple[int, ...] = ()
    classifications: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    """Date-of-information range of the hazard, both ends included."""
    admin_area_id: int | None = None
    """The hazard lies in this admin area or an area below it."""

    def __post_init__(self) -> None:
        bad = [c for c in self.classifications if c not in CLASSIFICATIONS]
        if bad:
            raise TileRequestError(f"unknown classification {', '.join(bad)}; choose from "
                                   f"{', '.join(CLASSIFICATIONS)}", code="invalid_parameter",
                                   details={"parameter": "classification"})
        bad = [s for s in self.statuses if s not in HAZARD_STATUSES]
        if bad:
            raise TileRequestError(f"unknown status {', '.join(bad)}; choose from "
                                   f"{', '.join(HAZARD_STATUSES)}", code="invalid_parameter",
                                   details={"parameter": "status"})
        if any(not isinstance(i, int) or isinstance(i, bool) or i < 1 for i in self.organisation_ids):
            raise TileRequestError("organisation ids are positive whole numbers",
                                   code="invalid_parameter", details={"parameter": "organisation"})
        if self.admin_area_id is not None and (not isinstance(self.admin_area_id, int)
                                               or self.admin_area_id < 1):
            raise TileRequestError("admin_area is a positive whole number", code="invalid_parameter",
                                   details={"parameter": "admin_area"})
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise TileRequestError(f"from ({self.date_from}) is after to ({self.date_to})",
                                   code="invalid_parameter", details={"parameter": "from"})

    def sql(self, alias: str = "h") -> tuple[str, dict]:
        """A SQL condition on the hazards table (as ``alias``) and its bind parameters (``f_``)."""
        parts: list[str] = []
        params: dict = {}
        if self.organisation_ids:
            parts.append(f"{alias}.organisation_id = ANY(:f_orgs)")
            params["f_orgs"] = list(self.organisation_ids)
        if self.classifications:
            parts.append(f"{alias}.classification = ANY(:f_classes)")
            params["f_classes"] = list(self.classifications)
        if self.statuses:
            parts.append(f"{alias}.status = ANY(:f_statuses)")
            params["f_statuses"] = list(self.statuses)
        if self.date_from:
            parts.append(f"{alias}.date_of_information >= :f_from")
            params["f_from"] = self.date_from
        if self.date_to:
            parts.append(f"{alias}.date_of_information <= :f_to")
            params["f_to"] = self.date_to
        if self.admin_area_id is not None:
            parts.append(
                f"{alias}.admin_area_id IN (WITH RECURSIVE f_sub(id) AS ("
                "SELECT id FROM admin_areas WHERE id = :f_area "
                "UNION SELECT a.id FROM admin_areas a JOIN f_sub ON a.parent_id = f_sub.id) "
                "SELECT id FROM f_sub)")
            params["f_area"] = self.admin_area_id
        return (" AND ".join(parts) or "true"), params

    def key(self) -> str:
        """A stable text form, for cache keys and ETags."""
        return "|".join([
            ",".join(str(i) for i in sorted(self.organisation_ids)),
            ",".join(sorted(self.classifications)), ",".join(sorted(self.statuses)),
            self.date_from.isoformat() if self.date_from else "",
            self.date_to.isoformat() if self.date_to else "",
            "" if self.admin_area_id is None else str(self.admin_area_id)])


# -- SQL building blocks (constants only) ------------------------------------------------------------
def _merc_y(lat: str) -> str:
    """Web Mercator northing (m) of a latitude expression in degrees."""
    return (f"({MERCATOR_HALF} / pi() * ln(tan(pi() / 4 + "
            f"radians(LEAST(85.0511, GREATEST(-85.0511, {lat}))) / 2)))")


_MERC_X = f"({MERCATOR_HALF} / 180.0)"

# ``search``: the tile and its buffer in EPSG:4326, kept inside the Mercator world (a buffer that
# crosses the antimeridian would otherwise wrap round to the other side of the world).
TILE_CTE = f"""
    tile AS (
        SELECT e.env, ST_XMin(e.env) AS xmin, ST_XMax(e.env) AS xmax, ST_YMin(e.env) AS ymin,
               ST_YMax(e.env) AS ymax,
               ST_Transform(ST_MakeEnvelope(
                   GREATEST(-{MERCATOR_HALF}, ST_XMin(m.env)), GREATEST(-{MERCATOR_HALF}, ST_YMin(m.env)),
                   LEAST({MERCATOR_HALF}, ST_XMax(m.env)), LEAST({MERCATOR_HALF}, ST_YMax(m.env)), 3857),
                   4326) AS search
          FROM (SELECT ST_TileEnvelope(:z, :x, :y) AS env) e,
               (SELECT ST_TileEnvelope(:z, :x, :y, margin => {BUFFER / EXTENT}) AS env) m
    )"""


@dataclass(frozen=True)
class _Clusters:
    """How the small features of a layer are aggregated below :data:`DETAIL_ZOOM`."""

    layer: str
    group_columns: tuple[str, ...]
    aggregates: tuple[tuple[str, str], ...]
    """(SQL aggregate over the rows ``s`` of ``src``, property name) pairs."""
    reads: tuple[str, ...] = ()
    """Columns the aggregates read, besides the group columns."""


@dataclass(frozen=True)
class _Overview:
    """Where a layer's tiles up to OVERVIEW_MAX_ZOOM come from (:mod:`webapp.store.tile_overviews`)."""

    large_source: str | None
    """Like ``_Layer.source``, but only the rows of a table of large features that are drawn as
    themselves at this zoom (``{zoom}``: a literal, so that the planner knows from the column's
    statistics how few there are at low zooms); None: the layer has no feature that large."""
    cells_from: str | None = None
    """FROM clause of the cluster cells (alias ``c``), None when the layer has no clusters."""
    cells_where: str = "true"
    """Condition on the cells: who may see them and the filters."""
    aggregates: tuple[tuple[str, str], ...] = (("sum(c.n)::int", "count"),)
    """(SQL aggregate over the cells, property name): the properties of a cluster point."""


@dataclass(frozen=True)
class _Layer:
    name: str
    source: str
    """SQL yielding ``geom`` (EPSG:4326) and the property columns, for rows near the tile."""
    columns: tuple[str, ...]
    """Properties of each feature drawn individually."""
    clusters: _Clusters | None = None
    """None: small features are dropped below DETAIL_ZOOM."""
    overview: _Overview | None = None
    """Pre-built layers up to OVERVIEW_MAX_ZOOM, or None: always live."""

    def overview_sql(self, z: int) -> str:
        """The tile at zoom ``z`` (up to OVERVIEW_MAX_ZOOM) from the overviews: the large features
        drawn as themselves (the same pass as :meth:`sql`, over the large features only) and the
        cluster points summed from the cells of this tile. Each point is the mean of its members'
        centres (the cells hold sums), as the live aggregation places it; the result is the live tile."""
        assert 0 <= z <= OVERVIEW_MAX_ZOOM
        o, c = self.overview, self.clusters
        assert o is not None and (c is None) == (o.cells_from is None)
        parts: tuple[str, ...] = ()
        if c:
            assert len(c.aggregates) == len(o.aggregates)
            group = "".join(f", c.{g}" for g in c.group_columns)
            inner = ", ".join([f"c.{g}" for g in c.group_columns] + [f"{e} AS {n}" for e, n in o.aggregates])
            outer = ", ".join([f"g.{g}" for g in c.group_columns] + [f"g.{n}" for _, n in o.aggregates])
            parts = (f"""(SELECT COALESCE(ST_AsMVT(k, '{c.layer}', {EXTENT}, 'geom'), ''::bytea) FROM (
                SELECT {outer},
                       ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(g.mx, g.my), 3857), t.env, {EXTENT}, {BUFFER},
                                    true) AS geom
                  FROM (SELECT {inner},
                               sum(c.sum_x_mm)::float8 / sum(c.n) / 1000 AS mx,
                               sum(c.sum_y_mm)::float8 / sum(c.n) / 1000 AS my
                          FROM {o.cells_from}
                         WHERE c.z = :z AND c.tile_x = :x AND c.tile_y = :y AND {o.cells_where}
                         GROUP BY c.cell{group}
                        HAVING sum(c.n) > 0) g, tile t
                ) k WHERE k.geom IS NOT NULL)""",)
        if o.large_source is None:  # nothing drawn as itself: the layer's own part is empty
            return f"""
    WITH {TILE_CTE}
    SELECT {" || ".join(parts)}"""
        return self.sql(source=o.large_source.replace("{zoom}", str(int(z))), extra_parts=parts)

    def sql(self, source: str | None = None, extra_parts: tuple[str, ...] | None = None) -> str:
        """One pass over the source: each row's Mercator size and centre come from its stored
        bounding box (``bb``); only rows drawn individually are transformed, simplified and clipped
        (``mvt``). The result holds no source geometry, so aggregating many rows stays cheap.
        ``source`` and ``extra_parts`` (instead of the live aggregation) serve :meth:`overview_sql`."""
        live_clusters = self.clusters if extra_parts is None else None
        keep_small = "" if live_clusters else "WHERE NOT q.small"
        parts = [f"""(SELECT COALESCE(ST_AsMVT(f, '{self.name}', {EXTENT}, 'geom'), ''::bytea) FROM (
                SELECT {", ".join(f"s.{c}" for c in self.columns)}, s.mvt AS geom
                  FROM src s WHERE NOT s.small AND s.mvt IS NOT NULL) f)"""]
        parts += extra_parts or []
        if live_clusters:
            c = live_clusters
            inner = ", ".join([f"s.{g}" for g in c.group_columns]
                              + [f"{expr} AS {name}" for expr, name in c.aggregates])
            outer = ", ".join([f"g.{g}" for g in c.group_columns] + [f"g.{name}" for _, name in c.aggregates])
            group = "".join(f", s.{g}" for g in c.group_columns)
            # cells are aligned on the tile grid; a point belongs to the tile holding its cell
            parts.append(f"""(SELECT COALESCE(ST_AsMVT(k, '{c.layer}', {EXTENT}, 'geom'), ''::bytea) FROM (
                SELECT {outer},
                       ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(g.mx, g.my), 3857), t.env, {EXTENT}, {BUFFER},
                                    true) AS geom
                  FROM (SELECT {inner}, avg(s.cx) AS mx, avg(s.cy) AS my
                          FROM src s, tile t
                         WHERE s.small
                           AND s.cx >= t.xmin AND s.cx < t.xmax AND s.cy > t.ymin AND s.cy <= t.ymax
                         GROUP BY floor((s.cx - t.xmin) / :cell), floor((t.ymax - s.cy) / :cell){group}
                       ) g, tile t
                ) k WHERE k.geom IS NOT NULL)""")
        # Rows to be aggregated keep only what the aggregation reads.
        kept = set(live_clusters.group_columns + live_clusters.reads) if live_clusters else set()
        cols = ", ".join(f"q.{c}" if c in kept else f"CASE WHEN q.small THEN NULL ELSE q.{c} END AS {c}"
                         for c in self.columns)
        return f"""
    WITH {TILE_CTE},
    src AS MATERIALIZED (
        SELECT {cols}, q.cx, q.cy, q.small,
               CASE WHEN NOT q.small THEN
                   ST_AsMVTGeom(ST_Simplify(ST_Transform(q.geom, 3857), :tolerance, true), t.env,
                                {EXTENT}, {BUFFER}, true)
               END AS mvt
          FROM (SELECT m.*,
                       NOT :detail AND m.x1 - m.x0 < :min_size AND m.y1 - m.y0 < :min_size AS small,
                       (m.x0 + m.x1) / 2 AS cx, (m.y0 + m.y1) / 2 AS cy
                  FROM (SELECT x.*, ST_XMin(b.bb) * {_MERC_X} AS x0, ST_XMax(b.bb) * {_MERC_X} AS x1,
                               {_merc_y('ST_YMin(b.bb)')} AS y0, {_merc_y('ST_YMax(b.bb)')} AS y1
                          FROM ({source or self.source}) x, LATERAL (SELECT box2d(x.geom) AS bb) b
                        OFFSET 0) m  -- a fence: each bound is computed once, not once per use
                OFFSET 0) q, tile t
         {keep_small}
    )
    SELECT {" || ".join(parts)}"""


def _params(z: int, x: int, y: int) -> dict:
    p = pixel_size_m(z)
    return {"z": z, "x": x, "y": y, "tolerance": p / 4, "min_size": MIN_FEATURE_PX * p,
            "cell": CLUSTER_CELL_PX * p, "detail": z >= DETAIL_ZOOM}


# -- public -------------------------------------------------------------------------------------------
_PUBLIC_SOURCE = """
    SELECT z.geom, z.national_code, z.classification, z.status,
           array_to_string(z.marking, ',') AS marking,
           to_char(z.last_survey_date, 'YYYY-MM-DD') AS last_survey_date,
           z.organisation, z.precision
      FROM public_zones z, tile t
     WHERE z.geom && t.search"""

# up to OVERVIEW_MAX_ZOOM: only the zones drawn as themselves at this zoom (the others are in the cells)
_PUBLIC_LARGE_SOURCE = """
    SELECT z.geom, z.national_code, z.classification, z.status,
           array_to_string(z.marking, ',') AS marking,
           to_char(z.last_survey_date, 'YYYY-MM-DD') AS last_survey_date,
           z.organisation, z.precision
      FROM tile_large_public l JOIN public_zones z ON z.hazard_id = l.id, tile t
     WHERE l.bbox && t.search AND l.detail_zoom <= {zoom}"""

_PUBLIC = _Layer(PUBLIC_LAYER, _PUBLIC_SOURCE, PUBLIC_PROPERTIES,
                 _Clusters(PUBLIC_CLUSTER_LAYER, ("classification",), (("count(*)::int", "count"),)),
                 _Overview(_PUBLIC_LARGE_SOURCE, "tile_cells_public c"))
PUBLIC_TILE = text(_PUBLIC.sql())
PUBLIC_OVERVIEW_TILES = {z: text(_PUBLIC.overview_sql(z)) for z in range(OVERVIEW_MAX_ZOOM + 1)}


def public_tile(session: Session, z: int, x: int, y: int, *, overviews: bool = True) -> bytes:
    """The public warning map tile z/x/y: layer ``warning_zones`` (allow-listed properties only)
    and, below :data:`DETAIL_ZOOM`, ``warning_clusters`` for zones smaller than two pixels. Up to
    :data:`OVERVIEW_MAX_ZOOM` it is read from the overviews (``overviews=False``: built live, the
    same tile)."""
    check_address(z, x, y)
    statement = PUBLIC_OVERVIEW_TILES[z] if overviews and z <= OVERVIEW_MAX_ZOOM else PUBLIC_TILE
    return bytes(session.execute(statement, _params(z, x, y)).scalar_one())


# -- staff --------------------------------------------------------------------------------------------
# hazards known only by a point (e.g. a community's centre) are drawn as that point; two branches,
# so that each uses its own spatial index (num_nonnulls: "no perimeter" without the planner trying
# the perimeter index for NULLs, which reads the whole index)
_HAZARDS_SOURCE = """
    SELECT h.perimeter AS geom, h.id, h.national_code, h.name, h.classification, h.status, h.record_state
      FROM hazards h, tile t
     WHERE h.perimeter && t.search AND {visible} AND {filters}
    UNION ALL
    SELECT h.location, h.id, h.national_code, h.name, h.classification, h.status, h.record_state
      FROM hazards h, tile t
     WHERE h.location && t.search AND num_nonnulls(h.perimeter) = 0 AND {visible} AND {filters}"""

_HAZARDS_LARGE_SOURCE = """
    SELECT h.perimeter AS geom, h.id, h.national_code, h.name, h.classification, h.status, h.record_state
      FROM tile_large_hazards l JOIN hazards h ON h.id = l.id, tile t
     WHERE l.bbox && t.search AND l.detail_zoom <= {zoom} AND {visible} AND {filters}"""

_REMAINING_LARGE_SOURCE = """
    SELECT h.remaining AS geom, h.id, h.national_code, h.classification, h.status,
           round(h.remaining_area_m2)::bigint AS remaining_m2
      FROM tile_large_remaining l JOIN hazards h ON h.id = l.id, tile t
     WHERE l.bbox && t.search AND l.detail_zoom <= {zoom} AND {visible} AND {filters}"""

_PRODUCTS_LARGE_SOURCE = """
    SELECT p.geom, p.id, p.hazard_id, p.product_type, p.applied,
           to_char(p.date_released, 'YYYY-MM-DD') AS date_released
      FROM tile_large_products l
      JOIN release_products p ON p.id = l.id
      JOIN hazards h ON h.id = p.hazard_id
      LEFT JOIN reports r ON r.id = p.report_id, tile t
     WHERE l.bbox && t.search AND l.detail_zoom <= {zoom}
       AND {visible} AND (p.report_id IS NULL OR {report_visible}) AND {filters}"""

# EO cells: the report columns renamed as report visibility reads them (alias r)
_EO_CELLS = """tile_cells_eo c,
               LATERAL (SELECT c.report_organisation_id AS organisation_id,
                               c.report_state AS workflow_state) r"""

_REMAINING_SOURCE = """
    SELECT h.remaining AS geom, h.id, h.national_code, h.classification, h.status,
           round(h.remaining_area_m2)::bigint AS remaining_m2
      FROM hazards h, tile t
     WHERE h.remaining && t.search AND NOT ST_IsEmpty(h.remaining)
       AND {visible} AND {filters}"""

_PRODUCTS_SOURCE = """
    SELECT p.geom, p.id, p.hazard_id, p.product_type, p.applied,
           to_char(p.date_released, 'YYYY-MM-DD') AS date_released
      FROM release_products p
      JOIN hazards h ON h.id = p.hazard_id
      LEFT JOIN reports r ON r.id = p.report_id, tile t
     WHERE p.geom && t.search
       AND {visible} AND (p.report_id IS NULL OR {report_visible}) AND {filters}"""

_EO_SOURCE = """
    SELECT e.geom, e.id, e.hazard_id, e.category, e.condition, e.quantity,
           to_char(e.found_on, 'YYYY-MM-DD') AS found_on
      FROM eo_items e
      JOIN hazards h ON h.id = e.hazard_id
      LEFT JOIN reports r ON r.id = e.report_id, tile t
     WHERE e.geom && t.search
       AND {visible} AND (e.report_id IS NULL OR {report_visible}) AND {filters}"""

_SURVEY_POINTS_SOURCE = """
    SELECT sp.geom, sp.id, h.id AS hazard_id, sp.sequence, sp.point_type, sp.input_format
      FROM survey_points sp
      LEFT JOIN release_products p ON p.id = sp.product_id
      JOIN hazards h ON h.id = COALESCE(sp.hazard_id, p.hazard_id)
      LEFT JOIN reports r ON r.id = p.report_id, tile t
     WHERE sp.geom && t.search
       AND {visible} AND (p.report_id IS NULL OR {report_visible}) AND {filters}"""

_STAFF = {layer.name: layer for layer in (
    _Layer("hazards", _HAZARDS_SOURCE,
           ("id", "national_code", "name", "classification", "status", "record_state"),
           _Clusters("hazards_clusters", ("classification",), (("count(*)::int", "count"),)),
           _Overview(_HAZARDS_LARGE_SOURCE, "tile_cells_hazards c", "{cells_visible} AND {cells_filters}")),
    _Layer("remaining", _REMAINING_SOURCE,
           ("id", "national_code", "classification", "status", "remaining_m2"),
           overview=_Overview(_REMAINING_LARGE_SOURCE)),
    _Layer("products", _PRODUCTS_SOURCE,
           ("id", "hazard_id", "product_type", "applied", "date_released"),
           overview=_Overview(_PRODUCTS_LARGE_SOURCE)),
    _Layer("eo", _EO_SOURCE,
           ("id", "hazard_id", "category", "condition", "quantity", "found_on"),
           _Clusters("eo_clusters", (), (("count(*)::int", "count"), ("sum(s.quantity)::int", "quantity")),
                     reads=("quantity",)),
           _Overview(None, _EO_CELLS,
                     "{cells_visible} AND {cells_filters} AND (c.report_state IS NULL OR {report_visible})",
                     (("sum(c.n)::int", "count"), ("sum(c.quantity)::int", "quantity")))),
    _Layer("survey_points", _SURVEY_POINTS_SOURCE,
           ("id", "hazard_id", "sequence", "point_type", "input_format")),
)}


def staff_tile(session: Session, actor: Actor, layer: str, z: int, x: int, y: int,
               filters: TileFilters | None = None, *, overviews: bool = True) -> bytes:
    """Staff layer tile z/x/y, showing only what ``actor`` may see. ``layer`` is one of
    :data:`STAFF_LAYERS`; the tile holds layer ``<layer>`` and, where the generalisation rule
    aggregates, ``<layer>_clusters``. Up to :data:`OVERVIEW_MAX_ZOOM` every layer but survey points
    is read from the overviews unless a date-of-information filter is given (``overviews=False``:
    built live, the same tile)."""
    if layer not in _STAFF:
        raise TileRequestError(f"unknown layer {layer!r}; choose from {', '.join(STAFF_LAYERS)}",
                               code="no_such_layer", status=404, details={"layer": layer})
    check_address(z, x, y)
    if layer == "survey_points" and z < SURVEY_POINTS_MIN_ZOOM:
        return b""
    filters = filters or TileFilters()
    visible, vis_params = visibility_sql(actor, alias="h")
    report_visible, rvis_params = report_visible_sql(actor, alias="r")
    filter_sql, filter_params = filters.sql("h")
    spec = _STAFF[layer]
    if (overviews and spec.overview and z <= OVERVIEW_MAX_ZOOM
            and filters.date_from is None and filters.date_to is None):
        # the cells hold only what belongs to hazards that are not deleted, and no deleted_at to test
        cells_visible, _ = visibility_sql(actor, alias="c", include_deleted=True)
        cells_filters, _ = filters.sql("c")
        sql = spec.overview_sql(z).format(visible=f"({visible})", report_visible=f"({report_visible})",
                                         filters=f"({filter_sql})", cells_visible=f"({cells_visible})",
                                         cells_filters=f"({cells_filters})")
    else:
        sql = spec.sql().format(visible=f"({visible})", report_visible=f"({report_visible})",
                                filters=f"({filter_sql})")
    params = {**_params(z, x, y), **vis_params, **rvis_params, **filter_params}
    return bytes(session.execute(text(sql), params).scalar_one())
