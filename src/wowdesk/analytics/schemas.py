from __future__ import annotations

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


class TargetIn(BaseModel):
    kpi: str = Field(max_length=32)
    channel: str = Field(default="", max_length=32)
    value: float


class RefreshOut(BaseModel):
    rows: int
