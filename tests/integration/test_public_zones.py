"""Public warning zones: who gets one, what it covers, and how refresh keeps it current."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import create_engine, inspect, text

from webapp.config import Settings
from webapp.store import db, land_release
from webapp.store.public_zones import ALLOWED_PROPERTIES, layer_version, refresh

GEOD = Geod(ellps="WGS84")
SETTINGS = Settings()  # margin 50 m, generalisation 10 m, approximate circles of 1 km
MARGIN = SETTINGS.public_safety_margin_m
SIMPLIFY = min(SETTINGS.public_simplify_m, MARGIN / 4)

PUBLIC_HAZARDS = """
    SELECT h.id FROM hazards h
     WHERE h.record_state = 'approved' AND h.deleted_at IS NULL
       AND h.status NOT IN ('closed', 'handed_over')
       AND (h.perimeter IS NULL OR COALESCE(h.remaining_area_m2, h.original_area_m2) > :tol)
"""

UNCOVERED = """
    SELECT h.national_code FROM public_zones z JOIN hazards h ON h.id = z.hazard_id
     WHERE h.perimeter IS NOT NULL AND NOT ST_Covers(z.geom, COALESCE(h.remaining, h.perimeter))
"""

# the smallest gap between the edge of a surveyed zone and its hazard, and the furthest a zone's
# vertex lies from the hazard, both geodesic
MARGINS = """
    SELECT min(ST_Distance(ST_Boundary(z.geom)::geography, COALESCE(h.remaining, h.perimeter)::geography))
             AS min_gap,
           max((SELECT max(ST_Distance(d.geom::geography, COALESCE(h.remaining, h.perimeter)::geography))
                  FROM ST_DumpPoints(z.geom) d)) AS max_reach
      FROM public_zones z JOIN hazards h ON h.id = z.hazard_id
     WHERE z.precision = 'surveyed'
"""


def _rectangle(lon: float, lat: float, width_m: float = 100, height_m: float = 50) -> Polygon:
    """A width × height rectangle whose south-west corner is (lon, lat)."""
    east, _, _ = GEOD.fwd(lon, lat, 90, width_m)
    _, north, _ = GEOD.fwd(lon, lat, 0, height_m)
    return Polygon([(lon, lat), (east, lat), (east, north), (lon, north), (lon, lat)])


def _ewkt(geom) -> str:
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    return f"SRID=4326;{geom.wkt}"


class Place:
    """Hazards laid out 5 km apart along 48°N so that no zone touches another."""

    def __init__(self, session):
        self.session = session
        self.org = session.execute(text(
            "INSERT INTO organisations (name, short_name, kind) VALUES ('Zone test operator', 'ZTO', "
            "'operator') RETURNING id")).scalar_one()
        self.n = 0

    def hazard(self, code: str, *, state="approved", status="open", precision="surveyed",
               perimeter=True, location=None, deleted=False, marking=("signs",)) -> int:
        self.n += 1
        lon, lat = 36.0 + 0.07 * self.n, 48.0
        shape = _rectangle(lon, lat) if perimeter else None
        point = location or (shape.centroid.coords[0] if shape is not None else (lon, lat))
        hid = self.session.execute(text("""
            INSERT INTO hazards (national_code, name, classification, status, record_state,
                                 location_precision, date_of_information, last_applied_date,
                                 organisation_id, perimeter, location, marking, deleted_at)
            VALUES (:code, :name, 'CHA', :status, :state, :precision, DATE '2024-05-01', DATE '2024-07-01',
                    :org, ST_GeomFromEWKT(:perimeter), ST_SetSRID(ST_MakePoint(:x, :y), 4326),
                    :marking, CASE WHEN :deleted THEN now() END)
            RETURNING id"""), {
            "code": code, "name": f"Secret name of {code}", "status": status, "state": state,
            "precision": precision, "org": self.org,
            "perimeter": _ewkt(shape) if shape is not None else None, "x": point[0], "y": point[1],
            "marking": list(marking), "deleted": deleted}).scalar_one()
        land_release.recompute_remaining(self.session, [hid])
        return hid

    def release(self, hazard_id: int, share: float) -> None:
        """Release the western ``share`` of the hazard (an applied cancelled product)."""
        self.session.execute(text("""
            INSERT INTO release_products (hazard_id, product_type, geom, date_released, applied)
            SELECT id, 'cancelled',
                   ST_Multi(ST_Intersection(perimeter, ST_MakeEnvelope(
                       ST_XMin(perimeter) - 1, ST_YMin(perimeter) - 1,
                       ST_XMin(perimeter) + (ST_XMax(perimeter) - ST_XMin(perimeter)) * :share,
                       ST_YMax(perimeter) + 1, 4326))),
                   DATE '2024-06-01', true
              FROM hazards WHERE id = :id"""), {"id": hazard_id, "share": share})
        land_release.recompute_remaining(self.session, [hazard_id])


def _zones(session) -> dict:
    rows = session.execute(text("""
        SELECT national_code, classification, status, marking, last_survey_date, organisation, precision,
               hazard_id FROM public_zones""")).mappings().all()
    return {r["national_code"]: dict(r) for r in rows}


# -- the demo data -------------------------------------------------------------------------------------
def test_the_demo_loader_fills_one_zone_per_public_hazard(demo_engine):
    with demo_engine.connect() as conn:
        public = set(conn.execute(text(PUBLIC_HAZARDS), {"tol": SETTINGS.release_tolerance_m2}).scalars())
        zoned = set(conn.execute(text("SELECT hazard_id FROM public_zones")).scalars())
        assert public and zoned == public
        assert conn.execute(text("SELECT version FROM map_versions WHERE layer = 'public'")).scalar() >= 1
        # nothing that must stay private has a zone
        counts = conn.execute(text("""
            SELECT count(*) FILTER (WHERE h.record_state <> 'approved') AS unapproved,
                   count(*) FILTER (WHERE h.status IN ('closed', 'handed_over')) AS closed,
                   count(*) FILTER (WHERE h.deleted_at IS NOT NULL) AS deleted,
                   count(*) FILTER (WHERE h.remaining_area_m2 <= :tol) AS released
              FROM public_zones z JOIN hazards h ON h.id = z.hazard_id"""),
            {"tol": SETTINGS.release_tolerance_m2}).one()
        assert tuple(counts) == (0, 0, 0, 0)
        # while the demo does hold such hazards
        assert conn.execute(text("SELECT count(*) FROM hazards WHERE record_state <> 'approved'")).scalar() > 0
        assert conn.execute(text("SELECT count(*) FROM hazards WHERE status IN ('closed', 'handed_over')")).scalar() > 0


def test_every_demo_zone_covers_the_whole_remaining_hazard_with_the_margin(demo_engine):
    with demo_engine.connect() as conn:
        assert conn.execute(text(UNCOVERED)).scalars().all() == []
        gap, reach = conn.execute(text(MARGINS)).one()
    # generalisation may take the edge in by up to its tolerance, and out by as much
    assert gap >= MARGIN - SIMPLIFY - 1.0
    assert reach <= MARGIN + SIMPLIFY + 1.5


def test_zones_are_valid_multipolygons_in_wgs84(demo_engine):
    with demo_engine.connect() as conn:
        bad = conn.execute(text("""
            SELECT count(*) FROM public_zones
             WHERE NOT ST_IsValid(geom) OR ST_IsEmpty(geom) OR ST_SRID(geom) <> 4326
                OR GeometryType(geom) <> 'MULTIPOLYGON'""")).scalar()
    assert bad == 0


def test_the_table_holds_the_allow_list_and_nothing_else(db_engine):
    """Adding a column to public_zones must be a decision: this test names every column."""
    columns = {c["name"] for c in inspect(db_engine).get_columns("public_zones")}
    assert columns == {"hazard_id", "geom", *ALLOWED_PROPERTIES}


# -- who gets a zone ---------------------------------------------------------------------------------------
def test_only_approved_open_hazards_with_land_left_get_a_zone(db_session):
    place = Place(db_session)
    place.hazard("T-OPEN")
    place.hazard("T-SUSPENDED", status="suspended")
    worked = place.hazard("T-WORKED", status="worked_on")
    place.release(worked, 0.5)
    place.hazard("T-DRAFT", state="draft")
    place.hazard("T-SUBMITTED", state="submitted")
    place.hazard("T-REJECTED", state="rejected")
    place.hazard("T-DELETED", deleted=True)
    place.hazard("T-CLOSED", status="closed")
    place.hazard("T-HANDED-OVER", status="handed_over")
    released = place.hazard("T-RELEASED", status="worked_on")
    place.release(released, 1.5)  # everything released, the status not yet updated

    written = refresh(db_session, SETTINGS)
    zones = _zones(db_session)
    assert set(zones) == {"T-OPEN", "T-SUSPENDED", "T-WORKED"}
    assert written == 3
    assert zones["T-OPEN"] == {
        "national_code": "T-OPEN", "classification": "CHA", "status": "open", "marking": ["signs"],
        "last_survey_date": dt.date(2024, 7, 1), "organisation": "Zone test operator",
        "precision": "surveyed", "hazard_id": zones["T-OPEN"]["hazard_id"]}
    assert db_session.execute(text(UNCOVERED)).scalars().all() == []
    gap, reach = db_session.execute(text(MARGINS)).one()
    assert gap >= MARGIN - SIMPLIFY - 1.0 and reach <= MARGIN + SIMPLIFY + 1.5


def test_the_zone_of_a_worked_hazard_follows_what_remains(db_session):
    place = Place(db_session)
    hid = place.hazard("T-WORKED", status="worked_on")
    refresh(db_session, SETTINGS)
    before = db_session.execute(text("SELECT ST_Area(geom::geography) FROM public_zones")).scalar()
    place.release(hid, 0.5)
    assert refresh(db_session, SETTINGS, [hid]) == 1
    after = db_session.execute(text("SELECT ST_Area(geom::geography) FROM public_zones")).scalar()
    # the rectangle is 100 m × 50 m; its western half released, the zone (50 m margin all round)
    # loses a 50 m wide band of its full height: 50 × (50 + 2 × 50) = 7,500 m²
    assert before - after == pytest.approx(7500, rel=0.03)
    assert db_session.execute(text(UNCOVERED)).scalars().all() == []


def test_a_community_centre_hazard_is_only_ever_a_coarse_approximate_circle(db_session):
    place = Place(db_session)
    centre = (36.5, 48.2)
    place.hazard("T-CC-POINT", precision="community_centre", perimeter=False, location=centre)
    place.hazard("T-CC-SHAPE", precision="community_centre")
    place.hazard("T-APPROX", precision="approximate")
    refresh(db_session, SETTINGS)

    zones = _zones(db_session)
    assert {code: z["precision"] for code, z in zones.items()} == {
        "T-CC-POINT": "approximate", "T-CC-SHAPE": "approximate", "T-APPROX": "approximate"}
    radius = SETTINGS.public_approximate_radius_m
    assert radius >= 1000
    rows = db_session.execute(text("""
        SELECT h.national_code,
               ST_Distance(h.location::geography, ST_Boundary(z.geom)::geography) AS inner_radius,
               (SELECT max(ST_Distance(h.location::geography, d.geom::geography))
                  FROM ST_DumpPoints(z.geom) d) AS outer_radius,
               ST_NPoints(z.geom) AS points,
               h.perimeter IS NULL OR ST_Covers(z.geom, h.perimeter) AS covers
          FROM public_zones z JOIN hazards h ON h.id = z.hazard_id
         WHERE h.location_precision = 'community_centre'""")).mappings().all()
    assert len(rows) == 2
    for row in rows:
        # a circle round the community centre: never the recorded shape, never smaller than the setting
        assert row["inner_radius"] >= radius - 1, row
        assert row["outer_radius"] <= radius / math.cos(math.pi / 32) * 1.01 + MARGIN + 200, row
        assert row["points"] == 33, row
        assert row["covers"], row
    point_only = next(r for r in rows if r["national_code"] == "T-CC-POINT")
    assert point_only["outer_radius"] == pytest.approx(radius / math.cos(math.pi / 32), rel=0.01)


def test_a_larger_national_margin_gives_larger_zones(db_session):
    place = Place(db_session)
    place.hazard("T-OPEN")
    wide = Settings(public_safety_margin_m=100.0)
    refresh(db_session, wide)
    gap, reach = db_session.execute(text(MARGINS)).one()
    assert gap >= 100 - SIMPLIFY - 1.0
    assert reach <= 100 + SIMPLIFY + 1.5


# -- refresh ---------------------------------------------------------------------------------------------------
def test_refreshing_one_hazard_rewrites_only_its_zone_and_bumps_the_version(db_session):
    place = Place(db_session)
    a = place.hazard("T-A")
    b = place.hazard("T-B")
    assert refresh(db_session, SETTINGS) == 2
    version = layer_version(db_session)

    def ctid(hid):
        return db_session.execute(text("SELECT ctid::text FROM public_zones WHERE hazard_id = :h"),
                                  {"h": hid}).scalar()

    b_row = ctid(b)
    db_session.execute(text("UPDATE hazards SET marking = '{fence,paint}' WHERE id = :a"), {"a": a})
    assert refresh(db_session, SETTINGS, [a]) == 1
    assert layer_version(db_session) == version + 1
    assert _zones(db_session)["T-A"]["marking"] == ["fence", "paint"]
    assert ctid(b) == b_row  # B's row was not rewritten

    # nothing changed: nothing written, the version (and every tile ETag) stays
    assert refresh(db_session, SETTINGS, [a]) == 0
    assert refresh(db_session, SETTINGS) == 0
    assert layer_version(db_session) == version + 1
    assert ctid(b) == b_row

    # closing the hazard removes its zone
    db_session.execute(text("UPDATE hazards SET status = 'closed' WHERE id = :a"), {"a": a})
    assert refresh(db_session, SETTINGS, [a]) == 1
    assert set(_zones(db_session)) == {"T-B"}
    assert layer_version(db_session) == version + 2
    assert refresh(db_session, SETTINGS, []) == 0
    assert refresh(db_session, SETTINGS, [999_999]) == 0


def test_a_deleted_hazard_loses_its_zone_and_a_hard_delete_cascades(db_session):
    place = Place(db_session)
    a = place.hazard("T-A")
    b = place.hazard("T-B")
    refresh(db_session, SETTINGS)
    db_session.execute(text("UPDATE hazards SET deleted_at = now() WHERE id = :a"), {"a": a})
    refresh(db_session, SETTINGS, [a])
    assert set(_zones(db_session)) == {"T-B"}
    db_session.execute(text("DELETE FROM hazards WHERE id = :b"), {"b": b})
    assert _zones(db_session) == {}


def test_the_refresh_command_applies_the_configured_margin(fresh_db, make_app):
    db.upgrade(fresh_db)
    engine = create_engine(fresh_db)
    try:
        with engine.begin() as conn:
            Place(conn).hazard("T-CLI")
            refresh(conn, SETTINGS)
        runner = make_app(fresh_db, public_safety_margin_m=80.0).test_cli_runner()
        result = runner.invoke(args=["public", "refresh"])
        assert result.exit_code == 0, result.output
        assert "1 written or removed" in result.output
        with engine.connect() as conn:
            gap, _ = conn.execute(text(MARGINS)).one()
        assert gap >= 80 - SIMPLIFY - 1.0
        result = runner.invoke(args=["public", "refresh", "--hazard", "1", "--hazard", "2"])
        assert result.exit_code == 0 and "0 written or removed" in result.output
    finally:
        engine.dispose()


def test_upgrading_a_database_that_holds_hazards_fills_their_zones(fresh_db):
    db.upgrade(fresh_db, "0003")
    engine = create_engine(fresh_db)
    try:
        with engine.begin() as conn:
            Place(conn).hazard("T-BEFORE-UPGRADE")
        db.upgrade(fresh_db)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT national_code FROM public_zones")).scalars().all() == [
                "T-BEFORE-UPGRADE"]
            assert conn.execute(text(UNCOVERED)).scalars().all() == []
            assert conn.execute(text("SELECT version FROM map_versions WHERE layer = 'public'")).scalar() == 1
    finally:
        engine.dispose()
