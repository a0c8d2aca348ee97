"""One table from error classes to HTTP answers. Every error a user can cause becomes a clear 4xx
with a machine-readable code; anything else is a 500 without details. No traceback, SQL or file
path ever reaches a response."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .store.land_release import ProgressQueryError

log = logging.getLogger(__name__)


class UserError(Exception):
    """Base of errors whose message is meant for the person who caused them."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details=None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(UserError):
    status = 404
    code = "not_found"


class Invalid(UserError):
    status = 422
    code = "invalid"


class Conflict(UserError):
    """The request is valid but the object is in a state that does not allow it."""

    status = 409
    code = "conflict"


class PreconditionFailed(UserError):
    """Someone else changed the object since the client read it (stale If-Match)."""

    status = 412
    code = "precondition_failed"


class PreconditionRequired(UserError):
    status = 428
    code = "precondition_required"


# error class → (status, code); subclasses of UserError carry their own
ERROR_TABLE: dict[type[Exception], tuple[int, str]] = {
    ProgressQueryError: (400, "bad_query"),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message: str, details=None):
    if wants_json():
        body = {"error": code, "message": message}
        if details is not None:
            body["details"] = details
        return jsonify(body), status
    return render_template("error.html", status=status, code=code, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(UserError)
    def _user_error(exc: UserError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    for cls, (status, code) in ERROR_TABLE.items():
        def handler(exc, status=status, code=code):
            return error_response(status, code, str(exc))
        app.register_error_handler(cls, handler)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(OperationalError)
    def _db_down(exc: OperationalError):
        log.error("database unavailable: %s", exc.__class__.__name__)
        return error_response(503, "database_unavailable",
                              "The database cannot be reached right now; try again in a minute.")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error",
                              "Something went wrong on our side; the error was logged.")
