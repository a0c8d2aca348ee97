"""Land-release schema: organisations, users, gazetteer, hazards, survey points, activities,
reports, release products, EO items and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 00:00:44.178820
"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_geospatial_table('admin_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('names', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('area_m2', sa.Double(), sa.Computed('ST_Area(geom::geography)', persisted=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('level BETWEEN 0 AND 5', name=op.f('ck_admin_areas_level_valid')),
    sa.ForeignKeyConstraint(['parent_id'], ['admin_areas.id'], name=op.f('fk_admin_areas_parent_id_admin_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_admin_areas_code'))
    )
    op.create_index(op.f('ix_admin_areas_parent_id'), 'admin_areas', ['parent_id'], unique=False)
    op.create_geospatial_index('ix_admin_areas_geom', 'admin_areas', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.Text(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_object', 'audit_log', ['table_name', 'row_id', 'at'], unique=False)
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), server_default='UA', nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("kind IN ('operator', 'authority', 'local_authority', 'donor')", name=op.f('ck_organisations_kind_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name')),
    sa.UniqueConstraint('short_name', name=op.f('uq_organisations_short_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("role IN ('surveyor', 'team_leader', 'approver', 'viewer', 'admin')", name=op.f('ck_users_role_valid')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_index(op.f('ix_users_organisation_id'), 'users', ['organisation_id'], unique=False)
    op.create_index('uq_users_email_lower', 'users', [sa.literal_column('lower(email)')], unique=True)
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)
    op.create_geospatial_table('hazards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='open', nullable=False),
    sa.Column('record_state', sa.String(length=20), server_default='draft', nullable=False),
    sa.Column('contamination_types', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('priority', sa.SmallInteger(), server_default='3', nullable=False),
    sa.Column('land_use_blocked', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('marking', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('location_precision', sa.String(length=20), server_default='surveyed', nullable=False),
    sa.Column('date_of_information', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('admin_area_id', sa.Integer(), nullable=True),
    sa.Column('parent_hazard_id', sa.Integer(), nullable=True),
    sa.Column('perimeter', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('original_area_m2', sa.Double(), sa.Computed('ST_Area(perimeter::geography)', persisted=True), nullable=True),
    sa.Column('remaining', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('remaining_area_m2', sa.Double(), sa.Computed('ST_Area(remaining::geography)', persisted=True), nullable=True),
    sa.Column('last_applied_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("classification IN ('SHA', 'CHA', 'EOD_SPOT_TASK', 'ASA')", name=op.f('ck_hazards_classification_valid')),
    sa.CheckConstraint("contamination_types <@ ARRAY['ap_mines', 'at_mines', 'uxo', 'axo', 'cluster_munitions', 'ied', 'booby_traps', 'saa']::text[]", name=op.f('ck_hazards_contamination_types_valid')),
    sa.CheckConstraint("land_use_blocked <@ ARRAY['agriculture', 'housing', 'infrastructure', 'forestry', 'pasture', 'water', 'industry', 'other']::text[]", name=op.f('ck_hazards_land_use_blocked_valid')),
    sa.CheckConstraint("location_precision IN ('surveyed', 'approximate', 'community_centre')", name=op.f('ck_hazards_location_precision_valid')),
    sa.CheckConstraint("marking <@ ARRAY['signs', 'paint', 'fence', 'barrier', 'natural']::text[]", name=op.f('ck_hazards_marking_valid')),
    sa.CheckConstraint("record_state IN ('draft', 'submitted', 'approved', 'rejected')", name=op.f('ck_hazards_record_state_valid')),
    sa.CheckConstraint("status IN ('open', 'worked_on', 'closed', 'handed_over', 'suspended')", name=op.f('ck_hazards_status_valid')),
    sa.CheckConstraint('perimeter IS NOT NULL OR location IS NOT NULL', name=op.f('ck_hazards_has_location')),
    sa.CheckConstraint('perimeter IS NULL OR ST_IsValid(perimeter)', name=op.f('ck_hazards_perimeter_valid')),
    sa.CheckConstraint('priority BETWEEN 1 AND 5', name=op.f('ck_hazards_priority_valid')),
    sa.ForeignKeyConstraint(['admin_area_id'], ['admin_areas.id'], name=op.f('fk_hazards_admin_area_id_admin_areas')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_hazards_approved_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hazards_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_hazards_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['parent_hazard_id'], ['hazards.id'], name=op.f('fk_hazards_parent_hazard_id_hazards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazards')),
    sa.UniqueConstraint('national_code', name=op.f('uq_hazards_national_code'))
    )
    op.create_index(op.f('ix_hazards_admin_area_id'), 'hazards', ['admin_area_id'], unique=False)
    op.create_geospatial_index('ix_hazards_location', 'hazards', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_hazards_organisation_id'), 'hazards', ['organisation_id'], unique=False)
    op.create_geospatial_index('ix_hazards_perimeter', 'hazards', ['perimeter'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_index('ix_hazards_remaining', 'hazards', ['remaining'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('user_admin_areas',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('admin_area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['admin_area_id'], ['admin_areas.id'], name=op.f('fk_user_admin_areas_admin_area_id_admin_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_admin_areas_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'admin_area_id', name=op.f('pk_user_admin_areas'))
    )
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('activity_type', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='planned', nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=True),
    sa.Column('asset', sa.String(length=100), nullable=True),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('clearance_depth_cm', sa.SmallInteger(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("activity_type <> 'clearance' OR clearance_depth_cm IS NOT NULL", name=op.f('ck_activities_clearance_needs_depth')),
    sa.CheckConstraint("activity_type IN ('nts', 'ts', 'clearance', 'eod_spot_task', 'post_clearance_inspection')", name=op.f('ck_activities_activity_type_valid')),
    sa.CheckConstraint("method IN ('nts', 'manual', 'mechanical', 'mdd', 'eod', 'mixed')", name=op.f('ck_activities_method_valid')),
    sa.CheckConstraint("status IN ('planned', 'ongoing', 'completed', 'suspended', 'aborted')", name=op.f('ck_activities_status_valid')),
    sa.CheckConstraint('clearance_depth_cm IS NULL OR clearance_depth_cm > 0', name=op.f('ck_activities_depth_positive')),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_activities_dates_ordered')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_activities_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_activities_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    op.create_index(op.f('ix_activities_hazard_id'), 'activities', ['hazard_id'], unique=False)
    op.create_index(op.f('ix_activities_organisation_id'), 'activities', ['organisation_id'], unique=False)
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('report_type', sa.String(length=20), nullable=False),
    sa.Column('workflow_state', sa.String(length=20), server_default='draft', nullable=False),
    sa.Column('date_of_information', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('confirms_cha', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.Column('out_of_order', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("report_type IN ('nts', 'ts', 'clearance', 'eod_spot_task', 'completion')", name=op.f('ck_reports_report_type_valid')),
    sa.CheckConstraint("workflow_state IN ('draft', 'submitted', 'approved', 'rejected')", name=op.f('ck_reports_workflow_state_valid')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_reports_activity_id_activities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_reports_decided_by_id_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_reports_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_reports_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    op.create_index(op.f('ix_reports_activity_id'), 'reports', ['activity_id'], unique=False)
    op.create_index(op.f('ix_reports_hazard_id'), 'reports', ['hazard_id'], unique=False)
    op.create_index(op.f('ix_reports_organisation_id'), 'reports', ['organisation_id'], unique=False)
    op.create_geospatial_table('eo_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('fuze', sa.String(length=100), nullable=True),
    sa.Column('condition', sa.String(length=20), server_default='unknown', nullable=False),
    sa.Column('quantity', sa.Integer(), server_default='1', nullable=False),
    sa.Column('depth_cm', sa.SmallInteger(), nullable=True),
    sa.Column('found_on', sa.Date(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("category IN ('ap_mine', 'at_mine', 'uxo', 'axo', 'submunition', 'ied', 'saa', 'other')", name=op.f('ck_eo_items_category_valid')),
    sa.CheckConstraint("condition IN ('armed', 'unarmed', 'damaged', 'unknown')", name=op.f('ck_eo_items_condition_valid')),
    sa.CheckConstraint('depth_cm IS NULL OR depth_cm >= 0', name=op.f('ck_eo_items_depth_valid')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_eo_items_quantity_positive')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_eo_items_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_eo_items_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eo_items'))
    )
    op.create_geospatial_index('ix_eo_items_geom', 'eo_items', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_eo_items_hazard_id'), 'eo_items', ['hazard_id'], unique=False)
    op.create_index(op.f('ix_eo_items_report_id'), 'eo_items', ['report_id'], unique=False)
    op.create_geospatial_table('release_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('product_type', sa.String(length=20), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('area_m2', sa.Double(), sa.Computed('ST_Area(geom::geography)', persisted=True), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=True),
    sa.Column('clearance_depth_cm', sa.SmallInteger(), nullable=True),
    sa.Column('date_released', sa.Date(), nullable=False),
    sa.Column('applied', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("product_type <> 'cleared' OR clearance_depth_cm IS NOT NULL", name=op.f('ck_release_products_cleared_needs_depth')),
    sa.CheckConstraint("product_type IN ('cancelled', 'reduced', 'cleared')", name=op.f('ck_release_products_product_type_valid')),
    sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_release_products_geom_valid')),
    sa.CheckConstraint('clearance_depth_cm IS NULL OR clearance_depth_cm > 0', name=op.f('ck_release_products_depth_positive')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_release_products_activity_id_activities')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_release_products_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_release_products_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_products'))
    )
    op.create_index(op.f('ix_release_products_activity_id'), 'release_products', ['activity_id'], unique=False)
    op.create_index('ix_release_products_applied', 'release_products', ['hazard_id'], unique=False, postgresql_where=sa.text('applied'))
    op.create_geospatial_index('ix_release_products_geom', 'release_products', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_release_products_hazard_id'), 'release_products', ['hazard_id'], unique=False)
    op.create_index(op.f('ix_release_products_report_id'), 'release_products', ['report_id'], unique=False)
    op.create_geospatial_table('survey_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('point_type', sa.String(length=20), nullable=False),
    sa.Column('input_format', sa.String(length=20), nullable=False),
    sa.Column('input_text', sa.Text(), nullable=True),
    sa.Column('bearing', sa.Double(), nullable=True),
    sa.Column('bearing_unit', sa.String(length=4), nullable=True),
    sa.Column('bearing_reference', sa.String(length=10), nullable=True),
    sa.Column('declination_deg', sa.Double(), nullable=True),
    sa.Column('distance_m', sa.Double(), nullable=True),
    sa.Column('from_point_id', sa.Integer(), nullable=True),
    sa.Column('marker', sa.Text(), nullable=True),
    sa.Column('altitude_m', sa.Double(), nullable=True),
    sa.Column('accuracy_m', sa.Double(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.CheckConstraint("bearing_reference IS NULL OR bearing_reference IN ('true', 'magnetic', 'grid')", name=op.f('ck_survey_points_bearing_reference_valid')),
    sa.CheckConstraint("bearing_unit IS NULL OR bearing_unit IN ('deg', 'mils')", name=op.f('ck_survey_points_bearing_unit_valid')),
    sa.CheckConstraint("input_format IN ('DD', 'DDM', 'DMS', 'UTM', 'MGRS', 'bearing_distance', 'drawn', 'odk', 'gpx', 'file')", name=op.f('ck_survey_points_input_format_valid')),
    sa.CheckConstraint("point_type IN ('reference', 'benchmark', 'start', 'turning', 'intermediate', 'end', 'evidence')", name=op.f('ck_survey_points_point_type_valid')),
    sa.CheckConstraint('distance_m IS NULL OR distance_m > 0', name=op.f('ck_survey_points_distance_positive')),
    sa.ForeignKeyConstraint(['from_point_id'], ['survey_points.id'], name=op.f('fk_survey_points_from_point_id_survey_points')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_survey_points_hazard_id_hazards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['release_products.id'], name=op.f('fk_survey_points_product_id_release_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_points'))
    )
    op.create_geospatial_index('ix_survey_points_geom', 'survey_points', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_survey_points_hazard_id'), 'survey_points', ['hazard_id'], unique=False)
    op.create_index(op.f('ix_survey_points_product_id'), 'survey_points', ['product_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_survey_points_product_id'), table_name='survey_points')
    op.drop_index(op.f('ix_survey_points_hazard_id'), table_name='survey_points')
    op.drop_geospatial_index('ix_survey_points_geom', table_name='survey_points', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('survey_points')
    op.drop_index(op.f('ix_release_products_report_id'), table_name='release_products')
    op.drop_index(op.f('ix_release_products_hazard_id'), table_name='release_products')
    op.drop_geospatial_index('ix_release_products_geom', table_name='release_products', postgresql_using='gist', column_name='geom')
    op.drop_index('ix_release_products_applied', table_name='release_products', postgresql_where=sa.text('applied'))
    op.drop_index(op.f('ix_release_products_activity_id'), table_name='release_products')
    op.drop_geospatial_table('release_products')
    op.drop_index(op.f('ix_eo_items_report_id'), table_name='eo_items')
    op.drop_index(op.f('ix_eo_items_hazard_id'), table_name='eo_items')
    op.drop_geospatial_index('ix_eo_items_geom', table_name='eo_items', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('eo_items')
    op.drop_index(op.f('ix_reports_organisation_id'), table_name='reports')
    op.drop_index(op.f('ix_reports_hazard_id'), table_name='reports')
    op.drop_index(op.f('ix_reports_activity_id'), table_name='reports')
    op.drop_table('reports')
    op.drop_index(op.f('ix_activities_organisation_id'), table_name='activities')
    op.drop_index(op.f('ix_activities_hazard_id'), table_name='activities')
    op.drop_table('activities')
    op.drop_table('user_admin_areas')
    op.drop_geospatial_index('ix_hazards_remaining', table_name='hazards', postgresql_using='gist', column_name='remaining')
    op.drop_geospatial_index('ix_hazards_perimeter', table_name='hazards', postgresql_using='gist', column_name='perimeter')
    op.drop_index(op.f('ix_hazards_organisation_id'), table_name='hazards')
    op.drop_geospatial_index('ix_hazards_location', table_name='hazards', postgresql_using='gist', column_name='location')
    op.drop_index(op.f('ix_hazards_admin_area_id'), table_name='hazards')
    op.drop_geospatial_table('hazards')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_index('uq_users_email_lower', table_name='users')
    op.drop_index(op.f('ix_users_organisation_id'), table_name='users')
    op.drop_table('users')
    op.drop_table('organisations')
    op.drop_index('ix_audit_log_object', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index(op.f('ix_admin_areas_parent_id'), table_name='admin_areas')
    op.drop_geospatial_index('ix_admin_areas_geom', table_name='admin_areas', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('admin_areas')
