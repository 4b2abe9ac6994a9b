"""Staffing for supervisors and planners: forecast, required and planned agents per half hour."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from wowdesk.analytics import service as analytics
from wowdesk.http import tables
from wowdesk.http.deps import AppSettings, DbSession, IsoDate
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.workforce import service as planning
from wowdesk.workforce.schemas import HoldoutOut, IntervalOut, PlanOut

supervisors = APIRouter(
    prefix="/api/v1/workforce",
    tags=["workforce"],
    dependencies=[Depends(require(Role.supervisor))],
)


def _plan(db: DbSession, settings: AppSettings, day: date | None) -> tuple[planning.Plan, float]:
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
    return plan, sl_target


@supervisors.get("/staffing")
def staffing(db: DbSession, settings: AppSettings, day: IsoDate | None = None) -> PlanOut:
    plan, sl_target = _plan(db, settings, day)
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


@supervisors.get("/staffing.{fmt}", response_class=Response)
def staffing_file(
    fmt: Literal["csv", "xlsx"], db: DbSession, settings: AppSettings, day: IsoDate | None = None
) -> Response:
    plan, _sl = _plan(db, settings, day)
    header = [f.name for f in dataclasses.fields(planning.Interval)]
    records = [list(dataclasses.astuple(i)) for i in plan.intervals]
    name = f"wowdesk-staffing-{plan.day}"
    if fmt == "csv":
        return tables.csv_response(name, tables.to_csv(header, records))
    return tables.xlsx_response(name, tables.to_xlsx(header, records, title="Staffing"))


routes = Routes(supervisors=(supervisors,))
