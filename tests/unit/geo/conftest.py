"""Shared inputs for the survey-geometry unit tests: the checked example of DOMAIN.md."""

from types import SimpleNamespace

import pytest

from geo import Leg, PointType


@pytest.fixture
def example():
    """The checked traverse of DOMAIN.md: benchmark, true legs, published points and MGRS form."""
    return SimpleNamespace(
        benchmark="48°00'00.00\"N 37°00'00.00\"E",
        benchmark_utm="37N 350812.1 5318235.6",
        benchmark_mgrs="37U CP 50812 18235",
        # BM→TP1, TP1→TP2, TP2→TP3, TP3→TP4, TP4→TP1 (true bearings, metres).
        legs=[
            Leg(0.0, 20.0, PointType.START, "TP1"),
            Leg(90.0, 100.0, PointType.TURNING, "TP2"),
            Leg(180.0, 50.0, PointType.TURNING, "TP3"),
            Leg(270.0, 100.0, PointType.TURNING, "TP4"),
            Leg(0.0, 50.0, PointType.END, "TP1"),
        ],
        # (lat, lon) of TP1-TP4 as published.
        turning_points=[
            (48.0001799, 37.0000000),
            (48.0001799, 37.0013400),
            (47.9997302, 37.0013400),
            (47.9997302, 37.0000000),
        ],
        mgrs=["37U CP 50812 18255", "37U CP 50912 18253", "37T CP 50911 18203", "37T CP 50811 18205"],
    )
