"""Tile overviews (migration 0005, decision record 0008): low-zoom tiles read from pre-built cells are
the tiles built live, for the public and for every kind of staff reader and filter; the triggers keep
the cells in step with every change, touching only the cells of the changed rows; a rebuild finds
nothing to correct; the public cells hold only allow-listed facts."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from tests.integration.test_tiles import counted, decode, demo_tiles, tile_of
from webapp.config import Settings
from webapp.services.permissions import Actor, visibility_sql
from webapp.store import db, tile_overviews, tiles
from webapp.store.public_zones import layer_version, refresh
from webapp.store.tile_overviews import OVERVIEW_MAX_ZOOM
from webapp.store.tiles import TileFilters, public_tile, staff_tile

SETTINGS = Settings()
OVERVIEW_ZOOMS = range(0, OVERVIEW_MAX_ZOOM + 1)

ADMIN = Actor(id=1, role="admin", organisation_id=1, label="admin")
APPROVER = Actor(id=2, role="approver", organisation_id=1, label="approver")
SURVEYOR_SDG = Actor(id=3, role="surveyor", organisation_id=2, label="surveyor SDG")
LEADER_DHC = Actor(id=6, role="team_leader", organisation_id=3, label="team leader DHC")
DONOR = Actor(id=10, role="viewer", organisation_id=6, label="donor")
NOBODY = Actor(id=None, role=None, organisation_id=None, label="anonymous")


def _area_id(session, code: str) -> int:
    return session.execute(text("SELECT id FROM admin_areas WHERE code = :c"), {"c": code}).scalar_one()


def _izium_viewer(session) -> Actor:
    return Actor(id=9, role="viewer", organisation_id=5, admin_area_ids=(_area_id(session, "UA6304"),),
                 label="viewer Izium")


def _normal(layers: dict) -> dict:
    """Decoded layers as comparable values: per layer, the sorted features (properties, geometry)."""
    return {name: sorted((sorted(f["properties"].items()), f["geometry"]["type"],
                          repr(f["geometry"]["coordinates"])) for f in layer["features"])
            for name, layer in layers.items()}


@pytest.fixture
def demo(demo_engine):
    """A session on the demo database inside a transaction that is always rolled back, so that
    tests may change hazards (services flush, never commit)."""
    conn = demo_engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture(scope="module")
def low_zoom_tiles(demo_engine):
    with demo_engine.connect() as conn:
        return demo_tiles(conn, zooms=OVERVIEW_ZOOMS)


def _snapshot(session) -> dict:
    """Every overview row, by table and key."""
    dims = ", ".join(tile_overviews.HAZARD_DIMENSIONS)
    eo_dims = ", ".join(tile_overviews.EO_DIMENSIONS)
    snap = {
        "public": {tuple(r[:5]): tuple(r[5:]) for r in session.execute(text(
            "SELECT z, tile_x, tile_y, cell, classification, n, sum_x_mm, sum_y_mm FROM tile_cells_public"))},
        "hazards": {tuple(r[:9]): tuple(r[9:]) for r in session.execute(text(
            f"SELECT z, tile_x, tile_y, cell, {dims}, n, sum_x_mm, sum_y_mm FROM tile_cells_hazards"))},
        "eo": {tuple(r[:11]): tuple(r[11:]) for r in session.execute(text(
            f"SELECT z, tile_x, tile_y, cell, {eo_dims}, n, quantity, sum_x_mm, sum_y_mm FROM tile_cells_eo"))},
    }
    for table in tile_overviews.LARGE_TABLES:
        snap[table.removeprefix("tile_")] = {r[0]: (r[1], r[2]) for r in session.execute(text(
            f"SELECT id, detail_zoom, ST_AsText(bbox) FROM {table}"))}
    return snap


def _diff(before: dict, after: dict) -> dict:
    """Per key, the change of (n, sum_x_mm, sum_y_mm)."""
    out = {}
    for key in set(before) | set(after):
        width = len(before.get(key) or after[key])
        old, new = before.get(key, (0,) * width), after.get(key, (0,) * width)
        delta = tuple(b - a for a, b in zip(old, new))
        if any(delta):
            out[key] = delta
    return out


def _cells_of(session, geom_sql: str, params: dict, dims: tuple) -> Counter:
    """What one feature contributes to the cells: key → (1, x_mm, y_mm), from the rule functions."""
    rows = session.execute(text(f"SELECT z, tile_x, tile_y, cell, x_mm, y_mm FROM tile_overview_cells(({geom_sql}))"),
                           params).all()
    return {(r.z, r.tile_x, r.tile_y, r.cell, *dims): (1, r.x_mm, r.y_mm) for r in rows}


def _add(*contributions: tuple[int, dict]) -> dict:
    total: dict = {}
    for sign, cells in contributions:
        for key, value in cells.items():
            old = total.get(key, (0,) * len(value))
            total[key] = tuple(a + sign * b for a, b in zip(old, value))
    return {k: v for k, v in total.items() if any(v)}


def _hazard_cells(session, hazard_id: int) -> dict:
    row = session.execute(text(f"SELECT {', '.join(tile_overviews.HAZARD_DIMENSIONS)} FROM hazards WHERE id = :h"),
                          {"h": hazard_id}).one()
    return _cells_of(session, "SELECT COALESCE(perimeter, location) FROM hazards WHERE id = :h", {"h": hazard_id},
                     tuple(row))


def _zone_cells(session, hazard_id: int) -> dict:
    row = session.execute(text("SELECT classification FROM public_zones WHERE hazard_id = :h"),
                          {"h": hazard_id}).one_or_none()
    if row is None:
        return {}
    return _cells_of(session, "SELECT geom FROM public_zones WHERE hazard_id = :h", {"h": hazard_id},
                     (row.classification,))


def _eo_cells(session, hazard_id: int) -> dict:
    """What the EO finds of a hazard contribute to the EO cells (key → (n, quantity, x, y))."""
    rows = session.execute(text(f"""
        SELECT e.id, e.quantity, {", ".join(f"h.{d}" for d in tile_overviews.HAZARD_DIMENSIONS)},
               r.organisation_id, r.workflow_state
          FROM eo_items e JOIN hazards h ON h.id = e.hazard_id LEFT JOIN reports r ON r.id = e.report_id
         WHERE e.hazard_id = :h AND h.deleted_at IS NULL"""), {"h": hazard_id}).all()
    total = {}
    for eo_id, quantity, *dims in rows:
        cells = _cells_of(session, "SELECT geom FROM eo_items WHERE id = :e", {"e": eo_id}, tuple(dims))
        total = _add((1, total), (1, {k: (n, quantity, x, y) for k, (n, x, y) in cells.items()}))
    return total


def _visible_count(session, actor: Actor, where: str = "true") -> int:
    condition, params = visibility_sql(actor, alias="h")
    return session.execute(text(f"SELECT count(*) FROM hazards h WHERE ({condition}) AND ({where})"),
                           params).scalar_one()


# -- the rule is the same in the database and in the code -----------------------------------------------
def test_the_database_rule_is_the_tile_rule(demo):
    assert tile_overviews.database_max_zoom(demo) == OVERVIEW_MAX_ZOOM < tiles.DETAIL_ZOOM
    # the detail zoom is the first zoom at which a feature is MIN_FEATURE_PX pixels or more
    for metres in (10.0, 300.0, 1_200.0, 5_000.0, 40_000.0, 700_000.0):
        width_deg = metres / (tiles.MERCATOR_HALF / 180.0)
        dz = demo.execute(text("SELECT tile_overview_detail_zoom(ST_MakeEnvelope(30, 0, 30 + :w, 0, 4326))"),
                          {"w": width_deg}).scalar_one()
        expected = next((z for z in OVERVIEW_ZOOMS if metres >= tiles.MIN_FEATURE_PX * tiles.pixel_size_m(z)),
                        OVERVIEW_MAX_ZOOM + 1)
        assert dz == expected, metres
    # a point belongs, at every overview zoom, to the tile that holds it and the 8-pixel cell under it
    lon, lat = 36.2345, 49.9876
    rows = demo.execute(text("SELECT z, tile_x, tile_y, cell FROM tile_overview_cells("
                             "ST_SetSRID(ST_MakePoint(:x, :y), 4326)) ORDER BY z"), {"x": lon, "y": lat}).all()
    assert [r.z for r in rows] == list(OVERVIEW_ZOOMS)
    for r in rows:
        assert (r.tile_x, r.tile_y) == tile_of(lon, lat, r.z)
        per_cell = tiles.PIXELS // tiles.CLUSTER_CELL_PX
        fine_x, fine_y = tile_of(lon, lat, r.z + 5)  # 32 cells a side: the tile grid five zooms down
        assert r.cell == (fine_y % per_cell) * per_cell + fine_x % per_cell


# -- tiles from the overviews are the live tiles -----------------------------------------------------------
def test_public_overview_tiles_are_the_live_tiles(demo, low_zoom_tiles):
    for z, addresses in low_zoom_tiles.items():
        for x, y in addresses:
            assert _normal(decode(public_tile(demo, z, x, y))) == \
                _normal(decode(public_tile(demo, z, x, y, overviews=False))), f"{z}/{x}/{y}"


STAFF_OVERVIEW_LAYERS = ("hazards", "eo", "products", "remaining")


@pytest.mark.parametrize("actor", [ADMIN, APPROVER, SURVEYOR_SDG, LEADER_DHC, DONOR, NOBODY, "izium"],
                         ids=lambda a: a if isinstance(a, str) else a.label)
def test_staff_overview_tiles_are_the_live_tiles_for_every_reader(demo, low_zoom_tiles, actor):
    actor = _izium_viewer(demo) if actor == "izium" else actor
    drawn = Counter()
    for z, addresses in low_zoom_tiles.items():
        for x, y in addresses:
            for layer in STAFF_OVERVIEW_LAYERS:
                tile = _normal(decode(staff_tile(demo, actor, layer, z, x, y)))
                assert tile == _normal(decode(staff_tile(demo, actor, layer, z, x, y, overviews=False))), \
                    f"{layer} {z}/{x}/{y}"
                drawn.update({name: len(features) for name, features in tile.items()})
    if actor is ADMIN:  # every kind of feature occurs at the overview zooms of the demo
        assert set(drawn) == {"hazards", "hazards_clusters", "eo_clusters", "products", "remaining"}


@pytest.mark.parametrize("make", [
    lambda s: TileFilters(organisation_ids=(2,)),
    lambda s: TileFilters(organisation_ids=(3, 4), classifications=("CHA",)),
    lambda s: TileFilters(statuses=("open", "suspended")),
    lambda s: TileFilters(admin_area_id=_area_id(s, "UA6308")),
    lambda s: TileFilters(organisation_ids=(2,), classifications=("SHA",), statuses=("worked_on",),
                          admin_area_id=_area_id(s, "UA6310")),
])
def test_staff_overview_tiles_are_the_live_tiles_under_filters(demo, low_zoom_tiles, make):
    filters = make(demo)
    for actor in (SURVEYOR_SDG, _izium_viewer(demo), ADMIN):
        for z in (0, 4, 7, OVERVIEW_MAX_ZOOM):
            for x, y in low_zoom_tiles[z]:
                for layer in STAFF_OVERVIEW_LAYERS:
                    assert _normal(decode(staff_tile(demo, actor, layer, z, x, y, filters))) == \
                        _normal(decode(staff_tile(demo, actor, layer, z, x, y, filters, overviews=False)))


def test_overview_counts_are_the_live_counts_at_every_overview_zoom(demo, low_zoom_tiles):
    zones = demo.execute(text("SELECT count(*) FROM public_zones")).scalar_one()
    for actor in (ADMIN, SURVEYOR_SDG, LEADER_DHC, _izium_viewer(demo)):
        expected = _visible_count(demo, actor)
        for z in OVERVIEW_ZOOMS:
            clustered, drawn, public_clustered, public_drawn = 0, set(), 0, set()
            for x, y in low_zoom_tiles[z]:
                layers = decode(staff_tile(demo, actor, "hazards", z, x, y))
                clustered += sum(f["properties"]["count"] for f in layers.get("hazards_clusters", {}).get("features", []))
                drawn |= {f["properties"]["id"] for f in layers.get("hazards", {}).get("features", [])}
                if actor is ADMIN:
                    layers = decode(public_tile(demo, z, x, y))
                    public_clustered += sum(f["properties"]["count"]
                                            for f in layers.get(tiles.PUBLIC_CLUSTER_LAYER, {}).get("features", []))
                    public_drawn |= {f["properties"]["national_code"]
                                     for f in layers.get(tiles.PUBLIC_LAYER, {}).get("features", [])}
            # a large hazard may be drawn in every tile it crosses, but is never also clustered
            assert clustered + len(drawn) == expected, (actor.label, z)
            if actor is ADMIN:
                assert public_clustered + len(public_drawn) == zones, z


def test_date_filters_are_built_live_and_still_narrow_the_layer(demo):
    filters = TileFilters(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))
    expected = _visible_count(demo, SURVEYOR_SDG, "h.date_of_information BETWEEN DATE '2023-01-01' AND DATE '2023-12-31'")
    assert 0 < expected < _visible_count(demo, SURVEYOR_SDG)
    assert counted(decode(staff_tile(demo, SURVEYOR_SDG, "hazards", 0, 0, 0, filters)), "hazards") == expected


def test_overview_tiles_keep_the_layers_and_properties_the_maps_use(demo, low_zoom_tiles):
    staff_props = {"id", "national_code", "name", "classification", "status", "record_state"}
    seen = set()
    for z, addresses in low_zoom_tiles.items():
        for x, y in addresses:
            layers = decode(public_tile(demo, z, x, y))
            assert set(layers) <= {tiles.PUBLIC_LAYER, tiles.PUBLIC_CLUSTER_LAYER}
            for f in layers.get(tiles.PUBLIC_LAYER, {}).get("features", []):
                assert set(f["properties"]) == set(tiles.PUBLIC_PROPERTIES)
                assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
            for f in layers.get(tiles.PUBLIC_CLUSTER_LAYER, {}).get("features", []):
                assert set(f["properties"]) == set(tiles.PUBLIC_CLUSTER_PROPERTIES)
                assert f["geometry"]["type"] == "Point" and f["properties"]["count"] >= 1
            seen |= {(z, name) for name in layers}
            layers = decode(staff_tile(demo, ADMIN, "hazards", z, x, y))
            assert set(layers) <= {"hazards", "hazards_clusters"}
            for f in layers.get("hazards", {}).get("features", []):
                assert set(f["properties"]) == staff_props
            for f in layers.get("hazards_clusters", {}).get("features", []):
                assert set(f["properties"]) == {"classification", "count"}
                assert f["geometry"]["type"] == "Point"
            seen |= {(z, name) for name in layers}
    # both kinds of feature occur at the overview zooms of the demo
    assert {name for _, name in seen} == {tiles.PUBLIC_LAYER, tiles.PUBLIC_CLUSTER_LAYER, "hazards", "hazards_clusters"}


# -- allow-list -------------------------------------------------------------------------------------------
def test_public_overview_tables_hold_only_allow_listed_facts(demo_engine):
    columns = inspect(demo_engine).get_columns
    assert tuple(c["name"] for c in columns("tile_cells_public")) == tile_overviews.PUBLIC_CELL_COLUMNS
    assert tuple(c["name"] for c in columns("tile_large_public")) == tile_overviews.PUBLIC_LARGE_COLUMNS
    with demo_engine.connect() as conn:
        # large public features are public zones; cells count exactly the zones, once per zoom
        assert conn.execute(text("SELECT count(*) FROM tile_large_public l LEFT JOIN public_zones z "
                                 "ON z.hazard_id = l.id WHERE z.hazard_id IS NULL")).scalar_one() == 0
        zones = conn.execute(text("SELECT count(*) FROM public_zones")).scalar_one()
        assert conn.execute(text("SELECT sum(n) FROM tile_cells_public WHERE z = 0")).scalar_one() == zones


def test_a_hazard_that_stops_being_public_leaves_the_public_cells(demo):
    hid = demo.execute(text("SELECT id FROM tile_large_public ORDER BY id LIMIT 1")).scalar_one()
    small = demo.execute(text("SELECT hazard_id FROM public_zones WHERE hazard_id NOT IN "
                              "(SELECT id FROM tile_large_public) ORDER BY hazard_id LIMIT 1")).scalar_one()
    before = _snapshot(demo)
    expected = _add((-1, _zone_cells(demo, hid)), (-1, _zone_cells(demo, small)))
    demo.execute(text("UPDATE hazards SET record_state = 'rejected' WHERE id IN (:a, :b)"), {"a": hid, "b": small})
    refresh(demo, SETTINGS, [hid, small])
    after = _snapshot(demo)
    assert _diff(before["public"], after["public"]) == expected
    assert set(before["large_public"]) - set(after["large_public"]) == {hid}


# -- kept in step ------------------------------------------------------------------------------------------
def test_the_overviews_of_the_loaded_demo_need_no_rebuild(demo):
    before = _snapshot(demo)
    tile_overviews.rebuild(demo)
    assert _snapshot(demo) == before


def test_a_surveyor_never_counts_another_organisations_drafts(demo):
    def z0(actor):
        return counted(decode(staff_tile(demo, actor, "hazards", 0, 0, 0)), "hazards")

    counts = {a.label: z0(a) for a in (ADMIN, SURVEYOR_SDG, LEADER_DHC, DONOR)}
    assert counts["surveyor SDG"] == _visible_count(demo, SURVEYOR_SDG)
    # a DHC draft, written without any service: the database keeps the cells in step
    demo.execute(text("""
        INSERT INTO hazards (national_code, name, classification, record_state, date_of_information,
                             organisation_id, admin_area_id, perimeter, location)
        SELECT 'T-DHC-DRAFT', 'DHC draft', 'SHA', 'draft', DATE '2024-05-01', 3, admin_area_id,
               ST_Translate(perimeter, 0.01, 0.01), ST_Translate(location, 0.01, 0.01)
          FROM hazards WHERE organisation_id = 3 AND perimeter IS NOT NULL ORDER BY id LIMIT 1"""))
    assert z0(SURVEYOR_SDG) == counts["surveyor SDG"] == _visible_count(demo, SURVEYOR_SDG)
    assert z0(DONOR) == counts["donor"]
    assert z0(LEADER_DHC) == counts["team leader DHC"] + 1
    assert z0(ADMIN) == counts["admin"] + 1
    for z in OVERVIEW_ZOOMS:
        lon, lat = demo.execute(text("SELECT ST_X(location), ST_Y(location) FROM hazards "
                                     "WHERE national_code = 'T-DHC-DRAFT'")).one()
        x, y = tile_of(lon, lat, z)
        assert _normal(decode(staff_tile(demo, SURVEYOR_SDG, "hazards", z, x, y))) == \
            _normal(decode(staff_tile(demo, SURVEYOR_SDG, "hazards", z, x, y, overviews=False)))


def test_approving_a_hazard_changes_exactly_the_cells_it_touches(demo):
    from webapp.services.hazards import approve_hazard

    hid = demo.execute(text("SELECT id FROM hazards WHERE record_state = 'submitted' AND deleted_at IS NULL "
                            "ORDER BY id LIMIT 1")).scalar_one()
    version = layer_version(demo)
    before = _snapshot(demo)
    old_cells = _hazard_cells(demo, hid)
    approve_hazard(demo, APPROVER, SETTINGS, hid)
    after = _snapshot(demo)
    # staff: its count moves from the 'submitted' key to the 'approved' key of the same cells
    assert _diff(before["hazards"], after["hazards"]) == _add((-1, old_cells), (1, _hazard_cells(demo, hid)))
    assert {k[6] for k in old_cells} == {"submitted"}  # (z, x, y, cell, classification, status, state…)
    assert len(old_cells) == min(OVERVIEW_MAX_ZOOM + 1, demo.execute(text(
        "SELECT tile_overview_detail_zoom(COALESCE(perimeter, location)) FROM hazards WHERE id = :h"),
        {"h": hid}).scalar_one())
    # public: its new zone is counted once in the cell under it at each zoom where it is small
    new_zone = _zone_cells(demo, hid)
    assert new_zone and _diff(before["public"], after["public"]) == new_zone
    assert layer_version(demo) > version  # new public ETags
    assert before["large_hazards"] == after["large_hazards"]


def test_approving_a_report_moves_only_the_cells_of_the_old_and_new_zone(demo):
    from webapp.errors import UserError
    from webapp.services.reports import approve_report

    candidates = demo.execute(text("""
        SELECT r.id, r.hazard_id FROM reports r JOIN hazards h ON h.id = r.hazard_id
         WHERE r.workflow_state = 'submitted' AND h.record_state = 'approved' AND h.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM release_products p WHERE p.report_id = r.id)
           AND EXISTS (SELECT 1 FROM public_zones z WHERE z.hazard_id = h.id)
         ORDER BY r.id""")).all()
    assert candidates
    for report_id, hid in candidates:
        attempt = demo.begin_nested()
        before = _snapshot(demo)
        old_zone, old_cells, old_eo = _zone_cells(demo, hid), _hazard_cells(demo, hid), _eo_cells(demo, hid)
        try:
            approve_report(demo, APPROVER, SETTINGS, report_id)
        except UserError:
            attempt.rollback()
            continue
        after = _snapshot(demo)
        if _zone_cells(demo, hid) == old_zone:
            attempt.rollback()  # the zone did not move: try a report that moves it
            continue
        assert _diff(before["public"], after["public"]) == _add((-1, old_zone), (1, _zone_cells(demo, hid)))
        assert _diff(before["hazards"], after["hazards"]) == _add((-1, old_cells), (1, _hazard_cells(demo, hid)))
        assert {k for k, v in before["large_public"].items() if after["large_public"].get(k) != v} <= {hid}
        # its finds move to the keys of the approved report (and of the hazard's new status)
        new_eo = _eo_cells(demo, hid)
        assert _diff(before["eo"], after["eo"]) == _add((-1, old_eo), (1, new_eo))
        if demo.execute(text("SELECT count(*) FROM eo_items WHERE report_id = :r"), {"r": report_id}).scalar():
            assert _diff(before["eo"], after["eo"])
        break
    else:
        pytest.fail("no submitted report in the demo moves its zone")


def test_every_kind_of_change_keeps_the_overviews_equal_to_a_rebuild(demo):
    from webapp.services.hazards import delete_hazard, restore_hazard

    ids = demo.execute(text("SELECT id FROM hazards WHERE record_state = 'approved' AND deleted_at IS NULL "
                            "AND perimeter IS NOT NULL ORDER BY id LIMIT 6")).scalars().all()
    # moved far (a large one too), reclassified, re-owned, moved to no admin area, deleted and restored
    demo.execute(text("UPDATE hazards SET perimeter = ST_Translate(perimeter, 0.3, -0.2), "
                      "location = ST_Translate(location, 0.3, -0.2) WHERE id = ANY(:ids)"), {"ids": ids[:2]})
    demo.execute(text("UPDATE hazards SET perimeter = ST_Multi(ST_Buffer(perimeter, 0.05)) WHERE id = :h"),
                 {"h": ids[1]})
    demo.execute(text("UPDATE hazards SET classification = 'EOD_SPOT_TASK', status = 'suspended' WHERE id = :h"),
                 {"h": ids[2]})
    demo.execute(text("UPDATE hazards SET organisation_id = 4, admin_area_id = NULL WHERE id = :h"), {"h": ids[3]})
    version = demo.execute(text("SELECT version FROM hazards WHERE id = :h"), {"h": ids[4]}).scalar_one()
    delete_hazard(demo, APPROVER, SETTINGS, ids[4], version)
    deleted = demo.execute(text("SELECT version FROM hazards WHERE id = :h"), {"h": ids[5]}).scalar_one()
    delete_hazard(demo, APPROVER, SETTINGS, ids[5], deleted)
    restore_hazard(demo, APPROVER, SETTINGS, ids[5])
    # a hazard written and removed again (hard delete), and a change that touches no key
    new_id = demo.execute(text("""
        INSERT INTO hazards (national_code, name, classification, record_state, date_of_information,
                             organisation_id, location, location_precision)
        VALUES ('T-GONE', 'gone', 'SHA', 'approved', DATE '2024-01-01', 2,
                ST_SetSRID(ST_MakePoint(36.5, 49.5), 4326), 'community_centre') RETURNING id""")).scalar_one()
    refresh(demo, SETTINGS, [*ids, new_id])
    demo.execute(text("DELETE FROM hazards WHERE id = :h"), {"h": new_id})
    demo.execute(text("UPDATE hazards SET name = name || ' (renamed)', evidence = 'x' WHERE id = ANY(:ids)"),
                 {"ids": ids})
    refresh(demo, SETTINGS, ids)
    # EO finds moved, re-counted, given to another hazard, deleted; reports decided; products redrawn
    eo = demo.execute(text("SELECT id FROM eo_items ORDER BY id LIMIT 4")).scalars().all()
    demo.execute(text("UPDATE eo_items SET geom = ST_Translate(geom, 0.2, 0.1), quantity = quantity + 2 "
                      "WHERE id = :e"), {"e": eo[0]})
    demo.execute(text("UPDATE eo_items SET hazard_id = :h, report_id = NULL WHERE id = :e"),
                 {"h": ids[2], "e": eo[1]})
    demo.execute(text("DELETE FROM eo_items WHERE id = :e"), {"e": eo[2]})
    demo.execute(text("INSERT INTO eo_items (hazard_id, category, quantity, geom) "
                      "SELECT hazard_id, 'uxo', 3, ST_Translate(geom, 0.001, 0) FROM eo_items WHERE id = :e"),
                 {"e": eo[3]})
    demo.execute(text("UPDATE reports SET workflow_state = 'rejected' WHERE id IN "
                      "(SELECT report_id FROM eo_items WHERE report_id IS NOT NULL ORDER BY id LIMIT 3)"))
    demo.execute(text("UPDATE reports SET organisation_id = 4 WHERE id IN "
                      "(SELECT report_id FROM eo_items WHERE report_id IS NOT NULL ORDER BY id DESC LIMIT 2)"))
    product = demo.execute(text("SELECT id FROM release_products ORDER BY id LIMIT 1")).scalar_one()
    demo.execute(text("UPDATE release_products SET geom = ST_Multi(ST_Buffer(geom, 0.05)) WHERE id = :p"),
                 {"p": product})
    demo.execute(text("DELETE FROM release_products WHERE id IN (SELECT id FROM release_products "
                      "WHERE id <> :p AND id NOT IN (SELECT product_id FROM survey_points WHERE product_id IS NOT NULL) "
                      "ORDER BY id LIMIT 2)"), {"p": product})
    maintained = _snapshot(demo)
    assert new_id not in maintained["large_hazards"]
    assert ids[1] in maintained["large_hazards"]  # buffered by 0.05°: drawn from a low zoom
    assert product in maintained["large_products"]
    tile_overviews.rebuild(demo)
    assert _snapshot(demo) == maintained


def test_truncating_the_sources_empties_the_cells(demo):
    demo.execute(text("TRUNCATE hazards CASCADE"))
    assert all(not rows for rows in _snapshot(demo).values())


# -- migration -----------------------------------------------------------------------------------------------
def test_upgrading_a_database_that_holds_hazards_fills_the_overviews_and_downgrading_removes_them(
        fresh_db, make_app):
    from webapp.demo.generator import generate
    from webapp.demo.loader import load

    db.upgrade(fresh_db, "0004")
    engine = create_engine(fresh_db)
    try:
        with engine.begin() as conn:
            load(Session(bind=conn), generate(40), audit=False, settings=SETTINGS)
        db.upgrade(fresh_db)
        with Session(bind=engine) as session:
            filled = _snapshot(session)
        assert all(filled.values())
        # the rebuild command finds the same
        result = make_app(fresh_db).test_cli_runner().invoke(args=["tiles", "rebuild"])
        assert result.exit_code == 0, result.output
        assert "tile_cells_hazards" in result.output
        with Session(bind=engine) as session:
            assert _snapshot(session) == filled
        db.downgrade(fresh_db, "0004")
        with engine.connect() as conn:
            assert not set(tile_overviews.TABLES) & set(inspect(conn).get_table_names())
            assert conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'tile_overview%'")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tile_overview%'")).scalar() == 0
    finally:
        engine.dispose()



def test_bulk_changes_keep_the_overviews_equal_to_a_rebuild(demo):
    """Statements about more than a thousand rows take the triggers' freshly planned path."""
    template = demo.execute(text("SELECT id FROM hazards WHERE perimeter IS NOT NULL AND record_state = 'approved' "
                                 "ORDER BY id LIMIT 1")).scalar_one()
    demo.execute(text("""
        INSERT INTO hazards (national_code, name, classification, status, record_state, date_of_information,
                             organisation_id, admin_area_id, perimeter, location)
        SELECT 'T-BULK-' || i, 'bulk', 'SHA', 'open', 'approved', DATE '2024-01-01', 1 + i % 4, h.admin_area_id,
               ST_Translate(h.perimeter, (i % 40) * 0.02, (i / 40) * 0.02),
               ST_Translate(h.location, (i % 40) * 0.02, (i / 40) * 0.02)
          FROM hazards h, generate_series(1, 1200) i WHERE h.id = :h"""), {"h": template})
    bulk = "SELECT id FROM hazards WHERE national_code LIKE 'T-BULK-%'"
    demo.execute(text(f"""
        INSERT INTO eo_items (hazard_id, category, quantity, geom)
        SELECT id, 'uxo', 2, location FROM hazards WHERE id IN ({bulk})"""))
    demo.execute(text(f"UPDATE hazards SET remaining = perimeter WHERE id IN ({bulk})"))
    refresh(demo, SETTINGS)  # 1,200 new zones in one statement
    demo.execute(text(f"UPDATE hazards SET perimeter = ST_Translate(perimeter, 0.3, 0), "
                      f"location = ST_Translate(location, 0.3, 0), status = 'worked_on' WHERE id IN ({bulk})"))
    demo.execute(text(f"UPDATE eo_items SET geom = ST_Translate(geom, 0.3, 0), quantity = 1 "
                      f"WHERE hazard_id IN ({bulk})"))
    refresh(demo, SETTINGS)
    maintained = _snapshot(demo)
    assert sum(n for (z, *_), (n, *_) in maintained["hazards"].items() if z == 0) == \
        demo.execute(text("SELECT count(*) FROM hazards WHERE deleted_at IS NULL")).scalar_one()
    tile_overviews.rebuild(demo)
    assert _snapshot(demo) == maintained
    # and removed again in bulk
    demo.execute(text(f"DELETE FROM eo_items WHERE hazard_id IN ({bulk})"))
    demo.execute(text(f"UPDATE hazards SET deleted_at = now() WHERE id IN ({bulk})"))
    refresh(demo, SETTINGS)
    demo.execute(text(f"DELETE FROM hazards WHERE id IN ({bulk})"))
    maintained = _snapshot(demo)
    tile_overviews.rebuild(demo)
    assert _snapshot(demo) == maintained


def test_concurrent_writers_wait_for_each_other_and_both_count(fresh_db):
    """Low-zoom cells are shared: a second writer waits for the first to commit (one advisory lock,
    so never a deadlock), then both changes are in the overviews."""
    from sqlalchemy.exc import OperationalError

    from webapp.demo.generator import generate
    from webapp.demo.loader import load

    db.upgrade(fresh_db)
    engine = create_engine(fresh_db)
    try:
        with engine.begin() as conn:
            load(Session(bind=conn), generate(30), audit=False, settings=SETTINGS)
            a, b = conn.execute(text("SELECT id FROM hazards WHERE deleted_at IS NULL ORDER BY id LIMIT 2")).scalars()
        first, second = engine.connect(), engine.connect()
        try:
            first.begin()
            first.execute(text("UPDATE hazards SET status = 'suspended' WHERE id = :a"), {"a": a})
            second.begin()
            second.execute(text("SET LOCAL lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                second.execute(text("UPDATE hazards SET status = 'suspended' WHERE id = :b"), {"b": b})
            second.rollback()
            first.commit()
            second.begin()
            second.execute(text("SET LOCAL lock_timeout = '5s'"))
            second.execute(text("UPDATE hazards SET status = 'suspended' WHERE id = :b"), {"b": b})
            second.commit()
        finally:
            first.close()
            second.close()
        with Session(bind=engine) as session:
            maintained = _snapshot(session)
            assert sum(n for key, (n, *_) in maintained["hazards"].items() if key[0] == 0 and key[5] == "suspended") \
                == session.execute(text("SELECT count(*) FROM hazards WHERE status = 'suspended' "
                                        "AND deleted_at IS NULL")).scalar_one()
            tile_overviews.rebuild(session)
            assert _snapshot(session) == maintained
    finally:
        engine.dispose()
