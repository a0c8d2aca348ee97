"""SafeGround web application: ``create_app()`` builds it in small register steps."""
from __future__ import annotations

from flask import Flask

from .config import Settings
from .errors import register_error_handlers
from .extensions import Store
from .formatting import register_filters


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Build the app. ``settings`` defaults to the environment; ``overrides`` replace single fields."""
    settings = settings or Settings.from_env(**overrides)
    app = Flask(__name__)
    app.config["SAFEGROUND"] = settings
    app.config["SECRET_KEY"] = settings.resolved_secret_key()
    app.config["TESTING"] = settings.testing
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    app.config["JSON_SORT_KEYS"] = False
    register_extensions(app, settings)
    register_filters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask, settings: Settings) -> None:
    Store(settings).init_app(app)


def register_blueprints(app: Flask) -> None:
    from .home import bp as home_bp

    app.register_blueprint(home_bp)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
