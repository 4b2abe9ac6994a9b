"""KPI dashboards: the supervisors' history with filters and charts, each operator's own."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from wowdesk.analytics.report import definitions
from wowdesk.config import Settings
from wowdesk.conversations import topics
from wowdesk.conversations.service import CHANNELS
from wowdesk.db import local_today
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.training import growth as training

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])
staff = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.operator))])
public = APIRouter(include_in_schema=False)

# plotly.js as the plotly wheel ships it: no CDN, the same version as the Python package
PLOTLY_JS = resources.files("plotly") / "package_data" / "plotly.min.js"


@public.get("/vendor/plotly.min.js")
def plotly_js() -> Response:
    return FileResponse(
        str(PLOTLY_JS),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _dashboard(request: Request, settings: Settings, mode: str, **filters: Any) -> Response:
    """One page for both: the supervisors' filters (teams, operators, topics, channels)
    appear only in "team" mode. `today` is the contact center's day (its time zone), which
    the KPI days are: the browser's date marked the wrong day partial near midnight."""
    kpis = definitions()
    return render(
        request,
        "analytics/dashboard.html",
        mode=mode,
        today=local_today(settings.timezone).isoformat(),
        kpis=kpis,
        kpis_json=[k.model_dump() for k in kpis],
        **filters,
    )


@supervisors.get("/analytics")
def analytics_page(request: Request, db: DbSession, settings: AppSettings) -> Response:
    return _dashboard(
        request,
        settings,
        "team",
        teams=operators.list_teams(db),
        operators=[u for u in operators.list_users(db) if u.role == Role.operator],
        topics=topics.list_topics(db),
        channels=CHANNELS,
    )


@staff.get("/analytics/me")
def my_page(request: Request, user: CurrentUser, db: DbSession, settings: AppSettings) -> Response:
    """The operator's KPIs, and beside them training: progress, badges, points, the
    contests on now and the next step of the career track."""
    return _dashboard(request, settings, "me", growth=training.growth_of(db, user))


routes = Routes(public=(public,), staff=(staff,), supervisors=(supervisors,))
