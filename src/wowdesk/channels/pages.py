"""The supervisors' page of phone calls: the calls imported, their times, and an upload of
a JSONL file for the calls a telephony system exported."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response

from wowdesk.bot.engine import BotEngine
from wowdesk.channels import calls
from wowdesk.channels.api import MAX_IMPORT_BYTES
from wowdesk.channels.schemas import CallImportOut
from wowdesk.errors import Invalid
from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


def _page(request: Request, db: DbSession, report: CallImportOut | None = None) -> Response:
    rows = [calls.out_for(db, r) for r in calls.list_calls(db)]
    return render(request, "channels/calls.html", calls=rows, report=report)


@router.get("/calls")
def calls_page(request: Request, db: DbSession) -> Response:
    return _page(request, db)


@router.post("/calls")
def upload_calls(request: Request, db: DbSession, file: UploadFile) -> Response:
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid("The file is too large", code="file_too_large")
    engine: BotEngine = request.app.state.bot
    report = calls.do_import_lines(db, data, classify=engine.classify, source="upload")
    return _page(request, db, report)


routes = Routes(supervisors=(router,))
