"""The clearance-progress dashboard (/dashboard) and its CSV files, through the Flask client: figures
as the PostGIS progress query gives them, limited to a viewer's admin areas, CSV that parses, adds up
and cannot smuggle a formula into a spreadsheet, and every name escaped."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from tests.web.api_support import drop_env, make_env
from webapp.dashboard.figures import TABLES, csv_cell
from webapp.extensions import store
from webapp.store.land_release import ProgressFilter, progress

APPROVER = "approver@nmaa.example.org"
IZIUM_VIEWER = "viewer@kocp.example.org"
DONOR = "viewer@ddf.example.org"
FIGURES = ("original", "cancelled", "reduced", "cleared", "released", "remaining")


def _csv(res) -> list[dict]:
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert res.headers["Content-Type"].startswith("text/csv")
    assert res.headers["Content-Disposition"].startswith("attachment; filename=")
    body = res.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def _area_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM admin_areas WHERE code = :c"), {"c": code}).scalar_one()


def _ha(m2: float) -> str:
    return f"{m2 / 10000:,.2f}".replace(",", "\u202f")


@pytest.fixture(scope="module")
def env(pg_cluster):
    """A throw-away database (names are changed in it) with a little demo data."""
    e = make_env(pg_cluster, hazards=40)
    yield e
    drop_env(e, pg_cluster)


def test_the_dashboard_needs_a_sign_in(demo_client):
    for path in ("/dashboard", "/dashboard/totals.csv"):
        res = demo_client.get(path)
        assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_the_figures_are_those_of_the_progress_query(demo_client, login, demo_engine):
    login(demo_client, DONOR)
    res = demo_client.get("/dashboard")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    with Session(demo_engine) as session:
        total = progress(session, ())[0]
        by_raion = progress(session, ("admin_area",), admin_level=2)
    assert total.hazards > 0 and total.cleared_m2 > 0
    for key, value in (("original", total.original_m2), ("cancelled", total.cancelled_m2),
                       ("reduced", total.reduced_m2), ("cleared", total.cleared_m2),
                       ("released", total.released_m2), ("remaining", total.remaining_m2)):
        shown = re.search(rf'<dd data-figure="{key}">([^<]*) ha<small>([^<]*) m²</small>', html)
        assert shown, key
        assert shown.group(1) == _ha(value)
        assert shown.group(2) == f"{value:,.0f}".replace(",", "\u202f")
    totals = _csv(demo_client.get("/dashboard/totals.csv"))[0]
    assert int(totals["hazards"]) == total.hazards
    assert float(totals["original_m2"]) == pytest.approx(total.original_m2, abs=0.06)
    assert float(totals["remaining_ha"]) == pytest.approx(total.remaining_m2 / 10000, abs=0.00006)
    areas = _csv(demo_client.get("/dashboard/admin_areas.csv"))
    assert len(areas) == len(by_raion) == 7
    with demo_engine.connect() as conn:
        names = dict(conn.execute(text("SELECT id, name FROM admin_areas")).all())
    for row in by_raion:
        line = next(r for r in areas if int(r["admin_area_id"]) == row.keys["admin_area"])
        assert line["name"] == names[row.keys["admin_area"]]
        assert float(line["remaining_m2"]) == pytest.approx(row.remaining_m2, abs=0.06)
        assert _ha(row.remaining_m2) in html


def test_csv_files_parse_and_add_up(demo_client, login):
    login(demo_client, APPROVER)
    tables = {name: _csv(demo_client.get(f"/dashboard/{name}.csv")) for name in TABLES}
    total = tables["totals"][0]

    def tot(key):
        return float(total[f"{key}_m2"])

    def col_sum(rows, key):
        return sum(float(r[f"{key}_m2"]) for r in rows)

    for name in ("admin_areas", "organisations", "classifications"):
        rows = tables[name]
        assert rows, name
        assert sum(int(r["hazards"]) for r in rows) == int(total["hazards"]), name
        for key in FIGURES:
            assert col_sum(rows, key) == pytest.approx(tot(key), abs=0.1 * len(rows)), (name, key)
    for r in tables["admin_areas"]:  # each area balances: original = released + remaining
        original = float(r["original_m2"])
        assert float(r["released_m2"]) + float(r["remaining_m2"]) == pytest.approx(original, rel=1e-3)
        assert float(r["released_m2"]) == pytest.approx(
            float(r["cancelled_m2"]) + float(r["reduced_m2"]) + float(r["cleared_m2"]), abs=0.2)
    for key in ("cancelled", "reduced", "cleared", "released"):
        assert col_sum(tables["methods"], key) == pytest.approx(tot(key), abs=0.1 * len(tables["methods"]))
        assert col_sum(tables["months"], key) == pytest.approx(tot(key), abs=0.1 * len(tables["months"]))
    assert col_sum(tables["months"], "original") == pytest.approx(tot("original"), abs=0.1 * len(tables["months"]))
    assert float(tables["months"][-1]["cumulative_released_m2"]) == pytest.approx(tot("released"), abs=1)
    months = [r["month"] for r in tables["months"]]
    assert months == sorted(months) and len(set(months)) == len(months)
    # m² and ha always side by side, never one without its unit
    for name, rows in tables.items():
        for r in rows:
            for key, value in r.items():
                if key.endswith("_m2"):
                    assert float(r[key[:-3] + "_ha"]) == pytest.approx(float(value) / 10000, abs=0.00006)
                assert not key.endswith("_m2") or key[:-3] + "_ha" in r


def test_a_viewer_limited_to_izium_sees_only_izium(demo_client, login, demo_engine):
    login(demo_client, IZIUM_VIEWER)
    res = demo_client.get("/dashboard")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    izium = _area_id(demo_engine, "UA6304")
    with Session(demo_engine) as session:
        mine = progress(session, (), ProgressFilter(admin_area_ids=[izium]))[0]
        everything = progress(session, ())[0]
    assert 0 < mine.original_m2 < everything.original_m2
    assert re.search(rf'<dd data-figure="remaining">{re.escape(_ha(mine.remaining_m2))} ha', html)
    for other in ("Kupiansk", "Kharkiv raion", "Chuhuiv", "Lozova raion", "Berestyn", "Bohodukhiv"):
        assert other not in html, other
    data = _data(html)
    assert [f["properties"]["name"] for f in data["choropleth"]["features"]] == ["Izium raion"]
    areas = _csv(demo_client.get("/dashboard/admin_areas.csv"))
    assert [r["name"] for r in areas] == ["Izium raion"]
    totals = _csv(demo_client.get("/dashboard/totals.csv"))[0]
    assert float(totals["original_m2"]) == pytest.approx(mine.original_m2, abs=0.06)
    # hromadas of Izium at the finer level; nothing from elsewhere, even when asked for
    hromadas = _csv(demo_client.get("/dashboard/admin_areas.csv?level=3"))
    assert hromadas and all("Kupiansk" not in r["name"] for r in hromadas)
    kupiansk = _area_id(demo_engine, "UA6308")
    assert demo_client.get(f"/dashboard?admin_area={kupiansk}").status_code == 404
    assert demo_client.get(f"/dashboard/totals.csv?admin_area={kupiansk}").status_code == 404


def test_filters_narrow_the_figures(demo_client, login, demo_engine):
    login(demo_client, APPROVER)
    izium = _area_id(demo_engine, "UA6304")
    rows = _csv(demo_client.get(f"/dashboard/admin_areas.csv?admin_area={izium}&organisation=2"
                                f"&from=2023-01-01&to=2024-12-31"))
    import datetime as dt

    with Session(demo_engine) as session:
        want = progress(session, ("admin_area",), ProgressFilter(
            admin_area_ids=[izium], organisation_ids=[2], date_from=dt.date(2023, 1, 1),
            date_to=dt.date(2024, 12, 31)), admin_level=2)
    assert len(rows) == len(want) == 1
    assert float(rows[0]["cleared_m2"]) == pytest.approx(want[0].cleared_m2, abs=0.06)
    page = demo_client.get(f"/dashboard?admin_area={izium}&organisation=2&from=2023-01-01&to=2024-12-31")
    html = page.get_data(as_text=True)
    # the CSV links carry the same filters
    assert f'href="/dashboard/months.csv?from=2023-01-01&amp;to=2024-12-31&amp;organisation=2&amp;admin_area={izium}"' in html
    # blank fields of the plain form mean "no filter"
    assert demo_client.get("/dashboard?from=&to=&organisation=&admin_area=&level=2").status_code == 200


@pytest.mark.parametrize("query", ["level=9", "level=x", "from=2024-02-30", "from=2024-05-01&to=2024-01-01",
                                   "organisation=abc", "admin_area=0", "colour=red"])
def test_bad_parameters_are_refused(demo_client, login, query):
    login(demo_client, APPROVER)
    assert demo_client.get("/dashboard?" + query).status_code == 400
    assert demo_client.get("/dashboard/totals.csv?" + query).status_code == 400


def test_an_unknown_table_is_not_found(demo_client, login):
    login(demo_client, APPROVER)
    assert demo_client.get("/dashboard/users.csv").status_code == 404


def test_a_formula_in_a_name_is_neutralised():
    for hostile in ("=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"):
        assert csv_cell(hostile) == "'" + hostile
    assert csv_cell("Izium raion") == "Izium raion"
    assert csv_cell(-12.5) == -12.5 and csv_cell(0) == 0 and csv_cell(None) == ""


def test_hostile_names_are_escaped_on_the_page_and_neutralised_in_csv(env, login):
    hostile_area = "</script><img src=x onerror=alert(1)>"
    hostile_org = "=HYPERLINK(\"http://evil.example\",\"Click\")"
    engine = store(env.app).engine
    with engine.begin() as conn:
        old_area = conn.execute(text("SELECT name FROM admin_areas WHERE code = 'UA6304'")).scalar_one()
        old_org = conn.execute(text("SELECT name, short_name FROM organisations WHERE id = 2")).one()
        conn.execute(text("UPDATE admin_areas SET name = :n WHERE code = 'UA6304'"), {"n": hostile_area})
        conn.execute(text("UPDATE organisations SET name = :n, short_name = '@cmd' WHERE id = 2"),
                     {"n": hostile_org})
    try:
        client = login(env.app.test_client(), APPROVER)
        html = client.get("/dashboard").get_data(as_text=True)
        assert "<img src=x onerror=alert(1)>" not in html
        assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
        assert "\\u003c/script\\u003e" in html  # inside the JSON for the choropleth
        assert _data(html)["choropleth"]["features"]
        assert any(f["properties"]["name"] == hostile_area for f in _data(html)["choropleth"]["features"])
        rows = _csv(client.get("/dashboard/organisations.csv"))
        sdg = next(r for r in rows if r["organisation_id"] == "2")
        assert sdg["name"] == "'" + hostile_org and sdg["short_name"] == "'@cmd"
        areas = _csv(client.get("/dashboard/admin_areas.csv"))
        assert any(r["name"] == hostile_area for r in areas)  # "<" is not a formula; text as it is
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE admin_areas SET name = :n WHERE code = 'UA6304'"), {"n": old_area})
            conn.execute(text("UPDATE organisations SET name = :n, short_name = :s WHERE id = 2"),
                         {"n": old_org[0], "s": old_org[1]})


def test_drafts_never_count(env, login):
    from tests.web.api_support import hazard_body

    client = login(env.app.test_client(), "surveyor@sdg.example.org")
    before = _csv(client.get("/dashboard/totals.csv"))[0]
    res = env.call("POST", "/api/v1/hazards", "sdg_surveyor", json=hazard_body("Draft that must not count"))
    assert res.status_code == 201
    for who in ("surveyor@sdg.example.org", APPROVER):
        c = login(env.app.test_client(), who)
        after = _csv(c.get("/dashboard/totals.csv"))[0]
        assert after == before


def test_the_page_takes_a_fixed_number_of_queries(env, login):
    """One query per table, whatever the number of hazards (no loop over hazards); none at all the
    next time while the data have not changed (the figures are cached by data version)."""
    from webapp.version_cache import app_cache

    client = login(env.app.test_client(), APPROVER)
    engine = store(env.app).engine
    with env.app.app_context():
        app_cache().clear()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/dashboard").status_code == 200
        progress_queries = [s for s in statements if "FROM facts f" in s]
        assert len(progress_queries) == len(TABLES)
        assert len(statements) <= len(TABLES) + 10, len(statements)
        statements.clear()
        assert client.get("/dashboard").status_code == 200
        assert not [s for s in statements if "FROM facts f" in s]
    finally:
        event.remove(engine, "before_cursor_execute", count)
