"""The benchmark's data: N synthetic hazards from the demo generator, written with COPY.

Up to :data:`PART_SIZE` hazards the data set is exactly ``generate(hazards=N)`` loaded by
``load(session, data, audit=False)``, which ends with the remaining-area recomputation and the
public-zone refresh.

Larger sets are built from parts of :data:`PART_SIZE` hazards, because one Kharkiv oblast cannot hold
more without overlapping hazards (the generator keeps them apart): part ``k`` is
``generate(hazards=PART_SIZE, seed=SEED + k)`` moved to cell ``k`` of a grid of oblast-sized cells
over Ukraine (cell 0 is the oblast itself), with its ids moved into a range of its own. Parts are
generated and written by two processes at once; each part depends only on ``k``, so the data set is
the same whatever the scheduling. The remaining areas and public zones are then recomputed once, by
the same functions ``load`` calls. Survey point texts (MGRS, DD) keep the coordinates the generator
wrote; only geometries move.
"""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

SEED = 20221001
PART_SIZE = 100_000
"""Hazards per part: the generator places 100,000 in one oblast in about 100 s."""
ID_STRIDE = 100_000_000
"""Ids of part k's activities, reports, products, survey points and EO finds start at k × this."""
CELL_DX, CELL_DY, GRID_COLUMNS = -3.2, -1.75, 5
"""Cell k lies CELL_DX × (k mod 5) degrees east and CELL_DY × (k div 5) degrees north of the oblast:
five columns west to the Carpathians, four rows south to the coast (at most 2,000,000 hazards)."""
MAX_PARTS = 20
TABLES = ("organisations", "admin_areas", "users", "user_admin_areas", "hazards", "activities",
          "reports", "release_products", "survey_points", "eo_items")


@dataclass
class LoadReport:
    hazards: int
    parts: int
    streams: int = 1
    """Processes generating and copying at once."""
    rows: dict = field(default_factory=dict)
    generate_s: float = 0.0
    """Generation time, summed over the parts."""
    copy_s: float = 0.0
    """COPY time, summed over the parts (each part is one COPY stream at a time)."""
    recompute_s: float = 0.0
    refresh_s: float = 0.0
    wall_s: float = 0.0
    """From the start of generation to the end of the public-zone refresh."""
    public_zones: int = 0
    vacuum_analyze_s: float = 0.0
    database_mb: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def as_dict(self) -> dict:
        return {"hazards": self.hazards, "parts": self.parts, "streams": self.streams, "rows": self.rows,
                "total_rows": self.total_rows, "generate_s": round(self.generate_s, 2),
                "copy_s": round(self.copy_s, 2), "recompute_s": round(self.recompute_s, 2),
                "refresh_s": round(self.refresh_s, 2), "wall_s": round(self.wall_s, 2),
                "public_zones": self.public_zones,
                "copy_rows_per_s": round(self.total_rows / self.copy_s) if self.copy_s else None,
                "hazards_per_s": round(self.hazards / self.wall_s) if self.wall_s else None,
                "vacuum_analyze_s": round(self.vacuum_analyze_s, 2),
                "database_mb": round(self.database_mb)}


class _StatementClock:
    """Times the two statements that follow the COPY in ``load``: the remaining-area UPDATE and the
    public-zone INSERT (SQLAlchemy events; COPY itself runs on the driver connection)."""

    MARKERS = {"recompute": "UPDATE hazards AS h", "refresh": "INSERT INTO public_zones"}

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.spent = {k: 0.0 for k in self.MARKERS}
        self.first_start: float | None = None
        self._started: dict[int, tuple[str, float]] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _kind(self, statement: str) -> str | None:
        for kind, marker in self.MARKERS.items():
            if marker in statement:
                return kind
        return None

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        kind = self._kind(statement)
        if kind:
            now = time.perf_counter()
            self.first_start = self.first_start or now
            self._started[id(cursor)] = (kind, now)

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = self._started.pop(id(cursor), None)
        if started:
            self.spent[started[0]] += time.perf_counter() - started[1]


def _shift(geom, dx: float, dy: float):
    import numpy as np
    import shapely

    if geom is None or (dx == 0 and dy == 0):
        return geom
    return shapely.transform(geom, lambda c: c + np.array([dx, dy]))


def part_data(k: int, count: int, seed: int = SEED, part_size: int = PART_SIZE):
    """Part ``k`` of a large data set: the generator's data moved to cell ``k`` with ids of its own."""
    from webapp.demo.generator import generate

    data = generate(hazards=count, seed=seed + k)
    if k == 0:
        return data
    if k >= MAX_PARTS:
        raise ValueError(f"at most {MAX_PARTS} parts")
    dx, dy = CELL_DX * (k % GRID_COLUMNS), CELL_DY * (k // GRID_COLUMNS)
    h_off, off = k * part_size, k * ID_STRIDE

    def moved(v):
        return None if v is None else v + off

    for h in data.hazards:
        h["id"] += h_off
        h["national_code"] = f"UA63-{h['id']:06d}"
        h["perimeter"] = _shift(h["perimeter"], dx, dy)
        h["location"] = _shift(h["location"], dx, dy)
    for a in data.activities:
        a["id"] += off
        a["hazard_id"] += h_off
    for r in data.reports:
        r["id"] += off
        r["hazard_id"] += h_off
        r["activity_id"] = moved(r["activity_id"])
    for p in data.products:
        p["id"] += off
        p["hazard_id"] += h_off
        p["report_id"] = moved(p["report_id"])
        p["activity_id"] = moved(p["activity_id"])
        p["geom"] = _shift(p["geom"], dx, dy)
    for s in data.survey_points:
        s["id"] += off
        s["hazard_id"] += h_off
        s["from_point_id"] = moved(s["from_point_id"])
        s["product_id"] = moved(s["product_id"])
        s["geom"] = _shift(s["geom"], dx, dy)
    for e in data.eo_items:
        e["id"] += off
        e["hazard_id"] += h_off
        e["report_id"] = moved(e["report_id"])
        e["geom"] = _shift(e["geom"], dx, dy)
    return data


def _write_part(url: str, k: int, count: int, seed: int, part_size: int) -> dict:
    """Worker: generate part ``k`` and COPY it in a transaction of its own (audit off)."""
    from webapp.demo.loader import append_hazards
    from webapp.store import db

    t0 = time.perf_counter()
    data = part_data(k, count, seed, part_size)
    t1 = time.perf_counter()
    engine = db.make_engine(url, pool_size=1, max_overflow=0)
    try:
        with db.transaction(db.make_session_factory(engine), actor_label="benchmark loader") as session:
            rows = append_hazards(session, data, audit=False)
    finally:
        engine.dispose()
    return {"k": k, "rows": rows, "generate_s": t1 - t0, "copy_s": time.perf_counter() - t1}


def _parts(n: int, part_size: int) -> list[int]:
    sizes = [part_size] * (n // part_size)
    if n % part_size:
        sizes.append(n % part_size)
    if len(sizes) > MAX_PARTS:
        raise ValueError(f"at most {MAX_PARTS * part_size} hazards")
    return sizes


def build(url: str, n: int, seed: int = SEED, processes: int = 2, part_size: int = PART_SIZE,
          say=print) -> LoadReport:
    """Generate and load ``n`` hazards into the empty, migrated database at ``url``."""
    from sqlalchemy import text

    from webapp.config import Settings
    from webapp.demo.generator import DemoData, generate
    from webapp.demo.loader import load
    from webapp.store import db
    from webapp.store.land_release import recompute_all_remaining
    from webapp.store.public_zones import refresh

    sizes = _parts(n, part_size)
    report = LoadReport(hazards=n, parts=len(sizes))
    engine = db.make_engine(url)
    clock = _StatementClock(engine)
    factory = db.make_session_factory(engine)
    try:
        t0 = time.perf_counter()
        if len(sizes) == 1:
            data = generate(hazards=n, seed=seed)
            t1 = time.perf_counter()
            report.generate_s = t1 - t0
            say(f"  generated {n:,} hazards in {report.generate_s:.1f} s")
            with db.transaction(factory, actor_label="benchmark loader") as session:
                counts = load(session, data, audit=False)
            del data
            report.wall_s = time.perf_counter() - t0
            report.recompute_s = clock.spent["recompute"]
            report.refresh_s = clock.spent["refresh"]
            report.copy_s = (clock.first_start or time.perf_counter()) - t1
            report.public_zones = counts.pop("public_zones")
            # what load() did after the COPY besides the two timed statements (the commit)
            report.refresh_s = report.wall_s - report.generate_s - report.copy_s - report.recompute_s
        else:
            base = generate(hazards=0, seed=seed)
            with db.transaction(factory, actor_label="benchmark loader") as session:
                load(session, DemoData(organisations=base.organisations, users=base.users,
                                       areas=base.areas), audit=False)
            report.streams = min(processes, len(sizes))
            say(f"  {len(sizes)} parts of up to {part_size:,} hazards, {report.streams} processes "
                "generating and copying")
            results = []
            with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
                futures = [pool.submit(_write_part, url, k, size, seed, part_size)
                           for k, size in enumerate(sizes)]
                for future in futures:
                    result = future.result()
                    results.append(result)
                    say(f"    part {result['k']}: generated in {result['generate_s']:.0f} s, "
                        f"copied in {result['copy_s']:.0f} s")
            report.generate_s = sum(r["generate_s"] for r in results)
            report.copy_s = sum(r["copy_s"] for r in results)
            with db.transaction(factory, actor_label="benchmark loader") as session:
                session.execute(text("SELECT set_config('safeground.audit', 'off', true)"))
                for table in TABLES:
                    if table != "user_admin_areas":
                        session.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
                t2 = time.perf_counter()
                recompute_all_remaining(session)
                t3 = time.perf_counter()
                report.public_zones = refresh(session, Settings.from_env())
            t4 = time.perf_counter()
            report.recompute_s, report.refresh_s = t3 - t2, t4 - t3
            report.wall_s = t4 - t0
        with engine.connect() as conn:
            report.rows = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
        t5 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
            report.database_mb = conn.execute(
                text("SELECT pg_database_size(current_database()) / 1048576.0")).scalar_one()
        report.vacuum_analyze_s = time.perf_counter() - t5
    finally:
        engine.dispose()
    return report
