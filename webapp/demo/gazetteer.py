"""A demo gazetteer of Kharkiv oblast: oblast → raions → hromadas, names in English and Ukrainian.

Boundaries are generated, not surveyed: hromada cells are the Voronoi cells of the real hromada
centres, clipped to a simplified outline of the oblast; each raion is the union of its hromadas, and
the oblast is the union of its raions, so the levels nest exactly. They are good enough to group and
map demo data, and must not be mistaken for official boundaries.
"""
from __future__ import annotations

from dataclasses import dataclass

from shapely import MultiPoint, Polygon, voronoi_polygons
from shapely.geometry import MultiPolygon
from shapely.ops import unary_union

# A simplified outline of Kharkiv oblast (lon, lat), clockwise from the north-west.
OBLAST_OUTLINE = [
    (35.15, 50.25), (35.35, 50.40), (35.75, 50.37), (36.15, 50.43), (36.60, 50.25), (37.05, 50.35),
    (37.45, 50.43), (37.90, 50.10), (38.05, 49.90), (37.95, 49.45), (37.70, 49.10), (37.55, 48.95),
    (37.10, 48.92), (36.60, 48.75), (36.10, 48.85), (35.60, 48.98), (35.10, 49.20), (34.95, 49.55),
    (35.05, 49.95), (35.15, 50.25),
]

# Raion code → (English, Ukrainian)
RAIONS = {
    "UA6302": ("Bohodukhiv raion", "Богодухівський район"),
    "UA6304": ("Izium raion", "Ізюмський район"),
    "UA6306": ("Berestyn raion", "Берестинський район"),
    "UA6308": ("Kupiansk raion", "Куп'янський район"),
    "UA6310": ("Lozova raion", "Лозівський район"),
    "UA6312": ("Kharkiv raion", "Харківський район"),
    "UA6314": ("Chuhuiv raion", "Чугуївський район"),
}

# Hromada centres: (raion code, English, Ukrainian, lon, lat)
HROMADAS = [
    ("UA6302", "Bohodukhiv", "Богодухів", 35.527, 50.165),
    ("UA6302", "Zolochiv", "Золочів", 35.980, 50.280),
    ("UA6302", "Krasnokutsk", "Краснокутськ", 35.150, 50.060),
    ("UA6302", "Valky", "Валки", 35.620, 49.840),
    ("UA6304", "Izium", "Ізюм", 37.257, 49.212),
    ("UA6304", "Balakliia", "Балаклія", 36.860, 49.460),
    ("UA6304", "Barvinkove", "Барвінкове", 37.020, 48.900),
    ("UA6304", "Savyntsi", "Савинці", 37.120, 49.400),
    ("UA6306", "Berestyn", "Берестин", 35.442, 49.375),
    ("UA6306", "Zachepylivka", "Зачепилівка", 35.250, 49.200),
    ("UA6306", "Kehychivka", "Кегичівка", 35.770, 49.300),
    ("UA6308", "Kupiansk", "Куп'янськ", 37.616, 49.711),
    ("UA6308", "Velykyi Burluk", "Великий Бурлук", 37.390, 50.060),
    ("UA6308", "Borova", "Борова", 37.620, 49.380),
    ("UA6308", "Shevchenkove", "Шевченкове", 37.170, 49.700),
    ("UA6308", "Dvorichna", "Дворічна", 37.680, 49.850),
    ("UA6310", "Lozova", "Лозова", 36.316, 48.889),
    ("UA6310", "Blyzniuky", "Близнюки", 36.550, 48.850),
    ("UA6310", "Pervomaiskyi", "Первомайський", 36.210, 49.390),
    ("UA6312", "Kharkiv", "Харків", 36.231, 49.993),
    ("UA6312", "Derhachi", "Дергачі", 36.120, 50.110),
    ("UA6312", "Merefa", "Мерефа", 36.050, 49.820),
    ("UA6312", "Liubotyn", "Люботин", 35.930, 49.950),
    ("UA6314", "Chuhuiv", "Чугуїв", 36.688, 49.836),
    ("UA6314", "Vovchansk", "Вовчанськ", 36.940, 50.290),
    ("UA6314", "Pechenihy", "Печеніги", 36.930, 49.870),
    ("UA6314", "Zmiiv", "Зміїв", 36.360, 49.680),
]

# How heavily each raion is contaminated in the demo (relative weights; the east and north were
# occupied or on the front line).
RAION_WEIGHT = {"UA6302": 0.6, "UA6304": 3.0, "UA6306": 0.3, "UA6308": 2.5, "UA6310": 0.8,
                "UA6312": 1.5, "UA6314": 2.0}


@dataclass(frozen=True)
class Area:
    code: str
    level: int
    parent_code: str | None
    name: str
    names: dict
    geom: MultiPolygon | None
    weight: float = 0.0


def _multi(geom) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(polys)


def build_gazetteer() -> list[Area]:
    """Country, oblast, raions and hromadas, parents before children."""
    outline = Polygon(OBLAST_OUTLINE)
    centres = MultiPoint([(lon, lat) for _, _, _, lon, lat in HROMADAS])
    cells = voronoi_polygons(centres, extend_to=outline.buffer(1.0))
    hromada_geoms: list[MultiPolygon] = [None] * len(HROMADAS)  # type: ignore[list-item]
    for cell in cells.geoms:
        for i, (_, _, _, lon, lat) in enumerate(HROMADAS):
            if cell.contains(MultiPoint([(lon, lat)]).geoms[0]):
                hromada_geoms[i] = _multi(cell.intersection(outline))
                break

    areas = [
        Area("UA", 0, None, "Ukraine", {"en": "Ukraine", "uk": "Україна"}, None),
        Area("UA63", 1, "UA", "Kharkiv oblast", {"en": "Kharkiv oblast", "uk": "Харківська область"},
             _multi(outline)),
    ]
    for code, (en, uk) in RAIONS.items():
        parts = [g for (rc, *_), g in zip(HROMADAS, hromada_geoms) if rc == code]
        areas.append(Area(code, 2, "UA63", en, {"en": en, "uk": uk}, _multi(unary_union(parts)),
                          RAION_WEIGHT[code]))
    for i, ((raion, en, uk, _, _), geom) in enumerate(zip(HROMADAS, hromada_geoms), start=1):
        areas.append(Area(f"{raion}{i:03d}", 3, raion, f"{en} hromada",
                          {"en": f"{en} hromada", "uk": f"{uk} громада"}, geom,
                          RAION_WEIGHT[raion]))
    return areas
