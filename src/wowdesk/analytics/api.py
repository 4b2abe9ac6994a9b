"""KPI reports for supervisors (anyone, any grouping) and for each operator (their own)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wowdesk.analytics import export, overview, service
from wowdesk.analytics.report import definitions, kpi_report
from wowdesk.analytics.schemas import (
    AtTargetOut,
    KpiReportOut,
    OverviewOut,
    RefreshOut,
    RelativeTargetIn,
    RelativeTargetOut,
    TargetIn,
    TileOut,
)
from wowdesk.config import Settings
from wowdesk.conversations import outbox
from wowdesk.db import local_today
from wowdesk.http import tables
from wowdesk.http.deps import AppSettings, DbSession, IsoDate
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.routing import board as routing_board
from wowdesk.routing.schemas import BoardOut, OperatorRowOut, QueueRowOut

supervisors = APIRouter(
    prefix="/api/v1/analytics",
    tags=["analytics"],
    dependencies=[Depends(require(Role.supervisor))],
)
staff = APIRouter(
    prefix="/api/v1/analytics", tags=["analytics"], dependencies=[Depends(require(Role.operator))]
)


def _period(start: date | None, end: date | None, settings: Settings) -> tuple[date, date]:
    last = end or local_today(settings.timezone)
    return (start or last - timedelta(days=29)), last


class _Query:
    def __init__(
        self,
        start: IsoDate | None = None,
        end: IsoDate | None = None,
        group: service.Group = "total",
        team_id: int | None = None,
        channel: Annotated[str | None, Query(max_length=32)] = None,
        topic_id: int | None = None,
        operator_id: int | None = None,
    ) -> None:
        self.start, self.end, self.group = start, end, group
        self.filters = service.Filters(team_id, channel or None, topic_id, operator_id)


@supervisors.get("/kpis")
def kpis(db: DbSession, settings: AppSettings, q: Annotated[_Query, Depends()]) -> KpiReportOut:
    start, end = _period(q.start, q.end, settings)
    return kpi_report(db, start, end, group=q.group, filters=q.filters, timezone=settings.timezone)


@supervisors.get("/kpis.{fmt}", response_class=Response)
def kpis_file(
    fmt: Literal["csv", "xlsx"],
    db: DbSession,
    settings: AppSettings,
    q: Annotated[_Query, Depends()],
) -> Response:
    start, end = _period(q.start, q.end, settings)
    rows = service.summarize(
        db, start, end, group=q.group, filters=q.filters, timezone=settings.timezone
    )
    name = f"wowdesk-kpi-{q.group}-{start}-{end}"
    if fmt == "csv":
        return tables.csv_response(name, export.to_csv(rows))
    return tables.xlsx_response(name, export.to_xlsx(rows))


@supervisors.put("/targets")
def set_target(body: TargetIn, db: DbSession) -> dict[str, float | None]:
    overview.do_set_absolute_target(db, body.kpi, body.channel, body.value)
    return service.targets(db, body.channel)


@supervisors.put("/targets/relative")
def set_relative_target(
    body: RelativeTargetIn, db: DbSession, settings: AppSettings
) -> RelativeTargetOut:
    """«AHT −20 %»: the KPI over the baseline period times (1 + relative), frozen."""
    row = overview.do_set_relative_target(
        db,
        body.kpi,
        body.channel,
        body.relative,
        body.baseline_start,
        body.baseline_end,
        timezone=settings.timezone,
    )
    return RelativeTargetOut.model_validate(row, from_attributes=True)


@supervisors.get("/targets/relative")
def relative_targets(db: DbSession) -> list[RelativeTargetOut]:
    return [
        RelativeTargetOut.model_validate(r, from_attributes=True)
        for r in overview.relative_targets(db)
    ]


@supervisors.get("/overview")
def overview_now(db: DbSession, settings: AppSettings) -> OverviewOut:
    """Tiles for today and this week, the queue now, the share of operators at target."""
    o = overview.overview(db, sl_seconds=settings.service_level_seconds, timezone=settings.timezone)
    defs = {d.key: d for d in definitions()}
    return OverviewOut(
        today=o.today.isoformat(),
        week_start=o.week_start.isoformat(),
        tiles=[
            TileOut(
                key=t.key,
                label=defs[t.key].label,
                formula=defs[t.key].formula,
                unit=defs[t.key].unit,
                higher_is_better=defs[t.key].higher_is_better,
                today=t.today,
                week=t.week,
                target=t.target,
            )
            for t in o.tiles
        ],
        waiting=o.waiting,
        oldest_wait_seconds=o.oldest_wait_seconds,
        at_target=AtTargetOut(
            operators=o.at_target.operators,
            at_target=o.at_target.at_target,
            share=o.at_target.share,
            goal=o.at_target.goal,
            by_kpi={k: list(v) for k, v in o.at_target.by_kpi.items()},
        ),
    )


@supervisors.post("/refresh")
def refresh(db: DbSession, settings: AppSettings) -> RefreshOut:
    rows = service.do_refresh_recent(
        db, sl_seconds=settings.service_level_seconds, timezone=settings.timezone
    )
    return RefreshOut(rows=rows)


@staff.get("/me")
def my_kpis(
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    start: IsoDate | None = None,
    end: IsoDate | None = None,
) -> KpiReportOut:
    """An operator's own KPIs by day, against their team (everyone, without a team)."""
    first, last = _period(start, end, settings)
    filters = service.Filters(team_id=user.team_id, operator_id=user.id)
    return kpi_report(db, first, last, group="day", filters=filters, timezone=settings.timezone)


# the routing board's API: who is where (routing) and today's KPIs against their targets
board = APIRouter(
    prefix="/api/v1", tags=["routing"], dependencies=[Depends(require(Role.supervisor))]
)


@board.get("/routing/board")
def live_board(db: DbSession, settings: AppSettings) -> BoardOut:
    people, queues = routing_board.board(db, settings.routing_grace_seconds)
    return BoardOut(
        operators=[OperatorRowOut.model_validate(p) for p in people],
        queues=[QueueRowOut.model_validate(q) for q in queues],
        mail=outbox.count_by_state(db),
        today=service.live_today(
            db, sl_seconds=settings.service_level_seconds, timezone=settings.timezone
        ),
        targets=service.targets(db),
    )


routes = Routes(public=(), staff=(staff,), supervisors=(supervisors, board))
