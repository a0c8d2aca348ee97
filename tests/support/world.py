"""A small world of organisations and users for workflow and permission tests."""
from __future__ import annotations

from dataclasses import dataclass

from pyproj import Geod
from sqlalchemy.orm import Session

from webapp.services.permissions import Actor
from webapp.store.models import Organisation, User

GEOD = Geod(ellps="WGS84")
BENCHMARK = "48°00'00.00\"N 37°00'00.00\"E"
# The checked example of the domain notes: BM→TP1 000°/20 m, then 100 m × 50 m.
EXAMPLE_LEGS = [
    {"bearing_deg": 0, "distance_m": 20, "point_type": "start"},
    {"bearing_deg": 90, "distance_m": 100, "point_type": "turning"},
    {"bearing_deg": 180, "distance_m": 50, "point_type": "turning"},
    {"bearing_deg": 270, "distance_m": 100, "point_type": "turning"},
    {"bearing_deg": 0, "distance_m": 50, "point_type": "end"},
]


def rectangle_legs(offset_east_m: float, width_m: float, height_m: float, north_m: float = 20.0) -> list[dict]:
    """A rectangle traverse whose start point lies ``north_m`` north and ``offset_east_m`` east of
    the benchmark (one leg from the benchmark, as surveyed), then east, south, west and north."""
    lon, lat, _ = GEOD.fwd(37.0, 48.0, 0, north_m)
    if offset_east_m:
        lon, lat, _ = GEOD.fwd(lon, lat, 90, offset_east_m)
    azimuth, _, distance = GEOD.inv(37.0, 48.0, lon, lat)
    return [
        {"bearing_deg": round(azimuth % 360, 6), "distance_m": round(distance, 4), "point_type": "start"},
        {"bearing_deg": 90, "distance_m": width_m, "point_type": "turning"},
        {"bearing_deg": 180, "distance_m": height_m, "point_type": "turning"},
        {"bearing_deg": 270, "distance_m": width_m, "point_type": "turning"},
        {"bearing_deg": 0, "distance_m": height_m, "point_type": "end"},
    ]


@dataclass
class World:
    authority: Organisation
    op_a: Organisation
    op_b: Organisation
    approver: Actor
    admin: Actor
    surveyor_a: Actor
    leader_a: Actor
    surveyor_b: Actor
    leader_b: Actor
    viewer: Actor


def build_world(session: Session) -> World:
    orgs = {}
    for short, kind in (("AUTH", "authority"), ("OPA", "operator"), ("OPB", "operator"), ("LOC", "local_authority")):
        o = Organisation(name=f"Org {short}", short_name=short, kind=kind)
        session.add(o)
        orgs[short] = o
    session.flush()
    actors = {}
    for key, role, org in (("approver", "approver", "AUTH"), ("admin", "admin", "AUTH"),
                           ("surveyor_a", "surveyor", "OPA"), ("leader_a", "team_leader", "OPA"),
                           ("surveyor_b", "surveyor", "OPB"), ("leader_b", "team_leader", "OPB"),
                           ("viewer", "viewer", "LOC")):
        u = User(email=f"{key}@world.example.org", name=key, role=role, organisation_id=orgs[org].id,
                 password_hash="x")
        session.add(u)
        session.flush()
        actors[key] = Actor(id=u.id, role=role, organisation_id=orgs[org].id, label=key)
    return World(orgs["AUTH"], orgs["OPA"], orgs["OPB"], **actors)
