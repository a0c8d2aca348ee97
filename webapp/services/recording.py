"""Turning what a surveyor entered (a GeoJSON polygon, a traverse, or typed coordinates) into a
checked perimeter, its measures, quality findings, and survey points that keep the input verbatim."""
from __future__ import annotations

from dataclasses import dataclass, field

import geo
from shapely.geometry import MultiPolygon, mapping

from ..errors import Invalid
from .inputs import GeometryInput, Traverse

ERROR = geo.Severity.ERROR


@dataclass
class RecordedGeometry:
    """A perimeter ready to store, with what the preview shows."""

    polygon: MultiPolygon
    method: str
    area_m2: float
    perimeter_m: float
    misclosure_m: float | None
    findings: list[dict]
    survey_points: list[dict] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict]:
        return [f for f in self.findings if f["severity"] == "error"]

    def summary(self) -> dict:
        return {
            "method": self.method,
            "area_m2": round(self.area_m2, 1),
            "area_ha": round(self.area_m2 / 10_000, 4),
            "perimeter_m": round(self.perimeter_m, 2),
            "misclosure_m": None if self.misclosure_m is None else round(self.misclosure_m, 3),
            "findings": self.findings,
            "geometry": mapping(self.polygon),
        }


def finding_dict(f) -> dict:
    return {"code": f.code, "severity": getattr(f.severity, "value", f.severity), "message": f.message,
            "location": list(f.location) if f.location else None}


class GeometryRejected(Invalid):
    """The input cannot become a polygon, or a quality check of severity error blocks it."""

    code = "geometry_rejected"


def _coordinate_error(exc: geo.CoordinateError, where: str) -> dict:
    return {"code": exc.code, "severity": "error", "message": f"{where}: {exc}", "location": None,
            "input": exc.text}


def record(data: GeometryInput, quality: geo.QualitySettings, *, others=(), parent=None) -> RecordedGeometry:
    """Build and check the perimeter. Raises :class:`GeometryRejected` (422) with the findings when
    the input cannot be used; quality errors are returned in ``findings`` for the caller to block on
    (so a preview can still show them)."""
    if data.traverse is not None:
        rec = _from_traverse(data.traverse, quality)
    elif data.points is not None:
        rec = _from_points(data.points, quality)
    else:
        rec = _from_geojson(data.geometry.model_dump(), quality)
    rec.findings.extend(finding_dict(f) for f in geo.check_polygon(
        rec.polygon, settings=quality, others=others, parent=parent)
        if not any(f.code == existing["code"] and f.code != "overlaps_other" for existing in rec.findings))
    return rec


def _multi(geom) -> MultiPolygon:
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])


def _from_geojson(geometry: dict, quality: geo.QualitySettings) -> RecordedGeometry:
    raw_findings = geo.check_polygon(geometry, settings=quality)
    blocking = [finding_dict(f) for f in raw_findings if f.severity == ERROR]
    if blocking:
        raise GeometryRejected("the polygon cannot be used as it is", details={"findings": blocking})
    polygon = _multi(geo.normalise(geometry, precision_deg=quality.precision_deg))
    area, perimeter = geo.geodesic_area_perimeter(polygon)
    findings = [finding_dict(f) for f in raw_findings]
    points = [{"sequence": i + 1, "point_type": "start" if i == 0 else "turning", "input_format": "drawn",
               "input_text": None, "lon": x, "lat": y}
              for i, (x, y) in enumerate(list(polygon.geoms[0].exterior.coords)[:-1])]
    return RecordedGeometry(polygon, "geometry", area, perimeter, None, findings, points)


def _from_points(texts: list[str], quality: geo.QualitySettings) -> RecordedGeometry:
    parsed, errors = [], []
    for i, text in enumerate(texts):
        try:
            parsed.append(geo.parse_coordinate(text))
        except geo.CoordinateError as exc:
            errors.append({**_coordinate_error(exc, f"point {i + 1}"), "index": i})
    if errors:
        raise GeometryRejected(f"{len(errors)} of the {len(texts)} coordinates cannot be read",
                               details={"findings": errors})
    ring = [(p.lon, p.lat) for p in parsed]
    if ring[0] != ring[-1]:
        ring.append(ring[0])  # typed lists rarely repeat the first point; that is not a fault
    raw_findings = geo.check_polygon([ring], settings=quality)
    blocking = [finding_dict(f) for f in raw_findings if f.severity == ERROR]
    if blocking:
        raise GeometryRejected("these points do not make a usable polygon", details={"findings": blocking})
    polygon = _multi(geo.normalise([ring], precision_deg=quality.precision_deg))
    area, perimeter = geo.geodesic_area_perimeter(polygon)
    points = [{"sequence": i + 1, "point_type": "start" if i == 0 else "turning",
               "input_format": p.format.value, "input_text": p.text, "lon": p.lon, "lat": p.lat}
              for i, p in enumerate(parsed)]
    return RecordedGeometry(polygon, "points", area, perimeter, None,
                            [finding_dict(f) for f in raw_findings], points)


def _from_traverse(t: Traverse, quality: geo.QualitySettings) -> RecordedGeometry:
    unit = geo.BearingUnit.MILS if any(l.bearing_mils is not None for l in t.legs) else geo.BearingUnit.DEGREES
    items = []
    for leg in t.legs:
        ptype = geo.PointType(leg.point_type) if leg.point_type else None
        if leg.coordinate:
            items.append(geo.FixedPoint(leg.coordinate, ptype, leg.label))
        else:
            bearing = leg.bearing_mils if unit is geo.BearingUnit.MILS else leg.bearing_deg
            items.append(geo.Leg(bearing, leg.distance_m, ptype, leg.label))
    try:
        result = geo.compute_traverse(
            t.benchmark, items, bearing_unit=unit, reference=geo.BearingReference(t.bearing_reference),
            declination_deg=t.declination_deg or 0.0, grid_zone=t.grid_zone, close=t.close,
            max_leg_m=quality.max_vertex_spacing_m)
    except geo.CoordinateError as exc:
        raise GeometryRejected("the benchmark or a coordinate cannot be read",
                               details={"findings": [_coordinate_error(exc, "traverse")]}) from None
    except geo.TraverseNotClosedError as exc:
        raise GeometryRejected(str(exc), details={"findings": [{
            "code": "not_closed", "severity": "error", "message": str(exc), "location": None,
            "misclosure_m": round(exc.misclosure_m, 3),
            "misclosure_bearing_deg": round(exc.misclosure_bearing_deg, 1)}]}) from None
    except geo.TraverseError as exc:
        raise GeometryRejected(str(exc), details={"findings": [{
            "code": exc.code, "severity": "error", "message": str(exc), "location": None,
            "leg": None if exc.leg_index is None else exc.leg_index + 1}]}) from None
    findings = [{"code": w.code, "severity": "warning", "message": w.message, "location": None}
                for w in result.warnings]
    bm = result.benchmark
    points = [{"sequence": 1, "point_type": "benchmark", "input_format": bm.format.value,
               "input_text": bm.text, "lon": bm.lon, "lat": bm.lat}]
    for p, leg in zip(result.points, t.legs):
        row = {"sequence": len(points) + 1, "point_type": p.point_type.value, "lon": p.lon, "lat": p.lat,
               "marker": leg.marker}
        if leg.coordinate:
            row.update(input_format=p.coordinate.format.value, input_text=p.coordinate.text)
        else:
            row.update(input_format="bearing_distance", input_text=None,
                       bearing=leg.bearing_mils if unit is geo.BearingUnit.MILS else leg.bearing_deg,
                       bearing_unit="mils" if unit is geo.BearingUnit.MILS else "deg",
                       bearing_reference=t.bearing_reference, declination_deg=t.declination_deg,
                       distance_m=leg.distance_m, from_sequence=(p.from_index + 2) if p.from_index is not None else 1)
        points.append(row)
    polygon = _multi(geo.normalise(result.polygon, precision_deg=quality.precision_deg))
    return RecordedGeometry(polygon, "traverse", result.area_m2, result.perimeter_m,
                            result.misclosure_m, findings, points)


def quality_settings(settings) -> geo.QualitySettings:
    from shapely.geometry import box

    aoo = settings.area_of_operations
    return geo.QualitySettings(area_of_operations=box(*aoo) if aoo else None,
                               parent_tolerance_m=settings.product_tolerance_m,
                               min_area_m2=max(settings.release_tolerance_m2, 0.01))
