"""The supervisors' page of phone calls: the calls imported, their times, and an upload of
a JSONL file for the calls a telephony system exported."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response

from wowdesk.bot.engine import BotEngine
from wowdesk.channels import calls
from wowdesk.channels.api import MAX_IMPORT_BYTES
from wowdesk.channels.schemas import CallImportOut
from wowdesk.db import utcnow
from wowdesk.errors import Invalid
from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


def _page(request: Request, db: DbSession, report: CallImportOut | None = None) -> Response:
    rows = [calls.out_for(db, r) for r in calls.list_calls(db)]
    return render(request, "channels/calls.html", calls=rows, report=report)


@router.get("/calls")
def calls_page(request: Request, db: DbSession) -> Response:
    return _page(request, db)


@router.get("/calls/example.jsonl")
def calls_example(db: DbSession, user: CurrentUser) -> Response:
    """Two calls in the import's format, answered by one of this center's operators
    (importable as they are, to try the page)."""
    staff = [u for u in operators.list_users(db) if u.role == Role.operator and u.is_active]
    yesterday = utcnow() - timedelta(days=1)
    return Response(
        calls.example_lines((staff[0] if staff else user).username, yesterday),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="calls-example.jsonl"'},
    )


@router.post("/calls")
def upload_calls(request: Request, db: DbSession, file: UploadFile) -> Response:
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid("The file is too large", code="file_too_large")
    engine: BotEngine = request.app.state.bot
    report = calls.do_import_lines(db, data, classify=engine.classify, source="upload")
    return _page(request, db, report)


routes = Routes(supervisors=(router,))
