"""Counting what a vector tile carries, to check that every server's tiles hold the same hazards.

A feature counts as *in the tile* when its decoded geometry reaches the tile's own square (0 …
extent), not only its buffer: servers differ in whether they select features that lie wholly in the
buffer. Cluster points (``*_clusters``) stand for ``count`` features each.
"""
from __future__ import annotations

EXTENT = 4096


def _coords(geometry):
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    stack = [coords]
    while stack:
        c = stack.pop()
        if not c:
            continue
        if isinstance(c[0], (int, float)):
            yield c[0], c[1]
        else:
            stack.extend(c)


def _in_tile(geometry, extent: int = EXTENT) -> bool:
    xs, ys = [], []
    for x, y in _coords(geometry):
        xs.append(x)
        ys.append(y)
    if not xs:
        return False
    return max(xs) >= 0 and min(xs) <= extent and max(ys) >= 0 and min(ys) <= extent


def count(body: bytes) -> dict:
    """Per layer: features, features in the tile, and (cluster layers) the features they stand for."""
    import mapbox_vector_tile

    if not body:
        return {}
    decoded = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})
    out = {}
    for name, layer in decoded.items():
        feats = layer.get("features", [])
        extent = layer.get("extent", EXTENT)
        entry = {"features": len(feats),
                 "in_tile": sum(1 for f in feats if _in_tile(f.get("geometry"), extent))}
        if name.endswith("_clusters"):
            entry["represents"] = sum(int(f.get("properties", {}).get("count", 0)) for f in feats)
        out[name] = entry
    return out


def feature_counts(body: bytes) -> dict:
    """Features per layer, without decoding geometries (fast enough for tiles of many megabytes)."""
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    tile = vector_tile_pb2.tile()
    tile.ParseFromString(body)
    return {layer.name: len(layer.features) for layer in tile.layers}


def hazards_in_tile(counts: dict) -> int:
    """Hazards a tile shows in its own square: features drawn individually plus those clustered."""
    total = 0
    for name, entry in counts.items():
        total += entry.get("represents", entry["in_tile"]) if name.endswith("_clusters") else entry["in_tile"]
    return total
