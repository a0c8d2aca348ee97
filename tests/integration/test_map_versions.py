"""The staff map version (migration 0006): every change to a table that staff tiles and hazard
lists are drawn from raises it in the same transaction; reading never does."""
from __future__ import annotations

import importlib

import pytest
from sqlalchemy import text

from webapp.store.public_zones import STAFF_LAYER, layer_stamp

STAFF_SOURCES = importlib.import_module("migrations.versions.0006_staff_map_version").STAFF_SOURCES


def _version(session) -> int:
    return layer_stamp(session, STAFF_LAYER)[0]


@pytest.mark.parametrize("table", STAFF_SOURCES)
def test_every_statement_on_a_staff_source_raises_the_version(db_session, table):
    before = _version(db_session)
    db_session.execute(text(f"UPDATE {table} SET id = id WHERE false"))
    assert _version(db_session) == before + 1
    db_session.execute(text(f"DELETE FROM {table} WHERE false"))
    assert _version(db_session) == before + 2


def test_reading_and_other_tables_leave_the_version_alone(db_session):
    before = layer_stamp(db_session, STAFF_LAYER)
    db_session.execute(text("SELECT count(*) FROM hazards")).scalar()
    db_session.execute(text("UPDATE api_tokens SET last_used_at = now() WHERE false"))
    db_session.execute(text("UPDATE user_sessions SET last_seen_at = now() WHERE false"))
    assert layer_stamp(db_session, STAFF_LAYER) == before


def test_the_version_is_not_visible_before_the_change_commits(db_engine):
    """Another connection keeps seeing the old version until the writer commits: a tile read at
    version v can never hold data older than v."""
    with db_engine.connect() as reader:
        start = reader.execute(text("SELECT version FROM map_versions WHERE layer = 'staff'")).scalar_one()
        reader.commit()
        with db_engine.connect() as writer:
            writer.execute(text("UPDATE organisations SET name = name WHERE false"))
            assert reader.execute(text("SELECT version FROM map_versions WHERE layer = 'staff'")).scalar_one() == start
            reader.commit()
            writer.commit()
        assert reader.execute(text("SELECT version FROM map_versions WHERE layer = 'staff'")).scalar_one() == start + 1


def test_the_stored_perimeter_is_the_geodesic_length(db_session):
    db_session.execute(text("""
        INSERT INTO organisations (id, name, short_name, kind) VALUES (9901, 'Perimeter test', 'PT', 'operator')"""))
    length = db_session.execute(text("""
        INSERT INTO hazards (national_code, name, classification, status, record_state, date_of_information,
                             organisation_id, perimeter, remaining)
        SELECT 'T-PERIM', 'p', 'SHA', 'open', 'draft', DATE '2024-01-01', 9901, g, g
          FROM (SELECT ST_Multi(ST_GeomFromText(
                  'POLYGON((37 48, 37.0013 48, 37.0013 48.0005, 37 48.0005, 37 48))', 4326)) g) q
        RETURNING perimeter_m, ST_Perimeter(perimeter::geography)""")).one()
    assert length[0] == pytest.approx(length[1], abs=1e-6)
    assert 250 < length[0] < 350
