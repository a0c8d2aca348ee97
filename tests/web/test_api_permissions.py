"""The permission matrix: every role × own/other organisation × every API route. Another
organisation's draft is a 404 (never a 403), it never appears in lists or history, viewers never
write, and anonymous visitors get nothing outside the public outputs."""
import pytest
from sqlalchemy import text

from webapp.extensions import store
from tests.web.api_support import EXAMPLE_TRAVERSE, drop_env, hazard_body, make_env

WHO = ["sdg_surveyor", "sdg_leader", "dhc_surveyor", "dhc_leader", "approver", "admin",
       "izium_viewer", "donor_viewer", None]


@pytest.fixture(scope="module")
def env(pg_cluster):
    e = make_env(pg_cluster)
    yield e
    drop_env(e, pg_cluster)


def _new_draft(env, who="sdg_surveyor"):
    res = env.call("POST", "/api/v1/hazards", who, json=hazard_body("Draft of " + who))
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"], res.headers["ETag"]


def _approved_in(env, raion_code: str, inside: bool) -> int:
    with store(env.app).engine.connect() as conn:
        return conn.execute(text(f"""
            SELECT h.id FROM hazards h JOIN admin_areas a ON a.id = h.admin_area_id
             WHERE h.record_state = 'approved' AND h.status IN ('open', 'worked_on')
               AND (a.parent_id = (SELECT id FROM admin_areas WHERE code = :c)) = :inside
             ORDER BY h.id LIMIT 1"""), {"c": raion_code, "inside": inside}).scalar()


def _status(res):
    return res.status_code


# -- reading ----------------------------------------------------------------------------------------
READ_DRAFT = {"sdg_surveyor": 200, "sdg_leader": 200, "dhc_surveyor": 404, "dhc_leader": 404,
              "approver": 200, "admin": 200, "izium_viewer": 404, "donor_viewer": 404, None: 401}


@pytest.mark.parametrize("who", WHO)
def test_reading_another_organisations_draft(env, who):
    hid, _ = _new_draft(env)
    expected = READ_DRAFT[who]
    assert _status(env.call("GET", f"/api/v1/hazards/{hid}", who)) == expected
    assert _status(env.call("GET", f"/api/v1/hazards/{hid}/history", who)) == expected
    assert _status(env.call("GET", f"/api/v1/hazards/{hid}?as_of=2100-01-01", who)) in (expected, 400)
    listed = env.call("GET", "/api/v1/hazards?limit=1000&record_state=draft", who)
    if who is None:
        assert listed.status_code == 401
    else:
        ids = {f["id"] for f in listed.get_json()["features"]}
        assert (hid in ids) == (expected == 200)


APPROVED_READ = {"izium_viewer": (200, 404), None: (401, 401)}


@pytest.mark.parametrize("who", WHO)
def test_reading_approved_hazards_inside_and_outside_a_viewers_area(env, who):
    inside, outside = _approved_in(env, "UA6304", True), _approved_in(env, "UA6304", False)
    want_in, want_out = APPROVED_READ.get(who, (200, 200))
    assert _status(env.call("GET", f"/api/v1/hazards/{inside}", who)) == want_in
    assert _status(env.call("GET", f"/api/v1/hazards/{outside}", who)) == want_out


# -- writing ----------------------------------------------------------------------------------------
PATCH_DRAFT = {"sdg_surveyor": 200, "sdg_leader": 200, "dhc_surveyor": 404, "dhc_leader": 404,
               "approver": 403, "admin": 403, "izium_viewer": 404, "donor_viewer": 404, None: 401}
DELETE_DRAFT = {**PATCH_DRAFT, "approver": 204, "sdg_surveyor": 204, "sdg_leader": 204}
SUBMIT_DRAFT = {**PATCH_DRAFT, "sdg_surveyor": 403, "sdg_leader": 200}
CREATE = {"sdg_surveyor": 201, "sdg_leader": 201, "dhc_surveyor": 201, "dhc_leader": 201,
          "approver": 403, "admin": 403, "izium_viewer": 403, "donor_viewer": 403, None: 401}


@pytest.mark.parametrize("who", WHO)
def test_writing_a_draft(env, who):
    hid, etag = _new_draft(env)
    before = env.call("GET", f"/api/v1/hazards/{hid}", "approver").get_json()["properties"]
    res = env.call("PATCH", f"/api/v1/hazards/{hid}", who, json={"name": "Changed"}, headers={"If-Match": etag})
    assert _status(res) == PATCH_DRAFT[who], res.get_json()
    if PATCH_DRAFT[who] != 200:
        after = env.call("GET", f"/api/v1/hazards/{hid}", "approver").get_json()["properties"]
        assert after["name"] == before["name"] and after["version"] == before["version"]
    hid, etag = _new_draft(env)
    assert _status(env.call("DELETE", f"/api/v1/hazards/{hid}", who, headers={"If-Match": etag})) == DELETE_DRAFT[who]
    hid, _ = _new_draft(env)
    assert _status(env.call("POST", f"/api/v1/hazards/{hid}/submit", who)) == SUBMIT_DRAFT[who]
    assert _status(env.call("POST", "/api/v1/hazards", who, json=hazard_body("By " + str(who)))) == CREATE[who]


APPROVE_SUBMITTED = {"sdg_surveyor": 403, "sdg_leader": 403, "dhc_surveyor": 404, "dhc_leader": 404,
                     "approver": 200, "admin": 403, "izium_viewer": 404, "donor_viewer": 404, None: 401}


@pytest.mark.parametrize("who", WHO)
def test_approving_and_rejecting(env, who):
    hid, _ = _new_draft(env)
    assert env.call("POST", f"/api/v1/hazards/{hid}/submit", "sdg_leader").status_code == 200
    assert _status(env.call("POST", f"/api/v1/hazards/{hid}/approve", who)) == APPROVE_SUBMITTED[who]
    hid, _ = _new_draft(env)
    env.call("POST", f"/api/v1/hazards/{hid}/submit", "sdg_leader")
    res = env.call("POST", f"/api/v1/hazards/{hid}/reject", who, json={"comment": "Benchmark is unclear"})
    assert _status(res) == APPROVE_SUBMITTED[who]


REPORT_CREATE = {"sdg_surveyor": 201, "sdg_leader": 201, "dhc_surveyor": 201, "dhc_leader": 201,
                 "approver": 403, "admin": 403, "izium_viewer": 403, "donor_viewer": 403, None: 401}
REPORT_READ_DRAFT = {"sdg_surveyor": 200, "sdg_leader": 200, "dhc_surveyor": 404, "dhc_leader": 404,
                     "approver": 200, "admin": 200, "izium_viewer": 404, "donor_viewer": 404, None: 401}
REPORT_SUBMIT = {**REPORT_READ_DRAFT, "sdg_surveyor": 403, "approver": 403, "admin": 403}
REPORT_APPROVE = {**REPORT_READ_DRAFT, "sdg_surveyor": 403, "sdg_leader": 403, "admin": 403}


def _nts_report(hazard_id: int) -> dict:
    return {"report_type": "nts", "date_of_information": "2024-06-01",
            "evidence": "Informants confirm the field was farmed until 2022."}


@pytest.mark.parametrize("who", WHO)
def test_reports(env, who):
    hazard = _approved_in(env, "UA6304", True)
    assert _status(env.call("POST", f"/api/v1/hazards/{hazard}/reports", who, json=_nts_report(hazard))) == REPORT_CREATE[who]
    draft = env.call("POST", f"/api/v1/hazards/{hazard}/reports", "sdg_surveyor", json=_nts_report(hazard)).get_json()["id"]
    assert _status(env.call("GET", f"/api/v1/reports/{draft}", who)) == REPORT_READ_DRAFT[who]
    assert _status(env.call("POST", f"/api/v1/reports/{draft}/submit", who)) == REPORT_SUBMIT[who]
    submitted = env.call("POST", f"/api/v1/hazards/{hazard}/reports", "sdg_surveyor", json=_nts_report(hazard)).get_json()["id"]
    env.call("POST", f"/api/v1/reports/{submitted}/submit", "sdg_leader")
    assert _status(env.call("POST", f"/api/v1/reports/{submitted}/approve", who)) == REPORT_APPROVE[who]
    # a draft report of SDG never shows in another organisation's view of the hazard's history
    if who is not None:
        entries = env.call("GET", f"/api/v1/hazards/{hazard}/history", who).get_json()["entries"]
        report_ids = {e["object_id"] for e in entries if e["object"] == "reports"}
        assert (draft in report_ids) == (REPORT_READ_DRAFT[who] == 200)


def test_ids_of_invisible_objects_look_like_missing_ones(env):
    hid, _ = _new_draft(env)
    hidden = env.call("GET", f"/api/v1/hazards/{hid}", "dhc_surveyor").get_json()
    missing = env.call("GET", "/api/v1/hazards/99999999", "dhc_surveyor").get_json()
    assert hidden["error"] == missing["error"] == "not_found"
    assert hidden["message"].replace(str(hid), "N") == missing["message"].replace("99999999", "N")


def test_a_revoked_token_is_refused(env):
    from webapp.services.auth import revoke_tokens

    with store(env.app).transaction(actor_label="tests") as session:
        from webapp.services.users import issue_token

        token = issue_token(session, "surveyor@dhc.example.org", "short-lived")
    ok = env.client.get("/api/v1/hazards?limit=1", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    with store(env.app).transaction(actor_label="tests") as session:
        revoke_tokens(session, "surveyor@dhc.example.org", label="short-lived")
    refused = env.client.get("/api/v1/hazards?limit=1", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthenticated"


def test_the_traverse_body_of_the_issue_is_accepted_as_written(env):
    body = {"properties": {"name": "As in the issue", "date_of_information": "2024-05-01"},
            "traverse": {**EXAMPLE_TRAVERSE, "bearing_reference": "magnetic", "declination_deg": 8.0}}
    res = env.call("POST", "/api/v1/hazards", "dhc_surveyor", json=body)
    assert res.status_code == 201
    assert res.get_json()["properties"]["area_m2"] == pytest.approx(5000, rel=0.001)
