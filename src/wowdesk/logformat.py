"""Log lines for people or for a log collector (`WOWDESK_LOG_FORMAT=json`): one JSON object
per line with the time, level, logger, message, and the request id and conversation id of
the work that wrote it. Records are already masked where they are made
(`safety.logs.install`), so no customer's personal data reaches either format."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str | None] = ContextVar("wowdesk_request_id", default=None)
CONVERSATION_ID: ContextVar[int | None] = ContextVar("wowdesk_conversation_id", default=None)
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_MARK = "wowdesk_json_handler"
# what uvicorn logs through its own handlers unless they are taken over; its access lines
# are left to it (`wowdesk serve` turns them off for JSON: the middleware writes its own,
# with the request id)
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error")


def request_id_from(header: str | None) -> str:
    """The proxy's X-Request-ID when it is a sane token (it ties nginx's log to ours), else
    a new one."""
    if header and _GOOD_ID.match(header):
        return header
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        conversation_id = getattr(record, "conversation_id", None) or CONVERSATION_ID.get()
        if request_id:
            entry["request_id"] = request_id
        if conversation_id:
            entry["conversation_id"] = conversation_id
        for extra in ("method", "route", "status", "duration_ms"):
            if hasattr(record, extra):
                entry[extra] = getattr(record, extra)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(fmt: str, level: int = logging.INFO) -> None:
    """JSON lines on stderr for every logger (uvicorn's too); idempotent. "text" leaves the
    logging as uvicorn and Python set it up."""
    if fmt != "json":
        return
    root = logging.getLogger()
    if any(getattr(h, _MARK, False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _MARK, True)
    root.handlers = [handler]
    root.setLevel(level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
