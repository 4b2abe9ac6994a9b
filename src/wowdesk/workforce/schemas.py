from __future__ import annotations

from pydantic import BaseModel


class IntervalOut(BaseModel):
    start: str
    volume: float
    aht_seconds: float
    agents: int
    scheduled_agents: int
    planned: float
    service_level: float
    occupancy: float


class HoldoutOut(BaseModel):
    mae: float
    wape: float
    baseline_wape: float


class PlanOut(BaseModel):
    day: str
    model: str
    history_days: int
    holdout: HoldoutOut | None
    sl_target: float
    target_seconds: float
    shrinkage: float
    intervals: list[IntervalOut]
