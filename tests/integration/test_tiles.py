"""Vector tiles built by PostGIS: size at every zoom, generalisation, and who sees what."""
from __future__ import annotations

import datetime as dt
import math
import random

import mapbox_vector_tile
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from webapp.services.permissions import Actor, visibility_sql
from webapp.store import tiles
from webapp.store.tiles import TileFilters, TileRequestError, public_tile, staff_tile

MAX_TILE_BYTES = 500 * 1024
ALL_ZOOMS = range(0, 17)


# -- tile addresses over the demo data (also used by the leakage test) ------------------------------------
def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    lat = max(-85.05, min(85.05, lat))
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(n - 1, max(0, x)), min(n - 1, max(0, y))


def tiles_over(bbox: tuple[float, float, float, float], z: int) -> set[tuple[int, int]]:
    x0, y1 = tile_of(bbox[0], bbox[1], z)
    x1, y0 = tile_of(bbox[2], bbox[3], z)
    return {(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}


def demo_tiles(conn, zooms=ALL_ZOOMS, sample: int = 60, detail_from: int = 11) -> dict[int, list]:
    """Every tile that holds a demo hazard, EO find or public zone up to ``detail_from - 1``; above
    it a deterministic sample of at least ``sample`` tiles per zoom, half of them over hazards the
    public must not see."""
    rows = conn.execute(text("""
        SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), private FROM (
            SELECT box2d(COALESCE(h.perimeter, h.location)) AS b,
                   NOT EXISTS (SELECT 1 FROM public_zones z WHERE z.hazard_id = h.id) AS private
              FROM hazards h
            UNION ALL SELECT box2d(geom), false FROM public_zones
            UNION ALL SELECT box2d(geom), true FROM eo_items) q
         ORDER BY 1, 2, 3, 4""")).all()
    result = {}
    for z in zooms:
        public, private = set(), set()
        for *bbox, is_private in rows:
            (private if is_private else public).update(tiles_over(tuple(bbox), z))
        if z < detail_from:
            result[z] = sorted(public | private)
        else:
            rng = random.Random(1000 + z)
            half = sample // 2
            chosen = set(rng.sample(sorted(private), min(half, len(private))))
            rest = sorted((public | private) - chosen)
            chosen |= set(rng.sample(rest, min(sample - len(chosen), len(rest))))
            result[z] = sorted(chosen)
    return result


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data) if data else {}


def counted(layers: dict, layer: str, clusters: str | None = None) -> int:
    """Features of ``layer`` drawn individually plus those its cluster layer stands for."""
    drawn = len(layers.get(layer, {}).get("features", []))
    clustered = sum(f["properties"]["count"]
                    for f in layers.get(clusters or f"{layer}_clusters", {}).get("features", []))
    return drawn + clustered


@pytest.fixture
def demo(demo_engine):
    """A read-only session on the demo database (whatever a test does is rolled back)."""
    with Session(bind=demo_engine) as session:
        yield session
        session.rollback()


@pytest.fixture(scope="module")
def tile_addresses(demo_engine):
    with demo_engine.connect() as conn:
        return demo_tiles(conn)


def _area_id(session, code: str) -> int:
    return session.execute(text("SELECT id FROM admin_areas WHERE code = :c"), {"c": code}).scalar_one()


ADMIN = Actor(id=1, role="admin", organisation_id=1, label="admin")
SURVEYOR_SDG = Actor(id=3, role="surveyor", organisation_id=2, label="surveyor SDG")


def _viewer_izium(session) -> Actor:
    return Actor(id=9, role="viewer", organisation_id=5, admin_area_ids=(_area_id(session, "UA6304"),),
                 label="viewer Izium")


def _visible_count(session, actor: Actor, where: str = "true", params: dict | None = None) -> int:
    condition, vis = visibility_sql(actor, alias="h")
    return session.execute(text(f"SELECT count(*) FROM hazards h WHERE ({condition}) AND ({where})"),
                           {**vis, **(params or {})}).scalar_one()


# -- size ----------------------------------------------------------------------------------------------------
def test_every_tile_over_the_demo_stays_under_500_kb_at_every_zoom(demo, tile_addresses):
    largest = {}
    for z, addresses in tile_addresses.items():
        assert addresses, f"no tiles at zoom {z}"
        if z > 10:
            assert len(addresses) >= 60
        for x, y in addresses:
            sizes = {"public": len(public_tile(demo, z, x, y))}
            for layer in tiles.STAFF_LAYERS:
                sizes[layer] = len(staff_tile(demo, ADMIN, layer, z, x, y))
            for name, size in sizes.items():
                largest[(z, name)] = max(largest.get((z, name), 0), size)
                assert size <= MAX_TILE_BYTES, f"{name} tile {z}/{x}/{y} is {size} bytes"
    assert largest[(0, "public")] > 0 and largest[(16, "public")] > 0


# -- generalisation ------------------------------------------------------------------------------------
def test_low_zoom_clusters_account_for_every_zone_and_every_visible_hazard(demo):
    zones = demo.execute(text("SELECT count(*) FROM public_zones")).scalar_one()
    layers = decode(public_tile(demo, 0, 0, 0))
    assert set(layers) <= {tiles.PUBLIC_LAYER, tiles.PUBLIC_CLUSTER_LAYER}
    assert counted(layers, tiles.PUBLIC_LAYER, tiles.PUBLIC_CLUSTER_LAYER) == zones
    for feature in layers[tiles.PUBLIC_CLUSTER_LAYER]["features"]:
        assert feature["geometry"]["type"] == "Point"
        assert set(feature["properties"]) == set(tiles.PUBLIC_CLUSTER_PROPERTIES)

    for actor in (ADMIN, SURVEYOR_SDG, _viewer_izium(demo)):
        layers = decode(staff_tile(demo, actor, "hazards", 0, 0, 0))
        assert counted(layers, "hazards") == _visible_count(demo, actor), actor.label
    eo_layers = decode(staff_tile(demo, ADMIN, "eo", 0, 0, 0))
    assert sum(f["properties"]["count"] for f in eo_layers["eo_clusters"]["features"]) == \
        demo.execute(text("SELECT count(*) FROM eo_items")).scalar_one()


def test_clusters_are_never_counted_in_two_tiles(demo):
    """At zoom 9 the demo spans several tiles: their clusters and features add up to the zones."""
    zones = demo.execute(text("SELECT count(*) FROM public_zones")).scalar_one()
    total = 0
    drawn_codes = []
    for x, y in demo_tiles(demo, zooms=[9])[9]:
        layers = decode(public_tile(demo, 9, x, y))
        total += sum(f["properties"]["count"]
                     for f in layers.get(tiles.PUBLIC_CLUSTER_LAYER, {}).get("features", []))
        drawn_codes += [f["properties"]["national_code"]
                        for f in layers.get(tiles.PUBLIC_LAYER, {}).get("features", [])]
    # a large zone may be drawn in each tile it crosses, but is never also clustered
    assert total + len(set(drawn_codes)) == zones


def test_from_the_detail_zoom_every_feature_is_drawn(demo):
    lon, lat, code = demo.execute(text("""
        SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)), national_code
          FROM public_zones ORDER BY ST_Area(geom) LIMIT 1""")).one()
    for z in range(tiles.DETAIL_ZOOM, 17):
        layers = decode(public_tile(demo, z, *tile_of(lon, lat, z)))
        assert tiles.PUBLIC_CLUSTER_LAYER not in layers
        codes = {f["properties"]["national_code"] for f in layers[tiles.PUBLIC_LAYER]["features"]}
        assert code in codes
        assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon")
                   for f in layers[tiles.PUBLIC_LAYER]["features"])
    # and below it the smallest zone is only a cluster
    layers = decode(public_tile(demo, 5, *tile_of(lon, lat, 5)))
    assert tiles.PUBLIC_LAYER not in layers or code not in {
        f["properties"]["national_code"] for f in layers[tiles.PUBLIC_LAYER]["features"]}


def test_survey_points_are_served_only_from_zoom_15(demo):
    lon, lat = demo.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM survey_points ORDER BY id LIMIT 1")).one()
    assert staff_tile(demo, ADMIN, "survey_points", 14, *tile_of(lon, lat, 14)) == b""
    layers = decode(staff_tile(demo, ADMIN, "survey_points", 15, *tile_of(lon, lat, 15)))
    assert layers["survey_points"]["features"]


# -- who sees what ---------------------------------------------------------------------------------------
def _hazard_ids_at(session, actor, hazard_id: int, layer: str = "hazards", z: int = 14,
                   column: str = "COALESCE(h.perimeter, h.location)", table: str = "hazards h",
                   key: str = "h.id") -> set:
    lon, lat = session.execute(text(
        f"SELECT ST_X(ST_PointOnSurface({column})), ST_Y(ST_PointOnSurface({column})) FROM {table} "
        f"WHERE {key} = :id"), {"id": hazard_id}).one()
    layers = decode(staff_tile(session, actor, layer, z, *tile_of(lon, lat, z)))
    return {f["properties"]["id"] for f in layers.get(layer, {}).get("features", [])}


def test_a_surveyor_never_receives_another_organisations_drafts(demo):
    others = demo.execute(text("""
        SELECT id FROM hazards WHERE record_state <> 'approved' AND organisation_id <> 2 ORDER BY id""")).scalars().all()
    own = demo.execute(text("""
        SELECT id FROM hazards WHERE record_state <> 'approved' AND organisation_id = 2 ORDER BY id""")).scalars().all()
    assert others and own
    for hid in others:
        assert hid not in _hazard_ids_at(demo, SURVEYOR_SDG, hid)
        assert hid in _hazard_ids_at(demo, ADMIN, hid)  # the tile does cover it
    for hid in own:
        assert hid in _hazard_ids_at(demo, SURVEYOR_SDG, hid)


def test_a_viewer_limited_to_an_area_gets_only_that_area(demo):
    viewer = _viewer_izium(demo)
    inside = set(demo.execute(text("""
        WITH RECURSIVE sub(id) AS (SELECT CAST(:a AS integer) UNION SELECT a.id FROM admin_areas a JOIN sub ON a.parent_id = sub.id)
        SELECT h.id FROM hazards h WHERE h.admin_area_id IN (SELECT id FROM sub)
           AND h.record_state = 'approved' AND h.deleted_at IS NULL"""),
        {"a": viewer.admin_area_ids[0]}).scalars())
    everything = demo.execute(text("SELECT id FROM hazards ORDER BY id")).scalars().all()
    assert inside and len(inside) < len(everything)
    seen = set()
    for hid in everything[::3]:
        ids = _hazard_ids_at(demo, viewer, hid)
        assert ids <= inside
        seen |= ids
    assert seen & inside


def test_products_of_reports_not_yet_approved_are_only_for_their_organisation(demo):
    rows = demo.execute(text("""
        SELECT p.id, p.hazard_id, r.organisation_id FROM release_products p JOIN reports r ON r.id = p.report_id
         WHERE r.workflow_state <> 'approved' ORDER BY p.id LIMIT 12""")).all()
    assert rows
    donor = Actor(id=10, role="viewer", organisation_id=6, label="donor")
    for product_id, _, org in rows:
        def seen(actor):
            return _hazard_ids_at(demo, actor, product_id, layer="products", z=15, column="p.geom",
                                  table="release_products p", key="p.id")
        assert product_id not in seen(donor)
        assert product_id in seen(Actor(id=100, role="surveyor", organisation_id=org, label="own"))
        assert product_id in seen(ADMIN)


def test_eo_finds_and_survey_points_follow_their_hazard(demo):
    nobody = Actor(id=None, role=None, organisation_id=None)
    eo_id = demo.execute(text("SELECT id FROM eo_items ORDER BY id LIMIT 1")).scalar_one()
    assert eo_id in _hazard_ids_at(demo, ADMIN, eo_id, layer="eo", z=15, column="e.geom",
                                   table="eo_items e", key="e.id")
    assert _hazard_ids_at(demo, nobody, eo_id, layer="eo", z=15, column="e.geom",
                          table="eo_items e", key="e.id") == set()

    draft_point, draft_org = demo.execute(text("""
        SELECT sp.id, h.organisation_id FROM survey_points sp JOIN hazards h ON h.id = sp.hazard_id
         WHERE h.record_state = 'draft' ORDER BY sp.id LIMIT 1""")).one()
    donor = Actor(id=10, role="viewer", organisation_id=6, label="donor")
    kwargs = dict(layer="survey_points", z=16, column="sp.geom", table="survey_points sp", key="sp.id")
    assert draft_point not in _hazard_ids_at(demo, donor, draft_point, **kwargs)
    assert draft_point in _hazard_ids_at(demo, Actor(id=100, role="surveyor", organisation_id=draft_org),
                                         draft_point, **kwargs)
    assert staff_tile(demo, nobody, "hazards", 0, 0, 0) == b""


# -- filters --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("filters, where", [
    (lambda s: TileFilters(organisation_ids=(2,)), "h.organisation_id = 2"),
    (lambda s: TileFilters(organisation_ids=(3, 4)), "h.organisation_id IN (3, 4)"),
    (lambda s: TileFilters(classifications=("CHA",)), "h.classification = 'CHA'"),
    (lambda s: TileFilters(statuses=("open", "suspended")), "h.status IN ('open', 'suspended')"),
    (lambda s: TileFilters(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31)),
     "h.date_of_information BETWEEN DATE '2023-01-01' AND DATE '2023-12-31'"),
    (lambda s: TileFilters(admin_area_id=_area_id(s, "UA6308")),
     "h.admin_area_id IN (SELECT id FROM admin_areas WHERE code = 'UA6308' OR parent_id = "
     "(SELECT id FROM admin_areas WHERE code = 'UA6308'))"),
    (lambda s: TileFilters(organisation_ids=(2,), classifications=("SHA",), statuses=("worked_on",)),
     "h.organisation_id = 2 AND h.classification = 'SHA' AND h.status = 'worked_on'"),
])
def test_filters_narrow_the_hazards_layer(demo, filters, where):
    expected = _visible_count(demo, SURVEYOR_SDG, where)
    assert 0 < expected < _visible_count(demo, SURVEYOR_SDG)
    layers = decode(staff_tile(demo, SURVEYOR_SDG, "hazards", 0, 0, 0, filters(demo)))
    assert counted(layers, "hazards") == expected


@pytest.mark.parametrize("make, code", [
    (lambda: TileFilters(classifications=("XYZ",)), "invalid_parameter"),
    (lambda: TileFilters(statuses=("open; DROP TABLE hazards",)), "invalid_parameter"),
    (lambda: TileFilters(organisation_ids=(0,)), "invalid_parameter"),
    (lambda: TileFilters(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 1, 1)), "invalid_parameter"),
])
def test_invalid_filters_are_refused(make, code):
    with pytest.raises(TileRequestError) as err:
        make()
    assert err.value.code == code and err.value.status == 400


def test_unknown_layers_and_tiles_outside_the_pyramid_are_not_found(demo):
    for call in (lambda: staff_tile(demo, ADMIN, "victims", 3, 1, 1),
                 lambda: staff_tile(demo, ADMIN, "hazards", 3, 8, 1),
                 lambda: public_tile(demo, 23, 0, 0),
                 lambda: public_tile(demo, 2, 0, 4)):
        with pytest.raises(TileRequestError) as err:
            call()
        assert err.value.status == 404
