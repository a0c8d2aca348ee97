"""The public "am I near a hazard?" check, and the tile routes over HTTP."""
from __future__ import annotations

import mapbox_vector_tile
import pytest
from pyproj import Geod
from sqlalchemy import create_engine, text

from webapp.config import Settings
from webapp.public.messages import COMPASS, TEXT, compass_point
from webapp.store import db
from webapp.store.public_zones import ALLOWED_PROPERTIES, refresh
from webapp.store.tiles import MVT_MEDIA_TYPE

GEOD = Geod(ellps="WGS84")
CHECK = "/api/v1/public/check"


def _tile_of(lon, lat, z):
    from tests.integration.test_tiles import tile_of

    return tile_of(lon, lat, z)


@pytest.fixture(scope="module")
def lonely_zone(demo_engine):
    """A demo zone with no other zone within 1.5 km, and its northernmost and easternmost vertices."""
    with demo_engine.connect() as conn:
        row = conn.execute(text("""
            SELECT z.national_code,
                   (SELECT ARRAY[ST_X(d.geom), ST_Y(d.geom)] FROM ST_DumpPoints(z.geom) d
                     ORDER BY ST_Y(d.geom) DESC LIMIT 1) AS north,
                   (SELECT ARRAY[ST_X(d.geom), ST_Y(d.geom)] FROM ST_DumpPoints(z.geom) d
                     ORDER BY ST_X(d.geom) DESC LIMIT 1) AS east,
                   ARRAY[ST_X(ST_PointOnSurface(h.remaining)), ST_Y(ST_PointOnSurface(h.remaining))] AS inside
              FROM public_zones z JOIN hazards h ON h.id = z.hazard_id
             WHERE z.precision = 'surveyed'
               AND NOT EXISTS (SELECT 1 FROM public_zones o WHERE o.hazard_id <> z.hazard_id
                                  AND ST_DWithin(o.geom::geography, z.geom::geography, 1500))
             ORDER BY z.national_code LIMIT 1""")).mappings().one()
    return dict(row)


def _check(client, **params):
    return client.get(CHECK, query_string=params)


# -- am I near a hazard? --------------------------------------------------------------------------------
def test_a_point_inside_a_zone_is_inside(demo_client, lonely_zone):
    lon, lat = lonely_zone["inside"]
    res = _check(demo_client, lat=lat, lon=lon)
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "inside"
    assert body["distance_m"] == 0 and body["direction"] is None and body["bearing_deg"] is None
    assert body["nearest"]["national_code"] == lonely_zone["national_code"]
    assert set(body["nearest"]) == set(ALLOWED_PROPERTIES)
    assert "Stop" in body["advice"]
    assert body["hotline"] == Settings().hotline and body["hotline"] in body["advice"]
    assert res.headers["Content-Language"] == "en"
    assert res.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("side, azimuth, direction", [("north", 0, "S"), ("east", 90, "W")])
def test_a_point_100_m_outside_a_zone_is_near_with_distance_and_direction(
        demo_client, lonely_zone, side, azimuth, direction):
    lon, lat = lonely_zone[side]
    lon, lat, _ = GEOD.fwd(lon, lat, azimuth, 100)
    body = _check(demo_client, lat=f"{lat:.7f}", lon=f"{lon:.7f}").get_json()
    assert body["status"] == "near"
    assert 95 <= body["distance_m"] <= 101
    assert body["direction"] == direction
    assert abs((body["bearing_deg"] - (azimuth + 180)) % 360) <= 20 or \
        abs((body["bearing_deg"] - (azimuth + 180)) % 360) >= 340
    assert body["nearest"]["national_code"] == lonely_zone["national_code"]
    assert f"{body['distance_m']} m" in body["advice"]
    assert body["labels"]["direction"] in body["advice"]


def test_a_point_far_away_is_clear(demo_client):
    body = _check(demo_client, lat="44.5", lon="24.0").get_json()
    assert body["status"] == "clear"
    assert body["distance_m"] > 300_000
    assert body["direction"] in COMPASS
    assert "no known warning zone within 500 m" in body["advice"]


def test_with_no_zones_at_all_the_answer_is_clear_and_says_so(make_app, db_url):
    body = make_app(db_url).test_client().get(CHECK, query_string={"lat": 48, "lon": 37}).get_json()
    assert body["status"] == "clear" and body["nearest"] is None and body["distance_m"] is None
    assert "No warning zones are published" in body["advice"]


def test_ukrainian_by_parameter_or_by_browser_language(demo_client, lonely_zone):
    lon, lat = lonely_zone["inside"]
    res = _check(demo_client, lat=lat, lon=lon, lang="uk")
    assert res.headers["Content-Language"] == "uk"
    body = res.get_json()
    assert body["lang"] == "uk" and "Зупиніться" in body["advice"]
    assert body["labels"]["status"] == TEXT["uk"]["status.inside"]
    res = demo_client.get(CHECK, query_string={"lat": lat, "lon": lon},
                          headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})
    assert res.headers["Content-Language"] == "uk"
    res = demo_client.get(CHECK, query_string={"lat": lat, "lon": lon, "lang": "en"},
                          headers={"Accept-Language": "uk"})
    assert res.headers["Content-Language"] == "en"


@pytest.mark.parametrize("query, code, parameter", [
    ("lon=37", "missing_parameter", "lat"),
    ("lat=48", "missing_parameter", "lon"),
    ("lat=&lon=37", "missing_parameter", "lat"),
    ("lat=abc&lon=37", "not_a_number", "lat"),
    ("lat=48°N&lon=37", "not_a_number", "lat"),
    ("lat=48,5&lon=37", "not_a_number", "lat"),
    ("lat=0x30&lon=37", "not_a_number", "lat"),
    ("lat=4_8&lon=37", "not_a_number", "lat"),
    ("lat=48&lon=37.0.1", "not_a_number", "lon"),
    ("lat=NaN&lon=37", "not_finite", "lat"),
    ("lat=48&lon=nan", "not_finite", "lon"),
    ("lat=Infinity&lon=37", "not_finite", "lat"),
    ("lat=48&lon=-inf", "not_finite", "lon"),
    ("lat=1e999&lon=37", "not_finite", "lat"),
    ("lat=90.0001&lon=37", "out_of_range", "lat"),
    ("lat=-91&lon=37", "out_of_range", "lat"),
    ("lat=48&lon=180.5", "out_of_range", "lon"),
    ("lat=48&lon=37&radius=5000", "unknown_parameter", "radius"),
    ("lat=48&lat=49&lon=37", "repeated_parameter", "lat"),
    ("lat=48&lon=37&lang=fr", "unsupported_language", "lang"),
])
def test_bad_parameters_get_a_specific_400(demo_client, query, code, parameter):
    res = demo_client.get(f"{CHECK}?{query}")
    assert res.status_code == 400
    body = res.get_json()
    assert body["error"] == code
    assert body["details"] == {"parameter": parameter}
    assert parameter in body["message"]


def test_every_language_has_every_text():
    assert set(TEXT["uk"]) == set(TEXT["en"])
    assert [compass_point(b) for b in (0, 44, 46, 90, 180, 225, 270, 337, 338, 359.9)] == \
        ["N", "NE", "NE", "E", "S", "SW", "W", "NW", "N", "N"]


# -- public tiles --------------------------------------------------------------------------------------------
def test_public_tile_is_a_cacheable_vector_tile_with_an_etag(demo_client, lonely_zone):
    lon, lat = lonely_zone["inside"]
    x, y = _tile_of(lon, lat, 14)
    url = f"/tiles/public/14/{x}/{y}.pbf"
    res = demo_client.get(url)
    assert res.status_code == 200
    assert res.headers["Content-Type"] == MVT_MEDIA_TYPE
    assert res.headers["Cache-Control"].startswith("public, max-age=")
    etag = res.headers["ETag"]
    assert etag.startswith('W/"') and f"-14-{x}-{y}" in etag
    layers = mapbox_vector_tile.decode(res.data)
    assert lonely_zone["national_code"] in {
        f["properties"]["national_code"] for f in layers["warning_zones"]["features"]}

    again = demo_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = demo_client.get(f"/tiles/public/14/{x + 1}/{y}.pbf", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


@pytest.mark.parametrize("url, status, code", [
    ("/tiles/public/a/1/1.pbf", 400, "invalid_tile_address"),
    ("/tiles/public/-1/0/0.pbf", 400, "invalid_tile_address"),
    ("/tiles/public/3/1.5/1.pbf", 400, "invalid_tile_address"),
    ("/tiles/public/3/8/1.pbf", 404, "no_such_tile"),
    ("/tiles/public/3/1/8.pbf", 404, "no_such_tile"),
    ("/tiles/public/23/0/0.pbf", 404, "no_such_tile"),
    ("/tiles/public/1/0/0.pbf?v=2", 400, "unknown_parameter"),
    ("/tiles/public/1/0.pbf", 404, "no_such_tile"),
    ("/tiles/anything", 404, "no_such_tile"),
])
def test_bad_tile_addresses_get_json_errors(demo_client, url, status, code):
    res = demo_client.get(url, headers={"Accept": "text/html,*/*"})
    assert res.status_code == status
    assert res.is_json and res.get_json()["error"] == code


def test_the_public_etag_changes_when_the_zones_change(fresh_db, make_app):
    db.upgrade(fresh_db)
    engine = create_engine(fresh_db)
    settings = Settings()
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO organisations (id, name, short_name, kind) VALUES (1, 'Operator', 'OP', 'operator')"))
            conn.execute(text("""
                INSERT INTO hazards (national_code, name, classification, status, record_state,
                                     date_of_information, organisation_id, perimeter, remaining)
                SELECT 'T-ETAG', 'x', 'SHA', 'open', 'approved', DATE '2024-01-01', 1, g, g
                  FROM (SELECT ST_Multi(ST_GeomFromText(
                          'POLYGON((37 48, 37.0013 48, 37.0013 48.0005, 37 48.0005, 37 48))', 4326)) g) q
            """))
            refresh(conn, settings)
        client = make_app(fresh_db).test_client()
        x, y = _tile_of(37.0005, 48.0002, 15)
        url = f"/tiles/public/15/{x}/{y}.pbf"
        first = client.get(url)
        assert first.status_code == 200 and first.data
        with engine.begin() as conn:
            conn.execute(text("UPDATE hazards SET marking = '{fence}'"))
            assert refresh(conn, settings) == 1
        second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
        props = mapbox_vector_tile.decode(second.data)["warning_zones"]["features"][0]["properties"]
        assert props["marking"] == "fence"
    finally:
        engine.dispose()


# -- staff tiles ----------------------------------------------------------------------------------------------
def _count(layers, layer):
    return len(layers.get(layer, {}).get("features", [])) + sum(
        f["properties"]["count"] for f in layers.get(f"{layer}_clusters", {}).get("features", []))


def test_staff_tiles_need_a_signed_in_person(demo_client):
    res = demo_client.get("/tiles/staff/hazards/0/0/0.pbf")
    assert res.status_code in (302, 401)
    res = demo_client.get("/tiles/staff/hazards/0/0/0.pbf", headers={"Authorization": "Bearer sg_not-a-token"})
    assert res.status_code == 401


def test_a_viewer_gets_private_tiles_of_their_area_only(demo_client, demo_engine, login):
    client = login(demo_client, "viewer@kocp.example.org")
    res = client.get("/tiles/staff/hazards/0/0/0.pbf")
    assert res.status_code == 200
    assert res.headers["Content-Type"] == MVT_MEDIA_TYPE
    assert res.headers["Cache-Control"] == "private, no-cache"
    with demo_engine.connect() as conn:
        expected = conn.execute(text("""
            SELECT count(*) FROM hazards h JOIN admin_areas a ON a.id = h.admin_area_id
             WHERE h.record_state = 'approved' AND h.deleted_at IS NULL
               AND (a.code = 'UA6304' OR a.parent_id = (SELECT id FROM admin_areas WHERE code = 'UA6304'))""")).scalar()
    assert _count(mapbox_vector_tile.decode(res.data), "hazards") == expected

    etag = res.headers["ETag"]
    assert client.get("/tiles/staff/hazards/0/0/0.pbf", headers={"If-None-Match": etag}).status_code == 304
    filtered = client.get("/tiles/staff/hazards/0/0/0.pbf?classification=CHA",
                          headers={"If-None-Match": etag})
    assert filtered.status_code == 200 and filtered.headers["ETag"] != etag


def test_staff_tiles_by_api_token_and_their_etag_depends_on_who_asks(make_app, demo_url, api_token):
    app = make_app(demo_url)
    client = app.test_client()
    donor = api_token(app, "viewer@ddf.example.org")
    admin = api_token(app, "admin@nmaa.example.org")
    a = client.get("/tiles/staff/hazards/0/0/0.pbf", headers={"Authorization": f"Bearer {donor}"})
    b = client.get("/tiles/staff/hazards/0/0/0.pbf", headers={"Authorization": f"Bearer {admin}"})
    assert a.status_code == b.status_code == 200
    assert a.headers["ETag"] != b.headers["ETag"]
    assert _count(mapbox_vector_tile.decode(a.data), "hazards") < _count(mapbox_vector_tile.decode(b.data), "hazards")


@pytest.mark.parametrize("url, status, code", [
    ("/tiles/staff/victims/0/0/0.pbf", 404, "no_such_layer"),
    ("/tiles/staff/hazards/0/1/0.pbf", 404, "no_such_tile"),
    ("/tiles/staff/hazards/0/0/0.pbf?classification=XYZ", 400, "invalid_parameter"),
    ("/tiles/staff/hazards/0/0/0.pbf?status=open,done", 400, "invalid_parameter"),
    ("/tiles/staff/hazards/0/0/0.pbf?organisation=two", 400, "invalid_parameter"),
    ("/tiles/staff/hazards/0/0/0.pbf?from=2024-13-01", 400, "invalid_parameter"),
    ("/tiles/staff/hazards/0/0/0.pbf?from=2024-05-01&to=2024-01-01", 400, "invalid_parameter"),
    ("/tiles/staff/hazards/0/0/0.pbf?admin_area=1;DROP", 400, "invalid_parameter"),
    ("/tiles/staff/hazards/0/0/0.pbf?from=2024-01-01&from=2024-02-01", 400, "repeated_parameter"),
    ("/tiles/staff/hazards/0/0/0.pbf?bbox=1,2,3,4", 400, "unknown_parameter"),
])
def test_bad_staff_tile_requests_get_json_errors(demo_client, login, url, status, code):
    client = login(demo_client, "admin@nmaa.example.org")
    res = client.get(url)
    assert res.status_code == status
    assert res.get_json()["error"] == code


def test_staff_filters_by_organisation_and_area(demo_client, demo_engine, login):
    client = login(demo_client, "approver@nmaa.example.org")
    with demo_engine.connect() as conn:
        area = conn.execute(text("SELECT id FROM admin_areas WHERE code = 'UA6308'")).scalar()
        expected = conn.execute(text("""
            SELECT count(*) FROM hazards h
             WHERE h.deleted_at IS NULL AND h.organisation_id IN (2, 4)
               AND h.admin_area_id IN (SELECT id FROM admin_areas WHERE id = :a OR parent_id = :a)"""),
            {"a": area}).scalar()
    res = client.get(f"/tiles/staff/hazards/0/0/0.pbf?organisation=2&organisation=4&admin_area={area}")
    assert res.status_code == 200
    assert expected > 0 and _count(mapbox_vector_tile.decode(res.data), "hazards") == expected


def test_public_tiles_can_be_shared_by_caches(demo_client, lonely_zone):
    """A public tile must not vary by cookie (a CDN would otherwise keep one copy per visitor)."""
    lon, lat = lonely_zone["inside"]
    x, y = _tile_of(lon, lat, 12)
    res = demo_client.get(f"/tiles/public/12/{x}/{y}.pbf")
    assert res.status_code == 200
    assert "Cookie" not in res.headers.get("Vary", "")
    assert res.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in res.headers
