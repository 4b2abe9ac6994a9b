"""KPI dashboards: the supervisors' history with filters and charts, each operator's own."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from wowdesk.analytics.report import definitions
from wowdesk.conversations import topics
from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators import service as operators
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

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


def _dashboard(request: Request, mode: str, **filters: Any) -> Response:
    """One page for both: the supervisors' filters (teams, operators, topics, channels)
    appear only in "team" mode."""
    kpis = definitions()
    return render(
        request,
        "analytics/dashboard.html",
        mode=mode,
        kpis=kpis,
        kpis_json=[k.model_dump() for k in kpis],
        **filters,
    )


@supervisors.get("/analytics")
def analytics_page(request: Request, db: DbSession) -> Response:
    return _dashboard(
        request,
        "team",
        teams=operators.list_teams(db),
        operators=[u for u in operators.list_users(db) if u.role == Role.operator],
        topics=topics.list_topics(db),
        channels=["web", "telegram", "email", "phone"],
    )


@staff.get("/analytics/me")
def my_page(request: Request) -> Response:
    return _dashboard(request, "me")


routes = Routes(public=(public,), staff=(staff,), supervisors=(supervisors,))
