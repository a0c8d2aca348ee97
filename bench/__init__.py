"""The SafeGround benchmark: ``python -m bench`` (see ``bench/__main__.py`` and
docs/decisions/0009-benchmarks.md).

cluster   a tuned, throw-away PostGIS cluster per data-set size
data      N generated hazards loaded with COPY (in parts above 100,000)
workload  the fixed tile lists, viewports and points, derived from the data
servers   SafeGround (gunicorn) and tipg (uvicorn) on 127.0.0.1
load      the bounded load client (threads; HTTP or the raw SQL)
machine   CPU used by other work during each measurement
mvt       feature counts of vector tiles
run       one size, end to end
report    the table, the targets and their verdicts
"""
