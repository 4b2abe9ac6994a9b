"""REST routes for channels: calls from a telephony or speech-recognition system (the
integration runs with a supervisor's account, like the order imports), and a call's details
for the console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, UploadFile

from wowdesk.bot.engine import BotEngine
from wowdesk.channels import calls
from wowdesk.channels.schemas import CallImportOut, CallIn, CallOut
from wowdesk.errors import Invalid, NotFound
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role
from wowdesk.web.deps import DbSession

staff = APIRouter(
    prefix="/api/v1", tags=["channels"], dependencies=[Depends(require(Role.operator))]
)
supervisors = APIRouter(
    prefix="/api/v1", tags=["channels"], dependencies=[Depends(require(Role.supervisor))]
)
MAX_IMPORT_BYTES = 50 << 20


def _engine(request: Request) -> BotEngine:
    engine: BotEngine = request.app.state.bot
    return engine


Engine = Annotated[BotEngine, Depends(_engine)]


@supervisors.post("/calls", status_code=201, responses={200: {"model": CallOut}})
def import_call(call: CallIn, db: DbSession, engine: Engine, response: Response) -> CallOut:
    """201 with the new conversation; 200 with the same one when the call was imported
    before (a retry is safe)."""
    imported = calls.do_import_call(db, call, classify=engine.classify)
    if not imported.created:
        response.status_code = 200
    return calls.call_out(db, imported)


@supervisors.post("/calls/import")
def import_calls(file: UploadFile, db: DbSession, engine: Engine) -> CallImportOut:
    """A JSONL file, one call a line. Each line stands alone: the good ones are imported,
    the bad ones reported with their line number (a re-run skips what is already in)."""
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid("The file is too large", code="file_too_large")
    return calls.do_import_lines(db, data, classify=engine.classify, source="upload")


@supervisors.get("/calls")
def list_calls(db: DbSession) -> list[CallOut]:
    return [calls.out_for(db, r) for r in calls.list_calls(db)]


@staff.get("/conversations/{conversation_id}/call")
def conversation_call(conversation_id: int, db: DbSession) -> CallOut:
    record = calls.call_for_conversation(db, conversation_id)
    if record is None:
        raise NotFound("This conversation is not a call")
    return calls.out_for(db, record)
