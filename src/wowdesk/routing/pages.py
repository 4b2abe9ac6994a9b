"""The supervisors' live board: every operator's status and load, every queue's length."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from wowdesk.conversations import topics
from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


@supervisors.get("/routing")
def routing_page(request: Request, db: DbSession) -> Response:
    return render(request, "routing/board.html", topics=[t.name for t in topics.list_topics(db)])


routes = Routes(supervisors=(supervisors,))
