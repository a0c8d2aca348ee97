"""The OpenAPI 3.1 description of the API, with request schemas taken from the pydantic models
the API validates against, so the document cannot drift from the code."""
from __future__ import annotations

from flask import jsonify
from pydantic.json_schema import models_json_schema

from ..services.inputs import Decision, GeometryInput, HazardCreate, HazardPatch, ReportCreate
from . import bp

ERROR = {"type": "object", "required": ["error", "message"],
         "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "details": {}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _answers(ok: str, ok_code: str = "200", *codes: str) -> dict:
    out = {ok_code: {"description": ok}}
    reasons = {"400": "bad request or parameter", "401": "not signed in", "403": "role may not do this",
               "404": "not found (or not visible to you)", "409": "the object's state does not allow it",
               "412": "someone else changed it (stale If-Match)", "415": "body is not JSON",
               "422": "invalid input or blocking quality findings", "428": "If-Match missing"}
    for code in ("400", "401", "404", *codes):
        out[code] = {"description": reasons[code],
                     "content": {"application/json": {"schema": _ref("Error")}}}
    return out


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"},
            "description": "the ETag of the version you edited"}


def document() -> dict:
    _, defs = models_json_schema(
        [(m, "validation") for m in (HazardCreate, HazardPatch, GeometryInput, ReportCreate, Decision)],
        ref_template="#/components/schemas/{model}")
    schemas = defs.get("$defs", {})
    schemas["Error"] = ERROR
    report_action = lambda summary, needs: {  # noqa: E731
        "post": {"summary": summary, "parameters": [ID],
                 **({"requestBody": _json_body("Decision")} if needs else {}),
                 "responses": _answers("the report", "200", "403", "409")}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "SafeGround API", "version": "1.0",
                 "description": "Hazards, land-release reports and their workflow. Authenticate with a "
                                "session cookie (plus X-CSRFToken) or `Authorization: Bearer <token>`."},
        "servers": [{"url": "/api/v1"}],
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/hazards": {
                "get": {"summary": "List hazards you may see (GeoJSON)", "parameters": [
                    {"name": "bbox", "in": "query", "schema": {"type": "string"},
                     "description": "min_lon,min_lat,max_lon,max_lat"},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "classification", "in": "query", "schema": {"type": "string"}},
                    {"name": "record_state", "in": "query", "schema": {"type": "string"}},
                    {"name": "organisation", "in": "query", "schema": {"type": "integer"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 1000}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer"}}],
                    "responses": _answers("a FeatureCollection page")},
                "post": {"summary": "Record a draft hazard (GeoJSON Feature, traverse or typed points)",
                         "requestBody": _json_body("HazardCreate"),
                         "responses": _answers("the hazard as a GeoJSON Feature, with ETag", "201",
                                               "403", "409", "415", "422")}},
            "/hazards/{id}": {
                "get": {"summary": "One hazard (or as it was on a date with as_of=YYYY-MM-DD)",
                        "parameters": [ID, {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}}],
                        "responses": _answers("the hazard")},
                "patch": {"summary": "Change a hazard", "parameters": [ID, IF_MATCH],
                          "requestBody": _json_body("HazardPatch"),
                          "responses": _answers("the changed hazard", "200", "403", "412", "422", "428")},
                "delete": {"summary": "Soft-delete a hazard", "parameters": [ID, IF_MATCH],
                           "responses": _answers("deleted", "204", "403", "412", "428")}},
            "/hazards/{id}/history": {"get": {"summary": "Timeline of the hazard", "parameters": [ID],
                                              "responses": _answers("entries")}},
            "/hazards/{id}/submit": {"post": {"summary": "Submit a draft hazard (team leader)", "parameters": [ID],
                                              "responses": _answers("the hazard", "200", "403", "409")}},
            "/hazards/{id}/approve": {"post": {"summary": "Approve a hazard (approver)", "parameters": [ID],
                                               "responses": _answers("the hazard", "200", "403", "409")}},
            "/hazards/{id}/reject": {"post": {"summary": "Reject a hazard with a comment", "parameters": [ID],
                                              "requestBody": _json_body("Decision"),
                                              "responses": _answers("the hazard", "200", "403", "409")}},
            "/hazards/{id}/restore": {"post": {"summary": "Restore a deleted hazard (approver)", "parameters": [ID],
                                               "responses": _answers("the hazard", "200", "403", "409")}},
            "/hazards/{id}/reports": {"post": {"summary": "Write a draft activity report", "parameters": [ID],
                                               "requestBody": _json_body("ReportCreate"),
                                               "responses": _answers("the report", "201", "403", "409", "415", "422")}},
            "/reports/{id}": {"get": {"summary": "One report", "parameters": [ID], "responses": _answers("the report")},
                              "put": {"summary": "Correct a draft or rejected report (replaces its content)",
                                      "parameters": [ID, IF_MATCH], "requestBody": _json_body("ReportCreate"),
                                      "responses": _answers("the report, back in draft", "200", "403", "412",
                                                            "422", "428")}},
            "/reports/{id}/submit": report_action("Submit a report (team leader)", False),
            "/reports/{id}/approve": report_action("Approve and apply a report (approver)", False),
            "/reports/{id}/reject": report_action("Reject a report with a comment (approver)", True),
            "/reports/{id}/unapprove": report_action("Withdraw an approval with a comment (approver)", True),
            "/search": {"get": {"summary": "Hazards (national code or name) and places (any language) you may see",
                                "parameters": [{"name": "q", "in": "query", "required": True,
                                                "schema": {"type": "string", "minLength": 2, "maxLength": 100}},
                                               {"name": "limit", "in": "query",
                                                "schema": {"type": "integer", "minimum": 1, "maximum": 25}}],
                                "responses": _answers("matches with a bounding box and a point each")}},
            "/preview": {"post": {"summary": "Measure and check a perimeter without saving",
                                  "requestBody": _json_body("GeometryInput"),
                                  "responses": _answers("area, perimeter, misclosure, findings", "200", "422")}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
