from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from wowdesk.http.deps import IsoDate


class IntervalOut(BaseModel):
    start: str
    volume: float
    aht_seconds: float
    agents: int
    scheduled_agents: int
    planned: float
    service_level: float
    occupancy: float
    planned_service_level: float


class HoldoutOut(BaseModel):
    mae: float
    wape: float
    baseline_wape: float


class ChannelOut(BaseModel):
    channel: str
    contacts: int
    offered: int
    containment: float
    share: float
    aht_seconds: float
    concurrency: float


class PlanOut(BaseModel):
    day: str
    model: str
    history_days: int
    holdout: HoldoutOut | None
    sl_target: float
    target_seconds: float
    shrinkage: float
    concurrency: float
    channels: list[ChannelOut]
    intervals: list[IntervalOut]


class ShiftIn(BaseModel):
    user_id: int
    starts_at: datetime
    ends_at: datetime


class ShiftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime


class PieceIn(BaseModel):
    start: time
    end: time


class TemplateIn(BaseModel):
    user_id: int
    pattern: str = Field(description="2/2 or 5/2")
    first_day: date
    days: int = 28
    pieces: list[PieceIn] = Field(min_length=1, max_length=4)


class CopyWeekIn(BaseModel):
    source: IsoDate
    target: IsoDate


class WrittenOut(BaseModel):
    written: int


class WeekOperatorOut(BaseModel):
    user_id: int
    name: str
    team_id: int | None


class WeekOut(BaseModel):
    monday: date
    timezone: str
    operators: list[WeekOperatorOut]
    shifts: list[ShiftOut]


class LiveAdherenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    name: str
    status: str
    status_since: datetime
    shift_starts_at: datetime | None
    shift_ends_at: datetime | None
    problem: str
    minutes: int
