"""Tile overviews: pre-aggregated low-zoom layers for the public warning map and the staff map.

Up to zoom 9 a vector tile draws most features as cluster points, one per 8-pixel cell of the tile
grid, and drops small release products and remaining areas; computing that live reads every row under
the tile (seconds at zooms 0-6 with a million hazards). These tables hold the clusters and the few
features large enough to be drawn, so a low-zoom tile reads at most a few thousand rows (decision
record 0008, "Tile overviews"):

- ``tile_cells_public``: per zoom 0-9, tile, 8-pixel cell and classification, how many public warning
  zones are aggregated there (smaller than 2 pixels at that zoom) and the sums of their centres (Web
  Mercator, millimetres), so that a cluster point is the mean of its members' centres;
- ``tile_cells_hazards``: the same for hazards that are not deleted, split by what visibility and tile
  filters read (classification, status, record state, organisation, admin area), summed at query time;
- ``tile_cells_eo``: the same for EO finds of hazards that are not deleted (with the quantity), also
  split by the organisation and workflow state of the report that carries them;
- ``tile_large_public`` / ``_hazards`` / ``_remaining`` / ``_products``: the zones, hazards, remaining
  areas and release products drawn as themselves at some zoom up to 9 (2 pixels or more), with that
  zoom and their bounding box (GiST), so that a low-zoom tile finds them without reading the small ones.

The rule (which zooms, cells, sizes) is in the functions ``tile_overview_detail_zoom`` and
``tile_overview_cells``, the same arithmetic as ``webapp/store/tiles.py``. Statement-level triggers
with transition tables keep the tables in step with ``hazards``, ``public_zones``, ``eo_items``,
``reports`` and ``release_products`` in the transaction that changes them, whatever the path
(services, loaders, SQL): the old contribution of each changed row is subtracted and the new one added,
so only the cells of its old and new position change. The tables are filled here from the existing
data; ``safeground tiles rebuild`` recomputes them from scratch.

Not audited: derived data, like ``public_zones``.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# -- the rule, frozen at this revision (webapp/store/tiles.py and tile_overviews.py use the same) -------
MAX_ZOOM = 9
"""Overviews cover zooms 0..MAX_ZOOM."""
CELL_PX = 8
MIN_FEATURE_PX = 2.0
PIXELS = 256
MERCATOR_HALF = 20037508.342789244


def _pixel(z: int) -> float:
    return 2 * MERCATOR_HALF / (1 << z) / PIXELS


def _merc_y(lat: str) -> str:
    return (f"({MERCATOR_HALF} / pi() * ln(tan(pi() / 4 + "
            f"radians(LEAST(85.0511, GREATEST(-85.0511, {lat}))) / 2)))")


# Bounds of a geometry in Web Mercator metres, from its stored bounding box, exactly as the tile
# queries compute them (same expressions, hence the same floating-point results).
def _bounds(g: str) -> tuple[str, str, str, str]:
    k = f"({MERCATOR_HALF} / 180.0)"
    return (f"ST_XMin(box2d({g})) * {k}", f"ST_XMax(box2d({g})) * {k}",
            _merc_y(f"ST_YMin(box2d({g}))"), _merc_y(f"ST_YMax(box2d({g}))"))


# The first zoom at which a feature of this size (the larger of its Mercator width and height) is
# 2 pixels or more, i.e. drawn as itself; MAX_ZOOM + 1 when it is smaller at every overview zoom.
# width_bucket counts the thresholds (ascending: zoom MAX_ZOOM first) that the size reaches.
_THRESHOLDS = ", ".join(repr(MIN_FEATURE_PX * _pixel(z)) for z in range(MAX_ZOOM, -1, -1))


def _detail_zoom(size: str) -> str:
    return f"({MAX_ZOOM + 1} - width_bucket({size}, ARRAY[{_THRESHOLDS}]::float8[]))"


_X0, _X1, _Y0, _Y1 = _bounds("g")

# SQL functions that PostgreSQL inlines into the calling query (a single SELECT, not STRICT), so that a
# bulk statement pays no function call per row.
FUNCTIONS = f"""
CREATE FUNCTION tile_overview_max_zoom() RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {MAX_ZOOM}::smallint $$;

CREATE FUNCTION tile_overview_detail_zoom(g geometry) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT {_detail_zoom(f"GREATEST({_X1} - {_X0}, {_Y1} - {_Y0})")}::smallint
$$;

-- The cells a feature is aggregated into: one per zoom below its detail zoom (and up to MAX_ZOOM),
-- cells of {CELL_PX} pixels aligned on the tile grid; ``cell`` = row * 32 + column inside the tile.
-- The centre is the middle of the bounding box, in millimetres so that sums stay exact.
CREATE FUNCTION tile_overview_cells(g geometry)
RETURNS TABLE (z smallint, tile_x smallint, tile_y smallint, cell smallint, x_mm bigint, y_mm bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT k.z::smallint, (k.ix >> 5)::smallint, (k.iy >> 5)::smallint,
           (((k.iy & 31) << 5) | (k.ix & 31))::smallint, c.x_mm, c.y_mm
      FROM (SELECT (m.x0 + m.x1) / 2 AS cx, (m.y0 + m.y1) / 2 AS cy,
                   round((m.x0 + m.x1) / 2 * 1000)::bigint AS x_mm, round((m.y0 + m.y1) / 2 * 1000)::bigint AS y_mm,
                   {_detail_zoom("GREATEST(m.x1 - m.x0, m.y1 - m.y0)")} AS dz
              FROM (SELECT {_X0} AS x0, {_X1} AS x1, {_Y0} AS y0, {_Y1} AS y1
                     WHERE g IS NOT NULL OFFSET 0) m  -- a fence: each bound is computed once
            OFFSET 0) c,
           LATERAL (SELECT s.z,
                           floor((c.cx + {MERCATOR_HALF}) / ({MERCATOR_HALF} / 2 ^ (s.z + 4)))::int AS ix,
                           floor(({MERCATOR_HALF} - c.cy) / ({MERCATOR_HALF} / 2 ^ (s.z + 4)))::int AS iy
                      FROM generate_series(0, c.dz - 1) s(z)) k
     WHERE k.ix >= 0 AND k.ix < (32 << k.z) AND k.iy >= 0 AND k.iy < (32 << k.z)
$$;
"""

# -- what each cell table is split by ------------------------------------------------------------------
HAZARD_DIMS = ("classification", "status", "record_state", "organisation_id", "admin_area_id")
EO_DIMS = HAZARD_DIMS + ("report_organisation_id", "report_state")
CELLS = {
    # table: (dimensions, extra sums)
    "tile_cells_public": (("classification",), ()),
    "tile_cells_hazards": (HAZARD_DIMS, ()),
    "tile_cells_eo": (EO_DIMS, ("quantity",)),
}


LOCK_KEY = 1953066085
"""Transaction-level advisory lock taken before cells are written ('tile' in ASCII)."""
BIG = 1000
"""Statements about more changed rows than this are planned afresh (EXECUTE): PL/pgSQL keeps the
plan of a statement for the session, and a plan made for one row (index lookups) can be ruinous for a
bulk load, and the other way round. Statements about fewer rows use the kept plan."""


def _run(statement: str) -> str:
    """``statement`` with a plan kept for small changes and made afresh for big ones."""
    assert "$q$" not in statement
    return f"""
        IF big THEN
            EXECUTE $q${statement}$q$;
        ELSE
            {statement};
        END IF;"""


def _apply(table: str, changes: str) -> str:
    """Add to ``table`` what the rows of ``changes`` contribute: each yields ``sign`` (-1 for a row's
    old contribution, +1 for its new one), ``g`` (the geometry, NULL: contributes nothing) and the
    table's dimensions (and ``quantity``); cells that fall to zero are deleted.

    Low-zoom cells are shared by every writer in a region, and one transaction may write cells in
    several statements (a hazard, then its report, then its zone): writers take one advisory lock,
    held until they commit, so they wait for each other instead of deadlocking."""
    dims, extra = CELLS[table]
    key = ", ".join(("c.z", "c.tile_x", "c.tile_y", "c.cell", *(f"m.{d}" for d in dims)))
    sums = [("n", "sum(m.sign)::int")] + [(e, f"sum(m.sign * m.{e})::int") for e in extra] + [
        ("sum_x_mm", "sum(m.sign * c.x_mm)::bigint"), ("sum_y_mm", "sum(m.sign * c.y_mm)::bigint")]
    upsert = f"""
        INSERT INTO {table} AS t (z, tile_x, tile_y, cell, {", ".join(dims)}, {", ".join(n for n, _ in sums)})
        SELECT {key}, {", ".join(expr for _, expr in sums)}
          FROM ({changes}) m, LATERAL tile_overview_cells(m.g) c
         GROUP BY {key}
        HAVING {" OR ".join(f"{expr} <> 0" for _, expr in sums)}
         ORDER BY {key}
        ON CONFLICT (z, tile_x, tile_y, cell, {", ".join(dims)}) DO UPDATE
           SET {", ".join(f"{n} = t.{n} + EXCLUDED.{n}" for n, _ in sums)}"""
    return f"""
        PERFORM pg_advisory_xact_lock({LOCK_KEY});
        {_run(upsert)}
        DELETE FROM {table} WHERE n <= 0;"""


def _large(table: str, rows: str, key: str, geom: str, where: str = "true", alias: str = "r") -> str:
    """Write the rows of ``rows`` (``alias``; ``geom`` is a template over ``{a}``) that are drawn as
    themselves at some overview zoom."""
    g = geom.format(a=alias)
    return _run(f"""
        INSERT INTO {table} (id, detail_zoom, bbox)
        SELECT q.id, q.dz, box2d(q.g)::geometry
          FROM (SELECT {alias}.{key} AS id, {g} AS g, tile_overview_detail_zoom({g}) AS dz
                  FROM {rows} WHERE {where}) q
         WHERE q.dz <= tile_overview_max_zoom()
         ORDER BY q.id
        ON CONFLICT (id) DO UPDATE SET detail_zoom = EXCLUDED.detail_zoom, bbox = EXCLUDED.bbox""")


def _relarge(table: str, key: str, geom: str, changed: str) -> str:
    """After an UPDATE: the large rows of the rows whose geometry changed, written again."""
    return (_run(f"""
        DELETE FROM {table} l USING old_rows o FULL JOIN new_rows n ON n.{key} = o.{key}
         WHERE l.id = COALESCE(n.{key}, o.{key}) AND ({changed})""")
            + _large(table, f"old_rows o FULL JOIN new_rows n ON n.{key} = o.{key}", key, geom,
                     f"n.{key} IS NOT NULL AND ({changed})", alias="n"))


def _differ(key: str, old: tuple[str, ...], new: tuple[str, ...]) -> str:
    """True for a row of ``old_rows o FULL JOIN new_rows n`` whose compared values changed."""
    return (f"o.{key} IS NULL OR n.{key} IS NULL OR ({', '.join(old)}) IS DISTINCT FROM ({', '.join(new)})")


def _both(old_values: tuple[str, ...], new_values: tuple[str, ...], names: tuple[str, ...]) -> str:
    """A LATERAL pair of rows: the old contribution (-1) and the new one (+1)."""
    return (f"LATERAL (VALUES (-1, {', '.join(old_values)}), (1, {', '.join(new_values)})) "
            f"m(sign, {', '.join(names)})")


_HAZARD_GEOM = "COALESCE({a}.perimeter, {a}.location)"
_REMAINING = "CASE WHEN NOT ST_IsEmpty({a}.remaining) THEN {a}.remaining END"
_H_KEYS = ("{a}.deleted_at IS NULL",) + tuple(f"{{a}}.{d}" for d in HAZARD_DIMS)


def _f(template: str | tuple, a: str):
    return tuple(t.format(a=a) for t in template) if isinstance(template, tuple) else template.format(a=a)


def _hazard_rows(sign: int, rows: str) -> str:
    return (f"SELECT {sign} AS sign, {_f(_HAZARD_GEOM, 'r')} AS g, {', '.join(f'r.{d}' for d in HAZARD_DIMS)} "
            f"FROM {rows} r WHERE r.deleted_at IS NULL")


def _eo_rows(sign: int, eo: str) -> str:
    """New or removed EO finds with the dimensions of their hazard (not deleted) and report."""
    return (f"SELECT {sign} AS sign, e.geom AS g, e.quantity, {', '.join(f'h.{d}' for d in HAZARD_DIMS)}, "
            f"rp.organisation_id AS report_organisation_id, rp.workflow_state AS report_state "
            f"FROM {eo} e JOIN hazards h ON h.id = e.hazard_id LEFT JOIN reports rp ON rp.id = e.report_id "
            f"WHERE h.deleted_at IS NULL")


_GEOM_CHANGED = _differ("id", (_f(_HAZARD_GEOM, "o"),), (_f(_HAZARD_GEOM, "n"),))
_KEYS_CHANGED = _differ("id", _f(_H_KEYS, "o"), _f(_H_KEYS, "n"))
_REMAINING_CHANGED = _differ("id", ("o.remaining",), ("n.remaining",))
_HAZARD_CONTRIBUTION = ("g",) + HAZARD_DIMS
_EO_CONTRIBUTION = ("g", "quantity") + EO_DIMS


def _hazard_values(a: str) -> tuple[str, ...]:
    return (f"CASE WHEN {a}.deleted_at IS NULL THEN {_f(_HAZARD_GEOM, a)} END",) + tuple(
        f"{a}.{d}" for d in HAZARD_DIMS)


def _eo_values(e: str, h: str, r: str) -> tuple[str, ...]:
    """An EO find's contribution: nothing (NULL geometry) when its hazard is missing or deleted."""
    return ((f"CASE WHEN {h}.id IS NOT NULL AND {h}.deleted_at IS NULL THEN {e}.geom END", f"{e}.quantity")
            + tuple(f"{h}.{d}" for d in HAZARD_DIMS) + (f"{r}.organisation_id", f"{r}.workflow_state"))


HAZARDS_TRIGGER = f"""
CREATE FUNCTION tile_overview_hazards_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    big boolean;
    moved boolean;     -- position or keys changed: the hazard's own cells
    rekeyed boolean;   -- keys changed: the cells of its EO finds
    reshaped boolean;  -- remaining area changed
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) > {BIG} INTO big FROM new_rows;
        {_apply("tile_cells_hazards", _hazard_rows(1, "new_rows"))}
        {_large("tile_large_hazards", "new_rows r", "id", _HAZARD_GEOM)}
        {_large("tile_large_remaining", "new_rows r", "id", _REMAINING)}
    ELSIF TG_OP = 'DELETE' THEN
        -- EO finds hold their hazard (no cascade); the large rows go with it (ON DELETE CASCADE)
        SELECT count(*) > {BIG} INTO big FROM old_rows;
        {_apply("tile_cells_hazards", _hazard_rows(-1, "old_rows"))}
    ELSE
        SELECT count(*) > {BIG}, bool_or({_GEOM_CHANGED} OR {_KEYS_CHANGED}), bool_or({_KEYS_CHANGED}),
               bool_or({_REMAINING_CHANGED})
          INTO big, moved, rekeyed, reshaped
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id;
        IF moved THEN
            {_apply("tile_cells_hazards", f"SELECT m.* FROM old_rows o FULL JOIN new_rows n ON n.id = o.id, "
                    f"{_both(_hazard_values('o'), _hazard_values('n'), _HAZARD_CONTRIBUTION)} "
                    f"WHERE {_GEOM_CHANGED} OR {_KEYS_CHANGED}")}
            {_relarge("tile_large_hazards", "id", _HAZARD_GEOM, _GEOM_CHANGED)}
        END IF;
        IF rekeyed THEN
            {_apply("tile_cells_eo", f"SELECT m.* FROM old_rows o FULL JOIN new_rows n ON n.id = o.id "
                    f"JOIN eo_items e ON e.hazard_id = COALESCE(n.id, o.id) "
                    f"LEFT JOIN reports rp ON rp.id = e.report_id, "
                    f"{_both(_eo_values('e', 'o', 'rp'), _eo_values('e', 'n', 'rp'), _EO_CONTRIBUTION)} "
                    f"WHERE {_KEYS_CHANGED}")}
        END IF;
        IF reshaped THEN
            {_relarge("tile_large_remaining", "id", _REMAINING, _REMAINING_CHANGED)}
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
"""

_ZONE_CHANGED = _differ("hazard_id", ("o.geom", "o.classification"), ("n.geom", "n.classification"))
_ZONE_GEOM_CHANGED = _differ("hazard_id", ("o.geom",), ("n.geom",))

PUBLIC_TRIGGER = f"""
CREATE FUNCTION tile_overview_public_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    big boolean;
    moved boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) > {BIG} INTO big FROM new_rows;
        {_apply("tile_cells_public", "SELECT 1 AS sign, r.geom AS g, r.classification FROM new_rows r")}
        {_large("tile_large_public", "new_rows r", "hazard_id", "{a}.geom")}
    ELSIF TG_OP = 'DELETE' THEN
        -- tile_large_public rows go with their zone (ON DELETE CASCADE)
        SELECT count(*) > {BIG} INTO big FROM old_rows;
        {_apply("tile_cells_public", "SELECT -1 AS sign, r.geom AS g, r.classification FROM old_rows r")}
    ELSE
        SELECT count(*) > {BIG}, bool_or({_ZONE_CHANGED}) INTO big, moved
          FROM old_rows o FULL JOIN new_rows n ON n.hazard_id = o.hazard_id;
        IF moved THEN
            {_apply("tile_cells_public", f"SELECT m.* FROM old_rows o FULL JOIN new_rows n ON n.hazard_id = o.hazard_id, "
                    f"{_both(('o.geom', 'o.classification'), ('n.geom', 'n.classification'), ('g', 'classification'))} "
                    f"WHERE {_ZONE_CHANGED}")}
            {_relarge("tile_large_public", "hazard_id", "{a}.geom", _ZONE_GEOM_CHANGED)}
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
"""

_EO_CHANGED = _differ("id", ("o.geom", "o.quantity", "o.hazard_id", "o.report_id"),
                      ("n.geom", "n.quantity", "n.hazard_id", "n.report_id"))

EO_TRIGGER = f"""
CREATE FUNCTION tile_overview_eo_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    big boolean;
    moved boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) > {BIG} INTO big FROM new_rows;
        {_apply("tile_cells_eo", _eo_rows(1, "new_rows"))}
    ELSIF TG_OP = 'DELETE' THEN
        SELECT count(*) > {BIG} INTO big FROM old_rows;
        {_apply("tile_cells_eo", _eo_rows(-1, "old_rows"))}
    ELSE
        SELECT count(*) > {BIG}, bool_or({_EO_CHANGED}) INTO big, moved
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id;
        IF moved THEN
            {_apply("tile_cells_eo", f"SELECT m.* FROM old_rows o FULL JOIN new_rows n ON n.id = o.id "
                    f"LEFT JOIN hazards ho ON ho.id = o.hazard_id LEFT JOIN reports ro ON ro.id = o.report_id "
                    f"LEFT JOIN hazards hn ON hn.id = n.hazard_id LEFT JOIN reports rn ON rn.id = n.report_id, "
                    f"{_both(_eo_values('o', 'ho', 'ro'), _eo_values('n', 'hn', 'rn'), _EO_CONTRIBUTION)} "
                    f"WHERE {_EO_CHANGED}")}
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
"""

# Reports: only a change of organisation or workflow state moves the EO finds they carry (a report
# that carries finds cannot be deleted, and a new one carries none yet).
_REPORT_CHANGED = _differ("id", ("o.organisation_id", "o.workflow_state"), ("n.organisation_id", "n.workflow_state"))

REPORTS_TRIGGER = f"""
CREATE FUNCTION tile_overview_reports_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    big boolean;
    moved boolean;
BEGIN
    SELECT count(*) > {BIG}, bool_or({_REPORT_CHANGED}) INTO big, moved
      FROM old_rows o FULL JOIN new_rows n ON n.id = o.id;
    IF moved THEN
        {_apply("tile_cells_eo", f"SELECT m.* FROM old_rows o FULL JOIN new_rows n ON n.id = o.id "
                f"JOIN eo_items e ON e.report_id = COALESCE(n.id, o.id) JOIN hazards h ON h.id = e.hazard_id, "
                f"{_both(_eo_values('e', 'h', 'o'), _eo_values('e', 'h', 'n'), _EO_CONTRIBUTION)} "
                f"WHERE {_REPORT_CHANGED}")}
    END IF;
    RETURN NULL;
END;
$$;
"""

PRODUCTS_TRIGGER = f"""
CREATE FUNCTION tile_overview_products_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    big boolean;
    moved boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) > {BIG} INTO big FROM new_rows;
        {_large("tile_large_products", "new_rows r", "id", "{a}.geom")}
    ELSE  -- UPDATE (a deleted product's row goes with it: ON DELETE CASCADE)
        SELECT count(*) > {BIG}, bool_or({_differ("id", ("o.geom",), ("n.geom",))}) INTO big, moved
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id;
        IF moved THEN
            {_relarge("tile_large_products", "id", "{a}.geom", _differ("id", ("o.geom",), ("n.geom",)))}
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
"""

TRUNCATE_FUNCTION = """
CREATE FUNCTION tile_overview_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'hazards' THEN
        DELETE FROM tile_cells_hazards;
    ELSIF TG_TABLE_NAME = 'public_zones' THEN
        DELETE FROM tile_cells_public;
    ELSIF TG_TABLE_NAME = 'eo_items' THEN
        DELETE FROM tile_cells_eo;
    END IF;
    RETURN NULL;
END;
$$;
"""

_ALL_EVENTS = (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
               ("DELETE", "OLD TABLE AS old_rows"))
TRIGGERS = [
    # table, function, events, also on TRUNCATE
    ("hazards", "tile_overview_hazards_change", _ALL_EVENTS, True),
    ("public_zones", "tile_overview_public_change", _ALL_EVENTS, True),
    ("eo_items", "tile_overview_eo_change", _ALL_EVENTS, True),
    ("reports", "tile_overview_reports_change", _ALL_EVENTS[1:2], False),
    ("release_products", "tile_overview_products_change", _ALL_EVENTS[:2], False),
]
FUNCTION_NAMES = ("tile_overview_hazards_change()", "tile_overview_public_change()", "tile_overview_eo_change()",
                  "tile_overview_reports_change()", "tile_overview_products_change()",
                  "tile_overview_truncated()", "tile_overview_cells(geometry)",
                  "tile_overview_detail_zoom(geometry)", "tile_overview_max_zoom()")

# -- filling from the existing data (a frozen copy of webapp.store.tile_overviews.rebuild) -----------------
_HAZARD_DIM_LIST = ", ".join(f"h.{d}" for d in HAZARD_DIMS)
FILL = [
    # nothing changes the sources until the tables are filled and the triggers are in place
    "LOCK TABLE hazards, public_zones, eo_items, reports, release_products IN SHARE MODE",
    # bulk aggregation: hash tables in memory rather than sorts on disk, no JIT (it costs more than it saves)
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL jit = off",
    f"""INSERT INTO tile_cells_public (z, tile_x, tile_y, cell, classification, n, sum_x_mm, sum_y_mm)
        SELECT c.z, c.tile_x, c.tile_y, c.cell, p.classification, count(*), sum(c.x_mm), sum(c.y_mm)
          FROM public_zones p, LATERAL tile_overview_cells(p.geom) c
         GROUP BY c.z, c.tile_x, c.tile_y, c.cell, p.classification""",
    f"""INSERT INTO tile_cells_hazards (z, tile_x, tile_y, cell, {", ".join(HAZARD_DIMS)}, n, sum_x_mm, sum_y_mm)
        SELECT c.z, c.tile_x, c.tile_y, c.cell, {_HAZARD_DIM_LIST}, count(*), sum(c.x_mm), sum(c.y_mm)
          FROM hazards h, LATERAL tile_overview_cells(COALESCE(h.perimeter, h.location)) c
         WHERE h.deleted_at IS NULL
         GROUP BY c.z, c.tile_x, c.tile_y, c.cell, {_HAZARD_DIM_LIST}""",
    f"""INSERT INTO tile_cells_eo (z, tile_x, tile_y, cell, {", ".join(EO_DIMS)}, n, quantity, sum_x_mm, sum_y_mm)
        SELECT c.z, c.tile_x, c.tile_y, c.cell, {_HAZARD_DIM_LIST}, r.organisation_id, r.workflow_state,
               count(*), sum(e.quantity), sum(c.x_mm), sum(c.y_mm)
          FROM eo_items e JOIN hazards h ON h.id = e.hazard_id LEFT JOIN reports r ON r.id = e.report_id,
               LATERAL tile_overview_cells(e.geom) c
         WHERE h.deleted_at IS NULL
         GROUP BY c.z, c.tile_x, c.tile_y, c.cell, {_HAZARD_DIM_LIST}, r.organisation_id, r.workflow_state""",
] + [
    f"""INSERT INTO {table} (id, detail_zoom, bbox)
        SELECT q.id, q.dz, box2d(q.g)::geometry
          FROM (SELECT r.{key} AS id, {geom} AS g, tile_overview_detail_zoom({geom}) AS dz FROM {source} r) q
         WHERE q.dz <= tile_overview_max_zoom()"""
    for table, key, geom, source in (
        ("tile_large_public", "hazard_id", "r.geom", "public_zones"),
        ("tile_large_hazards", "id", "COALESCE(r.perimeter, r.location)", "hazards"),
        ("tile_large_remaining", "id", "CASE WHEN NOT ST_IsEmpty(r.remaining) THEN r.remaining END", "hazards"),
        ("tile_large_products", "id", "r.geom", "release_products"),
    )
]
# No new public layer version: tiles read from the overviews are the tiles built live (the tests
# decode both and compare), so cached copies stay right.

LARGE = (  # table, parent table and key
    ("tile_large_public", "public_zones", "hazard_id"),
    ("tile_large_hazards", "hazards", "id"),
    ("tile_large_remaining", "hazards", "id"),
    ("tile_large_products", "release_products", "id"),
)


def _cell_table(table: str) -> None:
    dims, extra = CELLS[table]
    types = {"classification": sa.String(20), "status": sa.String(20), "record_state": sa.String(20),
             "report_state": sa.String(20), "organisation_id": sa.Integer(), "admin_area_id": sa.Integer(),
             "report_organisation_id": sa.Integer()}
    nullable = {"admin_area_id", "report_organisation_id", "report_state"}
    columns = [sa.Column(c, sa.SmallInteger(), nullable=False) for c in ("z", "tile_x", "tile_y", "cell")]
    columns += [sa.Column(d, types[d], nullable=d in nullable) for d in dims]
    columns += [sa.Column("n", sa.Integer(), nullable=False)]
    columns += [sa.Column(e, sa.Integer(), nullable=False) for e in extra]
    columns += [sa.Column("sum_x_mm", sa.BigInteger(), nullable=False),
                sa.Column("sum_y_mm", sa.BigInteger(), nullable=False)]
    key = ["z", "tile_x", "tile_y", "cell", *dims]
    if any(d in nullable for d in dims):
        op.create_table(table, *columns)
        op.create_index(f"uq_{table}_key", table, key, unique=True, postgresql_nulls_not_distinct=True)
    else:
        op.create_table(table, *columns, sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{table}")))
    op.create_index(f"ix_{table}_emptied", table, ["z"], unique=False, postgresql_where=sa.text("n <= 0"))


def upgrade() -> None:
    for table in CELLS:
        _cell_table(table)
    for table, parent, parent_key in LARGE:
        op.create_geospatial_table(
            table,
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("detail_zoom", sa.SmallInteger(), nullable=False),
            sa.Column("bbox", Geometry(geometry_type="GEOMETRY", srid=4326, dimension=2, spatial_index=False,
                                       from_text="ST_GeomFromEWKT", name="geometry"), nullable=False),
            sa.ForeignKeyConstraint(["id"], [f"{parent}.{parent_key}"], name=op.f(f"fk_{table}_id_{parent}"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        op.create_geospatial_index(f"ix_{table}_bbox", table, ["bbox"], unique=False,
                                   postgresql_using="gist", postgresql_ops={})

    for statement in (FUNCTIONS, HAZARDS_TRIGGER, PUBLIC_TRIGGER, EO_TRIGGER, REPORTS_TRIGGER, PRODUCTS_TRIGGER,
                      TRUNCATE_FUNCTION):
        op.execute(statement)
    for table, function, events, truncate in TRIGGERS:
        for event, transition in events:
            op.execute(f"CREATE TRIGGER tile_overview_{event.lower()} AFTER {event} ON {table} "
                       f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        if truncate:
            op.execute(f"CREATE TRIGGER tile_overview_truncate AFTER TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION tile_overview_truncated()")
    bind = op.get_bind()
    for statement in FILL:
        bind.execute(sa.text(statement))


def downgrade() -> None:
    for table, _, events, truncate in TRIGGERS:
        for event in [e for e, _ in events] + (["TRUNCATE"] if truncate else []):
            op.execute(f"DROP TRIGGER IF EXISTS tile_overview_{event.lower()} ON {table}")
    for function in FUNCTION_NAMES:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    for table, _, _ in LARGE:
        op.drop_geospatial_index(f"ix_{table}_bbox", table_name=table, postgresql_using="gist",
                                 column_name="bbox")
        op.drop_geospatial_table(table)
    for table in CELLS:
        op.drop_table(table)
