"""Nothing but the allow-list ever reaches the public: every public tile at zooms 0–16 over the
demo data, and the "am I near a hazard?" check over a grid of points, are searched for anything
that must stay private (decision record 0008).

The demo data is loaded into a database of this module's own, with a few more things the public
must not see: a deleted hazard, a rejected one, and hazards known only by their community's centre
(informant safety)."""
from __future__ import annotations

import json
import uuid

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from tests.integration.test_tiles import demo_tiles, tile_of
from webapp import create_app
from webapp.config import Settings
from webapp.store import db
from webapp.store.public_zones import ALLOWED_PROPERTIES, refresh
from webapp.store.tiles import PUBLIC_CLUSTER_LAYER, PUBLIC_CLUSTER_PROPERTIES, PUBLIC_LAYER

CHECK_KEYS = {"status", "distance_m", "direction", "bearing_deg", "nearest", "labels", "advice", "hotline",
              "near_distance_m", "lang"}
INFORMANT_VILLAGE = (36.9, 49.4)


@pytest.fixture(scope="module")
def leak_db(pg_cluster):
    from webapp.demo.generator import generate
    from webapp.demo.loader import load

    name = "sg_leak_" + uuid.uuid4().hex[:8]
    pg_cluster.ensure_database(name)
    url = pg_cluster.url(name)
    db.upgrade(url)
    engine = db.make_engine(url)
    factory = db.make_session_factory(engine)
    with db.transaction(factory, actor_label="demo loader") as session:
        load(session, generate(300))
    with db.transaction(factory, actor_label="leakage test") as session:
        public = session.execute(text("""
            SELECT hazard_id FROM public_zones z JOIN hazards h ON h.id = z.hazard_id
             WHERE h.status = 'open' ORDER BY hazard_id LIMIT 3""")).scalars().all()
        session.execute(text("UPDATE hazards SET deleted_at = now() WHERE id = :h"), {"h": public[0]})
        session.execute(text("UPDATE hazards SET record_state = 'rejected' WHERE id = :h"), {"h": public[1]})
        session.execute(text("UPDATE hazards SET location_precision = 'community_centre' WHERE id = :h"),
                        {"h": public[2]})
        session.execute(text("""
            INSERT INTO hazards (national_code, name, classification, status, record_state, location_precision,
                                 date_of_information, organisation_id, location, evidence)
            VALUES ('UA63-INFORMANT', 'Garden of the informant Mykola Petrenko', 'SHA', 'open', 'approved',
                    'community_centre', DATE '2024-03-01', 2, ST_SetSRID(ST_MakePoint(:x, :y), 4326),
                    'Informant Mykola Petrenko, phone +380 50 123 45 67, saw mines in his garden')"""),
                        {"x": INFORMANT_VILLAGE[0], "y": INFORMANT_VILLAGE[1]})
        refresh(session, Settings())
    engine.dispose()
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture(scope="module")
def facts(leak_db):
    """What is public and what must never be, read from the database."""
    engine = db.make_engine(leak_db)
    with engine.connect() as conn:
        public_codes = set(conn.execute(text("SELECT national_code FROM public_zones")).scalars())
        private_codes = set(conn.execute(text("""
            SELECT national_code FROM hazards h
             WHERE h.record_state <> 'approved' OR h.deleted_at IS NOT NULL
                OR h.status IN ('closed', 'handed_over') OR h.remaining_area_m2 <= 1.0""")).scalars())
        sensitive = set(conn.execute(text("""
            SELECT name FROM hazards UNION SELECT evidence FROM hazards
            UNION SELECT name FROM users UNION SELECT email FROM users
            UNION SELECT model FROM eo_items UNION SELECT input_text FROM survey_points
            UNION SELECT marker FROM survey_points UNION SELECT decision_comment FROM reports
            UNION SELECT evidence FROM reports UNION SELECT criteria FROM release_products
            UNION SELECT team FROM activities UNION SELECT asset FROM activities""")).scalars())
        tiles = demo_tiles(conn)
        probes = conn.execute(text("""
            SELECT ST_X(p), ST_Y(p) FROM (
                SELECT ST_PointOnSurface(COALESCE(perimeter, location)) AS p FROM hazards
                 WHERE record_state <> 'approved' OR deleted_at IS NOT NULL OR status IN ('closed', 'handed_over')
                UNION ALL SELECT geom FROM (SELECT geom FROM eo_items ORDER BY id LIMIT 60) e
                UNION ALL SELECT geom FROM (SELECT geom FROM survey_points ORDER BY id LIMIT 60) s
                -- 200 m north of the northernmost point of some zones: "near"
                UNION ALL SELECT ST_Project((SELECT d.geom FROM ST_DumpPoints(z.geom) d
                                              ORDER BY ST_Y(d.geom) DESC LIMIT 1)::geography, 200, 0)::geometry
                  FROM (SELECT geom FROM public_zones ORDER BY hazard_id LIMIT 20) z
            ) q""")).all()
        bounds = conn.execute(text("SELECT ST_Extent(COALESCE(perimeter, location)) FROM hazards")).scalar()
    engine.dispose()
    sensitive = {s for s in sensitive if s and len(s) >= 6}
    assert public_codes and private_codes and not (public_codes & private_codes)
    assert "UA63-INFORMANT" in public_codes
    return {"public": public_codes, "private": private_codes, "sensitive": sensitive, "tiles": tiles,
            "probes": probes, "bounds": bounds}


@pytest.fixture(scope="module")
def client(leak_db, tmp_path_factory):
    settings = Settings(database_url=leak_db, data_dir=tmp_path_factory.mktemp("leak"),
                        secret_key="leak-test", testing=True)
    app = create_app(settings)
    yield app.test_client()
    from webapp.extensions import store

    store(app).dispose()


def _assert_no_sensitive_text(blob: bytes, facts: dict, where: str) -> None:
    for secret in facts["sensitive"]:
        assert secret.encode() not in blob, f"{where} contains {secret!r}"
    for code in facts["private"]:
        assert code.encode() not in blob, f"{where} contains the non-public hazard {code}"


def test_public_tiles_at_every_zoom_carry_only_the_allow_list(client, facts):
    seen_codes = set()
    tiles_checked = 0
    for z, addresses in facts["tiles"].items():
        assert len(addresses) >= (60 if z > 10 else 1)
        for x, y in addresses:
            where = f"tile {z}/{x}/{y}"
            res = client.get(f"/tiles/public/{z}/{x}/{y}.pbf")
            assert res.status_code == 200, where
            _assert_no_sensitive_text(res.data, facts, where)
            layers = mapbox_vector_tile.decode(res.data) if res.data else {}
            assert set(layers) <= {PUBLIC_LAYER, PUBLIC_CLUSTER_LAYER}, where
            for feature in layers.get(PUBLIC_LAYER, {}).get("features", []):
                props = feature["properties"]
                assert set(props) == set(ALLOWED_PROPERTIES), where
                assert feature.get("id", 0) == 0, f"{where}: a feature id"
                assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon"), where
                assert props["national_code"] in facts["public"], where
                assert props["national_code"] not in facts["private"], where
                if props["national_code"] == "UA63-INFORMANT":
                    assert props["precision"] == "approximate"
                seen_codes.add(props["national_code"])
            for feature in layers.get(PUBLIC_CLUSTER_LAYER, {}).get("features", []):
                assert set(feature["properties"]) == set(PUBLIC_CLUSTER_PROPERTIES), where
                assert feature.get("id", 0) == 0, where
                assert feature["geometry"]["type"] == "Point", where
                assert feature["properties"]["count"] >= 1
            tiles_checked += 1
    assert tiles_checked >= 6 * 60
    assert seen_codes and seen_codes <= facts["public"]


def test_a_hazard_known_only_by_its_community_is_a_coarse_circle_in_every_output(client, facts):
    lon, lat = INFORMANT_VILLAGE
    for z in (12, 14, 16):
        x, y = tile_of(lon, lat, z)
        layers = mapbox_vector_tile.decode(client.get(f"/tiles/public/{z}/{x}/{y}.pbf").data)
        zones = [f for f in layers[PUBLIC_LAYER]["features"] if f["properties"]["national_code"] == "UA63-INFORMANT"]
        assert zones and all(f["properties"]["precision"] == "approximate" for f in zones)
    # 700 m from the recorded point is still "inside": the public cannot tell where the garden is
    from pyproj import Geod

    for azimuth in (0, 90, 180, 270):
        plon, plat, _ = Geod(ellps="WGS84").fwd(lon, lat, azimuth, 700)
        body = client.get("/api/v1/public/check", query_string={"lat": plat, "lon": plon}).get_json()
        assert body["status"] == "inside"
        assert body["nearest"]["national_code"] == "UA63-INFORMANT"
        assert body["nearest"]["precision"] == "approximate"


def test_the_check_answers_only_from_the_allow_list_over_a_grid_of_points(client, facts):
    minx, miny, maxx, maxy = _extent(facts["bounds"])
    points = [(minx + (maxx - minx) * i / 19, miny + (maxy - miny) * j / 19) for i in range(20) for j in range(20)]
    points += [tuple(p) for p in facts["probes"]]
    assert len(points) >= 500
    statuses = set()
    for lon, lat in points:
        res = client.get("/api/v1/public/check", query_string={"lat": f"{lat:.7f}", "lon": f"{lon:.7f}"})
        assert res.status_code == 200
        body = res.get_json()
        assert set(body) == CHECK_KEYS
        assert set(body["nearest"]) == set(ALLOWED_PROPERTIES)
        assert body["nearest"]["national_code"] in facts["public"]
        _assert_no_sensitive_text(json.dumps(body, ensure_ascii=False).encode(), facts, f"check at {lat},{lon}")
        statuses.add(body["status"])
    assert statuses == {"inside", "near", "clear"}


def _extent(box2d: str) -> tuple[float, float, float, float]:
    inner = box2d[box2d.index("(") + 1:box2d.index(")")]
    (x0, y0), (x1, y1) = (tuple(map(float, corner.split())) for corner in inner.split(","))
    return x0, y0, x1, y1
