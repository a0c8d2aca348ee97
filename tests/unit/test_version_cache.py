"""The per-process cache of tiles and list pages: an answer is served only at the data version it
was built from, and the memory it takes stays within its budget."""
from __future__ import annotations

import itertools

import pytest

from webapp.services.permissions import Actor, report_visible_sql, visibility_sql
from webapp.version_cache import VersionedCache

V1, V2, V3 = (1, 1000), (2, 2000), (3, 3000)


def test_an_answer_is_served_at_its_version_only():
    cache = VersionedCache(1 << 20)
    cache.put(("staff", V1, "hazards", 12, 1, 2), b"tile at v1")
    assert cache.get(("staff", V1, "hazards", 12, 1, 2)) == b"tile at v1"
    assert cache.get(("staff", V2, "hazards", 12, 1, 2)) is None
    assert cache.stats().hits == 1 and cache.stats().misses == 1


def test_a_newer_version_drops_the_older_answers_of_that_layer_only():
    cache = VersionedCache(1 << 20)
    cache.put(("staff", V1, "a"), b"x" * 100)
    cache.put(("public", V1, "a"), b"y" * 100)
    assert cache.get(("staff", V2, "a")) is None
    assert cache.stats().entries == 1 and cache.stats().bytes == 100
    assert cache.get(("public", V1, "a")) == b"y" * 100


def test_an_answer_built_from_an_older_version_is_not_kept():
    """A request whose read began before a change may finish after a newer version was seen: it is
    answered, but what it built must never be served to later requests."""
    cache = VersionedCache(1 << 20)
    assert cache.get(("staff", V3, "t")) is None
    cache.put(("staff", V2, "t"), b"old")
    assert cache.get(("staff", V2, "t")) is None
    assert cache.stats().entries == 0


def test_a_restored_database_repeating_a_counter_does_not_match():
    """After a restore from backup the counter may repeat a number with different data: the time
    it was raised tells them apart."""
    cache = VersionedCache(1 << 20)
    cache.put(("public", (7, 111), 0, 0, 0), b"before restore")
    assert cache.get(("public", (7, 222), 0, 0, 0)) is None
    cache.put(("public", (7, 222), 0, 0, 0), b"after restore")
    assert cache.get(("public", (7, 222), 0, 0, 0)) == b"after restore"
    assert cache.stats().entries == 1


def test_least_recently_used_answers_go_first_within_the_byte_budget():
    cache = VersionedCache(16 * 1000)  # entries up to 1,000 bytes
    for i in range(16):
        cache.put(("staff", V1, i), bytes(1000))
    cache.get(("staff", V1, 0))  # used again: kept
    cache.put(("staff", V1, 16), bytes(1000))
    assert cache.stats().bytes <= 16 * 1000
    assert cache.get(("staff", V1, 0)) is not None
    assert cache.get(("staff", V1, 1)) is None
    cache.put(("staff", V1, "huge"), bytes(1001))
    assert cache.get(("staff", V1, "huge")) is None


def test_a_zero_budget_keeps_nothing():
    cache = VersionedCache(0)
    cache.put(("staff", V1, 1), b"x")
    assert not cache.enabled and cache.get(("staff", V1, 1)) is None


ROLES = ("surveyor", "team_leader", "approver", "admin", "viewer", None)


def _conditions(actor: Actor) -> str:
    out = []
    for sql, params in (visibility_sql(actor), visibility_sql(actor, include_deleted=True),
                        report_visible_sql(actor)):
        out.append((sql, sorted((k, sorted(v) if isinstance(v, list) else v) for k, v in params.items())))
    return repr(out)


def test_actors_with_the_same_scope_key_see_the_same_objects():
    """Cached answers are shared by scope key, so equal keys must mean equal visibility conditions
    (the user id is not part of the key: two people of one organisation, role and areas share)."""
    actors = [Actor(id=i, role=role, organisation_id=org, admin_area_ids=areas)
              for i, (role, org, areas) in enumerate(itertools.product(
                  ROLES, (1, 2), ((), (5,), (5, 7), (7, 5))), start=1)]
    actors += [Actor(id=1000 + a.id, role=a.role, organisation_id=a.organisation_id,
                     admin_area_ids=a.admin_area_ids) for a in actors]
    shared = 0
    for a, b in itertools.combinations(actors, 2):
        if a.scope_key() == b.scope_key():
            shared += 1
            assert _conditions(a) == _conditions(b), (a, b)
    assert shared >= len(actors) // 2
    anonymous = Actor(id=None, role=None, organisation_id=None)
    assert anonymous.scope_key() != Actor(id=1, role="viewer", organisation_id=1).scope_key()
