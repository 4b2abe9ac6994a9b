"""REST routes for channels: calls from a telephony or speech-recognition system (the
integration runs with a supervisor's account, like the order imports), and a call's details
for the console."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, UploadFile
from fastapi.responses import FileResponse

from wowdesk.bot.engine import BotEngine
from wowdesk.channels import attachments, calls, outbound, telegram
from wowdesk.channels.schemas import (
    CallImportOut,
    CallIn,
    CallOut,
    OutboundIn,
    OutboundOut,
    ReachableOut,
)
from wowdesk.channels.telegram_runner import TelegramChannel
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.security import same

staff = APIRouter(
    prefix="/api/v1", tags=["channels"], dependencies=[Depends(require(Role.operator))]
)
supervisors = APIRouter(
    prefix="/api/v1", tags=["channels"], dependencies=[Depends(require(Role.supervisor))]
)
# Telegram's own servers call this one; the secret header is its authentication
network = APIRouter(prefix="/api/v1", tags=["channels"])
MAX_IMPORT_BYTES = 50 << 20
MAX_UPDATE_BYTES = 1 << 20


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
    the bad ones reported with their line number (a re-run skips what is already in); a
    file with no good line at all is refused with 422."""
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid("The file is too large", code="file_too_large")
    report = calls.do_import_lines(db, data, classify=engine.classify, source="upload")
    return calls.check_any_good(report)


@supervisors.get("/calls")
def list_calls(db: DbSession) -> list[CallOut]:
    return [calls.out_for(db, r) for r in calls.list_calls(db)]


@staff.get("/conversations/{conversation_id}/call")
def conversation_call(conversation_id: int, db: DbSession) -> CallOut:
    record = calls.call_for_conversation(db, conversation_id)
    if record is None:
        raise NotFound("This conversation is not a call")
    return calls.out_for(db, record)


@network.post(telegram.WEBHOOK_PATH.removeprefix("/api/v1"))
async def telegram_webhook(request: Request) -> dict[str, bool]:
    """Telegram POSTs each update here with the secret it was given at setWebhook; anything
    without it is refused before the body is read. A failure answers 5xx, so Telegram
    delivers the update again (and it is stored once)."""
    channel: TelegramChannel | None = request.app.state.telegram
    if channel is None or channel.settings.telegram_mode != "webhook":
        raise NotFound("Telegram is not configured")
    sent = request.headers.get(telegram.SECRET_HEADER, "")
    if not sent or not same(sent, channel.settings.telegram_secret()):
        raise Forbidden("Wrong secret token", code="telegram_secret")
    body = await request.body()
    if len(body) > MAX_UPDATE_BYTES:
        raise Invalid("The update is too large", code="update_too_large")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Invalid("The request body is not valid JSON in UTF-8") from exc
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise Invalid("Not a Telegram update", code="not_an_update")
    await channel.handle(data)
    return {"ok": True}


@staff.post("/outbound", status_code=201)
def start_outbound(
    body: OutboundIn, user: CurrentUser, db: DbSession, settings: AppSettings
) -> OutboundOut:
    """The operator writes first; the conversation opens assigned to them (409
    `no_registered_channel` when the customer has no such channel)."""
    conv = outbound.do_start(
        db,
        user,
        customer_id=body.customer_id,
        channel=body.channel,
        text=body.text,
        client_id=body.client_id,
        limit=settings.max_message_chars,
    )
    return OutboundOut(conversation_id=conv.id, channel=conv.channel)


@staff.get("/customers/{customer_id}/reachable")
def reachable(customer_id: int, db: DbSession) -> ReachableOut:
    """The channels an operator can start a conversation in with this customer."""
    return ReachableOut(channels=sorted(outbound.reachable(db, customer_id)))


@staff.get("/attachments/{attachment_id}")
def attachment_file(attachment_id: int, db: DbSession, settings: AppSettings) -> FileResponse:
    """A file a customer sent, to staff only, as the type its bytes proved; images inline,
    everything else as a download."""
    row = attachments.get_attachment(db, attachment_id)
    path = attachments.path_of(Path(settings.var_dir) / "attachments", row)
    inline = row.content_type in attachments.IMAGES
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.file_name or path.name,
        content_disposition_type="inline" if inline else "attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


routes = Routes(public=(network,), staff=(staff,), supervisors=(supervisors,))
