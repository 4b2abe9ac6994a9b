"""Staffing for supervisors and planners: forecast, required and planned agents per half hour."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from fastapi import APIRouter, Depends

from wowdesk.analytics import service as analytics
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.web.deps import AppSettings, DbSession
from wowdesk.workforce import planning
from wowdesk.workforce.schemas import HoldoutOut, IntervalOut, PlanOut

supervisors = APIRouter(
    prefix="/api/v1/workforce",
    tags=["workforce"],
    dependencies=[Depends(require(Role.supervisor))],
)


@supervisors.get("/staffing")
def staffing(db: DbSession, settings: AppSettings, day: date | None = None) -> PlanOut:
    today = analytics.today(settings.timezone)
    day = day or today + timedelta(days=1)
    sl_target = analytics.targets(db).get("service_level") or 0.8
    plan = planning.staffing_plan(
        db,
        day,
        today=today,
        timezone=settings.timezone,
        sl_target=sl_target,
        target_seconds=settings.service_level_seconds,
        shrinkage=settings.staffing_shrinkage,
    )
    return PlanOut(
        day=plan.day.isoformat(),
        model=plan.model,
        history_days=plan.history_days,
        holdout=HoldoutOut(**dataclasses.asdict(plan.holdout)) if plan.holdout else None,
        sl_target=sl_target,
        target_seconds=settings.service_level_seconds,
        shrinkage=settings.staffing_shrinkage,
        intervals=[IntervalOut(**dataclasses.asdict(i)) for i in plan.intervals],
    )
