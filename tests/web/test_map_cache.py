"""Staff tiles and hazard list pages are cached per process and tagged by the staff data version:
every change shows at once, to the people allowed to see it, whether the answer comes from the
cache, from PostGIS, or as a 304."""
from __future__ import annotations

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from tests.integration.test_tiles import tile_of
from tests.web.api_support import drop_env, hazard_body, make_env
from webapp.extensions import store
from webapp.services.users import issue_token
from webapp.version_cache import app_cache

# the example traverse of api_support starts at 48°N 37°E and runs 100 m east, 50 m north
INSIDE = (37.0006, 48.0004)
BBOX = "36.999,47.999,37.002,48.001"


@pytest.fixture(scope="module")
def env(pg_cluster):
    e = make_env(pg_cluster, hazards=20)
    yield e
    drop_env(e, pg_cluster)


def _tile_url(z=15):
    x, y = tile_of(*INSIDE, z)
    return f"/tiles/staff/hazards/{z}/{x}/{y}.pbf"


def _names(res) -> set[str]:
    layer = mapbox_vector_tile.decode(res.data).get("hazards", {"features": []})
    return {f["properties"].get("name") for f in layer["features"]}


def _cache_hits(env) -> int:
    with env.app.app_context():
        return app_cache().stats().hits


def test_a_new_draft_and_a_rename_show_at_once_in_cached_staff_tiles(env):
    first = env.call("GET", _tile_url(), "sdg_surveyor")
    assert first.status_code == 200
    again = env.call("GET", _tile_url(), "sdg_surveyor")
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert env.call("GET", _tile_url(), "sdg_surveyor",
                    headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    hits = _cache_hits(env)
    env.call("GET", _tile_url(), "sdg_surveyor")
    assert _cache_hits(env) == hits + 1

    created = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body("Cache test field"))
    assert created.status_code == 201, created.get_json()
    hid = created.get_json()["id"]
    after = env.call("GET", _tile_url(), "sdg_surveyor", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert "Cache test field" in _names(after)
    # another organisation's surveyor never sees the draft, cached or not
    for _ in range(2):
        assert "Cache test field" not in _names(env.call("GET", _tile_url(), "dhc_surveyor"))

    with store(env.app).transaction(actor_label="tests") as session:
        session.execute(text("UPDATE hazards SET name = 'Renamed in the database' WHERE id = :id"), {"id": hid})
    renamed = env.call("GET", _tile_url(), "sdg_surveyor", headers={"If-None-Match": after.headers["ETag"]})
    assert renamed.status_code == 200
    assert "Renamed in the database" in _names(renamed) and "Cache test field" not in _names(renamed)


def test_hazard_list_pages_are_revalidated_and_follow_changes(env):
    created = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body("Listed field"))
    hid, version_tag = created.get_json()["id"], created.headers["ETag"]
    url = f"/api/v1/hazards?bbox={BBOX}&limit=1000"
    page = env.call("GET", url, "sdg_surveyor")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("application/geo+json")
    names = {f["properties"]["name"] for f in page.get_json()["features"]}
    assert "Listed field" in names
    etag = page.headers["ETag"]
    assert env.call("GET", url, "sdg_surveyor", headers={"If-None-Match": etag}).status_code == 304
    assert env.call("GET", url, "sdg_surveyor").data == page.data

    changed = env.call("PATCH", f"/api/v1/hazards/{hid}", "sdg_surveyor", json={"name": "Listed and renamed"},
                       headers={"If-Match": version_tag})
    assert changed.status_code == 200, changed.get_json()
    fresh = env.call("GET", url, "sdg_surveyor", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    names = {f["properties"]["name"] for f in fresh.get_json()["features"]}
    assert "Listed and renamed" in names and "Listed field" not in names
    other = env.call("GET", url, "dhc_surveyor")
    assert hid not in {f["id"] for f in other.get_json()["features"]}
    assert other.headers["ETag"] != fresh.headers["ETag"]


def test_people_with_the_same_scope_share_tags_and_others_do_not(env):
    with store(env.app).transaction(actor_label="tests") as session:
        second = issue_token(session, "surveyor@sdg.example.org", "second device")
    url = f"/api/v1/hazards?bbox={BBOX}"
    mine = env.call("GET", url, "sdg_surveyor").headers["ETag"]
    again = env.client.get(url, headers={"Authorization": f"Bearer {second}"}).headers["ETag"]
    leader = env.call("GET", url, "sdg_leader").headers["ETag"]
    assert mine == again and mine != leader
    tile_mine = env.call("GET", _tile_url(), "sdg_surveyor").headers["ETag"]
    tile_viewer = env.call("GET", _tile_url(), "donor_viewer").headers["ETag"]
    assert tile_mine != tile_viewer


def test_a_revoked_token_is_refused_at_once_even_for_a_cached_tile(env):
    with store(env.app).transaction(actor_label="tests") as session:
        token = issue_token(session, "approver@nmaa.example.org", "revoked soon")
    headers = {"Authorization": f"Bearer {token}"}
    assert env.client.get(_tile_url(), headers=headers).status_code == 200
    with store(env.app).transaction(actor_label="tests") as session:
        session.execute(text("UPDATE api_tokens SET revoked_at = now() WHERE label = 'revoked soon'"))
    assert env.client.get(_tile_url(), headers=headers).status_code == 401


def test_dashboard_figures_follow_a_change_at_once(env):
    """The progress aggregates are cached by data version too: a hazard approved meanwhile counts on
    the very next request."""
    def totals():
        res = env.call("GET", "/dashboard/totals.csv", "approver")
        assert res.status_code == 200
        return res.get_data().decode("utf-8-sig")

    before = totals()
    assert totals() == before  # the second answer comes from the cache, unchanged
    with store(env.app).transaction(actor_label="tests") as session:
        session.execute(text("""
            INSERT INTO hazards (national_code, name, classification, status, record_state,
                                 date_of_information, organisation_id, perimeter, remaining)
            SELECT 'T-DASH', 'counted', 'SHA', 'open', 'approved', DATE '2024-01-01', o.id, g, g
              FROM organisations o,
                   (SELECT ST_Multi(ST_GeomFromText(
                      'POLYGON((37.1 48.1, 37.1013 48.1, 37.1013 48.1005, 37.1 48.1005, 37.1 48.1))', 4326)) g) q
             ORDER BY o.id LIMIT 1"""))
    assert totals() != before
