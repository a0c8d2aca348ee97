"""Land-release accounting: remaining = perimeter − ∪ applied products, and the figures add up."""
import datetime as dt

import pytest
from shapely import wkb
from shapely.geometry import MultiPolygon, Polygon, box
from sqlalchemy import func, select, text

from webapp.store import land_release
from webapp.store.land_release import ProgressFilter, ProgressQueryError, hazard_balances, progress
from webapp.store.models import AdminArea, Hazard, Organisation, ReleaseProduct

# The checked example of the domain notes: a 100 m × 50 m rectangle at 48°N 37°E, 5,000.1 m².
TP = [(37.0000000, 48.0001799), (37.0013400, 48.0001799), (37.0013400, 47.9997302),
      (37.0000000, 47.9997302)]
EXAMPLE = Polygon(TP[::-1])


def _ewkt(geom) -> str:
    return f"SRID=4326;{geom.wkt}"


@pytest.fixture
def hazard(db_session):
    org = Organisation(name="Test operator", short_name="TOP", kind="operator")
    db_session.add(org)
    db_session.flush()
    h = Hazard(national_code="T-0001", name="Checked example", classification="SHA",
               date_of_information=dt.date(2024, 5, 1), organisation_id=org.id,
               perimeter=_ewkt(MultiPolygon([EXAMPLE])), record_state="approved")
    db_session.add(h)
    db_session.flush()
    land_release.recompute_remaining(db_session, [h.id])
    db_session.refresh(h)
    return h


def _product(session, hazard, kind, geom, applied=True, depth=None):
    p = ReleaseProduct(hazard_id=hazard.id, product_type=kind, geom=_ewkt(MultiPolygon([geom])),
                       date_released=dt.date(2024, 6, 1), applied=applied, clearance_depth_cm=depth)
    session.add(p)
    session.flush()
    return p


def test_original_area_is_geodesic(hazard):
    assert hazard.original_area_m2 == pytest.approx(5000.1, abs=1.0)
    assert hazard.remaining_area_m2 == pytest.approx(hazard.original_area_m2)


def test_walk_through_reduces_then_clears_to_nothing(db_session, hazard):
    minx, miny, maxx, maxy = EXAMPLE.bounds
    split = minx + (maxx - minx) * 0.7
    reduced = _product(db_session, hazard, "reduced", EXAMPLE.intersection(box(minx - 1, miny - 1, split, maxy + 1)))
    changed = land_release.recompute_remaining(db_session, [hazard.id])
    db_session.refresh(hazard)
    assert changed == {hazard.id: pytest.approx(hazard.remaining_area_m2)}
    assert reduced.area_m2 == pytest.approx(3500, rel=0.002)
    assert hazard.remaining_area_m2 == pytest.approx(1500, rel=0.002)
    remaining = wkb.loads(bytes(hazard.remaining.data))
    expected = EXAMPLE.intersection(box(split, miny - 1, maxx + 1, maxy + 1))
    assert remaining.symmetric_difference(expected).area < 1e-12

    _product(db_session, hazard, "cleared", expected, depth=13)
    land_release.recompute_remaining(db_session, [hazard.id])
    db_session.refresh(hazard)
    assert hazard.remaining_area_m2 == pytest.approx(0, abs=0.01)
    balance = {r.id: r for r in hazard_balances(db_session)}[hazard.id]
    total = balance.cancelled_m2 + balance.reduced_m2 + balance.cleared_m2 + balance.remaining_m2
    assert total == pytest.approx(balance.original_m2, rel=1e-4)


def test_products_not_applied_do_not_reduce(db_session, hazard):
    _product(db_session, hazard, "cancelled", EXAMPLE, applied=False)
    assert land_release.recompute_remaining(db_session, [hazard.id]) == {}
    db_session.refresh(hazard)
    assert hazard.remaining_area_m2 == pytest.approx(hazard.original_area_m2)


def test_recompute_bumps_the_version(db_session, hazard):
    before = hazard.version
    _product(db_session, hazard, "cancelled", EXAMPLE)
    land_release.recompute_remaining(db_session, [hazard.id])
    db_session.refresh(hazard)
    assert hazard.version == before + 1


def test_demo_figures_add_up_for_every_hazard(demo_engine):
    """original ≈ cancelled + reduced + cleared + remaining within 0.1 %, hazard by hazard."""
    from sqlalchemy.orm import Session

    with Session(demo_engine) as session:
        rows = hazard_balances(session)
    assert len(rows) == 300
    worst = max(abs(r.original_m2 - (r.cancelled_m2 + r.reduced_m2 + r.cleared_m2 + r.remaining_m2))
                / r.original_m2 for r in rows)
    assert worst < 0.001
    assert sum(r.cleared_m2 for r in rows) > 0 and sum(r.cancelled_m2 for r in rows) > 0


def test_progress_totals_match_the_hazards(demo_engine):
    from sqlalchemy.orm import Session

    with Session(demo_engine) as session:
        total = progress(session, ())[0]
        by_area = progress(session, ("admin_area",), admin_level=2)
        by_month = progress(session, ("organisation", "method", "month"))
        approved = session.execute(text(
            "SELECT count(*), sum(original_area_m2), sum(remaining_area_m2) FROM hazards "
            "WHERE record_state = 'approved' AND deleted_at IS NULL")).one()
        released = session.execute(text(
            "SELECT sum(p.area_m2) FROM release_products p JOIN hazards h ON h.id = p.hazard_id "
            "WHERE p.applied AND h.record_state = 'approved'")).scalar()
        raion_ids = set(session.scalars(select(AdminArea.id).where(AdminArea.level == 2)))
    assert total.hazards == approved[0]
    assert total.original_m2 == pytest.approx(approved[1])
    assert total.remaining_m2 == pytest.approx(approved[2])
    assert total.released_m2 == pytest.approx(released)
    assert {r.keys["admin_area"] for r in by_area} <= raion_ids
    for field in ("original_m2", "cancelled_m2", "reduced_m2", "cleared_m2", "remaining_m2"):
        assert sum(getattr(r, field) for r in by_area) == pytest.approx(getattr(total, field))
        assert sum(getattr(r, field) for r in by_month) == pytest.approx(getattr(total, field))
    assert any(r.keys["method"] == "mechanical" and r.cleared_m2 + r.reduced_m2 > 0 for r in by_month)


def test_progress_limited_to_admin_areas_covers_their_sub_areas(demo_engine):
    from sqlalchemy.orm import Session

    with Session(demo_engine) as session:
        izium = session.scalar(select(AdminArea).where(AdminArea.code == "UA6304"))
        hromadas = list(session.scalars(select(AdminArea.id).where(AdminArea.parent_id == izium.id)))
        limited = progress(session, ("admin_area",), ProgressFilter(admin_area_ids=[izium.id]), admin_level=2)
        expected = session.scalar(select(func.count()).select_from(Hazard).where(
            Hazard.admin_area_id.in_(hromadas), Hazard.record_state == "approved"))
    assert [r.keys["admin_area"] for r in limited] == [izium.id]
    assert limited[0].hazards == expected > 0


def test_progress_rejects_unknown_groupings(db_session):
    with pytest.raises(ProgressQueryError, match="unknown grouping"):
        progress(db_session, ("admin_area; DROP TABLE hazards",))
