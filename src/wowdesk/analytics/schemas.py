from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class KpiDefinitionOut(BaseModel):
    key: str
    label: str
    unit: str
    higher_is_better: bool
    formula: str


class KpiRowOut(BaseModel):
    key: str
    label: str
    values: dict[str, float | None]


class KpiReportOut(BaseModel):
    start: str
    end: str
    group: str
    definitions: list[KpiDefinitionOut]
    rows: list[KpiRowOut]
    # the same filters without the operator: "against the team"
    team: KpiRowOut | None
    targets: dict[str, float | None]
    nobody: NobodyOut | None = None


class TargetIn(BaseModel):
    kpi: str = Field(max_length=32)
    channel: str = Field(default="", max_length=32)
    value: float


class RefreshOut(BaseModel):
    rows: int


class NobodyOut(BaseModel):
    """The "nobody (bot or queue)" row apart: bot-resolved, abandoned in queue, answered."""

    contacts: int
    bot_resolved: int
    abandoned: int
    answered: int


class TileOut(BaseModel):
    key: str
    label: str
    formula: str
    unit: str
    higher_is_better: bool
    today: float | None
    week: float | None
    target: float | None


class AtTargetOut(BaseModel):
    operators: int
    at_target: int
    share: float | None
    goal: float
    by_kpi: dict[str, list[int]]  # kpi -> [at target, with a value]


class OverviewOut(BaseModel):
    today: str
    week_start: str
    tiles: list[TileOut]
    waiting: int
    oldest_wait_seconds: float
    at_target: AtTargetOut


class RelativeTargetIn(BaseModel):
    kpi: str = Field(max_length=32)
    channel: str = Field(default="", max_length=32)
    relative: float = Field(description="-0.2 for «−20 %» against the baseline")
    baseline_start: date
    baseline_end: date


class RelativeTargetOut(BaseModel):
    kpi: str
    channel: str
    value: float
    relative: float
    baseline_start: date
    baseline_end: date
    baseline_value: float
