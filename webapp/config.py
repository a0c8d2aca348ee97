"""Typed settings read from the environment.

Every setting has the prefix ``SAFEGROUND_``; secrets come only from the environment (or, for the
embedded cluster, from a file the app writes with mode 0600 in its data folder).
"""
from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "SAFEGROUND_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(PREFIX + name)
    return default if value is None or value == "" else value


def _int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a whole number, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise SettingsError(f"{PREFIX}{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _float(name: str, default: float, minimum: float | None = None) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a number, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise SettingsError(f"{PREFIX}{name} must be a finite number, got {raw!r}")
    if minimum is not None and value < minimum:
        raise SettingsError(f"{PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def _bbox(name: str, default):
    raw = _env(name)
    if raw is None:
        return default
    if raw.strip().lower() == "none":
        return None
    try:
        values = tuple(float(v) for v in raw.split(","))
    except ValueError:
        values = ()
    if (len(values) != 4 or not all(math.isfinite(v) for v in values) or not values[0] < values[2]
            or not values[1] < values[3] or not -180 <= values[0] <= 180 or not -90 <= values[1] <= 90
            or not -180 <= values[2] <= 180 or not -90 <= values[3] <= 90):
        raise SettingsError(f"{PREFIX}{name} must be 'min_lon,min_lat,max_lon,max_lat' in degrees, got {raw!r}")
    return values


@dataclass(frozen=True)
class Settings:
    """Application settings. Build with :meth:`from_env`; tests pass overrides to ``create_app``."""

    database_url: str | None = None
    """An external PostGIS (``postgresql+psycopg://user:pass@host:5432/db``). When unset, the
    embedded cluster in ``data_dir`` is used."""
    data_dir: Path = PROJECT_ROOT / "var"
    embedded_port: int = 54329
    database_name: str = "safeground"
    secret_key: str = field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    # Land-release rules
    release_tolerance_m2: float = 1.0
    """Remaining area below this counts as nothing left (m², geodesic)."""
    product_tolerance_m: float = 0.5
    """How far a release product may stray outside its hazard, or overlap another, in metres."""
    public_safety_margin_m: float = 50.0
    public_simplify_m: float = 10.0
    """Generalisation of public warning zones before buffering (metres; never more than a quarter
    of the safety margin, so that the buffered zone still covers the whole hazard)."""
    public_approximate_radius_m: float = 1000.0
    """Radius of the coarse public circle around a hazard known only by its community's centre."""
    public_near_distance_m: float = 500.0
    """The "am I near a hazard?" check answers *near* within this distance of a warning zone."""
    public_tile_max_age_s: int = 300
    """How long browsers and caches may reuse a public tile before revalidating it (ETag)."""
    tile_cache_mb: int = 64
    """Memory per server process for answers already built at the current data version: tiles,
    hazard-list pages, progress figures (0: none; decision record 0010)."""
    hotline: str = "+380 800 000 000"
    area_of_operations: tuple[float, float, float, float] | None = (22.0, 44.0, 40.3, 52.5)
    """min lon, min lat, max lon, max lat of the programme (default: Ukraine). Points outside are
    refused, with a hint when latitude and longitude look swapped."""
    basemap_url: str = ""
    """XYZ tile URL of the background map, e.g. a local tile server; empty = plain background."""
    basemap_attribution: str = ""
    # Accounts and sign-in
    secure_cookies: bool = False
    """Send the session cookie only over HTTPS (``SAFEGROUND_SECURE_COOKIES=1``); set it behind TLS."""
    session_idle_minutes: int = 120
    """A signed-in session ends after this long without a request."""
    session_max_hours: int = 12
    """A signed-in session ends this long after sign-in, however active."""
    login_rate_limit: str = "10 per minute;100 per hour"
    """Failed sign-ins allowed per client address (Flask-Limiter syntax, ';' between limits)."""
    ratelimit_storage_uri: str = "memory://"
    """Where the sign-in limiter counts: ``memory://`` counts per worker process; a shared store
    (e.g. ``redis://host:6379``, with the redis client installed) counts across workers."""
    proxy_hops: int = 0
    """Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted."""
    testing: bool = False

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        values = dict(
            database_url=_env("DATABASE_URL"),
            data_dir=Path(_env("DATA_DIR", str(PROJECT_ROOT / "var"))).resolve(),
            embedded_port=_int("EMBEDDED_PORT", 54329, 1024, 65535),
            database_name=_env("DATABASE_NAME", "safeground"),
            secret_key=_env("SECRET_KEY", "") or "",
            host=_env("HOST", "127.0.0.1"),
            port=_int("PORT", 5000, 1, 65535),
            workers=_int("WORKERS", 2, 1, 64),
            release_tolerance_m2=_float("RELEASE_TOLERANCE_M2", 1.0, 0.0),
            product_tolerance_m=_float("PRODUCT_TOLERANCE_M", 0.5, 0.0),
            public_safety_margin_m=_float("PUBLIC_SAFETY_MARGIN_M", 50.0, 0.0),
            public_simplify_m=_float("PUBLIC_SIMPLIFY_M", 10.0, 0.0),
            public_approximate_radius_m=_float("PUBLIC_APPROXIMATE_RADIUS_M", 1000.0, 1000.0),
            public_near_distance_m=_float("PUBLIC_NEAR_DISTANCE_M", 500.0, 1.0),
            public_tile_max_age_s=_int("PUBLIC_TILE_MAX_AGE_S", 300, 0, 31_536_000),
            tile_cache_mb=_int("TILE_CACHE_MB", 64, 0, 65_536),
            hotline=_env("HOTLINE", "+380 800 000 000"),
            area_of_operations=_bbox("AREA_OF_OPERATIONS", (22.0, 44.0, 40.3, 52.5)),
            basemap_url=_env("BASEMAP_URL", "") or "",
            basemap_attribution=_env("BASEMAP_ATTRIBUTION", "") or "",
            secure_cookies=(_env("SECURE_COOKIES", "0") or "0").strip().lower() in ("1", "true", "yes", "on"),
            session_idle_minutes=_int("SESSION_IDLE_MINUTES", 120, 1, 7 * 24 * 60),
            session_max_hours=_int("SESSION_MAX_HOURS", 12, 1, 24 * 30),
            login_rate_limit=_env("LOGIN_RATE_LIMIT", "10 per minute;100 per hour"),
            ratelimit_storage_uri=_env("RATELIMIT_STORAGE_URI", "memory://"),
            proxy_hops=_int("PROXY_HOPS", 0, 0, 5),
        )
        values.update(overrides)
        return cls(**values)

    def resolved_secret_key(self) -> str:
        """The configured secret, or one kept in the data folder so sessions survive restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
