"""Closed conversations with a given dialogue, for quality tests."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from tests.helpers import make_user
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.db import utcnow
from wowdesk.operators.models import User

LIMIT = 4000


def dialogue(
    db: Session,
    turns: list[tuple[str, str]],
    operator: User | None = None,
    csat: int | None = None,
    ago: timedelta = timedelta(0),
) -> Conversation:
    """A conversation the operator took, with `turns` of ("customer"|"operator", text),
    closed (and rated when `csat` is given). `ago` moves its timestamps into the past."""
    operator = operator or make_user(db, "operator")
    first = turns[0][1]
    conv, _token, _msg = conversations.do_start(
        db,
        identity=uuid.uuid4().hex,
        channel="web",
        client_id=uuid.uuid4().hex,
        text=first,
        limit=LIMIT,
        secret="test-secret",
    )
    conversations.do_assign(db, conv.id, operator)
    for who, text in turns[1:]:
        if who == "customer":
            conversations.do_customer_message(
                db, conv, client_id=uuid.uuid4().hex, text=text, limit=LIMIT
            )
        else:
            conversations.do_operator_message(
                db,
                conv,
                operator,
                client_id=uuid.uuid4().hex,
                text=text,
                limit=LIMIT,
                confirm_secret_request=True,
            )
    conversations.do_close(db, conv, operator)
    if csat is not None:
        conversations.do_rate(db, conv, csat)
    if ago:
        for column in ("created_at", "queued_at", "assigned_at", "closed_at", "csat_at"):
            value = getattr(conv, column)
            if value is not None:
                setattr(conv, column, value - ago)
    conv.closed_at = conv.closed_at or utcnow()
    db.flush()
    return conv
