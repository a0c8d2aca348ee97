"""A throw-away database with the demo data for API tests that write, and tokens for every role."""
from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from webapp import create_app
from webapp.config import Settings
from webapp.demo.generator import generate
from webapp.demo.loader import load
from webapp.extensions import store
from webapp.services.users import issue_token
from webapp.store import db

ACCOUNTS = {
    "sdg_surveyor": "surveyor@sdg.example.org", "sdg_leader": "leader@sdg.example.org",
    "dhc_surveyor": "surveyor@dhc.example.org", "dhc_leader": "leader@dhc.example.org",
    "approver": "approver@nmaa.example.org", "admin": "admin@nmaa.example.org",
    "izium_viewer": "viewer@kocp.example.org", "donor_viewer": "viewer@ddf.example.org",
}

BENCHMARK = "48°00'00.00\"N 37°00'00.00\"E"
EXAMPLE_TRAVERSE = {"benchmark": BENCHMARK, "bearing_reference": "true", "legs": [
    {"bearing_deg": 0, "distance_m": 20, "point_type": "start"},
    {"bearing_deg": 90, "distance_m": 100, "point_type": "turning"},
    {"bearing_deg": 180, "distance_m": 50, "point_type": "turning"},
    {"bearing_deg": 270, "distance_m": 100, "point_type": "turning"},
    {"bearing_deg": 0, "distance_m": 50, "point_type": "end"}]}


@dataclass
class ApiEnv:
    app: object
    client: object
    tokens: dict
    url: str

    def headers(self, who: str | None, **extra) -> dict:
        h = dict(extra)
        if who is not None:
            h["Authorization"] = f"Bearer {self.tokens[who]}"
        return h

    def call(self, method: str, path: str, who: str | None, **kwargs):
        headers = self.headers(who, **kwargs.pop("headers", {}))
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def count(self, table: str) -> int:
        with store(self.app).engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def make_env(pg_cluster, hazards: int = 60) -> ApiEnv:
    name = "sg_api_" + uuid.uuid4().hex[:10]
    pg_cluster.ensure_database(name)
    url = pg_cluster.url(name)
    db.upgrade(url)
    data_dir = Path(tempfile.mkdtemp(prefix="safeground-api-"))
    app = create_app(Settings(database_url=url, data_dir=data_dir, secret_key="test", testing=True))
    with store(app).transaction(actor_label="demo loader") as session:
        load(session, generate(hazards))
    tokens = {}
    with store(app).transaction(actor_label="tests") as session:
        for key, email in ACCOUNTS.items():
            tokens[key] = issue_token(session, email, "api tests")
    return ApiEnv(app, app.test_client(), tokens, url)


def drop_env(env: ApiEnv, pg_cluster) -> None:
    store(env.app).dispose()
    pg_cluster.drop_database(env.url.rsplit("/", 1)[1].split("?")[0])


def hazard_body(name: str = "Field north of the road", **props) -> dict:
    return {"properties": {"name": name, "classification": "SHA", "date_of_information": "2024-05-01",
                           "contamination_types": ["ap_mines"], **props},
            "traverse": EXAMPLE_TRAVERSE}
