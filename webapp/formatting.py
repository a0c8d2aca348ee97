"""Jinja filters for figures people read: areas in m² and hectares, never mixed silently."""
from __future__ import annotations

from flask import Flask


def area(value_m2: float | None) -> str:
    """``12 345 m² (1.23 ha)``; hectares only once the area is at least 0.1 ha."""
    if value_m2 is None:
        return "—"
    m2 = f"{value_m2:,.0f}".replace(",", "\u202f") + " m²"
    if value_m2 >= 1000:
        return f"{m2} ({value_m2 / 10000:,.2f} ha)".replace(",", "\u202f")
    return m2


def hectares(value_m2: float | None) -> str:
    if value_m2 is None:
        return "—"
    return f"{value_m2 / 10000:,.2f} ha".replace(",", "\u202f")


def register_filters(app: Flask) -> None:
    app.add_template_filter(area, "area")
    app.add_template_filter(hectares, "ha")
