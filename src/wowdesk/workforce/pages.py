"""The schedule page: planned against required agents per half hour, as a chart."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


@supervisors.get("/workforce")
def schedule_page(request: Request) -> Response:
    return render(request, "workforce/schedule.html")


@supervisors.get("/workforce/schedule")
def week_page(request: Request) -> Response:
    return render(request, "workforce/week.html")


routes = Routes(supervisors=(supervisors,))
