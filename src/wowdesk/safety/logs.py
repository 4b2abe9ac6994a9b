"""Log records never carry customers' personal data.

wowdesk's own log lines name ids, not texts; but an exception logged with its traceback can
quote what the customer wrote (a database error prints the statement's parameters, an HTTP
client error the body it got back), and so can any library's line. `install()` wraps the
log-record factory, so every record of every logger is masked once, where it is made, before
any handler - also ones configured later, like uvicorn's - formats it: the message, its
arguments (each keeps its place, formatters that unpack them still work), the exception text
and the stack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from wowdesk.nlp import pii

_MARK = "wowdesk_masks_pii"
SHORT_ARG = 64
_masking = threading.local()


def _unmasked(record: logging.LogRecord) -> logging.LogRecord:
    record.msg, record.args, record.exc_text = "[log record not masked]", (), None
    record.exc_info = None
    return record


def mask_text(text: str) -> str:
    """Masked without spaCy's English NER (English names from the name lists and shapes):
    the server's own start-up lines («Started server process», «Application startup
    complete») loaded that model into every idle process, 150 MB of it. A customer's
    message is masked with the model when it is stored; logs are the second net."""
    return pii.mask_text(text, english_model=False)


@lru_cache(maxsize=1024)
def _mask_short(text: str) -> str:
    """Short arguments repeat (uvicorn's access line: the method, the path, "1.1", the
    client's address): each is masked once. Masking depends on the text alone."""
    return mask_text(text)


def _mask_arg(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    masked = _mask_short(text) if len(text) <= SHORT_ARG else mask_text(text)
    return value if masked == text else masked


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    if isinstance(record.msg, str):
        record.msg = mask_text(record.msg)
    if isinstance(record.args, Mapping):
        record.args = {k: _mask_arg(v) for k, v in record.args.items()}
    elif record.args:
        record.args = tuple(_mask_arg(a) for a in record.args)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    return record


class PiiFilter(logging.Filter):
    """For handlers set up outside wowdesk's processes (a host application's own logging)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install() -> None:
    """Idempotent; called by the app and the worker at start."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        # A model loaded lazily by the masker may log while loading (pymorphy3 does): masking
        # that record would wait for the very model being loaded, so it is dropped instead.
        if getattr(_masking, "active", False):
            return _unmasked(record)
        _masking.active = True
        try:
            return mask_record(record)
        except Exception:  # a record that cannot be masked must still not leak: drop its text
            return _unmasked(record)
        finally:
            _masking.active = False

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)
