"""Staffing for supervisors and planners: forecast, required and planned agents per half hour."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Literal

from fastapi import APIRouter, Depends, UploadFile
from fastapi.responses import Response

from wowdesk.analytics import service as analytics
from wowdesk.db import local_today, utcnow
from wowdesk.errors import Invalid
from wowdesk.http import tables
from wowdesk.http.deps import AppSettings, DbSession, IsoDate
from wowdesk.http.routes import Routes
from wowdesk.operators import rota as schedule
from wowdesk.operators import service as operators
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.workforce import adherence
from wowdesk.workforce import service as planning
from wowdesk.workforce.schemas import (
    ChannelOut,
    CopyWeekIn,
    HoldoutOut,
    IntervalOut,
    LiveAdherenceOut,
    PlanOut,
    ShiftIn,
    ShiftOut,
    TemplateIn,
    WeekOperatorOut,
    WeekOut,
    WrittenOut,
)

supervisors = APIRouter(
    prefix="/api/v1/workforce",
    tags=["workforce"],
    dependencies=[Depends(require(Role.supervisor))],
)


def _plan(db: DbSession, settings: AppSettings, day: date | None) -> tuple[planning.Plan, float]:
    today = local_today(settings.timezone)
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
        concurrency=plan.concurrency,
        channels=[ChannelOut(**dataclasses.asdict(c)) for c in plan.channels],
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


# --- the schedule ---------------------------------------------------------------------------

MAX_CSV_BYTES = 5 * 1024 * 1024


@supervisors.get("/schedule")
def week(db: DbSession, settings: AppSettings, day: IsoDate | None = None) -> WeekOut:
    """The week (Monday to Sunday) holding `day`: every operator and every shift."""
    monday = schedule.week_start(day or local_today(settings.timezone))
    people = [u for u in operators.list_users(db) if u.is_active and u.role == Role.operator]
    return WeekOut(
        monday=monday,
        timezone=settings.timezone,
        operators=[
            WeekOperatorOut(user_id=u.id, name=u.display_name, team_id=u.team_id) for u in people
        ],
        shifts=[
            ShiftOut.model_validate(s) for s in schedule.week_shifts(db, monday, settings.timezone)
        ],
    )


@supervisors.post("/shifts", status_code=201)
def add_shift(body: ShiftIn, db: DbSession) -> ShiftOut:
    return ShiftOut.model_validate(
        schedule.do_add_shift(db, body.user_id, body.starts_at, body.ends_at)
    )


@supervisors.delete("/shifts/{shift_id:int}", status_code=204)
def delete_shift(shift_id: int, db: DbSession) -> Response:
    schedule.do_delete_shift(db, shift_id)
    return Response(status_code=204)


@supervisors.post("/shifts/copy-week")
def copy_week(body: CopyWeekIn, db: DbSession, settings: AppSettings) -> WrittenOut:
    return WrittenOut(
        written=schedule.do_copy_week(db, body.source, body.target, settings.timezone)
    )


@supervisors.post("/shifts/template")
def apply_template(body: TemplateIn, db: DbSession, settings: AppSettings) -> WrittenOut:
    pieces = [schedule.Piece(p.start, p.end) for p in body.pieces]
    written = schedule.do_apply_template(
        db, body.user_id, body.pattern, body.first_day, body.days, pieces, settings.timezone
    )
    return WrittenOut(written=written)


@supervisors.post("/shifts/import")
def import_shifts(file: UploadFile, db: DbSession, settings: AppSettings) -> WrittenOut:
    """CSV `login,date,start,end`: all rows or none (a 422 lists every bad line)."""
    data = file.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise Invalid("The file is larger than 5 MB", code="too_large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid("The file is not UTF-8 text", code="bad_encoding") from exc
    return WrittenOut(written=schedule.do_import_shifts(db, text, settings.timezone))


@supervisors.get("/adherence/live")
def live_adherence(db: DbSession) -> list[LiveAdherenceOut]:
    """Who should be on the line now and is not, who overruns a break: the routing board."""
    return [LiveAdherenceOut.model_validate(r) for r in adherence.live(db, utcnow())]


routes = Routes(supervisors=(supervisors,))
