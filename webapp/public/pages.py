"""The public warning map (``GET /``): the landing page for civilians, no sign-in.

The page is texts, settings and the set-up of a map — never a zone. Zones come as vector tiles from
``/tiles/public/{z}/{x}/{y}.pbf`` (drawn by Leaflet.VectorGrid), "am I near a hazard?" asks
``/api/v1/public/check``, so the page is the same size however many hazards there are, and it reads
nothing from the database: it is served even while the database is busy or unreachable, with the
safety advice and the hotline. The map itself is built by :func:`webapp.maps.basemap.make_map`
(basemap from settings, else a plain background with a graticule), on vendored assets only.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from branca.element import JavascriptLink
from flask import current_app, make_response, render_template, request, url_for
from markupsafe import Markup

from ..maps import assets
from ..maps.basemap import make_map
from . import bp, i18n

MAP_NAME = "public"
"""Fixed folium element ids, so the page is the same for every request (its ETag holds)."""
WORLD = ((-60.0, -170.0), (75.0, 170.0))
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def _script_json(value) -> Markup:
    """JSON for a ``<script type="application/json">`` element, in UTF-8 rather than ``\\u`` escapes
    (a Ukrainian page is a third smaller: the app does not compress its answers), with the
    characters that could end the element or start markup escaped as Flask's ``tojson`` does."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


def _tel(hotline: str) -> str:
    """The hotline as a ``tel:`` URI (digits and a leading +), or '' when it has no digits."""
    digits = re.sub(r"[^\d+]", "", hotline or "")
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if re.search(r"\d", digits) else ""


@lru_cache(maxsize=16)
def _map(settings):
    """The folium map, split for a page that paints before its scripts arrive: ``styles`` for
    ``<head>``, ``html`` (the map's ``<div>``), and ``scripts`` + ``script`` for the end of
    ``<body>``. Controls (zoom, scale) are added by the page's script, with translated titles.
    Built once per settings (it depends on nothing else; settings are frozen, so hashable)."""
    area = settings.area_of_operations
    bounds = ((area[1], area[0]), (area[3], area[2])) if area else WORLD
    centre = [round((bounds[0][0] + bounds[1][0]) / 2, 4), round((bounds[0][1] + bounds[1][1]) / 2, 4)]
    # The script fits the view to the programme's extent (config["area"]) or to the one the address
    # carries; a fitBounds here would start a zoom animation that the script's view then loses to.
    m = make_map(settings, location=centre, zoom_start=5 if area else 2, height="100%", zoom_control=False,
                 control_scale=False, max_zoom=19)
    for number, element in enumerate([m, *_descendants(m)]):
        element._id = MAP_NAME if number == 0 else f"{MAP_NAME}{number}"
    root = m.get_root()
    for child in list(root._children.values()):
        child.render()
    styles, scripts = [], []
    for name, element in root.header._children.items():
        if name != "meta_http":
            (scripts if isinstance(element, JavascriptLink) else styles).append(element.render())
    return {"name": m.get_name(), "styles": Markup("\n".join(styles)),
            "scripts": Markup("\n".join(scripts)), "html": Markup(root.html.render()),
            "script": Markup("<script>\n" + root.script.render() + "\n</script>")}


def _descendants(element):
    for child in element._children.values():
        yield child
        yield from _descendants(child)


@bp.get("/")
def warning_map():
    """The warning map in the visitor's language (``?lang=``, the language cookie, Accept-Language)."""
    settings = current_app.config["SAFEGROUND"]
    lang, picked = i18n.choose(request.args.get("lang"), request.cookies.get(i18n.COOKIE),
                               request.accept_languages)
    area = settings.area_of_operations
    parts = _map(settings)
    config = {
        "lang": lang,
        "map": parts["name"],
        # the tile route takes no query string (a cache buster would be refused)
        "tiles": request.script_root + "/tiles/public/{z}/{x}/{y}.pbf",
        "check": url_for("public.check"),
        "area": list(area) if area else None,
        "hotline": settings.hotline,
        "tel": _tel(settings.hotline),
        "text": i18n.script_text(lang),
    }
    languages = [{"code": code, "name": i18n.NAMES.get(code, code), "dir": i18n.direction(code)}
                 for code in i18n.supported()]
    html = render_template(
        "public/map.html", lang=lang, text_dir=i18n.direction(lang), languages=languages,
        t=lambda key, **values: i18n.say(lang, key, **values), config=_script_json(config), map=parts,
        hotline=settings.hotline, tel=config["tel"],
        vectorgrid_js=assets.vendor_url(assets.VECTORGRID))
    response = make_response(html)
    response.headers["Content-Language"] = lang
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    if picked and request.cookies.get(i18n.COOKIE) != lang:
        response.set_cookie(i18n.COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                            secure=settings.secure_cookies)
    response.add_etag()
    return response.make_conditional(request)
