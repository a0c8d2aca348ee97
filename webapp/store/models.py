"""SQLAlchemy 2 + GeoAlchemy2 models of the land-release data (see the domain notes).

Conventions:
- geometries are EPSG:4326, polygons always MultiPolygon, with a GiST index each;
- areas are stored in m², computed geodesically by PostGIS as generated columns
  (``ST_Area(geom::geography)``), so they can never disagree with the geometry;
- value sets (classification, status …) are text columns with CHECK constraints, listed once below,
  so that a programme can extend them with a migration rather than an enum type rewrite;
- mutable records carry a ``version`` column for optimistic locking;
- the audit log is written by database triggers (see the migration), so every change is recorded
  whatever path it takes.
"""
from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, Computed, Date, DateTime, Double, ForeignKey,
    Index, Integer, MetaData, SmallInteger, String, Table, Text, func, text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

# -- value sets -------------------------------------------------------------------------------
ROLES = ("surveyor", "team_leader", "approver", "viewer", "admin")
ORGANISATION_KINDS = ("operator", "authority", "local_authority", "donor")
CLASSIFICATIONS = ("SHA", "CHA", "EOD_SPOT_TASK", "ASA")
HAZARD_STATUSES = ("open", "worked_on", "closed", "handed_over", "suspended")
RECORD_STATES = ("draft", "submitted", "approved", "rejected")
LOCATION_PRECISIONS = ("surveyed", "approximate", "community_centre")
CONTAMINATION_TYPES = ("ap_mines", "at_mines", "uxo", "axo", "cluster_munitions", "ied", "booby_traps", "saa")
LAND_USES = ("agriculture", "housing", "infrastructure", "forestry", "pasture", "water", "industry", "other")
MARKINGS = ("signs", "paint", "fence", "barrier", "natural")
POINT_TYPES = ("reference", "benchmark", "start", "turning", "intermediate", "end", "evidence")
INPUT_FORMATS = ("DD", "DDM", "DMS", "UTM", "MGRS", "bearing_distance", "drawn", "odk", "gpx", "file")
BEARING_REFERENCES = ("true", "magnetic", "grid")
ACTIVITY_TYPES = ("nts", "ts", "clearance", "eod_spot_task", "post_clearance_inspection")
ACTIVITY_STATUSES = ("planned", "ongoing", "completed", "suspended", "aborted")
METHODS = ("nts", "manual", "mechanical", "mdd", "eod", "mixed")
REPORT_TYPES = ("nts", "ts", "clearance", "eod_spot_task", "completion")
PRODUCT_TYPES = ("cancelled", "reduced", "cleared")
EO_CATEGORIES = ("ap_mine", "at_mine", "uxo", "axo", "submunition", "ied", "saa", "other")
EO_CONDITIONS = ("armed", "unarmed", "damaged", "unknown")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"{column}_valid")


def all_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} <@ ARRAY[{listed}]::text[]", name=f"{column}_valid")


def geodesic_area(column: str) -> Computed:
    return Computed(f"ST_Area({column}::geography)", persisted=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                    onupdate=func.now())


class Versioned:
    """Optimistic locking: an UPDATE that finds another version raises StaleDataError."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class Organisation(Timestamped, Versioned, Base):
    __tablename__ = "organisations"
    __table_args__ = (one_of("kind", ORGANISATION_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2), server_default="UA")
    contact: Mapped[str | None] = mapped_column(Text)


user_admin_areas = Table(
    "user_admin_areas", Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("admin_area_id", ForeignKey("admin_areas.id", ondelete="CASCADE"), primary_key=True),
)


class User(Timestamped, Versioned, Base):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", ROLES),
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"), default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(SmallInteger, server_default="0", default=0)
    """Consecutive failed sign-ins; reset by a successful one and when the account gets locked."""
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    """Sign-in refused until then (set after too many consecutive failures)."""

    organisation: Mapped[Organisation] = relationship()
    admin_areas: Mapped[list["AdminArea"]] = relationship(secondary=user_admin_areas)


class ApiToken(Base):
    """Bearer tokens for the API; only a SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A signed-in browser session. The cookie carries a random id; only its SHA-256 is stored, so
    revoking the row (sign-out, deactivation, ``safeground user revoke-sessions``) ends the session
    even for a copied cookie."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    """Updated at most once a minute; the idle lifetime counts from here."""
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class AdminArea(Timestamped, Base):
    """Gazetteer: country (0), oblast (1), raion (2), hromada (3) … with names in several languages."""

    __tablename__ = "admin_areas"
    __table_args__ = (
        CheckConstraint("level BETWEEN 0 AND 5", name="level_valid"),
        Index("ix_admin_areas_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    """Names by language tag, e.g. {"en": "Kharkiv", "uk": "Харків"}."""
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    area_m2: Mapped[float | None] = mapped_column(Double, geodesic_area("geom"))

    parent: Mapped["AdminArea | None"] = relationship(remote_side="AdminArea.id")


class Hazard(Timestamped, Versioned, Base):
    __tablename__ = "hazards"
    __table_args__ = (
        one_of("classification", CLASSIFICATIONS),
        one_of("status", HAZARD_STATUSES),
        one_of("record_state", RECORD_STATES),
        one_of("location_precision", LOCATION_PRECISIONS),
        all_of("contamination_types", CONTAMINATION_TYPES),
        all_of("land_use_blocked", LAND_USES),
        all_of("marking", MARKINGS),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_valid"),
        CheckConstraint("perimeter IS NULL OR ST_IsValid(perimeter)", name="perimeter_valid"),
        CheckConstraint("perimeter IS NOT NULL OR location IS NOT NULL", name="has_location"),
        Index("ix_hazards_perimeter", "perimeter", postgresql_using="gist"),
        Index("ix_hazards_remaining", "remaining", postgresql_using="gist"),
        Index("ix_hazards_location", "location", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    classification: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), server_default="open")
    record_state: Mapped[str] = mapped_column(String(20), server_default="draft")
    contamination_types: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    evidence: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(SmallInteger, server_default="3")
    land_use_blocked: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    marking: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    location_precision: Mapped[str] = mapped_column(String(20), server_default="surveyed")
    date_of_information: Mapped[dt.date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    admin_area_id: Mapped[int | None] = mapped_column(ForeignKey("admin_areas.id"), index=True)
    parent_hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))
    """For residual contamination: the released hazard this one was found in."""
    perimeter = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    """A representative point; for ``community_centre`` precision the only location known."""
    original_area_m2: Mapped[float | None] = mapped_column(Double, geodesic_area("perimeter"))
    perimeter_m: Mapped[float | None] = mapped_column(
        Double, Computed("ST_Perimeter(perimeter::geography)", persisted=True))
    """Geodesic length of the perimeter, stored like the areas (migration 0006)."""
    remaining = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    remaining_area_m2: Mapped[float | None] = mapped_column(Double, geodesic_area("remaining"))
    last_applied_date: Mapped[dt.date | None] = mapped_column(Date)
    """Date of information of the newest approved report applied to this hazard."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()
    admin_area: Mapped[AdminArea | None] = relationship()
    survey_points: Mapped[list["SurveyPoint"]] = relationship(
        back_populates="hazard", order_by="SurveyPoint.sequence", cascade="all, delete-orphan")
    products: Mapped[list["ReleaseProduct"]] = relationship(back_populates="hazard")


class SurveyPoint(Base):
    """A point of a surveyed perimeter, kept exactly as the surveyor entered it."""

    __tablename__ = "survey_points"
    __table_args__ = (
        one_of("point_type", POINT_TYPES),
        one_of("input_format", INPUT_FORMATS),
        CheckConstraint("bearing_reference IS NULL OR bearing_reference IN ('true', 'magnetic', 'grid')",
                        name="bearing_reference_valid"),
        CheckConstraint("bearing_unit IS NULL OR bearing_unit IN ('deg', 'mils')", name="bearing_unit_valid"),
        CheckConstraint("distance_m IS NULL OR distance_m > 0", name="distance_positive"),
        Index("ix_survey_points_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("release_products.id", ondelete="CASCADE"),
                                                   index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    point_type: Mapped[str] = mapped_column(String(20))
    input_format: Mapped[str] = mapped_column(String(20))
    input_text: Mapped[str | None] = mapped_column(Text)
    """What the surveyor typed, verbatim."""
    bearing: Mapped[float | None] = mapped_column(Double)
    bearing_unit: Mapped[str | None] = mapped_column(String(4))
    bearing_reference: Mapped[str | None] = mapped_column(String(10))
    declination_deg: Mapped[float | None] = mapped_column(Double)
    distance_m: Mapped[float | None] = mapped_column(Double)
    from_point_id: Mapped[int | None] = mapped_column(ForeignKey("survey_points.id"))
    marker: Mapped[str | None] = mapped_column(Text)
    """Description of the physical marker left at the point (permanent marker, paint, picket)."""
    altitude_m: Mapped[float | None] = mapped_column(Double)
    accuracy_m: Mapped[float | None] = mapped_column(Double)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)

    hazard: Mapped[Hazard | None] = relationship(back_populates="survey_points")


class Activity(Timestamped, Versioned, Base):
    __tablename__ = "activities"
    __table_args__ = (
        one_of("activity_type", ACTIVITY_TYPES),
        one_of("status", ACTIVITY_STATUSES),
        one_of("method", METHODS),
        CheckConstraint("clearance_depth_cm IS NULL OR clearance_depth_cm > 0", name="depth_positive"),
        CheckConstraint("activity_type <> 'clearance' OR clearance_depth_cm IS NOT NULL",
                        name="clearance_needs_depth"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                        name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    activity_type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), server_default="planned")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(100))
    asset: Mapped[str | None] = mapped_column(String(100))
    """The asset used: manual team, a named machine, a dog team …"""
    method: Mapped[str] = mapped_column(String(20))
    clearance_depth_cm: Mapped[int | None] = mapped_column(SmallInteger)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    hazard: Mapped[Hazard] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Report(Timestamped, Versioned, Base):
    """An activity report; only an approved report changes the authoritative hazard."""

    __tablename__ = "reports"
    __table_args__ = (
        one_of("report_type", REPORT_TYPES),
        one_of("workflow_state", RECORD_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"), index=True)
    report_type: Mapped[str] = mapped_column(String(20))
    workflow_state: Mapped[str] = mapped_column(String(20), server_default="draft")
    date_of_information: Mapped[dt.date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    evidence: Mapped[str | None] = mapped_column(Text)
    confirms_cha: Mapped[bool] = mapped_column(Boolean, server_default=text("false"), default=False)
    """A technical survey found direct evidence: approving it turns the SHA into a CHA."""
    details: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    """Report-type specific content, e.g. a completion report's handover (who received the land,
    community participants by sex and age, residual-risk statement, permanent markers)."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    out_of_order: Mapped[bool] = mapped_column(Boolean, server_default=text("false"), default=False)
    """Approved with a date of information older than one already applied: kept in history, flagged,
    and not allowed to roll the hazard back."""

    hazard: Mapped[Hazard] = relationship()
    activity: Mapped[Activity | None] = relationship()
    products: Mapped[list["ReleaseProduct"]] = relationship(back_populates="report")
    eo_items: Mapped[list["EOItem"]] = relationship(back_populates="report")


class ReleaseProduct(Timestamped, Base):
    __tablename__ = "release_products"
    __table_args__ = (
        one_of("product_type", PRODUCT_TYPES),
        CheckConstraint("product_type <> 'cleared' OR clearance_depth_cm IS NOT NULL",
                        name="cleared_needs_depth"),
        CheckConstraint("clearance_depth_cm IS NULL OR clearance_depth_cm > 0", name="depth_positive"),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        Index("ix_release_products_geom", "geom", postgresql_using="gist"),
        Index("ix_release_products_applied", "hazard_id", postgresql_where=text("applied")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"), index=True)
    product_type: Mapped[str] = mapped_column(String(20))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)
    area_m2: Mapped[float] = mapped_column(Double, geodesic_area("geom"))
    criteria: Mapped[str | None] = mapped_column(Text)
    clearance_depth_cm: Mapped[int | None] = mapped_column(SmallInteger)
    date_released: Mapped[dt.date] = mapped_column(Date)
    applied: Mapped[bool] = mapped_column(Boolean, server_default=text("false"), default=False)
    """True while the report that carries it is approved; only applied products reduce the hazard."""

    hazard: Mapped[Hazard] = relationship(back_populates="products")
    report: Mapped[Report | None] = relationship(back_populates="products")
    activity: Mapped[Activity | None] = relationship()


class EOItem(Timestamped, Base):
    """Explosive ordnance found. Never public."""

    __tablename__ = "eo_items"
    __table_args__ = (
        one_of("category", EO_CATEGORIES),
        one_of("condition", EO_CONDITIONS),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("depth_cm IS NULL OR depth_cm >= 0", name="depth_valid"),
        Index("ix_eo_items_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    model: Mapped[str | None] = mapped_column(String(100))
    fuze: Mapped[str | None] = mapped_column(String(100))
    condition: Mapped[str] = mapped_column(String(20), server_default="unknown")
    quantity: Mapped[int] = mapped_column(Integer, server_default="1")
    depth_cm: Mapped[int | None] = mapped_column(SmallInteger)
    found_on: Mapped[dt.date | None] = mapped_column(Date)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)

    report: Mapped[Report | None] = relationship(back_populates="eo_items")


class AuditEntry(Base):
    """One change to one row, written by the ``audit_row_change`` trigger."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "table_name", "row_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)


AUDITED_TABLES = ("organisations", "users", "admin_areas", "hazards", "survey_points", "activities",
                  "reports", "release_products", "eo_items", "api_tokens", "user_admin_areas",
                  "user_sessions")


# -- public projection ----------------------------------------------------------------------------
PUBLIC_PRECISIONS = ("surveyed", "approximate")


class PublicZone(Base):
    """One public warning zone per hazard the public must be warned about (ADR 0008).

    This table *is* the allow-list of what civilians may see: every public output (tiles, the
    "am I near a hazard?" check) reads only from it, never from ``hazards``. Add a column only after
    deciding that it may be published. It is derived data, rebuilt by
    :func:`webapp.store.public_zones.refresh`, and not audited (the hazards it comes from are).
    ``hazard_id`` is the internal key and is never published; ``national_code`` identifies a zone.
    """

    __tablename__ = "public_zones"
    __table_args__ = (
        one_of("precision", PUBLIC_PRECISIONS),
        Index("ix_public_zones_geom", "geom", postgresql_using="gist"),
    )

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    national_code: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    marking: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    last_survey_date: Mapped[dt.date] = mapped_column(Date)
    organisation: Mapped[str] = mapped_column(String(200))
    """Name of the responsible organisation."""
    precision: Mapped[str] = mapped_column(String(20))
    """'surveyed', or 'approximate' for a coarse circle around a place recorded only roughly."""
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)
    """The remaining hazard, generalised and buffered by the national safety margin."""


class MapVersion(Base):
    """A counter per map layer, bumped whenever the layer changes; tile ETags derive from it."""

    __tablename__ = "map_versions"

    layer: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# -- tile overviews (derived, kept in step by triggers; migration 0005, ADR 0008) ---------------------------
class TileCellPublic(Base):
    """One 8-pixel cell of the tile grid at one zoom (0–9) of the public warning map: how many zones
    smaller than 2 pixels of one classification are aggregated there, and the sums of their centres
    (Web Mercator millimetres). Only allow-listed facts: classification and counts."""

    __tablename__ = "tile_cells_public"
    __table_args__ = (Index("ix_tile_cells_public_emptied", "z", postgresql_where=text("n <= 0")),)

    z: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    tile_x: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    tile_y: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    cell: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    """row × 32 + column of the cell inside the tile."""
    classification: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sum_x_mm: Mapped[int] = mapped_column(BigInteger)
    sum_y_mm: Mapped[int] = mapped_column(BigInteger)


_HAZARD_CELL_KEY = ("z", "tile_x", "tile_y", "cell", "classification", "status", "record_state",
                    "organisation_id", "admin_area_id")


class TileCellHazards(Base):
    """The same for the staff hazards layer (hazards not deleted), split by what visibility and tile
    filters read; a tile sums the keys its reader may see."""

    __tablename__ = "tile_cells_hazards"
    __table_args__ = (
        Index("uq_tile_cells_hazards_key", *_HAZARD_CELL_KEY, unique=True, postgresql_nulls_not_distinct=True),
        Index("ix_tile_cells_hazards_emptied", "z", postgresql_where=text("n <= 0")),
    )
    __mapper_args__ = {"primary_key": _HAZARD_CELL_KEY}

    z: Mapped[int] = mapped_column(SmallInteger)
    tile_x: Mapped[int] = mapped_column(SmallInteger)
    tile_y: Mapped[int] = mapped_column(SmallInteger)
    cell: Mapped[int] = mapped_column(SmallInteger)
    classification: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    record_state: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(Integer)
    admin_area_id: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)
    sum_x_mm: Mapped[int] = mapped_column(BigInteger)
    sum_y_mm: Mapped[int] = mapped_column(BigInteger)


_EO_CELL_KEY = _HAZARD_CELL_KEY + ("report_organisation_id", "report_state")


class TileCellEO(Base):
    """The same for EO finds of hazards that are not deleted (count and quantity), also split by the
    organisation and workflow state of the report that carries them (NULL: no report)."""

    __tablename__ = "tile_cells_eo"
    __table_args__ = (
        Index("uq_tile_cells_eo_key", *_EO_CELL_KEY, unique=True, postgresql_nulls_not_distinct=True),
        Index("ix_tile_cells_eo_emptied", "z", postgresql_where=text("n <= 0")),
    )
    __mapper_args__ = {"primary_key": _EO_CELL_KEY}

    z: Mapped[int] = mapped_column(SmallInteger)
    tile_x: Mapped[int] = mapped_column(SmallInteger)
    tile_y: Mapped[int] = mapped_column(SmallInteger)
    cell: Mapped[int] = mapped_column(SmallInteger)
    classification: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    record_state: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(Integer)
    admin_area_id: Mapped[int | None] = mapped_column(Integer)
    report_organisation_id: Mapped[int | None] = mapped_column(Integer)
    report_state: Mapped[str | None] = mapped_column(String(20))
    n: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    sum_x_mm: Mapped[int] = mapped_column(BigInteger)
    sum_y_mm: Mapped[int] = mapped_column(BigInteger)


class _TileLarge:
    """Features drawn as themselves (2 pixels or more) at some zoom up to 9: the first such zoom and
    the bounding box; ``id`` is the key of the feature's own row."""

    detail_zoom: Mapped[int] = mapped_column(SmallInteger)
    bbox = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False)

    @declared_attr.directive
    def __table_args__(cls):
        # the zoom index finds the few features drawn at low zooms without reading every box
        return (Index(f"ix_{cls.__tablename__}_bbox", "bbox", postgresql_using="gist"),
                Index(f"ix_{cls.__tablename__}_detail_zoom", "detail_zoom"))


class TileLargePublic(_TileLarge, Base):
    """Public warning zones (``id`` = the zone's hazard_id, never published)."""

    __tablename__ = "tile_large_public"
    id: Mapped[int] = mapped_column(ForeignKey("public_zones.hazard_id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)


class TileLargeHazard(_TileLarge, Base):
    __tablename__ = "tile_large_hazards"
    id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)


class TileLargeRemaining(_TileLarge, Base):
    """Remaining areas of hazards (``id`` = the hazard)."""

    __tablename__ = "tile_large_remaining"
    id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)


class TileLargeProduct(_TileLarge, Base):
    __tablename__ = "tile_large_products"
    id: Mapped[int] = mapped_column(ForeignKey("release_products.id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)
