"""Staff map version, stored perimeter length, overview zoom index.

- ``map_versions`` gets a ``staff`` counter, raised by a statement-level trigger on every table a
  staff tile is drawn from. It commits with the change that raised it, so a tile cached or tagged
  with version v never holds data older than v (decision record 0010).
- ``hazards.perimeter_m``: the geodesic perimeter as a stored generated column, like the areas, so
  that lists of hazards do not compute it for every row on every request.
- ``tile_large_*.detail_zoom`` indexes: at low zooms only a few large features are drawn as
  themselves; the index finds them without reading every box of the GiST index.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STAFF_SOURCES = ("hazards", "release_products", "reports", "activities", "eo_items", "survey_points",
                 "admin_areas", "organisations")
"""Every table whose rows staff tiles, hazard lists and progress figures read (the overview tables are
derived from these)."""
LARGE_TABLES = ("tile_large_hazards", "tile_large_remaining", "tile_large_products", "tile_large_public")

BUMP_FUNCTION = """
CREATE FUNCTION bump_map_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE map_versions SET version = version + 1, updated_at = now() WHERE layer = TG_ARGV[0];
    RETURN NULL;
END $$"""


def upgrade() -> None:
    op.execute("INSERT INTO map_versions (layer, version) VALUES ('staff', 1) ON CONFLICT (layer) DO NOTHING")
    op.execute(BUMP_FUNCTION)
    for table in STAFF_SOURCES:
        op.execute(f"CREATE TRIGGER map_version_staff AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_map_version('staff')")
        op.execute(f"CREATE TRIGGER map_version_staff_truncate AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_map_version('staff')")
    op.add_column("hazards", sa.Column("perimeter_m", sa.Double(),
                                       sa.Computed("ST_Perimeter(perimeter::geography)", persisted=True),
                                       nullable=True))
    for table in LARGE_TABLES:
        op.create_index(f"ix_{table}_detail_zoom", table, ["detail_zoom"], unique=False)


def downgrade() -> None:
    for table in LARGE_TABLES:
        op.drop_index(f"ix_{table}_detail_zoom", table_name=table)
    op.drop_column("hazards", "perimeter_m")
    for table in STAFF_SOURCES:
        op.execute(f"DROP TRIGGER map_version_staff_truncate ON {table}")
        op.execute(f"DROP TRIGGER map_version_staff ON {table}")
    op.execute("DROP FUNCTION bump_map_version()")
    op.execute("DELETE FROM map_versions WHERE layer = 'staff'")
