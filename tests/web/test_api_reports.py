"""Reports over HTTP: the 5,000 m² walk-through end to end, and what each step refuses."""
import pytest

from tests.support.world import BENCHMARK, rectangle_legs
from tests.web.api_support import drop_env, hazard_body, make_env


@pytest.fixture(scope="module")
def env(pg_cluster):
    e = make_env(pg_cluster, hazards=20)
    yield e
    drop_env(e, pg_cluster)


def _ok(res, status=200):
    assert res.status_code == status, res.get_json()
    return res.get_json()


def _approved_hazard(env):
    hid = _ok(env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body()), 201)["id"]
    _ok(env.call("POST", f"/api/v1/hazards/{hid}/submit", "sdg_leader"))
    _ok(env.call("POST", f"/api/v1/hazards/{hid}/approve", "approver"))
    return hid


def _file(env, hid, body):
    rid = _ok(env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor", json=body), 201)["id"]
    _ok(env.call("POST", f"/api/v1/reports/{rid}/submit", "sdg_leader"))
    return rid


def test_walk_through_over_http(env):
    hid = _approved_hazard(env)
    ts = _file(env, hid, {
        "report_type": "ts", "date_of_information": "2024-06-10", "confirms_cha": True,
        "activity": {"method": "manual", "asset": "Manual team 1"},
        "products": [{"product_type": "reduced", "traverse": {"benchmark": BENCHMARK, "legs": rectangle_legs(0, 70, 50)}}],
        "eo_items": [{"category": "ap_mine", "model": "PMN-2", "condition": "armed", "position": "48.00010 N 37.00120 E"},
                     {"category": "ap_mine", "model": "PMN-2", "condition": "armed",
                      "geometry": {"type": "Point", "coordinates": [37.00125, 48.00005]}}]})
    report = _ok(env.call("POST", f"/api/v1/reports/{ts}/approve", "approver"))
    assert report["workflow_state"] == "approved"
    assert report["products"][0]["applied"] is True
    assert report["products"][0]["area_m2"] == pytest.approx(3500, rel=0.003)
    assert len(report["eo_items"]) == 2
    hazard = _ok(env.call("GET", f"/api/v1/hazards/{hid}", "sdg_surveyor"))["properties"]
    assert (hazard["classification"], hazard["status"]) == ("CHA", "worked_on")
    assert hazard["remaining_area_m2"] == pytest.approx(1500, rel=0.003)

    early = _file(env, hid, {"report_type": "completion", "date_of_information": "2024-07-01"})
    refused = env.call("POST", f"/api/v1/reports/{early}/approve", "approver")
    assert refused.status_code == 409 and refused.get_json()["details"]["remaining_area_m2"] > 1000
    _ok(env.call("POST", f"/api/v1/reports/{early}/reject", "approver", json={"comment": "Clearance not done yet"}))

    cl = _file(env, hid, {
        "report_type": "clearance", "date_of_information": "2024-08-20",
        "activity": {"method": "manual", "clearance_depth_cm": 13},
        "products": [{"product_type": "cleared", "clearance_depth_cm": 13,
                      "traverse": {"benchmark": BENCHMARK, "legs": rectangle_legs(70, 30, 50)}}]})
    _ok(env.call("POST", f"/api/v1/reports/{cl}/approve", "approver"))
    done = _file(env, hid, {"report_type": "completion", "date_of_information": "2024-09-01",
                            "handover": {"received_by": "Village council", "participants": {"women": 4, "men": 3}}})
    _ok(env.call("POST", f"/api/v1/reports/{done}/approve", "approver"))
    hazard = _ok(env.call("GET", f"/api/v1/hazards/{hid}", "approver"))["properties"]
    assert hazard["status"] == "handed_over"
    assert hazard["remaining_area_m2"] < 1


@pytest.mark.parametrize("body, status, field", [
    ({"report_type": "clearance", "date_of_information": "2024-06-01", "activity": {"method": "manual"}}, 422, "clearance"),
    ({"report_type": "nts", "date_of_information": "2024-06-01", "products": [
        {"product_type": "cleared", "clearance_depth_cm": 10, "points": ["48 37", "48.0001 37", "48.0001 37.0001"]}]}, 422, "cancel"),
    ({"report_type": "ts", "date_of_information": "2024-06-01", "activity": {"method": "manual"}, "products": [
        {"product_type": "reduced", "points": ["48.0001 37.0001", "48.0001 37.0002", "48.0000 37.0002"]}],
      "workflow_state": "approved"}, 422, "workflow_state"),
    ({"report_type": "nts", "date_of_information": "2024-06-01", "confirms_cha": True}, 422, "technical survey"),
    ({"report_type": "ts", "date_of_information": "2024-06-01", "activity": {"method": "manual"},
      "eo_items": [{"category": "ap_mine", "position": "48°75'N 37°00'E"}]}, 422, "EO find 1"),
])
def test_bad_reports_are_refused_and_leave_nothing(env, body, status, field):
    hid = _approved_hazard(env)
    before = env.count("reports"), env.count("release_products"), env.count("eo_items"), env.count("activities")
    res = env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor", json=body)
    assert res.status_code == status, res.get_json()
    assert field in res.get_data(as_text=True)
    assert (env.count("reports"), env.count("release_products"), env.count("eo_items"), env.count("activities")) == before


def test_reports_only_go_on_approved_hazards(env):
    hid = _ok(env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body()), 201)["id"]
    res = env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor",
                   json={"report_type": "nts", "date_of_information": "2024-06-01"})
    assert res.status_code == 409


def test_workflow_steps_out_of_order_are_conflicts(env):
    hid = _approved_hazard(env)
    rid = _ok(env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor",
                       json={"report_type": "nts", "date_of_information": "2024-06-01"}), 201)["id"]
    assert env.call("POST", f"/api/v1/reports/{rid}/approve", "approver").status_code == 409
    _ok(env.call("POST", f"/api/v1/reports/{rid}/submit", "sdg_leader"))
    assert env.call("POST", f"/api/v1/reports/{rid}/submit", "sdg_leader").status_code == 409
    assert env.call("POST", f"/api/v1/reports/{rid}/reject", "approver", json={}).status_code == 422
    _ok(env.call("POST", f"/api/v1/reports/{rid}/approve", "approver"))
    assert env.call("POST", f"/api/v1/reports/{rid}/unapprove", "approver", json={"comment": ""}).status_code == 422
    back = _ok(env.call("POST", f"/api/v1/reports/{rid}/unapprove", "approver", json={"comment": "Duplicate report"}))
    assert back["workflow_state"] == "submitted" and back["decision_comment"] == "Duplicate report"


def test_a_rejected_report_is_corrected_and_resubmitted(env):
    hid = _approved_hazard(env)
    wrong = {"report_type": "ts", "date_of_information": "2024-06-10", "activity": {"method": "manual"},
             "products": [{"product_type": "reduced", "traverse": {"benchmark": BENCHMARK, "legs": rectangle_legs(0, 40, 50)}}]}
    created = env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor", json=wrong)
    rid = created.get_json()["id"]
    _ok(env.call("POST", f"/api/v1/reports/{rid}/submit", "sdg_leader"))
    rejected = env.call("POST", f"/api/v1/reports/{rid}/reject", "approver", json={"comment": "Reduced strip is 70 m wide"})
    etag = rejected.headers["ETag"]
    corrected = {**wrong, "products": [{"product_type": "reduced",
                                        "traverse": {"benchmark": BENCHMARK, "legs": rectangle_legs(0, 70, 50)}}]}
    assert env.call("PUT", f"/api/v1/reports/{rid}", "sdg_surveyor", json=corrected).status_code == 428
    assert env.call("PUT", f"/api/v1/reports/{rid}", "dhc_surveyor", json=corrected,
                    headers={"If-Match": etag}).status_code == 404
    assert env.call("PUT", f"/api/v1/reports/{rid}", "approver", json=corrected,
                    headers={"If-Match": etag}).status_code == 403
    before = env.count("release_products")
    fixed = env.call("PUT", f"/api/v1/reports/{rid}", "sdg_surveyor", json=corrected, headers={"If-Match": etag})
    body = _ok(fixed)
    assert body["workflow_state"] == "draft"
    assert [round(p["area_m2"], -2) for p in body["products"]] == [3500]
    assert env.count("release_products") == before
    stale = env.call("PUT", f"/api/v1/reports/{rid}", "sdg_surveyor", json=corrected, headers={"If-Match": etag})
    assert stale.status_code == 412
    _ok(env.call("POST", f"/api/v1/reports/{rid}/submit", "sdg_leader"))
    _ok(env.call("POST", f"/api/v1/reports/{rid}/approve", "approver"))
    approved_etag = env.call("GET", f"/api/v1/reports/{rid}", "sdg_surveyor").headers["ETag"]
    assert env.call("PUT", f"/api/v1/reports/{rid}", "sdg_surveyor", json=corrected,
                    headers={"If-Match": approved_etag}).status_code == 403
    hazard = _ok(env.call("GET", f"/api/v1/hazards/{hid}", "sdg_surveyor"))["properties"]
    assert hazard["remaining_area_m2"] == pytest.approx(1500, rel=0.003)
