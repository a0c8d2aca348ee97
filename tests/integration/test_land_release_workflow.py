"""The land-release walk-through of the domain notes, through the services, with real PostGIS."""
import datetime as dt

import pytest
from sqlalchemy import select

from webapp.config import Settings
from webapp.errors import Conflict, Invalid, NotFound
from webapp.services import hazards as hz
from webapp.services import reports as rp
from webapp.services.inputs import HazardCreate, ReportCreate
from webapp.services.permissions import Forbidden
from webapp.services.recording import GeometryRejected
from webapp.store.models import AuditEntry
from tests.support.world import BENCHMARK, EXAMPLE_LEGS, build_world, rectangle_legs

SETTINGS = Settings(database_url="postgresql://unused", secret_key="x")


@pytest.fixture
def world(db_session):
    return build_world(db_session)


def _hazard(session, world, legs=EXAMPLE_LEGS, name="Field north of the road", when="2024-05-01"):
    body = HazardCreate.model_validate({
        "properties": {"name": name, "classification": "SHA", "date_of_information": when,
                       "contamination_types": ["ap_mines"]},
        "traverse": {"benchmark": BENCHMARK, "bearing_reference": "true", "legs": legs}})
    hazard, rec = hz.create_hazard(session, world.surveyor_a, SETTINGS, body)
    hz.submit_hazard(session, world.leader_a, SETTINGS, hazard.id)
    hz.approve_hazard(session, world.approver, SETTINGS, hazard.id)
    return hazard, rec


def _product(kind, legs, depth=None):
    p = {"product_type": kind, "traverse": {"benchmark": BENCHMARK, "legs": legs}}
    if depth:
        p["clearance_depth_cm"] = depth
    return p


def _report(session, world, hazard_id, body, actor=None):
    report = rp.create_report(session, actor or world.surveyor_a, SETTINGS, hazard_id,
                              ReportCreate.model_validate(body))
    rp.submit_report(session, world.leader_a, SETTINGS, report.id)
    return report


def test_the_5000_m2_walk_through(db_session, world):
    hazard, rec = _hazard(db_session, world)
    assert rec.area_m2 == pytest.approx(5000.1, abs=1)
    assert rec.misclosure_m < 0.05
    assert (hazard.classification, hazard.status, hazard.record_state) == ("SHA", "open", "approved")
    points = hz.survey_points(db_session, hazard.id)
    assert points[0]["point_type"] == "benchmark" and points[0]["input_text"] == BENCHMARK
    assert [p["distance_m"] for p in points[1:]] == [20, 100, 50, 100, 50]

    # TS confirms a 1,500 m² CHA with two AP mines and reduces 3,500 m² (the western 70 m)
    ts = _report(db_session, world, hazard.id, {
        "report_type": "ts", "date_of_information": "2024-06-10", "confirms_cha": True,
        "evidence": "Two PMN-2 found in the eastern part.",
        "activity": {"method": "manual", "asset": "Manual team 1", "start_date": "2024-06-01"},
        "products": [_product("reduced", rectangle_legs(0, 70, 50))],
        "eo_items": [{"category": "ap_mine", "model": "PMN-2", "condition": "armed", "depth_cm": 5,
                      "position": "48.00010 N 37.00120 E"},
                     {"category": "ap_mine", "model": "PMN-2", "condition": "armed", "depth_cm": 8,
                      "position": "48.00005 N 37.00125 E"}]})
    rp.approve_report(db_session, world.approver, SETTINGS, ts.id)
    db_session.refresh(hazard)
    assert (hazard.classification, hazard.status) == ("CHA", "worked_on")
    assert hazard.remaining_area_m2 == pytest.approx(1500, rel=0.003)

    # clearance to 13 cm clears the remaining 1,500 m² (the eastern 30 m)
    clearance = _report(db_session, world, hazard.id, {
        "report_type": "clearance", "date_of_information": "2024-08-20",
        "activity": {"method": "manual", "clearance_depth_cm": 13, "start_date": "2024-07-01",
                     "end_date": "2024-08-20"},
        "products": [_product("cleared", rectangle_legs(70, 30, 50), depth=13)]})
    rp.approve_report(db_session, world.approver, SETTINGS, clearance.id)
    db_session.refresh(hazard)
    assert hazard.remaining_area_m2 < 1.0

    completion = _report(db_session, world, hazard.id, {
        "report_type": "completion", "date_of_information": "2024-09-01",
        "handover": {"received_by": "Village council", "participants": {"men": 3, "women": 4},
                     "residual_risk": "Low", "permanent_markers": 4}})
    rp.approve_report(db_session, world.approver, SETTINGS, completion.id)
    db_session.refresh(hazard)
    assert hazard.status == "handed_over"
    balance = {r.id: r for r in rp.land_release.hazard_balances(db_session)}[hazard.id]
    assert balance.cancelled_m2 == 0
    assert balance.reduced_m2 == pytest.approx(3500, rel=0.003)
    assert balance.cleared_m2 == pytest.approx(1500, rel=0.003)
    assert balance.cancelled_m2 + balance.reduced_m2 + balance.cleared_m2 == pytest.approx(5000, rel=0.001)


def test_the_12_ha_sha(db_session, world):
    hazard, rec = _hazard(db_session, world, legs=rectangle_legs(0, 400, 300), name="12 ha field")
    assert rec.area_m2 == pytest.approx(120_000, rel=0.001)
    for kind, report_type, offset, width, depth, day in (
            ("cancelled", "nts", 0, 700 / 3, None, "2024-06-01"),
            ("reduced", "ts", 700 / 3, 350 / 3, None, "2024-07-01"),
            ("cleared", "clearance", 350, 50, 20, "2024-08-01")):
        body = {"report_type": report_type, "date_of_information": day,
                "products": [_product(kind, rectangle_legs(offset, width, 300), depth)]}
        if report_type != "nts":
            body["activity"] = {"method": "mechanical", "clearance_depth_cm": depth}
        rp.approve_report(db_session, world.approver, SETTINGS, _report(db_session, world, hazard.id, body).id)
    rp.approve_report(db_session, world.approver, SETTINGS, _report(db_session, world, hazard.id, {
        "report_type": "completion", "date_of_information": "2024-08-15"}).id)
    db_session.refresh(hazard)
    assert hazard.status == "closed"
    b = {r.id: r for r in rp.land_release.hazard_balances(db_session)}[hazard.id]
    assert (b.cancelled_m2, b.reduced_m2, b.cleared_m2) == (
        pytest.approx(70_000, rel=0.002), pytest.approx(35_000, rel=0.002), pytest.approx(15_000, rel=0.002))
    assert b.cancelled_m2 + b.reduced_m2 + b.cleared_m2 + b.remaining_m2 == pytest.approx(b.original_m2, rel=0.001)


def test_completion_cannot_close_while_land_remains(db_session, world):
    hazard, _ = _hazard(db_session, world)
    report = _report(db_session, world, hazard.id, {"report_type": "completion", "date_of_information": "2024-06-01"})
    with pytest.raises(Conflict, match="not released yet"):
        rp.approve_report(db_session, world.approver, SETTINGS, report.id)


def test_older_report_releases_land_but_does_not_roll_back(db_session, world):
    hazard, _ = _hazard(db_session, world)
    newer = _report(db_session, world, hazard.id, {
        "report_type": "ts", "date_of_information": "2024-07-01", "confirms_cha": True,
        "activity": {"method": "manual"}, "products": [_product("reduced", rectangle_legs(0, 40, 50))]})
    rp.approve_report(db_session, world.approver, SETTINGS, newer.id)
    older = _report(db_session, world, hazard.id, {
        "report_type": "nts", "date_of_information": "2024-06-01",
        "products": [_product("cancelled", rectangle_legs(40, 20, 50))]})
    rp.approve_report(db_session, world.approver, SETTINGS, older.id)
    db_session.refresh(hazard)
    db_session.refresh(older)
    assert older.out_of_order is True
    assert hazard.last_applied_date == dt.date(2024, 7, 1)
    assert (hazard.classification, hazard.status) == ("CHA", "worked_on")
    assert hazard.remaining_area_m2 == pytest.approx(2000, rel=0.005)


def test_unapprove_takes_the_release_back(db_session, world):
    hazard, _ = _hazard(db_session, world)
    ts = _report(db_session, world, hazard.id, {
        "report_type": "ts", "date_of_information": "2024-07-01", "confirms_cha": True,
        "activity": {"method": "manual"}, "products": [_product("reduced", rectangle_legs(0, 70, 50))]})
    rp.approve_report(db_session, world.approver, SETTINGS, ts.id)
    with pytest.raises(Invalid, match="say why"):
        rp.unapprove_report(db_session, world.approver, SETTINGS, ts.id, None)
    rp.unapprove_report(db_session, world.approver, SETTINGS, ts.id, "wrong hazard")
    db_session.refresh(hazard)
    assert (hazard.classification, hazard.status, hazard.last_applied_date) == ("SHA", "open", None)
    assert hazard.remaining_area_m2 == pytest.approx(hazard.original_area_m2)


def test_products_must_stay_inside_and_apart(db_session, world):
    hazard, _ = _hazard(db_session, world)
    outside = {"report_type": "ts", "date_of_information": "2024-07-01", "activity": {"method": "manual"},
               "products": [_product("reduced", rectangle_legs(50, 100, 50))]}
    with pytest.raises(GeometryRejected) as exc:
        rp.create_report(db_session, world.surveyor_a, SETTINGS, hazard.id, ReportCreate.model_validate(outside))
    assert any(f["code"] == "outside_parent" for f in exc.value.details["findings"])
    overlapping = {"report_type": "ts", "date_of_information": "2024-07-01", "activity": {"method": "manual"},
                   "products": [_product("reduced", rectangle_legs(0, 60, 50)),
                                _product("reduced", rectangle_legs(40, 60, 50))]}
    with pytest.raises(GeometryRejected) as exc:
        rp.create_report(db_session, world.surveyor_a, SETTINGS, hazard.id, ReportCreate.model_validate(overlapping))
    assert exc.value.details["findings"][0]["code"] == "products_overlap"


def test_roles_and_organisations_are_enforced(db_session, world):
    body = HazardCreate.model_validate({
        "properties": {"name": "Draft of A", "date_of_information": "2024-05-01"},
        "traverse": {"benchmark": BENCHMARK, "legs": EXAMPLE_LEGS}})
    draft, _ = hz.create_hazard(db_session, world.surveyor_a, SETTINGS, body)
    # another organisation cannot even see the draft
    for actor in (world.surveyor_b, world.leader_b, world.viewer):
        with pytest.raises(NotFound):
            hz.get_hazard(db_session, actor, draft.id)
    # surveyors cannot submit, other team leaders cannot, viewers cannot record
    with pytest.raises(Forbidden):
        hz.submit_hazard(db_session, world.surveyor_a, SETTINGS, draft.id)
    with pytest.raises(NotFound):
        hz.submit_hazard(db_session, world.leader_b, SETTINGS, draft.id)
    with pytest.raises(Forbidden):
        hz.create_hazard(db_session, world.viewer, SETTINGS, body)
    with pytest.raises(Forbidden):
        hz.approve_hazard(db_session, world.leader_a, SETTINGS, draft.id)
    listed = hz.list_hazards(db_session, world.surveyor_b, hz.HazardFilter(limit=1000))
    assert draft.id not in [f["id"] for f in listed["features"]]
    assert draft.id in [f["id"] for f in hz.list_hazards(db_session, world.surveyor_a, hz.HazardFilter(limit=1000))["features"]]


def test_geometry_errors_block_saving_and_leave_nothing(db_session, world):
    from sqlalchemy import func

    from webapp.store.models import Hazard

    before = db_session.scalar(select(func.count()).select_from(Hazard))
    swapped = HazardCreate.model_validate({
        "properties": {"name": "Swapped", "date_of_information": "2024-05-01"},
        "points": ["37.0001 48.0001", "37.0001 48.0020", "37.0010 48.0020", "37.0010 48.0001"]})
    with pytest.raises(GeometryRejected) as exc:
        hz.create_hazard(db_session, world.surveyor_a, SETTINGS, swapped)
    codes = {f["code"] for f in exc.value.details["findings"]}
    assert "lat_lon_swapped" in codes
    assert db_session.scalar(select(func.count()).select_from(Hazard)) == before


def test_every_step_is_in_the_audit_log(db_session, world):
    hazard, _ = _hazard(db_session, world)
    entries = db_session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "hazards", AuditEntry.row_id == hazard.id)).all()
    states = [e.after.get("record_state") for e in entries if e.after]
    assert states[0] == "draft" and "submitted" in states and states[-1] == "approved"
