"""SafeGround web application: ``create_app()`` builds it in small register steps."""
from __future__ import annotations

import datetime as dt
import decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from .config import Settings
from .errors import register_error_handlers
from .extensions import Store
from .formatting import register_filters


class IsoJSONProvider(DefaultJSONProvider):
    """Dates and times as ISO 8601 (not HTTP dates); keys in the order they were built."""

    sort_keys = False

    @staticmethod
    def default(o):
        if isinstance(o, (dt.date, dt.datetime)):
            return o.isoformat()
        if isinstance(o, decimal.Decimal):
            return float(o)
        return DefaultJSONProvider.default(o)


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Build the app. ``settings`` defaults to the environment; ``overrides`` replace single fields."""
    settings = settings or Settings.from_env(**overrides)
    app = Flask(__name__)
    app.config["SAFEGROUND"] = settings
    app.config["SECRET_KEY"] = settings.resolved_secret_key()
    app.config["TESTING"] = settings.testing
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    app.json = IsoJSONProvider(app)
    register_extensions(app, settings)
    register_filters(app)
    register_assets(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask, settings: Settings) -> None:
    Store(settings).init_app(app)
    from . import auth

    auth.init_app(app)


def register_assets(app: Flask) -> None:
    """Leaflet, its plugins and the chart library are served from static/vendor, never a CDN."""
    from .maps.assets import use_local_assets

    use_local_assets(app)


def register_blueprints(app: Flask) -> None:
    from .auth import bp as auth_bp
    from .api import bp as api_bp
    from .home import bp as home_bp
    from .public import bp as public_bp
    from .hazards import bp as hazards_bp
    from .maps.views import bp as maps_bp
    from .dashboard import bp as dashboard_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(hazards_bp)
    app.register_blueprint(maps_bp)
    app.register_blueprint(dashboard_bp)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
