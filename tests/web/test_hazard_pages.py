"""The hazard and report pages over the Flask test client: who may open what, what another
organisation's draft looks like (not found), escaping of what people typed, and the size and
content of the hazard page (only that hazard's geometry, never a layer)."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import text

from tests.web.api_support import ACCOUNTS, drop_env, hazard_body, make_env
from webapp.extensions import store

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
ESCAPED_NAME = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture(scope="module")
def env(pg_cluster):
    e = make_env(pg_cluster, hazards=60)
    yield e
    drop_env(e, pg_cluster)


@pytest.fixture
def as_user(env, login):
    """``as_user("sdg_surveyor")`` → a test client signed in through the sign-in form."""
    def sign_in(who: str):
        return login(env.app.test_client(), ACCOUNTS[who])
    return sign_in


def _create(env, who="sdg_surveyor", **props) -> int:
    res = env.call("POST", "/api/v1/hazards", who, json=hazard_body(**props))
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"]


def _etag(env, hid, who="sdg_surveyor") -> str:
    return env.call("GET", f"/api/v1/hazards/{hid}", who).headers["ETag"]


def _approved(env, name="Approved for reports") -> int:
    hid = _create(env, name=name)
    assert env.call("POST", f"/api/v1/hazards/{hid}/submit", "sdg_leader").status_code == 200
    assert env.call("POST", f"/api/v1/hazards/{hid}/approve", "approver").status_code == 200
    return hid


@pytest.fixture(scope="module")
def sdg_draft(env) -> int:
    return _create(env, name="SDG draft field")


@pytest.fixture(scope="module")
def hostile(env) -> int:
    return _create(env, name=HOSTILE_NAME, evidence=HOSTILE_NAME)


def _html(res) -> str:
    return res.get_data(as_text=True)


# -- signed out ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/hazards", "/hazards/new", "/hazards/1", "/hazards/1/edit", "/hazards/1/history",
                                  "/hazards/1/as-of?date=2024-01-01", "/hazards/1/reports/new", "/reports/1"])
def test_signed_out_visitors_are_sent_to_sign_in(env, path):
    res = env.app.test_client().get(path)
    assert res.status_code == 302
    assert res.headers["Location"].startswith("/login?next=")


# -- who sees what ---------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["sdg_surveyor", "sdg_leader", "approver", "donor_viewer", "izium_viewer", "admin"])
def test_every_role_gets_the_list(as_user, who):
    res = as_user(who).get("/hazards")
    assert res.status_code == 200
    html = _html(res)
    assert "<table class=\"hazard-table\"" in html or "No hazards match" in html
    assert ("Record a hazard" in html) == (who in ("sdg_surveyor", "sdg_leader"))


@pytest.mark.parametrize("who, status", [("sdg_surveyor", 200), ("sdg_leader", 200), ("approver", 403),
                                         ("donor_viewer", 403), ("admin", 403)])
def test_only_surveyors_and_team_leaders_open_the_recording_page(as_user, who, status):
    res = as_user(who).get("/hazards/new")
    assert res.status_code == status
    if status == 200:
        html = _html(res)
        for tab in ("Traverse", "Coordinates", "Draw on map"):
            assert f'data-method="{tab.lower().replace(" on map", "ing").replace("coordinates", "points")}"' in html
        assert 'id="leg-row-template"' in html and "L.Control.Draw" in html
        assert "/static/vendor/leaflet-draw-1.0.4/leaflet.draw.js" in html
        assert "iframe" not in html


def test_the_own_draft_is_seen_and_editable_by_its_organisation(as_user, sdg_draft):
    for who in ("sdg_surveyor", "sdg_leader"):
        client = as_user(who)
        page = _html(client.get(f"/hazards/{sdg_draft}"))
        assert "SDG draft field" in page
        assert f'href="/hazards/{sdg_draft}/edit"' in page
        assert client.get(f"/hazards/{sdg_draft}/edit").status_code == 200
        assert client.get(f"/hazards/{sdg_draft}/history").status_code == 200
        assert ("Submit for approval" in page) == (who == "sdg_leader")


@pytest.mark.parametrize("who", ["dhc_surveyor", "dhc_leader", "donor_viewer", "izium_viewer"])
@pytest.mark.parametrize("suffix", ["", "/edit", "/history", "/as-of?date=2030-01-01"])
def test_another_organisations_draft_is_not_found(as_user, sdg_draft, who, suffix):
    res = as_user(who).get(f"/hazards/{sdg_draft}{suffix}")
    assert res.status_code == 404
    assert "SDG draft field" not in _html(res)


def test_another_organisations_draft_is_not_listed(env, as_user, sdg_draft):
    client = as_user("dhc_surveyor")
    sdg = _org_id(env, "SDG")
    html = _html(client.get(f"/hazards?organisation={sdg}&record_state=draft"))
    assert f'href="/hazards/{sdg_draft}"' not in html and "SDG draft field" not in html


def _org_id(env, short_name: str) -> int:
    with store(env.app).engine.connect() as conn:
        return conn.execute(text("SELECT id FROM organisations WHERE short_name = :s"), {"s": short_name}).scalar()


def test_workflow_buttons_follow_the_role_and_the_state(env, as_user):
    hid = _create(env, name="Buttons")
    assert "Submit for approval" in _html(as_user("sdg_leader").get(f"/hazards/{hid}"))
    assert env.call("POST", f"/api/v1/hazards/{hid}/submit", "sdg_leader").status_code == 200
    surveyor = _html(as_user("sdg_surveyor").get(f"/hazards/{hid}"))
    assert f"/hazards/{hid}/edit" not in surveyor and "Submit for approval" not in surveyor
    approver = _html(as_user("approver").get(f"/hazards/{hid}"))
    assert f'data-url="/api/v1/hazards/{hid}/approve"' in approver
    assert f'data-url="/api/v1/hazards/{hid}/reject"' in approver
    assert 'data-method="DELETE"' in approver and 'data-if-match="&#34;hazard-' in approver
    assert as_user("sdg_surveyor").get(f"/hazards/{hid}/edit").status_code == 403
    viewer = _html(as_user("donor_viewer").get(f"/hazards/{hid}"))
    assert "Not found" in viewer or "not found" in viewer  # submitted, not approved: a viewer cannot see it


def test_approvers_can_open_a_deleted_hazard_to_restore_it(env, as_user):
    hid = _create(env, name="To be deleted")
    assert env.call("DELETE", f"/api/v1/hazards/{hid}", "sdg_surveyor",
                    headers={"If-Match": _etag(env, hid)}).status_code == 204
    assert as_user("sdg_surveyor").get(f"/hazards/{hid}").status_code == 404
    page = _html(as_user("approver").get(f"/hazards/{hid}"))
    assert f'data-url="/api/v1/hazards/{hid}/restore"' in page and "deleted" in page


# -- the list -----------------------------------------------------------------------------------------
def test_the_list_filters_and_pages_on_the_server(as_user):
    client = as_user("approver")
    first = _html(client.get("/hazards"))
    rows = re.findall(r'<tr(?: class="deleted")?>\s*<td><a href="/hazards/(\d+)"', first)
    assert len(rows) == 50 and 'rel="next"' in first
    second = _html(client.get("/hazards?page=2"))
    more = re.findall(r'<tr(?: class="deleted")?>\s*<td><a href="/hazards/(\d+)"', second)
    assert more and not set(more) & set(rows)
    approved = _html(client.get("/hazards?record_state=approved&classification=CHA"))
    states = re.findall(r'<span class="badge state-(\w+)">', approved)
    assert states and set(states) == {"approved"}
    assert set(re.findall(r'<span class="badge class-(\w+)">', approved)) == {"CHA"}
    assert re.search(r'<td class="area">[\d\u202f]+ m²<small>[\d.\u202f]+ ha</small></td>', approved)  # m² and ha


@pytest.mark.parametrize("query", ["status=bogus", "classification=XYZ", "record_state=gone", "organisation=abc",
                                   "page=0", "page=-1"])
def test_bad_filters_are_a_400_page(as_user, query):
    res = as_user("approver").get(f"/hazards?{query}")
    assert res.status_code == 400
    assert "Traceback" not in _html(res)


# -- escaping ----------------------------------------------------------------------------------------
def _find_in_list(client, hid: int, query: str = "") -> str:
    for page in range(1, 20):
        html = _html(client.get(f"/hazards?{query}&page={page}"))
        if f'href="/hazards/{hid}"' in html:
            return html
        if 'rel="next"' not in html:
            break
    raise AssertionError(f"hazard {hid} is not on the list")


def test_a_hostile_name_is_shown_escaped_everywhere(env, as_user, hostile):
    client = as_user("sdg_surveyor")
    pages = {
        "list": _find_in_list(client, hostile, "record_state=draft"),
        "hazard": _html(client.get(f"/hazards/{hostile}")),
        "timeline": _html(client.get(f"/hazards/{hostile}/history")),
        "edit": _html(client.get(f"/hazards/{hostile}/edit")),
        "as-of": _html(client.get(f"/hazards/{hostile}/as-of?date={dt.date.today().isoformat()}")),
    }
    for name, html in pages.items():
        assert HOSTILE_NAME not in html, f"the {name} page shows the name unescaped"
        assert "onerror=alert(1)" not in html.replace(ESCAPED_NAME, "").replace(
            "\\u003cimg src=x onerror=alert(1)\\u003e", ""), name
    for name in ("list", "hazard", "timeline", "as-of"):
        assert ESCAPED_NAME in pages[name], f"the {name} page does not show the name"
    # the edit page hands the hazard to its script as JSON that cannot close the <script> element
    data = re.search(r'<script type="application/json" id="hazard-data">(.*?)</script>', pages["edit"], re.S).group(1)
    assert json.loads(data)["properties"]["name"] == HOSTILE_NAME


def test_a_hostile_report_comment_is_escaped(env, as_user):
    hid = _approved(env)
    res = env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor", json={
        "report_type": "nts", "date_of_information": "2024-06-01", "evidence": HOSTILE_NAME,
        "products": [{"product_type": "cancelled", "points": ["48.0001 37.0001", "48.0001 37.0006", "47.9998 37.0006"]}]})
    assert res.status_code == 201, res.get_json()
    rid = res.get_json()["id"]
    env.call("POST", f"/api/v1/reports/{rid}/submit", "sdg_leader")
    assert env.call("POST", f"/api/v1/reports/{rid}/reject", "approver", json={"comment": HOSTILE_NAME}).status_code == 200
    html = _html(as_user("sdg_surveyor").get(f"/reports/{rid}"))
    assert HOSTILE_NAME not in html and html.count(ESCAPED_NAME) >= 2


# -- the hazard page ----------------------------------------------------------------------------------
def test_the_hazard_page_is_small_and_embeds_only_its_own_geometry(env, as_user):
    hid = _create(env, name="Only me")
    client = as_user("sdg_surveyor")
    res = client.get(f"/hazards/{hid}")
    html = _html(res)
    assert res.status_code == 200
    assert len(res.data) < 100_000
    # its perimeter (the checked example) is in the map script …
    assert "48.0001799" in html and "37.00134" in html
    # … as two features (perimeter and remaining area), and no other hazard's geometry
    assert html.count('"type": "Feature"') + html.count('"type":"Feature"') <= 2
    others = env.call("GET", "/api/v1/hazards?limit=30&record_state=approved", "sdg_surveyor").get_json()["features"]
    assert others
    for feature in others:
        x, y = _first_vertex(feature["geometry"])
        assert json.dumps(x) not in html or json.dumps(y) not in html, f"hazard {feature['id']} leaked into the page"
    # the survey points as entered, the figures and the workflow
    assert "48°00&#39;00.00&#34;N 37°00&#39;00.00&#34;E" in html
    for figure in ("Original", "Cancelled", "Reduced", "Cleared", "Remaining"):
        assert f"<dt>{figure}</dt>" in html
    assert "5\u202f000 m² (0.50 ha)" in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in html and "cdn" not in html.lower()


def _first_vertex(geometry):
    coords = geometry["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords[0], coords[1]


def test_the_hazard_page_lists_its_reports_with_their_states(env, as_user):
    hid = _approved(env, name="With reports")
    res = env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor", json={
        "report_type": "nts", "date_of_information": "2024-06-01",
        "products": [{"product_type": "cancelled", "points": ["48.0001 37.0001", "48.0001 37.0006", "47.9998 37.0006"]}]})
    rid = res.get_json()["id"]
    html = _html(as_user("sdg_surveyor").get(f"/hazards/{hid}"))
    assert f'href="/reports/{rid}"' in html and 'badge state-draft' in html
    assert f'href="/hazards/{hid}/reports/new"' in html
    # another organisation does not see SDG's draft report
    other = _html(as_user("dhc_surveyor").get(f"/hazards/{hid}"))
    assert f'href="/reports/{rid}"' not in other
    assert as_user("dhc_surveyor").get(f"/reports/{rid}").status_code == 404


# -- timeline and as-of -------------------------------------------------------------------------------
def test_the_timeline_shows_changes_reasons_and_conflicts(env, as_user):
    hid = _create(env, name="Timeline original")
    etag = _etag(env, hid)
    assert env.call("PATCH", f"/api/v1/hazards/{hid}", "sdg_surveyor", json={"name": "Timeline renamed"},
                    headers={"If-Match": etag}).status_code == 200
    assert env.call("PATCH", f"/api/v1/hazards/{hid}", "sdg_leader", json={"name": "Timeline lost edit"},
                    headers={"If-Match": etag}).status_code == 412
    env.call("POST", f"/api/v1/hazards/{hid}/submit", "sdg_leader")
    page = _html(as_user("sdg_surveyor").get(f"/hazards/{hid}/history"))
    html = page[page.index('<ol class="timeline">'):]
    assert html.index("Recorded the hazard") < html.index("Timeline renamed") < html.index("Timeline lost edit")
    assert "Timeline original" in html
    assert "conflict" in html and "Reason: submitted for approval" in html
    assert 'action="/hazards/%d/as-of"' % hid in page and 'type="date" name="date"' in page


def test_as_of_shows_the_hazard_on_a_date(env, as_user):
    hid = _create(env, name="As of", classification="CHA")
    client = as_user("sdg_surveyor")
    today = dt.date.today().isoformat()
    page = client.get(f"/hazards/{hid}/as-of?date={today}")
    html = _html(page)
    assert page.status_code == 200
    assert "badge class-CHA" in html and "status-open" in html and "5\u202f000 m²" in html
    assert "48.0001799" in html  # the map of that day's perimeter
    before = client.get(f"/hazards/{hid}/as-of?date=2001-01-01")
    assert before.status_code == 404 and "not on record on 2001-01-01" in _html(before)
    assert client.get(f"/hazards/{hid}/as-of?date=yesterday").status_code == 400


# -- reports --------------------------------------------------------------------------------------------
def test_report_pages_answer_for_the_right_people(env, as_user, sdg_draft):
    hid = _approved(env, name="For the report form")
    surveyor = as_user("sdg_surveyor")
    form = surveyor.get(f"/hazards/{hid}/reports/new")
    assert form.status_code == 200
    html = _html(form)
    assert 'id="product-template"' in html and 'data-method="file"' in html and "L.Control.Draw" in html
    assert as_user("approver").get(f"/hazards/{hid}/reports/new").status_code == 403
    assert surveyor.get(f"/hazards/{sdg_draft}/reports/new").status_code == 409  # drafts take no reports
    assert as_user("dhc_surveyor").get(f"/hazards/{sdg_draft}/reports/new").status_code == 404

    res = env.call("POST", f"/api/v1/hazards/{hid}/reports", "sdg_surveyor", json={
        "report_type": "nts", "date_of_information": "2024-06-01",
        "eo_items": [{"category": "ap_mine", "model": "PMN-2", "position": "48.0000 37.0005"}],
        "products": [{"product_type": "cancelled", "points": ["48.0001 37.0001", "48.0001 37.0006", "47.9998 37.0006"]}]})
    rid = res.get_json()["id"]
    page = _html(surveyor.get(f"/reports/{rid}"))
    assert "PMN-2" in page and "badge state-draft" in page
    assert "/submit" not in page  # a surveyor does not submit
    leader = _html(as_user("sdg_leader").get(f"/reports/{rid}"))
    assert f'data-url="/api/v1/reports/{rid}/submit"' in leader
    env.call("POST", f"/api/v1/reports/{rid}/submit", "sdg_leader")
    approver = _html(as_user("approver").get(f"/reports/{rid}"))
    assert f'data-url="/api/v1/reports/{rid}/approve"' in approver and f'data-url="/api/v1/reports/{rid}/reject"' in approver
    env.call("POST", f"/api/v1/reports/{rid}/approve", "approver")
    approved = _html(as_user("approver").get(f"/reports/{rid}"))
    assert f'data-url="/api/v1/reports/{rid}/unapprove"' in approved and "badge state-approved" in approved
    assert as_user("donor_viewer").get(f"/reports/{rid}").status_code == 200
