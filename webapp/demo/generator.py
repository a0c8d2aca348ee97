"""Deterministic, realistic demo data for SafeGround, generated rather than drawn.

The same seed and size always give the same data. Hazards are irregular perimeters of 30 m to
1.5 km placed in the hromadas of Kharkiv oblast (more where the front line was), and each goes
through a land-release life cycle: recorded (draft, submitted), approved and open, worked on
(cancelled by NTS, reduced by TS, perhaps confirmed as CHA), suspended, closed or handed over.
Release products of one hazard are disjoint strips of its perimeter, so for every hazard
original = cancelled + reduced + cleared + remaining.

The generator only builds plain rows (dicts keyed by column name); :mod:`webapp.demo.loader` writes
them with COPY.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

import mgrs
import numpy as np
from pyproj import Geod
from shapely import Point, Polygon, STRtree, box
from shapely.geometry import MultiPolygon
from shapely.prepared import prep

from .gazetteer import Area, build_gazetteer

GEOD = Geod(ellps="WGS84")
DEMO_PASSWORD = "demo-password"
EARLIEST = dt.date(2022, 10, 1)
LATEST = dt.date(2026, 10, 31)

ORGANISATIONS = [
    # id, name, short name, kind, raion codes it works in (operators)
    (1, "National Mine Action Authority (demo)", "NMAA", "authority", ()),
    (2, "Slobozhanshchyna Demining Group", "SDG", "operator", ("UA6304", "UA6308", "UA6310")),
    (3, "Donets Humanitarian Clearance", "DHC", "operator", ("UA6304", "UA6314", "UA6306")),
    (4, "North-East Survey and Clearance", "NESC", "operator", ("UA6312", "UA6302", "UA6314", "UA6308")),
    (5, "Kharkiv Oblast Civil Protection (demo)", "KOCP", "local_authority", ()),
    (6, "Demo Donor Fund", "DDF", "donor", ()),
]

USERS = [
    # email, name, role, organisation id, admin area codes the user is limited to
    ("admin@nmaa.example.org", "Olena Admin", "admin", 1, ()),
    ("approver@nmaa.example.org", "Petro Approver", "approver", 1, ()),
    ("surveyor@sdg.example.org", "Iryna Surveyor", "surveyor", 2, ()),
    ("leader@sdg.example.org", "Taras Team Leader", "team_leader", 2, ()),
    ("surveyor@dhc.example.org", "Mykola Surveyor", "surveyor", 3, ()),
    ("leader@dhc.example.org", "Oksana Team Leader", "team_leader", 3, ()),
    ("surveyor@nesc.example.org", "Andrii Surveyor", "surveyor", 4, ()),
    ("leader@nesc.example.org", "Halyna Team Leader", "team_leader", 4, ()),
    ("viewer@kocp.example.org", "Izium Civil Protection", "viewer", 5, ("UA6304",)),
    ("viewer@ddf.example.org", "Donor Analyst", "viewer", 6, ()),
]

FEATURES = ["forest belt", "field", "orchard", "road verge", "riverbank", "farmyard",
            "power-line corridor", "former checkpoint", "trench line", "railway embankment",
            "garden plots", "quarry", "bridge approach", "sunflower field", "school grounds"]
DIRECTIONS = ["north of", "south of", "east of", "west of", "near", "outskirts of"]
CONTAMINATION_BY_CLASS = {
    "SHA": [["uxo"], ["ap_mines"], ["at_mines"], ["cluster_munitions"], ["uxo", "axo"]],
    "CHA": [["ap_mines"], ["at_mines"], ["ap_mines", "at_mines"], ["cluster_munitions"],
            ["uxo", "booby_traps"], ["ied"]],
}
EO_FOR_CONTAMINATION = {
    "ap_mines": ("ap_mine", ["PMN-2", "POM-2", "PFM-1", "OZM-72", "MON-50"]),
    "at_mines": ("at_mine", ["TM-62M", "TM-72", "PTM-1"]),
    "uxo": ("uxo", ["122 mm HE projectile", "152 mm HE projectile", "VOG-17", "82 mm mortar bomb"]),
    "axo": ("axo", ["RGD-5 grenade", "7.62 mm ammunition box"]),
    "cluster_munitions": ("submunition", ["9N210", "9N235", "PTAB-1M"]),
    "booby_traps": ("ied", ["tripwire with F-1 grenade"]),
    "ied": ("ied", ["pressure-plate IED"]),
    "saa": ("saa", ["7.62 mm cartridges"]),
}
STAGES = ["draft", "submitted", "open", "worked_on", "suspended", "closed", "handed_over"]
STAGE_WEIGHTS = [0.05, 0.03, 0.30, 0.33, 0.05, 0.13, 0.11]
MANUAL_TEAMS = ["Team 1", "Team 2", "Team 3", "MDD team", "Mech team"]
TS_METHODS = ["manual", "mechanical", "mdd"]
CLEARANCE_METHODS = ["manual", "mechanical", "mixed"]
LAND_USE = ["agriculture", "agriculture", "agriculture", "housing", "infrastructure", "forestry",
            "pasture"]


@dataclass
class DemoData:
    organisations: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    hazards: list[dict] = field(default_factory=list)
    survey_points: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    eo_items: list[dict] = field(default_factory=list)


def _days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, hi))


def _cap(day: dt.date) -> dt.date:
    return min(day, LATEST)


def _perimeter(rng: random.Random, lon: float, lat: float) -> Polygon:
    """An irregular star-shaped (hence simple) polygon around the centre, sized like real hazards:
    radius log-normal around 120 m, between 30 m and 1.5 km."""
    radius = min(1500.0, max(30.0, rng.lognormvariate(math.log(120), 0.8)))
    n = rng.randint(5, 14)
    # evenly spread bearings with jitter: irregular, but never a sliver
    step = 360.0 / n
    start = rng.uniform(0, 360)
    angles = [(start + i * step + rng.uniform(-0.35, 0.35) * step) % 360 for i in range(n)]
    dists = [radius * rng.uniform(0.55, 1.0) for _ in angles]
    lons, lats, _ = GEOD.fwd(np.full(len(angles), lon), np.full(len(angles), lat),
                             np.array(angles), np.array(dists))
    # bearings grow clockwise; reverse so the exterior ring is counter-clockwise (RFC 7946)
    coords = [(round(x, 7), round(y, 7)) for x, y in zip(lons[::-1], lats[::-1])]
    poly = Polygon(coords)
    return poly if poly.is_valid else poly.convex_hull


def _strips(poly: Polygon, cuts: list[float]) -> list[MultiPolygon]:
    """Cut the polygon into west-to-east strips at the given fractions of its width."""
    minx, miny, maxx, maxy = poly.bounds
    width = maxx - minx
    edges = [0.0, *cuts, 1.0]
    pieces = []
    for a, b in zip(edges, edges[1:]):
        x0 = minx - 1e-6 if a == 0.0 else minx + a * width
        x1 = maxx + 1e-6 if b == 1.0 else minx + b * width
        part = poly.intersection(box(x0, miny - 1e-6, x1, maxy + 1e-6))
        polys = [g for g in getattr(part, "geoms", [part]) if isinstance(g, Polygon) and not g.is_empty]
        pieces.append(MultiPolygon(polys) if polys else None)
    return pieces


def _point_inside(rng: random.Random, geom) -> Point:
    minx, miny, maxx, maxy = geom.bounds
    prepared = prep(geom)
    for _ in range(200):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if prepared.contains(p):
            return p
    return geom.representative_point()


def _dd(lat: float, lon: float) -> str:
    return f"{abs(lat):.6f}°{'N' if lat >= 0 else 'S'} {abs(lon):.6f}°{'E' if lon >= 0 else 'W'}"


def _dms(lat: float, lon: float) -> str:
    def part(value: float, pos: str, neg: str) -> str:
        v = abs(value)
        d = int(v)
        m = int((v - d) * 60)
        s = (v - d - m / 60) * 3600
        return f"{d}°{m:02d}'{s:05.2f}\"{pos if value >= 0 else neg}"
    return f"{part(lat, 'N', 'S')} {part(lon, 'E', 'W')}"


class _Ids:
    def __init__(self) -> None:
        self._n: dict[str, int] = {}

    def next(self, kind: str) -> int:
        self._n[kind] = self._n.get(kind, 0) + 1
        return self._n[kind]


def generate(hazards: int = 300, seed: int = 20221001) -> DemoData:
    """Build the demo data set: organisations, users for every role, the gazetteer and ``hazards``
    hazards with their survey points, activities, reports (in every workflow state), release products
    and EO finds."""
    rng = random.Random(seed)
    mgrs_conv = mgrs.MGRS()
    data = DemoData()
    ids = _Ids()
    data.areas = build_gazetteer()
    area_ids = {a.code: i for i, a in enumerate(data.areas, start=1)}

    for oid, name, short, kind, _ in ORGANISATIONS:
        data.organisations.append({"id": oid, "name": name, "short_name": short, "kind": kind,
                                   "country": "UA", "contact": f"info@{short.lower()}.example.org"})
    for i, (email, name, role, org, limits) in enumerate(USERS, start=1):
        data.users.append({"id": i, "email": email, "name": name, "role": role, "organisation_id": org,
                           "admin_area_ids": [area_ids[c] for c in limits]})
    users_by = {(u["organisation_id"], u["role"]): u["id"] for u in data.users}
    approver = users_by[(1, "approver")]

    hromadas = [a for a in data.areas if a.level == 3]
    weights = [a.weight * (a.geom.area ** 0.5) for a in hromadas]
    prepared = {a.code: prep(a.geom) for a in hromadas}
    operators_for = {code: [o[0] for o in ORGANISATIONS if code in o[4]] for code in
                     {a.parent_code for a in hromadas}}

    placed: list[Polygon] = []
    tree: STRtree | None = None
    tree_size = 0
    for n in range(1, hazards + 1):
        area = rng.choices(hromadas, weights)[0]
        minx, miny, maxx, maxy = area.geom.bounds
        while True:
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not prepared[area.code].contains(Point(lon, lat)):
                continue
            poly = _perimeter(rng, lon, lat)
            if not prepared[area.code].contains(poly):  # wholly inside its hromada
                continue
            # keep hazards apart: a real register flags overlapping records as duplicates;
            # the tree holds most placed hazards, the few placed since it was built are checked one by one
            if tree is not None and len(tree.query(poly, predicate="intersects")):
                continue
            if any(p.intersects(poly) for p in placed[tree_size:]):
                continue
            break
        placed.append(poly)
        if len(placed) - tree_size > 256:
            tree, tree_size = STRtree(placed), len(placed)
        _life_cycle(rng, data, ids, n, poly, area, area_ids[area.code],
                    rng.choice(operators_for[area.parent_code]), users_by, approver, mgrs_conv)
    return data


def _life_cycle(rng, data: DemoData, ids: _Ids, hazard_id: int, poly: Polygon, area: Area,
                area_id: int, org: int, users_by: dict, approver: int, mgrs_conv) -> None:
    stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
    surveyor = users_by[(org, "surveyor")]
    leader = users_by[(org, "team_leader")]
    recorded = EARLIEST + _days(rng, 0, 820)
    cha_from_start = rng.random() < 0.3
    classification = "CHA" if cha_from_start else "SHA"
    contamination = rng.choice(CONTAMINATION_BY_CLASS[classification])
    hazard = {
        "id": hazard_id,
        "national_code": f"UA63-{hazard_id:06d}",
        "name": f"{rng.choice(FEATURES).capitalize()} {rng.choice(DIRECTIONS)} "
                f"{area.name.removesuffix(' hromada')}",
        "classification": classification,
        "status": "open",
        "record_state": "approved",
        "contamination_types": contamination,
        "evidence": rng.choice([
            "Informant reports a mine incident with livestock.",
            "Visible UXO on the surface during a visual inspection.",
            "Former defensive position; military records show a minefield.",
            "Shelling impact craters and fragments observed.",
            "Local farmer refuses to work the land after finding fuzes.",
        ]),
        "priority": rng.choices([1, 2, 3, 4, 5], [0.15, 0.25, 0.35, 0.15, 0.1])[0],
        "land_use_blocked": sorted(set(rng.sample(LAND_USE, rng.randint(1, 2)))),
        "marking": sorted(set(rng.sample(["signs", "paint", "fence", "barrier"], rng.randint(0, 2)))),
        "location_precision": "surveyed",
        "date_of_information": recorded,
        "organisation_id": org,
        "admin_area_id": area_id,
        "perimeter": MultiPolygon([poly]),
        "location": poly.representative_point(),
        "last_applied_date": None,
        "created_by_id": surveyor,
        "approved_by_id": None,
        "approved_at": None,
    }
    data.hazards.append(hazard)
    _survey_points(rng, data, ids, hazard_id, poly, mgrs_conv)
    if stage in ("draft", "submitted"):
        hazard["record_state"] = stage
        return
    hazard["approved_by_id"] = approver
    hazard["approved_at"] = dt.datetime.combine(recorded + _days(rng, 1, 20), dt.time(10, 0),
                                                tzinfo=dt.timezone.utc)

    def activity(kind: str, method: str, start: dt.date, status: str, depth: int | None = None) -> int:
        aid = ids.next("activity")
        data.activities.append({
            "id": aid, "hazard_id": hazard_id, "activity_type": kind, "status": status,
            "organisation_id": org, "team": rng.choice(MANUAL_TEAMS), "method": method,
            "asset": {"mechanical": "GCS-200 flail", "mdd": "MDD team 2", "manual": "Manual team",
                      "mixed": "Manual + MV-4", "nts": "NTS team"}.get(method, method),
            "clearance_depth_cm": depth, "start_date": start,
            "end_date": _cap(start + _days(rng, 3, 40)) if status == "completed" else None})
        return aid

    def report(kind: str, activity_id: int | None, day: dt.date, state: str, **extra) -> int:
        rid = ids.next("report")
        decided = state in ("approved", "rejected")
        row = {
            "id": rid, "hazard_id": hazard_id, "activity_id": activity_id, "report_type": kind,
            "workflow_state": state, "date_of_information": day, "organisation_id": org,
            "evidence": extra.pop("evidence", None), "confirms_cha": extra.pop("confirms_cha", False),
            "details": extra.pop("details", {}), "created_by_id": surveyor,
            "submitted_by_id": leader if state != "draft" else None,
            "submitted_at": _ts(day + dt.timedelta(days=2)) if state != "draft" else None,
            "decided_by_id": approver if decided else None,
            "decided_at": _ts(day + dt.timedelta(days=5)) if decided else None,
            "decision_comment": extra.pop("comment", None), "out_of_order": False,
        }
        data.reports.append(row)
        if state == "approved":
            hazard["last_applied_date"] = max(filter(None, [hazard["last_applied_date"], day]))
        return rid

    def product(kind: str, geom, rid: int, aid: int | None, day: dt.date, applied: bool,
                depth: int | None = None) -> None:
        if geom is None:
            return
        data.products.append({
            "id": ids.next("product"), "hazard_id": hazard_id, "report_id": rid, "activity_id": aid,
            "product_type": kind, "geom": geom,
            "criteria": {"cancelled": "No evidence found by NTS; informants confirm use of the land.",
                         "reduced": "Technical survey found no EO in the reduced area.",
                         "cleared": f"Cleared to {depth} cm; all EO removed."}[kind],
            "clearance_depth_cm": depth, "date_released": day, "applied": applied})

    def finds(rid: int, geom, day: dt.date, count: int) -> None:
        for _ in range(count):
            ctype = rng.choice(contamination)
            category, models = EO_FOR_CONTAMINATION[ctype]
            data.eo_items.append({
                "id": ids.next("eo"), "hazard_id": hazard_id, "report_id": rid, "category": category,
                "model": rng.choice(models), "fuze": None,
                "condition": rng.choice(["armed", "armed", "unarmed", "damaged", "unknown"]),
                "quantity": rng.choice([1, 1, 1, 2, 3]), "depth_cm": rng.choice([0, 5, 8, 10, 15]),
                "found_on": day, "geom": _point_inside(rng, geom)})

    c = rng.uniform(0.15, 0.55)           # share of the width cancelled by NTS
    r = rng.uniform(0.15, 0.9 - c)        # reduced by TS
    cancelled, reduced, cleared = _strips(poly, [c, c + r])

    nts_day = _cap(recorded + _days(rng, 20, 120))
    if stage == "open":
        status = rng.choice(["planned", "ongoing"])
        aid = activity("nts", "nts", nts_day, status)
        if status == "ongoing" and rng.random() < 0.5:
            # an NTS report still in draft or submitted: its product does not count yet
            rid = report("nts", aid, nts_day, rng.choice(["draft", "submitted", "rejected"]),
                         comment="Cancelled strip overlaps a road used daily; please re-check.")
            product("cancelled", cancelled, rid, aid, nts_day, False)
        return

    aid = activity("nts", "nts", nts_day, "completed")
    rid = report("nts", aid, nts_day, "approved", evidence=hazard["evidence"])
    product("cancelled", cancelled, rid, aid, nts_day, True)

    ts_day = _cap(nts_day + _days(rng, 30, 200))
    ts_method = rng.choice(TS_METHODS)
    if stage == "suspended":
        activity("ts", ts_method, ts_day, "suspended")
        hazard["status"] = "suspended"
        return
    ts_status = "completed" if stage in ("closed", "handed_over") else rng.choice(["ongoing", "completed"])
    aid = activity("ts", ts_method, ts_day, ts_status)
    confirms = hazard["classification"] == "SHA" and rng.random() < 0.6
    rid = report("ts", aid, ts_day, "approved", confirms_cha=confirms,
                 evidence="Direct evidence found during technical survey." if confirms else None)
    product("reduced", reduced, rid, aid, ts_day, True)
    if confirms:
        hazard["classification"] = "CHA"
    if hazard["classification"] == "CHA" and cleared is not None:
        finds(rid, cleared, ts_day, rng.randint(1, 3))
    hazard["status"] = "worked_on"

    depth = rng.choice([13, 15, 20, 25, 30])
    cl_day = _cap(ts_day + _days(rng, 30, 250))
    cl_method = rng.choice(CLEARANCE_METHODS)
    if stage == "worked_on":
        if rng.random() < 0.5:
            aid = activity("clearance", cl_method, cl_day, "ongoing", depth)
            state = rng.choice(["draft", "submitted", "rejected"])
            rid = report("clearance", aid, cl_day, state,
                         comment="Clearance depth does not match the task order."
                         if state == "rejected" else None)
            product("cleared", cleared, rid, aid, cl_day, False, depth)
        return

    aid = activity("clearance", cl_method, cl_day, "completed", depth)
    rid = report("clearance", aid, cl_day, "approved")
    product("cleared", cleared, rid, aid, cl_day, True, depth)
    if cleared is not None:
        finds(rid, cleared, cl_day, rng.randint(0, 4))
    done_day = _cap(cl_day + _days(rng, 5, 30))
    details = {"residual_risk": "Low; the land may be used for its intended purpose.",
               "permanent_markers": rng.randint(2, 6), "clearance_depth_cm": depth}
    if stage == "handed_over":
        details["handover"] = {
            "received_by": f"{area.name.removesuffix(' hromada')} hromada council",
            "participants": {"men": rng.randint(1, 8), "women": rng.randint(1, 8),
                             "boys": rng.randint(0, 3), "girls": rng.randint(0, 3)},
        }
    report("completion", None, done_day, "approved", details=details)
    hazard["status"] = "handed_over" if stage == "handed_over" else "closed"


def _ts(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(min(day, LATEST), dt.time(9, 30), tzinfo=dt.timezone.utc)


def _survey_points(rng, data: DemoData, ids: _Ids, hazard_id: int, poly: Polygon, mgrs_conv) -> None:
    """Record the perimeter as a surveyor would have: most as a traverse from a benchmark
    (bearing and distance per leg), some as typed MGRS or DD coordinates."""
    coords = list(poly.exterior.coords)[:-1]
    style = rng.choices(["traverse", "mgrs", "dd"], [0.6, 0.25, 0.15])[0]
    seq = 0

    def add(point_type: str, lon: float, lat: float, fmt: str, text: str | None, **extra) -> int:
        nonlocal seq
        seq += 1
        pid = ids.next("survey_point")
        row = {"id": pid, "hazard_id": hazard_id, "product_id": None, "sequence": seq,
               "point_type": point_type, "input_format": fmt, "input_text": text, "bearing": None,
               "bearing_unit": None, "bearing_reference": None, "declination_deg": None,
               "distance_m": None, "from_point_id": None, "marker": None, "altitude_m": None,
               "accuracy_m": None, "geom": Point(lon, lat)}
        row.update(extra)
        data.survey_points.append(row)
        return pid

    if style == "traverse":
        # benchmark 20-60 m outside the start point, away from the centroid
        cx, cy = poly.centroid.x, poly.centroid.y
        sx, sy = coords[0]
        az_out, _, _ = GEOD.inv(cx, cy, sx, sy)
        bx, by, _ = GEOD.fwd(sx, sy, az_out, rng.uniform(20, 60))
        prev = add("benchmark", bx, by, "DMS", _dms(by, bx), marker="Painted stake by the road")
        prev_xy = (bx, by)
        for i, (x, y) in enumerate(coords):
            az, _, dist = GEOD.inv(prev_xy[0], prev_xy[1], x, y)
            prev = add("start" if i == 0 else "turning", x, y, "bearing_distance", None,
                       bearing=round(az % 360, 1), bearing_unit="deg", bearing_reference="true",
                       declination_deg=None, distance_m=round(dist, 1), from_point_id=prev)
            prev_xy = (x, y)
        az, _, dist = GEOD.inv(prev_xy[0], prev_xy[1], coords[0][0], coords[0][1])
        add("end", coords[0][0], coords[0][1], "bearing_distance", None, bearing=round(az % 360, 1),
            bearing_unit="deg", bearing_reference="true", distance_m=round(dist, 1),
            from_point_id=prev)
    else:
        for i, (x, y) in enumerate(coords):
            if style == "mgrs":
                raw = mgrs_conv.toMGRS(y, x, MGRSPrecision=5)
                text = f"{raw[:3]} {raw[3:5]} {raw[5:10]} {raw[10:]}"
                fmt = "MGRS"
            else:
                text, fmt = _dd(y, x), "DD"
            add("start" if i == 0 else "turning", x, y, fmt, text)
