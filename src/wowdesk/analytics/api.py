"""KPI reports for supervisors (anyone, any grouping) and for each operator (their own)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wowdesk.analytics import export, service
from wowdesk.analytics.report import kpi_report
from wowdesk.analytics.schemas import KpiReportOut, RefreshOut, TargetIn
from wowdesk.config import Settings
from wowdesk.conversations import outbox
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
    last = end or service.today(settings.timezone)
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
    service.do_set_target(db, body.kpi, body.channel, body.value)
    return service.targets(db, body.channel)


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
