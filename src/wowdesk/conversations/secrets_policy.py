"""Secrets in messages as the send path sees them: the operator policy (warn or block a request for
a secret) and the audit of what the guards did to messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.conversations.models import GuardEvent
from wowdesk.errors import Conflict, Forbidden
from wowdesk.nlp.secrets import kinds_label, requested_kinds

# --- the audit ----------------------------------------------------------------------------

CUSTOMER_SECRETS = "customer_secrets_hidden"
OPERATOR_CONFIRMED = "operator_secret_request_sent"
BOT_STOPPED = "bot_answer_stopped"


def do_record(
    db: Session,
    kind: str,
    *,
    conversation_id: int | None,
    message_id: int | None = None,
    user_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> GuardEvent:
    event = GuardEvent(
        kind=kind,
        conversation_id=conversation_id,
        message_id=message_id,
        user_id=user_id,
        details=details or {},
    )
    db.add(event)
    db.flush()
    return event


def do_note_customer_secrets(
    db: Session, conversation_id: int, message_id: int, kinds: list[str]
) -> list[str]:
    """Records the secrets hidden from a customer's message; returns the kinds this
    conversation has not had a notice about yet (the customer is told once per kind)."""
    told: set[str] = set()
    for details in db.scalars(
        select(GuardEvent.details).where(
            GuardEvent.conversation_id == conversation_id, GuardEvent.kind == CUSTOMER_SECRETS
        )
    ):
        told.update(details.get("kinds", []))
    do_record(
        db,
        CUSTOMER_SECRETS,
        conversation_id=conversation_id,
        message_id=message_id,
        details={"kinds": kinds},
    )
    return [k for k in kinds if k not in told]


def list_events(
    db: Session, *, conversation_id: int | None = None, limit: int = 200
) -> list[GuardEvent]:
    stmt = select(GuardEvent).order_by(GuardEvent.id.desc()).limit(limit)
    if conversation_id is not None:
        stmt = stmt.where(GuardEvent.conversation_id == conversation_id)
    return list(db.scalars(stmt))


# --- the operator's side -------------------------------------------------------------------


def check_operator_text(
    text: str, *, policy: str, confirmed: bool, previous: str = ""
) -> list[str]:
    """The kinds of secret an operator's message asks for (alone or continuing `previous`,
    the operator's messages just before it), when it may go out; otherwise the error the
    console shows: `secret_request_warning` (send again with the confirmation to send
    anyway) or `secret_request_blocked`."""
    kinds = requested_kinds(text, previous)
    if not kinds:
        return []
    what = kinds_label(kinds)
    if policy == "block":
        raise Forbidden(
            "The message asks the customer for {what}. Our staff never ask for them, so it "
            "was not sent.",
            code="secret_request_blocked",
            what=what,
        )
    if not confirmed:
        raise Conflict(
            "The message asks the customer for {what}. Our staff never ask for SMS codes, "
            "passwords, CVV or full card numbers — fraudsters do. It was not sent; send it "
            "anyway only if you are sure.",
            code="secret_request_warning",
            what=what,
        )
    return kinds
