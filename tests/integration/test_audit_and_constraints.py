"""Every change lands in the audit log; the schema refuses records that break land-release rules;
concurrent edits never silently overwrite each other."""
import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from webapp.store import db
from webapp.store.models import AuditEntry, Hazard, Organisation, ReleaseProduct, User

SQUARE = "SRID=4326;MULTIPOLYGON(((37 48,37.001 48,37.001 48.001,37 48.001,37 48)))"


@pytest.fixture
def org(db_session):
    o = Organisation(name="Audit operator", short_name="AUD", kind="operator")
    db_session.add(o)
    db_session.flush()
    return o


def _hazard(org, **kw):
    values = dict(national_code="A-1", name="Field", classification="SHA",
                  date_of_information=dt.date(2024, 1, 1), organisation_id=org.id, perimeter=SQUARE)
    values.update(kw)
    return Hazard(**values)


def test_changes_are_logged_with_actor_reason_and_before_after(db_session, org):
    db.set_actor(db_session, 42, "Petro Approver", "classification corrected after TS")
    h = _hazard(org)
    db_session.add(h)
    db_session.flush()
    h.classification = "CHA"
    db_session.flush()
    entries = db_session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "hazards", AuditEntry.row_id == h.id).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["insert", "update"]
    update = entries[1]
    assert (update.actor_id, update.actor_label) == (42, "Petro Approver")
    assert update.reason == "classification corrected after TS"
    assert update.before["classification"] == "SHA" and update.after["classification"] == "CHA"
    assert update.after["original_area_m2"] == pytest.approx(h.original_area_m2)


def test_password_hashes_never_reach_the_audit_log(db_session, org):
    u = User(email="a@example.org", name="A", role="surveyor", organisation_id=org.id,
             password_hash="$argon2id$secret")
    db_session.add(u)
    db_session.flush()
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.table_name == "users",
                                                       AuditEntry.row_id == u.id))
    assert entry.after["email"] == "a@example.org"
    assert "password_hash" not in entry.after


@pytest.mark.parametrize("change, constraint", [
    ({"classification": "XYZ"}, "classification_valid"),
    ({"status": "finished"}, "status_valid"),
    ({"priority": 9}, "priority_valid"),
    ({"contamination_types": ["ap_mines", "dragons"]}, "contamination_types_valid"),
    ({"perimeter": "SRID=4326;MULTIPOLYGON(((37 48,37.001 48.001,37.001 48,37 48.001,37 48)))"},
     "perimeter_valid"),
])
def test_schema_rejects_invalid_hazards(db_session, org, change, constraint):
    db_session.add(_hazard(org, **change))
    with pytest.raises(IntegrityError, match=constraint):
        db_session.flush()


def test_cleared_land_needs_a_clearance_depth(db_session, org):
    h = _hazard(org)
    db_session.add(h)
    db_session.flush()
    db_session.add(ReleaseProduct(hazard_id=h.id, product_type="cleared", geom=SQUARE,
                                  date_released=dt.date(2024, 2, 1)))
    with pytest.raises(IntegrityError, match="cleared_needs_depth"):
        db_session.flush()


def test_concurrent_edits_of_one_hazard_do_not_overwrite_each_other(db_engine):
    factory = db.make_session_factory(db_engine)
    with db.transaction(factory) as s:
        o = Organisation(name="Lock operator", short_name="LCK", kind="operator")
        s.add(o)
        s.flush()
        h = _hazard(o, national_code="LOCK-1")
        s.add(h)
        s.flush()
        hid, oid = h.id, o.id
    try:
        first, second = Session(db_engine), Session(db_engine)
        a = first.get(Hazard, hid)
        b = second.get(Hazard, hid)
        a.name = "Renamed by the first surveyor"
        first.commit()
        b.name = "Renamed by the second surveyor"
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
        first.close()
        second.close()
        with Session(db_engine) as s:
            assert s.get(Hazard, hid).name == "Renamed by the first surveyor"
    finally:
        with db_engine.begin() as conn:
            conn.execute(text("DELETE FROM hazards WHERE id = :h"), {"h": hid})
            conn.execute(text("DELETE FROM organisations WHERE id = :o"), {"o": oid})
