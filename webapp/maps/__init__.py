"""Maps: folium maps built for our pages, with every front-end asset served from ``static/vendor``.

``assets`` replaces folium's CDN links with the vendored copies (``use_local_assets`` at start-up) and
checks rendered pages for CDN links; ``basemap`` builds maps (``make_map``) and splits them into
pieces for our own templates (``render_parts``).
"""
