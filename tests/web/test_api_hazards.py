"""The hazards API over HTTP: recording in three ways, conflicts, hostile input, history."""
import json

import pytest
from shapely.geometry import shape

from tests.web.api_support import BENCHMARK, drop_env, hazard_body, make_env


@pytest.fixture(scope="module")
def env(pg_cluster):
    e = make_env(pg_cluster)
    yield e
    drop_env(e, pg_cluster)


def _create(env, who="sdg_surveyor", body=None):
    res = env.call("POST", "/api/v1/hazards", who, json=body or hazard_body())
    assert res.status_code == 201, res.get_json()
    return res


def test_create_by_traverse_answers_the_checked_figures(env):
    res = _create(env)
    feature = res.get_json()
    props = feature["properties"]
    assert props["area_m2"] == pytest.approx(5000.1, abs=1.0)
    assert props["perimeter_m"] == pytest.approx(300.0, abs=0.1)
    assert props["misclosure_m"] < 0.05
    assert props["record_state"] == "draft" and props["status"] == "open"
    assert props["organisation"]["short_name"] == "SDG"
    assert res.headers["ETag"] == f'"hazard-{feature["id"]}-v{props["version"]}"'
    assert res.headers["Location"] == f"/api/v1/hazards/{feature['id']}"
    assert {f["code"] for f in props["findings"]} == {"missing_intermediate"}
    stored = env.call("GET", f"/api/v1/hazards/{feature['id']}", "sdg_surveyor").get_json()
    points = stored["properties"]["survey_points"]
    assert points[0]["input_text"] == BENCHMARK and points[0]["point_type"] == "benchmark"
    assert [p["bearing"] for p in points[1:]] == [0, 90, 180, 270, 0]


def test_create_by_mgrs_points_across_the_band_line_gives_the_same_polygon(env):
    traverse = _create(env).get_json()
    points = _create(env, body={"properties": hazard_body()["properties"], "points": [
        "37U CP 50812 18255", "37U CP 50912 18253", "37T CP 50911 18203", "37T CP 50811 18205"]}).get_json()
    a, b = shape(traverse["geometry"]), shape(points["geometry"])
    assert a.hausdorff_distance(b) < 1.5e-5  # about a metre at 48°N
    assert points["properties"]["area_m2"] == pytest.approx(5000, rel=0.002)


def test_create_from_a_geojson_feature(env):
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
        [37.0, 47.9997302], [37.00134, 47.9997302], [37.00134, 48.0001799], [37.0, 48.0001799],
        [37.0, 47.9997302]]]}, "properties": hazard_body()["properties"]}
    res = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=feature)
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["properties"]["area_m2"] == pytest.approx(5000.1, abs=1.5)


BOWTIE = {"type": "Polygon", "coordinates": [[[37.0, 48.0], [37.001, 48.001], [37.001, 48.0], [37.0, 48.001], [37.0, 48.0]]]}


def _props(**extra):
    return {**hazard_body()["properties"], **extra}


HOSTILE = [
    ("self-intersecting polygon", {"properties": _props(), "geometry": BOWTIE}, 422, "geometry_rejected"),
    ("swapped lat/lon", {"properties": _props(), "points": ["37.0001 48.0001", "37.0001 48.002", "37.001 48.002"]},
     422, "geometry_rejected"),
    ("latitude out of range", {"properties": _props(), "points": ["91 37", "48 37.1", "48.1 37.1"]}, 422, "geometry_rejected"),
    ("unreadable coordinate", {"properties": _props(), "points": ["48°61'N 37°00'E", "48 37.1", "48.1 37.1"]},
     422, "geometry_rejected"),
    ("wrong type", {"properties": _props(name=5), "traverse": hazard_body()["traverse"]}, 422, "invalid"),
    ("unknown field", {"properties": _props(colour="red"), "traverse": hazard_body()["traverse"]}, 422, "invalid"),
    ("mass assignment: organisation", {"properties": _props(organisation_id=1), "traverse": hazard_body()["traverse"]},
     422, "invalid"),
    ("mass assignment: status", {"properties": _props(status="closed"), "traverse": hazard_body()["traverse"]},
     422, "invalid"),
    ("mass assignment: approved_by", {"properties": _props(approved_by_id=2), "traverse": hazard_body()["traverse"]},
     422, "invalid"),
    ("mass assignment: record_state", {**hazard_body(), "record_state": "approved"}, 422, "invalid"),
    ("two perimeters", {**hazard_body(), "points": ["48 37", "48 37.1", "48.1 37.1"]}, 422, "invalid"),
    ("negative distance", {"properties": _props(), "traverse": {"benchmark": BENCHMARK, "legs": [
        {"bearing_deg": 0, "distance_m": -20}, {"bearing_deg": 90, "distance_m": 100},
        {"bearing_deg": 180, "distance_m": 50}]}}, 422, "invalid"),
    ("bearing over 360", {"properties": _props(), "traverse": {"benchmark": BENCHMARK, "legs": [
        {"bearing_deg": 400, "distance_m": 20}, {"bearing_deg": 90, "distance_m": 100},
        {"bearing_deg": 180, "distance_m": 50}]}}, 422, "invalid"),
    ("traverse that does not close", {"properties": _props(), "traverse": {"benchmark": BENCHMARK, "legs": [
        {"bearing_deg": 0, "distance_m": 20}, {"bearing_deg": 90, "distance_m": 100},
        {"bearing_deg": 180, "distance_m": 50}, {"bearing_deg": 270, "distance_m": 60}]}}, 422, "geometry_rejected"),
    ("future date", {"properties": _props(date_of_information="2999-01-01"), "traverse": hazard_body()["traverse"]},
     422, "invalid"),
    ("too many vertices", {"properties": _props(), "geometry": {"type": "Polygon", "coordinates": [
        [[37 + i * 1e-6, 48.0] for i in range(20_000)]]}}, 422, "invalid"),
]


@pytest.mark.parametrize("label, body, status, code", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_bodies_get_a_specific_4xx_and_change_nothing(env, label, body, status, code):
    before = env.count("hazards"), env.count("survey_points"), env.count("audit_log")
    res = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=body)
    assert res.status_code == status, res.get_json()
    out = res.get_json()
    assert out["error"] == code and out["message"]
    text = res.get_data(as_text=True)
    assert "Traceback" not in text and "SELECT" not in text and "/work/" not in text
    assert (env.count("hazards"), env.count("survey_points"), env.count("audit_log")) == before


@pytest.mark.parametrize("raw, content_type, status, code", [
    (b'{"properties": {"name": "x", "date_of_information": "2024-05-01"}, "points": [NaN]}',
     "application/json", 400, "bad_request"),
    (b'{"a": Infinity}', "application/json", 400, "bad_request"),
    (b'{"name": 1, "name": 2}', "application/json", 400, "bad_request"),
    (b'[1, 2, 3]', "application/json", 400, "bad_request"),
    (b'{"unterminated": ', "application/json", 400, "bad_request"),
    (b'', "application/json", 400, "bad_request"),
    (b'name=x', "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b'\xff\xfe', "application/json", 400, "bad_request"),
])
def test_malformed_requests(env, raw, content_type, status, code):
    before = env.count("hazards")
    res = env.call("POST", "/api/v1/hazards", "sdg_surveyor", data=raw, content_type=content_type)
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.get_json()["error"] == code
    assert env.count("hazards") == before


def test_a_million_vertex_polygon_is_refused_before_it_is_read(env):
    ring = ",".join("[37.0%06d,48.0]" % i for i in range(1_000_000))
    raw = ('{"properties": {"name": "x", "date_of_information": "2024-05-01"}, '
           '"geometry": {"type": "Polygon", "coordinates": [[' + ring + ']]}}').encode()
    before = env.count("hazards")
    res = env.call("POST", "/api/v1/hazards", "sdg_surveyor", data=raw, content_type="application/json")
    assert res.status_code == 413
    assert res.get_json()["error"] == "request_entity_too_large"
    assert env.count("hazards") == before


def test_patch_needs_if_match_and_refuses_stale_versions(env):
    created = _create(env)
    hid, etag = created.get_json()["id"], created.headers["ETag"]
    url = f"/api/v1/hazards/{hid}"
    missing = env.call("PATCH", url, "sdg_surveyor", json={"name": "Renamed"})
    assert missing.status_code == 428 and missing.get_json()["error"] == "precondition_required"
    first = env.call("PATCH", url, "sdg_surveyor", json={"name": "Renamed by the surveyor"}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    second = env.call("PATCH", url, "sdg_leader", json={"name": "Renamed by the leader"}, headers={"If-Match": etag})
    assert second.status_code == 412
    assert second.get_json()["details"]["current_version"] == first.get_json()["properties"]["version"]
    now = env.call("GET", url, "sdg_surveyor").get_json()
    assert now["properties"]["name"] == "Renamed by the surveyor"
    history = env.call("GET", f"{url}/history", "sdg_surveyor").get_json()["entries"]
    hazard_entries = [e for e in history if e["object"] == "hazards"]
    assert [e["action"] for e in hazard_entries][-2:] == ["update", "conflict"]
    assert hazard_entries[-1]["changes"]["name"][1] == "Renamed by the leader"


def test_mass_assignment_on_patch_is_refused(env):
    created = _create(env)
    hid, etag = created.get_json()["id"], created.headers["ETag"]
    for field, value in (("organisation_id", 3), ("record_state", "approved"), ("approved_by_id", 2), ("version", 99)):
        res = env.call("PATCH", f"/api/v1/hazards/{hid}", "sdg_surveyor", json={field: value}, headers={"If-Match": etag})
        assert res.status_code == 422, (field, res.get_json())
    assert env.call("GET", f"/api/v1/hazards/{hid}", "sdg_surveyor").headers["ETag"] == etag


def test_approver_changes_classification_only_with_a_reason(env):
    created = _create(env)
    hid = created.get_json()["id"]
    env.call("POST", f"/api/v1/hazards/{hid}/submit", "sdg_leader")
    approved = env.call("POST", f"/api/v1/hazards/{hid}/approve", "approver")
    assert approved.status_code == 200
    etag = approved.headers["ETag"]
    no_reason = env.call("PATCH", f"/api/v1/hazards/{hid}", "approver", json={"classification": "CHA"},
                         headers={"If-Match": etag})
    assert no_reason.status_code == 422
    ok = env.call("PATCH", f"/api/v1/hazards/{hid}", "approver",
                  json={"classification": "CHA", "reason": "Direct evidence reported by police"},
                  headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.get_json()["properties"]["classification"] == "CHA"
    entries = env.call("GET", f"/api/v1/hazards/{hid}/history", "approver").get_json()["entries"]
    assert entries[-1]["reason"] == "Direct evidence reported by police"


def test_soft_delete_is_reversible_by_an_approver(env):
    created = _create(env)
    hid, etag = created.get_json()["id"], created.headers["ETag"]
    assert env.call("DELETE", f"/api/v1/hazards/{hid}", "sdg_surveyor", headers={"If-Match": etag}).status_code == 204
    assert env.call("GET", f"/api/v1/hazards/{hid}", "sdg_surveyor").status_code == 404
    assert env.call("POST", f"/api/v1/hazards/{hid}/restore", "sdg_leader").status_code == 404
    restored = env.call("POST", f"/api/v1/hazards/{hid}/restore", "approver")
    assert restored.status_code == 200
    assert env.call("GET", f"/api/v1/hazards/{hid}", "sdg_surveyor").status_code == 200
    actions = [e["action"] for e in env.call("GET", f"/api/v1/hazards/{hid}/history", "approver").get_json()["entries"]
               if e["object"] == "hazards"]
    assert actions[-2:] == ["update", "update"]


def test_as_of_shows_the_hazard_as_it_was(env):
    import datetime as dt

    created = _create(env)
    hid = created.get_json()["id"]
    today = dt.date.today().isoformat()
    then = env.call("GET", f"/api/v1/hazards/{hid}?as_of={today}", "sdg_surveyor")
    assert then.status_code == 200
    assert then.get_json()["properties"]["classification"] == "SHA"
    assert shape(then.get_json()["geometry"]).equals_exact(shape(created.get_json()["geometry"]), 1e-7)
    assert "crs" not in then.get_json()["geometry"]
    before = env.call("GET", f"/api/v1/hazards/{hid}?as_of=2000-01-01", "sdg_surveyor")
    assert before.status_code == 404
    bad = env.call("GET", f"/api/v1/hazards/{hid}?as_of=yesterday", "sdg_surveyor")
    assert bad.status_code == 400


@pytest.mark.parametrize("query", ["bbox=1,2,3", "bbox=37,48,36,47", "bbox=a,b,c,d", "limit=0", "limit=5000",
                                   "status=exploded", "colour=red", "offset=-1", "bbox=37,48,37.1,NaN"])
def test_list_parameters_are_validated(env, query):
    res = env.call("GET", f"/api/v1/hazards?{query}", "approver")
    assert res.status_code == 400, res.get_json()
    assert res.get_json()["message"]


def test_list_pages_and_filters_in_postgis(env):
    page = env.call("GET", "/api/v1/hazards?limit=10&status=open,worked_on", "approver")
    body = page.get_json()
    assert page.headers["Content-Type"].startswith("application/geo+json")
    assert body["numberReturned"] == 10
    assert all(f["properties"]["status"] in ("open", "worked_on") for f in body["features"])
    nxt = [l for l in body["links"] if l["rel"] == "next"][0]["href"]
    second = env.call("GET", nxt, "approver").get_json()
    assert {f["id"] for f in second["features"]}.isdisjoint({f["id"] for f in body["features"]})
    boxed = env.call("GET", "/api/v1/hazards?bbox=37.1,49.0,37.5,49.4&limit=1000", "approver").get_json()
    for f in boxed["features"]:
        minx, miny, maxx, maxy = shape(f["geometry"]).bounds
        assert maxx >= 37.1 and minx <= 37.5 and maxy >= 49.0 and miny <= 49.4


def test_openapi_document_describes_the_routes(env):
    doc = env.client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/hazards", "/hazards/{id}", "/hazards/{id}/history", "/hazards/{id}/reports",
                 "/reports/{id}/approve", "/reports/{id}/unapprove", "/search"):
        assert path in doc["paths"]
    schema = doc["components"]["schemas"]["HazardProperties"]
    assert "organisation_id" not in schema["properties"] and schema.get("additionalProperties") is False
    json.dumps(doc)
