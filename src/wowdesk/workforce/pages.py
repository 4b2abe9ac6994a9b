"""The schedule page: planned against required agents per half hour, as a chart."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


@router.get("/workforce")
def schedule_page(request: Request) -> Response:
    return render(request, "workforce/schedule.html")


@router.get("/workforce/schedule")
def week_page(request: Request) -> Response:
    return render(request, "workforce/week.html")
