"""The single-interval staffing path (plain floats) gives what the batch path gives.

`staffing_many` is the implementation every published example and exactness test in
test_erlang.py checks; `staffing` now answers Erlang C without it, so here both are run on
the same random intervals and must agree: the same agents and scheduled agents, the same
figures to rounding, the same errors.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.workforce.erlang import Staffing, staffing, staffing_json, staffing_many

volumes = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.01, max_value=5.0),
    st.floats(min_value=5.0, max_value=200_000.0),
)
ahts = st.floats(min_value=5.0, max_value=3_600.0)
sl_targets = st.floats(min_value=0.05, max_value=0.999)
answer_times = st.floats(min_value=0.0, max_value=600.0)
intervals = st.sampled_from([15.0, 30.0, 60.0])
shrinkages = st.floats(min_value=0.0, max_value=0.9)
occupancies = st.one_of(st.none(), st.floats(min_value=0.3, max_value=1.0))
patiences = st.one_of(st.none(), st.just(math.inf), st.floats(min_value=30.0, max_value=900.0))


def batch_of_one(*args: float, **kwargs: float | None) -> Staffing:
    batch = staffing_many(*args, **kwargs)
    return Staffing(
        agents=int(batch.agents),
        scheduled_agents=int(batch.scheduled_agents),
        service_level=float(batch.service_level),
        asa_seconds=float(batch.asa_seconds),
        occupancy=float(batch.occupancy),
        traffic_erlangs=float(batch.traffic_erlangs),
    )


def assert_same(one: Staffing, batch: Staffing) -> None:
    assert one.agents == batch.agents
    assert one.scheduled_agents == batch.scheduled_agents
    assert one.traffic_erlangs == batch.traffic_erlangs
    for field in ("service_level", "asa_seconds", "occupancy"):
        mine, theirs = getattr(one, field), getattr(batch, field)
        assert mine == pytest.approx(theirs, rel=1e-11, abs=1e-13, nan_ok=True), field


@settings(max_examples=300, deadline=None)
@given(volumes, ahts, sl_targets, answer_times, intervals, shrinkages, occupancies, patiences)
def test_single_interval_matches_the_batch(
    volume: float,
    aht: float,
    target: float,
    seconds: float,
    interval: float,
    shrinkage: float,
    max_occupancy: float | None,
    patience: float | None,
) -> None:
    kwargs = {
        "shrinkage": shrinkage,
        "max_occupancy": max_occupancy,
        "patience_seconds": patience,
    }
    one = staffing(volume, aht, target, seconds, interval, **kwargs)
    assert_same(one, batch_of_one(volume, aht, target, seconds, interval, **kwargs))


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((-1, 180, 0.8, 20, 30), {}),
        ((100, 0, 0.8, 20, 30), {}),
        ((100, 180, 1.0, 20, 30), {}),
        ((100, 180, 0.8, -5, 30), {}),
        ((100, 180, 0.8, 20, 0), {}),
        ((100, 180, 0.8, 20, 30), {"shrinkage": 1.0}),
        ((100, 180, 0.8, 20, 30), {"max_occupancy": 0.0}),
        ((100, 180, 0.8, 20, 30), {"patience_seconds": 0.0}),
        ((math.nan, 180, 0.8, 20, 30), {}),
        ((100, math.inf, 0.8, 20, 30), {}),
    ],
)
def test_single_interval_rejects_what_the_batch_rejects(
    args: tuple[float, ...], kwargs: dict[str, float]
) -> None:
    with pytest.raises(ValueError) as batch_error:
        staffing_many(*args, **kwargs)
    with pytest.raises(ValueError) as single_error:
        staffing(*args, **kwargs)
    assert str(single_error.value) == str(batch_error.value)


def test_integers_and_numpy_scalars_take_the_same_path() -> None:
    np = pytest.importorskip("numpy")
    plain = staffing_json(1000, 500, 0.8, 20, 30, shrinkage=0.3)
    assert staffing_json(np.float64(1000), np.int64(500), 0.8, 20.0, 30.0, 0.3) == plain
    batch = batch_of_one(1000, 500, 0.8, 20, 30, shrinkage=0.3)
    assert plain["agents_on_phones"] == batch.agents
    assert plain["agents"] == batch.scheduled_agents
