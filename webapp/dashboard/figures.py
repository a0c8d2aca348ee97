"""The dashboard's figures: tables built from :func:`webapp.store.land_release.progress` (one PostGIS
query per table), the choropleth of remaining hazard by admin area, and CSV output.

Figures count approved hazards and approved (applied) release products only — ``progress()`` does
that — so nobody's drafts, one's own included, change them. A person limited to admin areas sees
only those areas (``ProgressFilter(admin_area_ids=…)``). Areas are geodesic square metres; every
table carries each figure in m² and in ha, each column named with its unit.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..errors import NotFound
from ..maps import places
from ..public import params
from ..public.params import BadParameter
from ..services.permissions import Actor
from ..store.land_release import ProgressFilter, ProgressRow
from ..store.land_release import progress as _progress_query
from ..store.public_zones import STAFF_LAYER
from ..version_cache import cached_value, request_stamp

FIGURES = ("original", "cancelled", "reduced", "cleared", "released", "remaining")
RELEASED = ("cancelled", "reduced", "cleared", "released")
FIGURE_LABELS = {"original": "Original", "cancelled": "Cancelled", "reduced": "Reduced",
                 "cleared": "Cleared", "released": "Released", "remaining": "Remaining"}
LEVELS = {1: "oblast", 2: "raion", 3: "hromada"}
DEFAULT_LEVEL = 2
METHOD_LABELS = {"nts": "Non-technical survey", "manual": "Manual", "mechanical": "Mechanical",
                 "mdd": "Mine detection dogs", "eod": "EOD", "mixed": "Mixed", None: "No method recorded"}
CLASS_LABELS = {"SHA": "SHA (suspected)", "CHA": "CHA (confirmed)", "EOD_SPOT_TASK": "EOD spot task",
                "ASA": "Ammunition storage area"}
CHOROPLETH_COLOURS = ("#FEE5D9", "#FCAE91", "#FB6A4A", "#DE2D26", "#A50F15")
"""Remaining hazard, light (little) to dark (much); areas with none get :data:`NONE_COLOUR`."""
NONE_COLOUR = "#EEEEEE"
PARAMETERS = ("from", "to", "organisation", "admin_area", "level")


# -- the request ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DashboardQuery:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organisation_ids: tuple[int, ...] = ()
    admin_area_id: int | None = None
    level: int = DEFAULT_LEVEL

    def args(self) -> dict[str, str]:
        """As query parameters (for links to the CSV files and the form)."""
        out: dict[str, str] = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        if self.organisation_ids:
            out["organisation"] = ",".join(map(str, self.organisation_ids))
        if self.admin_area_id is not None:
            out["admin_area"] = str(self.admin_area_id)
        if self.level != DEFAULT_LEVEL:
            out["level"] = str(self.level)
        return out


def parse_query(args: MultiDict) -> DashboardQuery:
    """The dashboard's query parameters; blank values mean "no filter" (a plain form sends them)."""
    args = MultiDict([(k, v) for k, v in args.items(multi=True) if v.strip()])
    params.reject_unknown(args, PARAMETERS, ("organisation",))
    start, end = params.date_from(args), params.date_to(args)
    if start and end and start > end:
        raise BadParameter("invalid_parameter", "from", f"from ({start}) is after to ({end})")
    level = DEFAULT_LEVEL
    raw = args.get("level")
    if raw is not None:
        if raw.strip() not in {str(k) for k in LEVELS}:
            raise BadParameter("invalid_parameter", "level",
                               "level must be 1 (oblast), 2 (raion) or 3 (hromada); got "
                               f"'{raw.strip()[:8]}'")
        level = int(raw)
    return DashboardQuery(date_from=start, date_to=end, organisation_ids=tuple(params.organisations(args)),
                          admin_area_id=params.admin_area(args), level=level)


def progress_filter(session: Session, actor: Actor, query: DashboardQuery) -> ProgressFilter:
    """What the person may count: their admin areas (or the chosen one within them)."""
    if query.admin_area_id is not None:
        if not places.area_allowed(session, actor, query.admin_area_id):
            raise NotFound(f"admin area {query.admin_area_id} not found")
        areas: list[int] | None = [query.admin_area_id]
    elif actor.admin_area_ids:
        areas = list(actor.admin_area_ids)
    else:
        areas = None
    return ProgressFilter(organisation_ids=list(query.organisation_ids) or None, admin_area_ids=areas,
                          date_from=query.date_from, date_to=query.date_to)


# -- tables -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"
    """``text``, ``int``, ``area`` (m², shown in ha; CSV gets ``<key>_m2`` and ``<key>_ha``) or
    ``percent``."""
    sub: str | None = None
    """On the page, a second line in the same cell from this key (e.g. the Ukrainian name)."""
    html: bool = True
    """False: only in the CSV file (the page shows it as another column's second line)."""


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str = ""

    def total(self, key: str) -> float:
        return sum(r.get(key) or 0 for r in self.rows)


def _figures(row: ProgressRow) -> dict:
    return {"hazards": row.hazards, "original": row.original_m2, "cancelled": row.cancelled_m2,
            "reduced": row.reduced_m2, "cleared": row.cleared_m2, "released": row.released_m2,
            "remaining": row.remaining_m2}


def _share(released: float, original: float) -> float | None:
    return None if not original else 100.0 * released / original


AREA_COLUMNS = [Column(k, FIGURE_LABELS[k], "area") for k in FIGURES]


def _totals_table(rows: list[ProgressRow]) -> Table:
    t = Table("totals", "Totals", [Column("hazards", "Hazards", "int"), *AREA_COLUMNS,
                                   Column("released_share", "Released share", "percent")])
    for r in rows:
        f = _figures(r)
        t.rows.append({**f, "released_share": _share(f["released"], f["original"])})
    return t


def _area_table(rows: list[ProgressRow], names: dict, level: int) -> Table:
    t = Table("admin_areas", f"By {LEVELS[level]}",
              [Column("name", LEVELS[level].capitalize(), sub="name_uk"),
               Column("name_uk", "Name (uk)", html=False), Column("code", "Code", html=False),
               Column("hazards", "Hazards", "int"), *AREA_COLUMNS,
               Column("released_share", "Released share", "percent")],
              note="Each hazard counts in the area it lies in; its release products count there too, "
                   "so original = released + remaining on every row.")
    for r in rows:
        area_id = r.keys["admin_area"]
        info = names.get(area_id, {})
        f = _figures(r)
        t.rows.append({"admin_area_id": area_id, "name": info.get("name", "Unassigned"),
                       "name_uk": (info.get("names") or {}).get("uk", ""), "code": info.get("short", ""),
                       **f, "released_share": _share(f["released"], f["original"])})
    t.rows.sort(key=lambda row: (row["admin_area_id"] is None, row["name"]))
    return t


def _organisation_table(rows: list[ProgressRow], names: dict) -> Table:
    t = Table("organisations", "By organisation",
              [Column("short_name", "Organisation", sub="name"), Column("name", "Full name", html=False),
               Column("hazards", "Hazards", "int"), *AREA_COLUMNS],
              note="Original and remaining areas count for the organisation responsible for the hazard; "
                   "released land counts for the organisation whose activity released it.")
    for r in rows:
        org_id = r.keys["organisation"]
        info = names.get(org_id, {})
        t.rows.append({"organisation_id": org_id, "short_name": info.get("short", "—"),
                       "name": info.get("name", "Unknown"), **_figures(r)})
    t.rows.sort(key=lambda row: row["short_name"])
    return t


def _method_table(rows: list[ProgressRow]) -> Table:
    t = Table("methods", "Released land by method",
              [Column("method_label", "Method"), *[Column(k, FIGURE_LABELS[k], "area") for k in RELEASED]],
              note="The method of the activity that released the land. Release products recorded "
                   "without an activity count under “No method recorded”.")
    for r in rows:
        method = r.keys["method"]
        f = _figures(r)
        if method is None and not f["released"]:
            continue
        t.rows.append({"method": method or "", "method_label": METHOD_LABELS.get(method, method),
                       **{k: f[k] for k in RELEASED}})
    t.rows.sort(key=lambda row: (row["method"] == "", -row["released"]))
    return t


def _month_range(first: dt.date, last: dt.date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield dt.date(y, m, 1)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _month_table(rows: list[ProgressRow]) -> Table:
    t = Table("months", "By month",
              [Column("month", "Month"), Column("hazards", "Hazards recorded", "int"),
               Column("original", "Suspected area recorded", "area"),
               *[Column(k, FIGURE_LABELS[k], "area") for k in RELEASED],
               Column("cumulative_released", "Released to date", "area")],
              note="Hazards and suspected area fall on the month of the hazard's date of information; "
                   "released land on the month it was released. Months without any record show zero.")
    by_month = {r.keys["month"]: _figures(r) for r in rows if r.keys["month"] is not None}
    running = 0.0
    if by_month:
        for month in _month_range(min(by_month), max(by_month)):
            f = by_month.get(month) or {k: 0.0 for k in FIGURES} | {"hazards": 0}
            running += f["released"]
            t.rows.append({"month": month.strftime("%Y-%m"), "hazards": f["hazards"],
                           "original": f["original"], **{k: f[k] for k in RELEASED},
                           "cumulative_released": running})
    return t


def _classification_table(rows: list[ProgressRow]) -> Table:
    t = Table("classifications", "By classification",
              [Column("classification_label", "Classification"), Column("hazards", "Hazards", "int"),
               *AREA_COLUMNS],
              note="The hazard's classification today.")
    for r in rows:
        c = r.keys["classification"]
        t.rows.append({"classification": c, "classification_label": CLASS_LABELS.get(c, c), **_figures(r)})
    return t


TABLES = ("totals", "admin_areas", "organisations", "methods", "months", "classifications")


@dataclass
class Dashboard:
    query: DashboardQuery
    tables: dict[str, Table]
    choropleth: dict
    legend: list[tuple[str, str]]
    charts: dict

    @property
    def totals(self) -> dict:
        return self.tables["totals"].rows[0]


def progress(session: Session, dimensions: tuple[str, ...] = ("admin_area",), flt: ProgressFilter | None = None,
             admin_level: int = 1) -> list[ProgressRow]:
    """:func:`webapp.store.land_release.progress`, kept per server process while the staff data
    version stays the same (decision record 0010): the aggregate reads every approved hazard and
    release product, which takes seconds at a million hazards, and the figures change only when
    the data do."""
    stamp = request_stamp(session, STAFF_LAYER)
    key = (STAFF_LAYER, stamp, "progress", tuple(dimensions), repr(flt), admin_level)
    return cached_value(key, lambda: _progress_query(session, dimensions, flt, admin_level=admin_level))


def table(session: Session, actor: Actor, query: DashboardQuery, name: str,
          flt: ProgressFilter | None = None) -> Table:
    """One table (one progress query). ``flt``: :func:`progress_filter`, when already worked out."""
    flt = flt or progress_filter(session, actor, query)
    if name == "totals":
        return _totals_table(progress(session, (), flt))
    if name == "admin_areas":
        rows = progress(session, ("admin_area",), flt, admin_level=query.level)
        return _area_table(rows, places.names_of(session, "admin_areas", [r.keys["admin_area"] for r in rows]),
                           query.level)
    if name == "organisations":
        rows = progress(session, ("organisation",), flt)
        return _organisation_table(rows, places.names_of(session, "organisations",
                                                         [r.keys["organisation"] for r in rows]))
    if name == "methods":
        return _method_table(progress(session, ("method",), flt))
    if name == "months":
        return _month_table(progress(session, ("month",), flt))
    if name == "classifications":
        return _classification_table(progress(session, ("classification",), flt))
    raise NotFound(f"no table {name[:40]!r}; the tables are {', '.join(TABLES)}")


def build(session: Session, actor: Actor, query: DashboardQuery) -> Dashboard:
    flt = progress_filter(session, actor, query)
    tables = {name: table(session, actor, query, name, flt) for name in TABLES}
    outlines = places.area_outlines(session, actor, query.level, within=query.admin_area_id)
    legend = colour_outlines(outlines, tables["admin_areas"])
    return Dashboard(query, tables, outlines, legend, charts(tables))


# -- choropleth ---------------------------------------------------------------------------------------
def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        ceiling = step * 10 ** exponent
        if ceiling >= value:
            return ceiling
    return 10 ** (exponent + 1)


def colour_outlines(outlines: dict, areas: Table) -> list[tuple[str, str]]:
    """Give each outline its figures and a fill by remaining hectares (equal classes up to a round
    maximum); returns the legend as (colour, label) pairs."""
    by_id = {r["admin_area_id"]: r for r in areas.rows}
    top_ha = max([r["remaining"] / 10000 for r in areas.rows] or [0])
    ceiling = _nice_ceiling(top_ha)
    step = ceiling / len(CHOROPLETH_COLOURS)
    for feature in outlines.get("features", []):
        props = feature["properties"]
        row = by_id.get(props["id"], {})
        remaining_ha = (row.get("remaining") or 0) / 10000
        props.update({
            "hazards": row.get("hazards", 0),
            "original_m2": round(row.get("original") or 0, 1),
            "released_m2": round(row.get("released") or 0, 1),
            "remaining_m2": round(row.get("remaining") or 0, 1),
        })
        if remaining_ha <= 0:
            props["fill"] = NONE_COLOUR
        else:
            index = min(len(CHOROPLETH_COLOURS) - 1, int(remaining_ha / step) if step else 0)
            props["fill"] = CHOROPLETH_COLOURS[index]
    legend = [(NONE_COLOUR, "no remaining hazard")]
    for i, colour in enumerate(CHOROPLETH_COLOURS):
        legend.append((colour, f"{_ha_text(i * step)} – {_ha_text((i + 1) * step)} ha"))
    return legend


def _ha_text(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f") if value >= 10 else f"{value:g}"


# -- charts -------------------------------------------------------------------------------------------
def charts(tables: dict[str, Table]) -> dict:
    """Series for Chart.js, in hectares."""
    months = tables["months"].rows
    methods = tables["methods"].rows

    def ha(value: float) -> float:
        return round((value or 0) / 10000, 4)

    return {
        "months": {
            "labels": [r["month"] for r in months],
            "cancelled": [ha(r["cancelled"]) for r in months],
            "reduced": [ha(r["reduced"]) for r in months],
            "cleared": [ha(r["cleared"]) for r in months],
            "cumulative": [ha(r["cumulative_released"]) for r in months],
        },
        "methods": {
            "labels": [r["method_label"] for r in methods],
            "cancelled": [ha(r["cancelled"]) for r in methods],
            "reduced": [ha(r["reduced"]) for r in methods],
            "cleared": [ha(r["cleared"]) for r in methods],
        },
    }


# -- CSV ------------------------------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value):
    """A cell spreadsheet programs will not run as a formula: text starting with = + - @ (or a tab or
    line break) gets a leading apostrophe. Numbers are written as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_header(t: Table) -> list[str]:
    header: list[str] = []
    if t.name == "admin_areas":
        header.append("admin_area_id")
    elif t.name == "organisations":
        header.append("organisation_id")
    elif t.name == "methods":
        header.append("method")
    elif t.name == "classifications":
        header.append("classification")
    for c in t.columns:
        if c.kind == "area":
            header += [f"{c.key}_m2", f"{c.key}_ha"]
        elif c.kind == "percent":
            header.append(f"{c.key}_percent")
        elif c.key in ("method_label", "classification_label"):
            header.append("label")
        else:
            header.append(c.key)
    return header


def csv_text(t: Table) -> str:
    """The table as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic
    names right); areas in m² (one decimal) and ha (four decimals), never one without its unit."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header(t))
    for row in t.rows:
        cells: list = []
        if t.name == "admin_areas":
            cells.append(row["admin_area_id"])
        elif t.name == "organisations":
            cells.append(row["organisation_id"])
        elif t.name == "methods":
            cells.append(row["method"])
        elif t.name == "classifications":
            cells.append(row["classification"])
        for c in t.columns:
            value = row.get(c.key)
            if c.kind == "area":
                cells += [round(value or 0, 1), round((value or 0) / 10000, 4)]
            elif c.kind == "percent":
                cells.append("" if value is None else round(value, 2))
            else:
                cells.append(value)
        writer.writerow([csv_cell(v) for v in cells])
    return out.getvalue()
