"""Public warning zones: the allow-listed public projection of approved hazards (public_zones, with
a GiST index for tiles and nearest-zone queries) and map_versions, one counter per map layer from
which tile ETags derive. The zones are filled from the existing hazards.

Neither table is audited: both are derived data, rebuilt at will from the audited hazards
(decision record 0008).

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table(
        "public_zones",
        sa.Column("hazard_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("national_code", sa.String(length=40), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("marking", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("last_survey_date", sa.Date(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("precision", sa.String(length=20), nullable=False),
        sa.Column("geom", Geometry(geometry_type="MULTIPOLYGON", srid=4326, dimension=2, spatial_index=False,
                                   from_text="ST_GeomFromEWKT", name="geometry"), nullable=False),
        sa.CheckConstraint("precision IN ('surveyed', 'approximate')", name=op.f("ck_public_zones_precision_valid")),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazards.id"], name=op.f("fk_public_zones_hazard_id_hazards"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("hazard_id", name=op.f("pk_public_zones")),
    )
    op.create_geospatial_index("ix_public_zones_geom", "public_zones", ["geom"], unique=False,
                               postgresql_using="gist", postgresql_ops={})
    op.create_table(
        "map_versions",
        sa.Column("layer", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("layer", name=op.f("pk_map_versions")),
    )
    op.execute("INSERT INTO map_versions (layer, version) VALUES ('public', 0)")
    # Fill the zones of existing hazards now, so that no public output ever answers from an empty
    # table after an upgrade. This is a frozen copy of the rule in webapp/store/public_zones.py at
    # this revision (migrations must not depend on code that later changes); `safeground public
    # refresh` recomputes with the current code.
    from webapp.config import Settings

    settings = Settings.from_env()
    margin = max(0.0, settings.public_safety_margin_m)
    inner = min(1.0, margin / 2)
    op.get_bind().execute(sa.text(INITIAL_ZONES), {
        "margin": margin, "inner": inner, "outer": margin - inner,
        "simplify": min(max(0.0, settings.public_simplify_m), margin / 4),
        "approx_radius": max(1000.0, settings.public_approximate_radius_m),
        "tolerance_m2": max(0.0, settings.release_tolerance_m2)})
    op.execute("UPDATE map_versions SET version = version + 1, updated_at = now() "
               "WHERE layer = 'public' AND EXISTS (SELECT 1 FROM public_zones)")


INITIAL_ZONES = """
    WITH src AS (
        SELECT h.id AS hazard_id, h.national_code, h.classification, h.status, h.marking,
               COALESCE(h.last_applied_date, h.date_of_information) AS last_survey_date,
               o.name AS organisation,
               (h.location_precision = 'community_centre' OR h.perimeter IS NULL) AS coarse,
               CASE WHEN h.location_precision = 'surveyed' AND h.perimeter IS NOT NULL
                    THEN 'surveyed' ELSE 'approximate' END AS precision,
               COALESCE(h.remaining, h.perimeter) AS shape,
               COALESCE(h.location, ST_PointOnSurface(COALESCE(h.remaining, h.perimeter))) AS centre
          FROM hazards h
          JOIN organisations o ON o.id = h.organisation_id
         WHERE h.record_state = 'approved' AND h.deleted_at IS NULL
           AND h.status NOT IN ('closed', 'handed_over')
           AND (h.perimeter IS NULL
                OR COALESCE(h.remaining_area_m2, h.original_area_m2) > :tolerance_m2)
    ),
    projected AS (
        SELECT s.*, (CASE WHEN ST_Y(s.centre) >= 0 THEN 32600 ELSE 32700 END)
                      + LEAST(60, GREATEST(1, floor((ST_X(s.centre) + 180) / 6)::int + 1)) AS utm
          FROM src s
    ),
    shaped AS (
        SELECT p.*,
               CASE WHEN p.coarse THEN
                        ST_Transform(ST_Buffer(ST_Transform(p.centre, p.utm),
                            GREATEST(:approx_radius,
                                     COALESCE(ST_MaxDistance(ST_Transform(p.centre, p.utm),
                                                             ST_Transform(p.shape, p.utm)), 0)
                                     + :margin) / cos(pi() / 32)), 4326)
                    ELSE
                        ST_Transform(ST_Buffer(ST_SimplifyPreserveTopology(
                            ST_Buffer(ST_Transform(p.shape, p.utm), :inner), :simplify), :outer), 4326)
               END AS zone
          FROM projected p
    ),
    checked AS (
        SELECT s.*, (s.shape IS NULL OR ST_Covers(s.zone, s.shape)) AS covers
          FROM shaped s WHERE NOT ST_IsEmpty(s.zone)
    )
    INSERT INTO public_zones (hazard_id, national_code, classification, status, marking,
                              last_survey_date, organisation, precision, geom)
    SELECT c.hazard_id, c.national_code, c.classification, c.status, c.marking,
           c.last_survey_date, c.organisation, c.precision,
           ST_Multi(CASE WHEN c.covers THEN c.zone ELSE (
               SELECT CASE WHEN ST_Covers(q.exact, c.shape) THEN q.exact
                           ELSE ST_CollectionExtract(ST_Union(q.exact, c.shape), 3) END
                 FROM (SELECT CASE WHEN c.coarse THEN c.zone
                                   ELSE ST_Transform(ST_Buffer(ST_Buffer(
                                       ST_Transform(c.shape, c.utm), :inner), :outer), 4326)
                              END AS exact) q
           ) END)::geometry(MultiPolygon, 4326)
      FROM checked c
"""


def downgrade() -> None:
    op.drop_table("map_versions")
    op.drop_geospatial_index("ix_public_zones_geom", table_name="public_zones", postgresql_using="gist",
                             column_name="geom")
    op.drop_geospatial_table("public_zones")
