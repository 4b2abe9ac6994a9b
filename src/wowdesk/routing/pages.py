"""The supervisors' live board: every operator's status and load, every queue's length."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from wowdesk.conversations import topics
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.web.deps import DbSession
from wowdesk.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


@router.get("/routing")
def routing_page(request: Request, db: DbSession) -> Response:
    return render(request, "routing/board.html", topics=[t.name for t in topics.list_topics(db)])
