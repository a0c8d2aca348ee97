"""The shapes of what people send: hazards, geometry in its three forms, reports, products, finds.

Strict pydantic models shared by the JSON API and the web forms: unknown fields are refused (no mass
assignment of organisation, status, approver …), numbers must be finite, strings are bounded, and
lists are capped before any geometry is built, so hostile input is stopped early with bounded memory.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..store.models import (
    ACTIVITY_STATUSES, CLASSIFICATIONS, CONTAMINATION_TYPES, EO_CATEGORIES, EO_CONDITIONS, LAND_USES,
    MARKINGS, METHODS, PRODUCT_TYPES, REPORT_TYPES,
)

MAX_VERTICES = 10_000
MAX_LEGS = 500
MAX_PRODUCTS = 200
MAX_FINDS = 1_000

Text200 = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=20_000)]
Classification = Literal[CLASSIFICATIONS]  # type: ignore[valid-type]
Contamination = Literal[CONTAMINATION_TYPES]  # type: ignore[valid-type]
LandUse = Literal[LAND_USES]  # type: ignore[valid-type]
Marking = Literal[MARKINGS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True,
                              frozen=True)


def _not_future(day: dt.date | None) -> dt.date | None:
    if day is not None and day > dt.date.today() + dt.timedelta(days=1):
        raise ValueError("the date of information cannot be in the future")
    if day is not None and day < dt.date(1940, 1, 1):
        raise ValueError("the date of information is implausibly old")
    return day


# -- geometry in three forms ------------------------------------------------------------------------
Coordinate = Annotated[float, Field(allow_inf_nan=False)]
Position = Annotated[list[Coordinate], Field(min_length=2, max_length=4)]
Ring = Annotated[list[Position], Field(max_length=MAX_VERTICES + 1)]


class PolygonGeometry(Strict):
    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], Field(min_length=1, max_length=100)]


class MultiPolygonGeometry(Strict):
    type: Literal["MultiPolygon"]
    coordinates: Annotated[list[Annotated[list[Ring], Field(min_length=1, max_length=100)]],
                           Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _bounded(self):
        total = sum(len(r) for poly in self.coordinates for r in poly)
        if total > MAX_VERTICES:
            raise ValueError(f"a geometry may have at most {MAX_VERTICES} vertices ({total} given)")
        return self


class PointGeometry(Strict):
    type: Literal["Point"]
    coordinates: Position


class TraverseLeg(Strict):
    """One leg: a bearing and a distance, or an absolute coordinate in any notation."""

    bearing_deg: Annotated[float, Field(ge=0, le=360)] | None = None
    bearing_mils: Annotated[float, Field(ge=0, le=6400)] | None = None
    distance_m: Annotated[float, Field(gt=0, le=50_000)] | None = None
    coordinate: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    point_type: Literal["start", "turning", "intermediate", "end", "evidence"] | None = None
    label: Annotated[str, Field(max_length=100)] | None = None
    marker: Annotated[str, Field(max_length=500)] | None = None

    @model_validator(mode="after")
    def _one_form(self):
        has_leg = self.distance_m is not None or self.bearing_deg is not None or self.bearing_mils is not None
        if self.coordinate and has_leg:
            raise ValueError("give either a bearing and distance or a coordinate, not both")
        if not self.coordinate:
            if self.distance_m is None:
                raise ValueError("a leg needs a distance_m")
            if (self.bearing_deg is None) == (self.bearing_mils is None):
                raise ValueError("a leg needs exactly one of bearing_deg or bearing_mils")
        return self


class Traverse(Strict):
    benchmark: Annotated[str, Field(min_length=1, max_length=100)]
    bearing_reference: Literal["true", "magnetic", "grid"] = "true"
    declination_deg: Annotated[float, Field(ge=-90, le=90)] | None = None
    grid_zone: Annotated[int, Field(ge=1, le=60)] | None = None
    close: bool = False
    legs: Annotated[list[TraverseLeg], Field(min_length=3, max_length=MAX_LEGS)]

    @model_validator(mode="after")
    def _declination(self):
        if self.bearing_reference == "magnetic" and self.declination_deg is None:
            raise ValueError("magnetic bearings need declination_deg (east positive)")
        units = {("mils" if leg.bearing_mils is not None else "deg") for leg in self.legs if not leg.coordinate}
        if len(units) > 1:
            raise ValueError("use one bearing unit (degrees or mils) for every leg of a traverse")
        return self


PointList = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]],
                      Field(min_length=3, max_length=MAX_VERTICES)]


class GeometryInput(Strict):
    """Exactly one of: a GeoJSON polygon, a traverse, or a list of typed coordinates."""

    geometry: Union[PolygonGeometry, MultiPolygonGeometry, None] = Field(default=None, discriminator="type")
    traverse: Traverse | None = None
    points: PointList | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [n for n in ("geometry", "traverse", "points") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give the perimeter exactly one way: geometry, traverse or points")
        return self

    @property
    def method(self) -> str:
        return "geometry" if self.geometry else ("traverse" if self.traverse else "points")


# -- hazards -------------------------------------------------------------------------------------
class HazardProperties(Strict):
    """What a surveyor may set on a hazard (organisation, status and approval come from the system)."""

    name: Text200
    national_code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")] | None = None
    classification: Classification = "SHA"
    contamination_types: Annotated[list[Contamination], Field(max_length=len(CONTAMINATION_TYPES))] = []
    evidence: LongText | None = None
    priority: Annotated[int, Field(ge=1, le=5)] = 3
    land_use_blocked: Annotated[list[LandUse], Field(max_length=len(LAND_USES))] = []
    marking: Annotated[list[Marking], Field(max_length=len(MARKINGS))] = []
    location_precision: Literal["surveyed", "approximate"] = "surveyed"
    date_of_information: dt.date
    admin_area_id: Annotated[int, Field(ge=1)] | None = None

    _date = field_validator("date_of_information")(_not_future)


class HazardCreate(GeometryInput):
    properties: HazardProperties


class HazardPatch(Strict):
    """A partial change. Surveyors and team leaders change their drafts; approvers change
    classification and status of any hazard, with a reason."""

    name: Text200 | None = None
    classification: Classification | None = None
    status: Literal["open", "worked_on", "closed", "handed_over", "suspended"] | None = None
    contamination_types: Annotated[list[Contamination], Field(max_length=len(CONTAMINATION_TYPES))] | None = None
    evidence: LongText | None = None
    priority: Annotated[int, Field(ge=1, le=5)] | None = None
    land_use_blocked: Annotated[list[LandUse], Field(max_length=len(LAND_USES))] | None = None
    marking: Annotated[list[Marking], Field(max_length=len(MARKINGS))] | None = None
    date_of_information: dt.date | None = None
    admin_area_id: Annotated[int, Field(ge=1)] | None = None
    perimeter: GeometryInput | None = None
    reason: Annotated[str, Field(min_length=3, max_length=2000)] | None = None

    _date = field_validator("date_of_information")(_not_future)

    def changes(self) -> dict:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if k not in ("perimeter", "reason")}


# -- reports -------------------------------------------------------------------------------------
class ActivityInput(Strict):
    method: Literal[METHODS]  # type: ignore[valid-type]
    asset: Annotated[str, Field(max_length=100)] | None = None
    team: Annotated[str, Field(max_length=100)] | None = None
    status: Literal[ACTIVITY_STATUSES] = "completed"  # type: ignore[valid-type]
    clearance_depth_cm: Annotated[int, Field(ge=1, le=1000)] | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("the activity cannot end before it starts")
        return self


class ProductInput(GeometryInput):
    product_type: Literal[PRODUCT_TYPES]  # type: ignore[valid-type]
    criteria: LongText | None = None
    clearance_depth_cm: Annotated[int, Field(ge=1, le=1000)] | None = None

    @model_validator(mode="after")
    def _depth(self):
        if self.product_type == "cleared" and self.clearance_depth_cm is None:
            raise ValueError("cleared land needs the clearance depth (clearance_depth_cm)")
        return self


class FindInput(Strict):
    category: Literal[EO_CATEGORIES]  # type: ignore[valid-type]
    model: Annotated[str, Field(max_length=100)] | None = None
    fuze: Annotated[str, Field(max_length=100)] | None = None
    condition: Literal[EO_CONDITIONS] = "unknown"  # type: ignore[valid-type]
    quantity: Annotated[int, Field(ge=1, le=100_000)] = 1
    depth_cm: Annotated[int, Field(ge=0, le=1000)] | None = None
    found_on: dt.date | None = None
    position: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    geometry: PointGeometry | None = None

    @model_validator(mode="after")
    def _where(self):
        if (self.position is None) == (self.geometry is None):
            raise ValueError("give the find's position as text (position) or as a GeoJSON point (geometry)")
        return self


class HandoverInput(Strict):
    received_by: Text200
    participants: dict[Literal["men", "women", "boys", "girls"], Annotated[int, Field(ge=0, le=100_000)]] = {}
    residual_risk: LongText | None = None
    permanent_markers: Annotated[int, Field(ge=0, le=10_000)] | None = None


class ReportCreate(Strict):
    report_type: Literal[REPORT_TYPES]  # type: ignore[valid-type]
    date_of_information: dt.date
    activity: ActivityInput | None = None
    evidence: LongText | None = None
    confirms_cha: bool = False
    products: Annotated[list[ProductInput], Field(max_length=MAX_PRODUCTS)] = []
    eo_items: Annotated[list[FindInput], Field(max_length=MAX_FINDS)] = []
    handover: HandoverInput | None = None
    residual_risk: LongText | None = None

    _date = field_validator("date_of_information")(_not_future)

    @model_validator(mode="after")
    def _consistent(self):
        if self.confirms_cha and self.report_type != "ts":
            raise ValueError("only a technical survey (ts) report can confirm a CHA")
        if self.report_type in ("ts", "clearance", "eod_spot_task") and self.activity is None:
            raise ValueError(f"a {self.report_type} report needs its activity (method, asset, dates)")
        if self.report_type == "nts" and any(p.product_type != "cancelled" for p in self.products):
            raise ValueError("non-technical survey can only cancel land")
        if self.report_type == "ts" and any(p.product_type == "cleared" for p in self.products):
            raise ValueError("technical survey reduces land; cleared land needs a clearance report")
        if self.report_type == "completion" and self.products:
            raise ValueError("a completion report carries no new products; report them with their activity")
        if self.handover is not None and self.report_type != "completion":
            raise ValueError("a handover belongs to a completion report")
        if self.activity and self.report_type == "clearance" and self.activity.clearance_depth_cm is None:
            raise ValueError("clearance needs the clearance depth (activity.clearance_depth_cm)")
        return self


class Decision(Strict):
    comment: Annotated[str, Field(max_length=5000)] | None = None
