"""Answers already built (map tiles, pages of the hazard list), kept in the memory of each server
process and reused while the data they were built from has not changed.

A tile's bytes depend only on its address, its layer and filters, the visibility scope of who asks
(:meth:`webapp.services.permissions.Actor.scope_key`) and the data, whose state is summed up by the
layer's row in ``map_versions``; a page of the hazard list likewise on its query, the scope and the
staff data (raised by triggers in the same transaction as any change:
migrations 0004 and 0006). The key holds all of these, so an entry can only be served while its
version is current; when a newer version is seen, the older entries of that layer are dropped at
once. The version stamp is the counter with the time it was raised, so a database restored from
a backup (whose counter may repeat a number this process has seen) never matches a tile built
from other data. Least recently used entries go first when the byte budget is reached.

Each gunicorn worker has its own cache: nothing is shared, nothing needs invalidating across
processes, and a restart starts empty.
"""
from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from flask import current_app, g, has_app_context

from .store.public_zones import layer_stamp


@dataclass(frozen=True)
class CacheStats:
    entries: int
    bytes: int
    hits: int
    misses: int


class VersionedCache:
    """A byte-bounded LRU of answers; keys are tuples whose first two items are the layer kind
    (``"public"`` / ``"staff"``) and its version stamp ``(counter, raised at)``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self.max_entry = self.max_bytes // 16
        """No single answer may take more than this share of the budget."""
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._bytes = 0
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: tuple) -> bytes | None:
        if not self.enabled:
            return None
        with self._lock:
            self._note_version(key)
            data = self._entries.get(key)
            if data is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return data

    def put(self, key: tuple, data: bytes) -> None:
        if not self.enabled or len(data) > self.max_entry:
            return
        with self._lock:
            self._note_version(key)
            if key[1] != self._versions.get(key[0]):
                return  # built from an older version than one already seen: never serve it
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._entries[key] = data
            self._bytes += len(data)
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def _note_version(self, key: tuple) -> None:
        """Drop the entries of a layer as soon as a newer version of it is seen (lock held). An older
        counter is a request that began before the change: it is answered but not kept."""
        kind, stamp = key[0], key[1]
        current = self._versions.get(kind)
        if current is None or stamp[0] > current[0] or (stamp[0] == current[0] and stamp != current):
            if current is not None:
                for stale in [k for k in self._entries if k[0] == kind and k[1] != stamp]:
                    self._bytes -= len(self._entries.pop(stale))
            self._versions[kind] = stamp

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._versions.clear()

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._entries), self._bytes, self.hits, self.misses)


def app_cache() -> VersionedCache:
    """The cache of this app in this process (``SAFEGROUND_TILE_CACHE_MB``)."""
    cache = current_app.extensions.get("safeground_version_cache")
    if cache is None:
        mb = current_app.config["SAFEGROUND"].tile_cache_mb
        cache = current_app.extensions.setdefault("safeground_version_cache", VersionedCache(mb * 2**20))
    return cache


def cached(key: tuple, build: Callable[[], bytes]) -> bytes:
    """The answer kept under ``key``, or ``build()`` kept under it."""
    cache = app_cache()
    data = cache.get(key)
    if data is None:
        data = build()
        cache.put(key, data)
    return data


def cached_value(key: tuple, build: Callable[[], object]) -> object:
    """Like :func:`cached` for a Python value of the app's own making (kept pickled, so that its size
    counts against the budget and no caller can change the kept copy). Outside an app: ``build()``."""
    if not has_app_context():
        return build()
    return pickle.loads(cached(key, lambda: pickle.dumps(build(), protocol=pickle.HIGHEST_PROTOCOL)))


def request_stamp(session, layer: str) -> tuple[int, int]:
    """The layer's version stamp, read once per request (several answers of one page then agree on
    it); outside a request, read each time."""
    if not has_app_context():
        return layer_stamp(session, layer)
    stamps = g.setdefault("_sg_stamps", {})
    if layer not in stamps:
        stamps[layer] = layer_stamp(session, layer)
    return stamps[layer]


def version_tag(*parts: object) -> str:
    """An opaque ETag for a private answer named by ``parts`` (a version stamp among them): the same
    parts give the same tag, so a client holding the answer gets a 304 before it is built."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
