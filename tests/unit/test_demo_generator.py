"""The demo generator: deterministic, realistic, every state present, figures that add up."""
from collections import Counter

import pytest
from pyproj import Geod
from shapely import STRtree
from shapely.ops import unary_union

from webapp.demo.gazetteer import build_gazetteer
from webapp.demo.generator import generate
from webapp.store.models import HAZARD_STATUSES, RECORD_STATES, ROLES

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def data():
    return generate(300)


def test_same_seed_same_data_other_seed_other_data(data):
    again = generate(300)
    assert [h["perimeter"].wkb for h in again.hazards] == [h["perimeter"].wkb for h in data.hazards]
    other = generate(300, seed=7)
    assert [h["perimeter"].wkb for h in other.hazards] != [h["perimeter"].wkb for h in data.hazards]


def test_hazards_are_valid_apart_and_inside_the_oblast(data):
    oblast = next(a for a in data.areas if a.code == "UA63").geom
    perimeters = [h["perimeter"] for h in data.hazards]
    assert all(p.is_valid and oblast.contains(p) for p in perimeters)
    tree = STRtree(perimeters)
    overlapping = sum(len(tree.query(p, predicate="overlaps")) for p in perimeters)
    assert overlapping == 0
    areas = sorted(abs(GEOD.geometry_area_perimeter(p)[0]) for p in perimeters)
    assert 1_000 < areas[len(areas) // 2] < 100_000  # median hazard of a few hectares at most
    assert areas[0] > 200


def test_every_state_role_and_product_type_occurs(data):
    assert set(Counter(r["workflow_state"] for r in data.reports)) == set(RECORD_STATES)
    statuses = Counter(h["status"] for h in data.hazards)
    assert set(statuses) == set(HAZARD_STATUSES)
    assert {u["role"] for u in data.users} == set(ROLES)
    assert {p["product_type"] for p in data.products} == {"cancelled", "reduced", "cleared"}
    assert {h["record_state"] for h in data.hazards} >= {"draft", "submitted", "approved"}
    assert {"CHA", "SHA"} <= {h["classification"] for h in data.hazards}
    assert len(data.eo_items) > 50


def test_products_of_a_hazard_are_disjoint_and_inside_it(data):
    by_hazard = {}
    for p in data.products:
        by_hazard.setdefault(p["hazard_id"], []).append(p["geom"])
    perimeters = {h["id"]: h["perimeter"] for h in data.hazards}
    for hid, geoms in by_hazard.items():
        hazard = perimeters[hid]
        assert all(g.difference(hazard).area <= 1e-12 for g in geoms)
        total = sum(g.area for g in geoms)
        assert unary_union(geoms).area == pytest.approx(total, rel=1e-9)


def test_closed_hazards_are_fully_released(data):
    released = {}
    for p in data.products:
        if p["applied"]:
            released[p["hazard_id"]] = released.get(p["hazard_id"], 0) + p["geom"].area
    for h in data.hazards:
        if h["status"] in ("closed", "handed_over"):
            assert released[h["id"]] == pytest.approx(h["perimeter"].area, rel=1e-6)


def test_clearance_always_has_a_depth(data):
    assert all(p["clearance_depth_cm"] for p in data.products if p["product_type"] == "cleared")
    assert all(a["clearance_depth_cm"] for a in data.activities if a["activity_type"] == "clearance")


def test_gazetteer_levels_nest(data):
    areas = {a.code: a for a in build_gazetteer()}
    for area in areas.values():
        if area.level >= 2:
            parent = areas[area.parent_code]
            assert parent.geom.buffer(1e-9).contains(area.geom)
        assert area.names["en"] and area.names["uk"]
    raions = [a for a in areas.values() if a.level == 2]
    assert len(raions) == 7
    assert unary_union([r.geom for r in raions]).symmetric_difference(areas["UA63"].geom).area < 1e-9
