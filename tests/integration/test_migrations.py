"""Migrations build the whole schema from nothing, remove it again, and match the models."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from webapp.store import db
from webapp.store.models import AUDITED_TABLES, Base


def _tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_downgrade_to_base_and_up_again(fresh_db):
    assert _tables(fresh_db) == set()
    db.upgrade(fresh_db)
    expected = {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert _tables(fresh_db) == expected

    db.downgrade(fresh_db, "base")
    assert _tables(fresh_db) <= {"alembic_version"}
    engine = create_engine(fresh_db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_row_change'")).scalar() == 0
        # PostGIS itself stays: it is not ours to remove
        assert conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")).scalar() == 1
    engine.dispose()

    db.upgrade(fresh_db)
    assert _tables(fresh_db) == expected


def test_models_and_migrations_do_not_drift(db_engine):
    """What autogenerate would write for the migrated database is nothing."""
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_object": db.include_in_migrations, "compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_geometry_has_a_spatial_index(db_engine):
    with db_engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT f_table_name, f_geometry_column,
                   EXISTS (SELECT 1 FROM pg_indexes i
                            WHERE i.tablename = f_table_name AND i.indexdef ILIKE '%USING gist%'
                              AND i.indexdef ILIKE '%(' || f_geometry_column || ')%') AS indexed
              FROM geometry_columns WHERE f_table_schema = 'public'""")).all()
    assert rows, "no geometry columns found"
    missing = [f"{r.f_table_name}.{r.f_geometry_column}" for r in rows if not r.indexed]
    assert missing == []


def test_every_land_release_table_is_audited(db_engine):
    with db_engine.connect() as conn:
        triggers = {r[0] for r in conn.execute(text(
            "SELECT event_object_table FROM information_schema.triggers "
            "WHERE trigger_name LIKE 'audit_%'"))}
    assert set(AUDITED_TABLES) <= triggers
