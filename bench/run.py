"""One benchmark run for one data-set size: cluster, data, servers, measurements."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import psycopg

from . import data, load, machine, mvt, servers, workload
from .cluster import BenchCluster

TIPG_HAZARDS = "/collections/public.hazards"
TIPG_ZONES = "/collections/public.public_zones"
STAFF_PROPERTIES = "id,national_code,name,classification,status,record_state"
PUBLIC_PROPERTIES = "national_code,classification,status,marking,last_survey_date,organisation,precision"
BBOX_LIMITS = (100, 1000)
PAGES = ("/", "/overview", "/hazards", "/map")
DECODE_TILES = 3
"""Tiles per zoom and source decoded to compare feature counts."""
DECODE_MAX_BYTES = 4_000_000
ZONE_REFERENCES = ("tipg zones", "raw SQL zones")
ZONE_REFERENCE_ZOOMS = (12,)
"""The public layer's references (tipg and the raw query on public_zones) are measured where its
targets are; the hazards-table references at every zoom."""
TIPG_DEFAULT_TILE_LIMIT = 10_000
"""tipg's own default for TIPG_MAX_FEATURES_PER_TILE."""

# The plain per-row query: every hazard whose bounding box meets the tile and its buffer, transformed
# and clipped by ST_AsMVTGeom, no simplification and no aggregation (the same extent, buffer and
# properties as the staff hazards layer).
RAW_HAZARDS = """
    SELECT ST_AsMVT(q, 'hazards', 4096, 'geom') FROM (
        SELECT h.id, h.national_code, h.name, h.classification, h.status, h.record_state,
               ST_AsMVTGeom(ST_Transform(h.perimeter, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                            4096, 64, true) AS geom
          FROM hazards h
         WHERE h.perimeter && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096), 4326)
    ) q"""

# The same over the public warning zones, with the properties of the public layer.
RAW_ZONES = """
    SELECT ST_AsMVT(q, 'warning_zones', 4096, 'geom') FROM (
        SELECT p.national_code, p.classification, p.status, array_to_string(p.marking, ',') AS marking,
               to_char(p.last_survey_date, 'YYYY-MM-DD') AS last_survey_date, p.organisation, p.precision,
               ST_AsMVTGeom(ST_Transform(p.geom, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                            4096, 64, true) AS geom
          FROM public_zones p
         WHERE p.geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096), 4326)
    ) q"""

PREWARM = """
    SELECT c.relname, pg_prewarm(c.oid)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')
       AND (c.relname IN ('hazards', 'public_zones', 'organisations', 'admin_areas', 'users',
                          'api_tokens', 'map_versions', 'user_admin_areas')
            OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN
                         ('hazards'::regclass, 'public_zones'::regclass, 'api_tokens'::regclass)))
    UNION ALL
    SELECT t.relname, pg_prewarm(t.oid)
      FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid
     WHERE c.relname IN ('hazards', 'public_zones')"""


READ_ONCE = """
    SELECT (SELECT count(*) FROM hazards WHERE NOT ST_IsEmpty(perimeter)),
           (SELECT count(*) FROM public_zones WHERE NOT ST_IsEmpty(geom))"""


@dataclass
class Settings:
    requests_c1: int = 120
    requests_c8: int = 240
    cap_s: float = 12.0
    first_cap_s: float = 20.0
    """Longest time for the first pass over a list (the slowest reference tiles take seconds each)."""
    quiet_wait_s: float = 5.0
    """Longest wait, before each measurement, for other work on the machine to end …"""
    quiet_budget_s: float = 60.0
    """… and the longest such waiting for one data-set size."""
    concurrency: tuple[int, ...] = (1, 8)


@dataclass
class Source:
    """Something that answers items of a workload: an HTTP server path or the raw SQL."""

    name: str
    kind: str  # "http" | "sql"
    make: Callable  # item -> path (http) or parameters (sql)
    host: tuple[str, int] | None = None
    headers: dict = field(default_factory=dict)
    query: str | None = None
    dsn: dict | None = None

    def client(self):
        if self.kind == "http":
            return load.http_client(*self.host, headers=self.headers)
        return load.sql_client(self.dsn, self.query)


def measure(source: Source, items: list, cfg: Settings, meter: machine.Meter, keep: bool = True) -> dict:
    """One pass over the list at concurrency 1 (the first request of every item: SafeGround builds
    each answer rather than serving it from its cache; reported as "first"), then one run per
    concurrency, each with the CPU other work used meanwhile. Sizes (and kept bodies) are those of
    each item's first answer in the run at concurrency 1, which goes through the whole list unless
    the time cap stops it."""
    connect, call, close = source.client()
    prepared = [source.make(i) for i in items]
    waited, _ = meter.wait_quiet(cfg.quiet_wait_s)
    first = load.run(prepared, call, connect, close, concurrency=1, count=len(prepared), cap_s=cfg.first_cap_s)
    out = {"source": source.name, "items": len(items), "waited_s": waited, "runs": {},
           "first": {k: v for k, v in first.summary().items() if k in ("requests", "errors", "capped",
                                                                        "p50_ms", "p95_ms", "max_ms")}}
    for c in cfg.concurrency:
        count = cfg.requests_c1 if c == 1 else cfg.requests_c8
        meter.start()
        r = load.run(prepared, call, connect, close, concurrency=c, count=count, cap_s=cfg.cap_s,
                     keep_bodies=(c == 1))
        out["runs"][str(c)] = {**r.summary(), "other_cores": round(meter.stop(), 2)}
        if c == 1:
            sizes = [len(b) for b in r.bodies.values()]
            out["sizes"] = {"fetched": len(sizes), "p95": r.percentile(sizes, 0.95),
                            "max": max(sizes) if sizes else None}
            out["_bodies"] = r.bodies if keep else {}
    return out


def _tile_counts(result: dict, decode: int = DECODE_TILES) -> list:
    counts = []
    for i in sorted(result["_bodies"])[:decode]:
        body = result["_bodies"][i]
        if len(body) > DECODE_MAX_BYTES:
            counts.append({"tile": i, "skipped": f"{len(body) / 1e6:.1f} MB"})
            continue
        c = mvt.count(body)
        counts.append({"tile": i, "layers": c, "hazards_in_tile": mvt.hazards_in_tile(c)})
    return counts


def code_digest() -> str:
    """A digest of the application's code and migrations as they are on disk now: servers started
    for different sizes of one run must have run the same code (the checkout may be shared)."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in ("webapp", "migrations"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def run_size(n: int, cfg: Settings, workdir: Path | None, logs: Path, say=print) -> dict:
    """Everything for ``n`` hazards; server logs go to ``logs``."""
    from webapp.store import db

    out: dict = {"hazards": n, "code": code_digest()}
    bench_cluster = BenchCluster(workdir)
    meter = machine.Meter(cfg.quiet_budget_s)
    sg = tp = None
    try:
        t0 = time.perf_counter()
        bench_cluster.start()
        meter.own(machine.postmaster_pid(bench_cluster.cluster.pgdata))
        db.upgrade(bench_cluster.url)
        out["cluster"] = bench_cluster.describe()
        say(f"[{n:,}] cluster on port {bench_cluster.cluster.port}, migrated in "
            f"{time.perf_counter() - t0:.1f} s; generating and loading …")
        meter.start()
        report = data.build(bench_cluster.url, n, say=say)
        out["load"] = {**report.as_dict(), "other_cores": round(meter.stop(), 2)}
        ld = out["load"]
        say(f"[{n:,}] loaded {ld['total_rows']:,} rows ({ld['hazards']:,} hazards, {ld['public_zones']:,} "
            f"public zones) in {ld['wall_s']:.1f} s ({ld['hazards_per_s']:,} hazards/s): generate "
            f"{ld['generate_s']:.1f} s, COPY {ld['copy_s']:.1f} s ({ld['copy_rows_per_s']:,} rows/s per stream, "
            f"{ld['streams']} stream{'s' if ld['streams'] > 1 else ''}), remaining areas "
            f"{ld['recompute_s']:.1f} s, public zones {ld['refresh_s']:.1f} s; VACUUM ANALYZE "
            f"{ld['vacuum_analyze_s']:.1f} s; database {ld['database_mb']:,.0f} MB")

        with bench_cluster.connect() as conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
                conn.execute(PREWARM).fetchall()
            except psycopg.Error:  # no contrib modules: read what the servers read once instead
                conn.execute(READ_ONCE).fetchall()
            wl = workload.build(conn, n)
        out["workload"] = wl.as_dict()
        token = _token(bench_cluster.url)
        auth = {"Authorization": f"Bearer {token}"}

        logs.mkdir(parents=True, exist_ok=True)
        sg = servers.safeground(bench_cluster.url, bench_cluster.folder, logs / f"safeground-{n}.log")
        tp = servers.tipg(bench_cluster.dsn(), logs / f"tipg-{n}.log")
        sg.start()
        tp.start()
        out["code_at_start"] = code_digest()
        say(f"[{n:,}] safeground (gunicorn, {servers.WORKERS} workers) on :{sg.port}, tipg (uvicorn, "
            f"{servers.WORKERS} workers) on :{tp.port}")
        out["tipg_settings"] = {k: v for k, v in servers.tipg_settings(bench_cluster.dsn()).items()
                                if k != "DATABASE_URL"}
        dsn = bench_cluster.dsn()
        staff_ok = load.fetch(*sg.base, f"/tiles/staff/hazards/{wl.tiles[12][0][0]}/{wl.tiles[12][0][1]}/"
                                         f"{wl.tiles[12][0][2]}.pbf", auth)[0] == 200
        out["staff_tiles"] = staff_ok

        tile_sources = [
            Source("safeground public", "http", lambda t: f"/tiles/public/{t[0]}/{t[1]}/{t[2]}.pbf",
                   host=sg.base),
        ]
        if staff_ok:
            tile_sources.append(Source("safeground staff", "http",
                                       lambda t: f"/tiles/staff/hazards/{t[0]}/{t[1]}/{t[2]}.pbf",
                                       host=sg.base, headers=auth))
        tile_sources += [
            Source("tipg hazards", "http",
                   lambda t: (f"{TIPG_HAZARDS}/tiles/WebMercatorQuad/{t[0]}/{t[1]}/{t[2]}"
                              f"?geom-column=perimeter&properties={STAFF_PROPERTIES}"), host=tp.base),
            Source("tipg zones", "http",
                   lambda t: (f"{TIPG_ZONES}/tiles/WebMercatorQuad/{t[0]}/{t[1]}/{t[2]}"
                              f"?geom-column=geom&properties={PUBLIC_PROPERTIES}"), host=tp.base),
            Source("raw SQL hazards", "sql", lambda t: {"z": t[0], "x": t[1], "y": t[2]},
                   query=RAW_HAZARDS, dsn=dsn),
            Source("raw SQL zones", "sql", lambda t: {"z": t[0], "x": t[1], "y": t[2]},
                   query=RAW_ZONES, dsn=dsn),
        ]
        out["tiles"] = {}
        for z, tiles in wl.tiles.items():
            out["tiles"][str(z)] = {}
            for src in tile_sources:
                if src.name in ZONE_REFERENCES and z not in ZONE_REFERENCE_ZOOMS:
                    continue
                result = measure(src, tiles, cfg, meter)
                result["features"] = _tile_counts(result)
                result.pop("_bodies")
                out["tiles"][str(z)][src.name] = result
                _say_run(say, n, f"tiles z{z}", src.name, result)

        # What tipg's default per-tile limit would have served for the heaviest listed tile.
        z, x, y = wl.tiles[min(wl.tiles)][0]
        path = (f"{TIPG_HAZARDS}/tiles/WebMercatorQuad/{z}/{x}/{y}?geom-column=perimeter"
                f"&properties={STAFF_PROPERTIES}")
        full = load.fetch(*tp.base, path)[2]
        cut = load.fetch(*tp.base, f"{path}&limit={TIPG_DEFAULT_TILE_LIMIT}")[2]
        out["tipg_default_limit"] = {
            "tile": [z, x, y], "default_limit": TIPG_DEFAULT_TILE_LIMIT,
            "features": sum(mvt.feature_counts(full).values()),
            "features_at_default_limit": sum(mvt.feature_counts(cut).values())}
        say(f"[{n:,}] tipg tile {z}/{x}/{y}: {out['tipg_default_limit']['features']:,} features with the "
            f"raised limit, {out['tipg_default_limit']['features_at_default_limit']:,} with its default "
            f"limit of {TIPG_DEFAULT_TILE_LIMIT:,}")

        out["bbox"] = {}
        for limit in BBOX_LIMITS:
            bbox_sources = [
                Source("safeground", "http",
                       lambda v, lim=limit: f"/api/v1/hazards?bbox={v[0]},{v[1]},{v[2]},{v[3]}&limit={lim}",
                       host=sg.base, headers=auth),
                Source("tipg items", "http",
                       lambda v, lim=limit: (f"{TIPG_HAZARDS}/items?bbox={v[0]},{v[1]},{v[2]},{v[3]}"
                                             f"&limit={lim}&geom-column=perimeter&f=geojson"), host=tp.base),
            ]
            out["bbox"][str(limit)] = {}
            for src in bbox_sources:
                result = measure(src, wl.viewports, cfg, meter)
                result["returned"] = [len(json.loads(b).get("features", [])) for _, b in
                                      sorted(result.pop("_bodies").items())[:5]]
                out["bbox"][str(limit)][src.name] = result
                _say_run(say, n, f"bbox limit={limit}", src.name, result)

        points = [p for trio in zip(wl.points["inside"], wl.points["near"], wl.points["far"]) for p in trio]
        kinds = [k for _ in range(len(points) // 3) for k in ("inside", "near", "far")]
        check = Source("safeground", "http", lambda p: f"/api/v1/public/check?lat={p[1]}&lon={p[0]}",
                       host=sg.base)
        result = measure(check, points, cfg, meter)
        answers: dict = {}
        for i, body in result.pop("_bodies").items():
            key = f"{kinds[i]}→{json.loads(body)['status']}"
            answers[key] = answers.get(key, 0) + 1
        result["answers"] = answers
        out["check"] = result
        _say_run(say, n, "public check", "safeground", result)

        out["pages"] = {}
        for path in PAGES:
            status, headers, body = load.fetch(*sg.base, path, auth)
            entry = {"status": status}
            if status == 200:
                connect, call, close = load.http_client(*sg.base, headers=auth)
                r = load.run([path], call, connect, close, concurrency=1, count=5, cap_s=cfg.cap_s)
                entry.update({"bytes": len(body), "content_type": headers.get("Content-Type"),
                              **{k: v for k, v in r.summary().items() if k in ("p50_ms", "p95_ms")}})
            out["pages"][path] = entry
        say(f"[{n:,}] pages: " + ", ".join(
            f"{p} {e['bytes'] / 1024:.1f} KB" if e["status"] == 200 else f"{p} absent ({e['status']})"
            for p, e in out["pages"].items()))
    finally:
        for server in (sg, tp):
            if server is not None:
                server.stop()
        bench_cluster.destroy()
    return out


def _token(url: str) -> str:
    from webapp.services.users import issue_token
    from webapp.store import db

    engine = db.make_engine(url)
    try:
        with db.transaction(db.make_session_factory(engine), actor_label="benchmark") as session:
            return issue_token(session, "admin@nmaa.example.org", "benchmark")
    finally:
        engine.dispose()


def _say_run(say, n: int, what: str, source: str, result: dict) -> None:
    parts = []
    for c, r in result["runs"].items():
        parts.append(f"c{c}: p50 {r['p50_ms']} ms p95 {r['p95_ms']} ms {r['rps']} req/s"
                     + (" (capped)" if r["capped"] else "") + (f" {r['errors']} errors" if r["errors"] else ""))
    sizes = result.get("sizes", {})
    size = f", max {sizes['max'] / 1024:.1f} KB" if sizes.get("max") is not None else ""
    other = max(r.get("other_cores", 0) for r in result["runs"].values())
    busy = f" [other work: {other:.2f} cores]" if other > machine.QUIET_CORES else ""
    say(f"[{n:,}] {what:<18} {source:<18} " + " | ".join(parts) + size + busy)
