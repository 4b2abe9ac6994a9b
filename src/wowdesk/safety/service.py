"""Safety's public face: raw message text by permission, and the audit of every look at it.

The rule: staff see the PII-masked copy of messages everywhere, except the operator serving
a conversation (assigned to it, or in its wrap-up), who sees the customer's words as written
in that conversation's live view (`conversations.service.serves`). Roles named in
`WOWDESK_RAW_TEXT_ROLES` (supervisor and admin by default) may ask for one message's raw
text anywhere masked text is shown; each such request is written to `raw_text_view` with
who, when, which message and conversation, where it was asked from and why.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.conversations import service as conversations
from wowdesk.db import utcnow
from wowdesk.errors import Forbidden, Invalid
from wowdesk.operators.models import User
from wowdesk.operators.service import may_see_raw
from wowdesk.safety.models import RawTextView
from wowdesk.safety.schemas import RawTextOut

PLACE = re.compile(r"^[a-z0-9_-]{1,40}$")
MAX_REASON = 500


def check_place(place: str) -> str:
    if not PLACE.match(place):
        raise Invalid("The place must be 1-40 lowercase latin letters, digits, - or _")
    return place


def do_view_raw_text(
    db: Session,
    user: User,
    message_id: int,
    *,
    roles: frozenset[str],
    place: str = "api",
    reason: str = "",
) -> RawTextOut:
    """The message as written, once the viewer may see it and the view is in the audit.

    The serving operator may ask too (they see the words anyway) and is audited like anyone;
    a viewer without the permission gets a 403 and nothing is revealed."""
    place = check_place(place)
    reason = reason.strip()[:MAX_REASON]
    msg = conversations.get_message(db, message_id)
    conv = conversations.get_conversation(db, msg.conversation_id)
    if not (may_see_raw(user.role, roles) or conversations.serves(conv, user)):
        raise Forbidden("Your role may not see raw message text", code="raw_text_forbidden")
    db.add(
        RawTextView(
            user_id=user.id,
            username=user.username,
            role=user.role,
            message_id=msg.id,
            conversation_id=conv.id,
            place=place,
            reason=reason,
            created_at=utcnow(),
        )
    )
    db.flush()
    return RawTextOut(
        message_id=msg.id, conversation_id=conv.id, text=msg.text, masked_text=msg.masked_text
    )


def list_views(
    db: Session,
    *,
    user_id: int | None = None,
    conversation_id: int | None = None,
    limit: int = 200,
) -> list[RawTextView]:
    """The audit, newest first."""
    stmt = select(RawTextView).order_by(RawTextView.id.desc()).limit(limit)
    if user_id is not None:
        stmt = stmt.where(RawTextView.user_id == user_id)
    if conversation_id is not None:
        stmt = stmt.where(RawTextView.conversation_id == conversation_id)
    return list(db.scalars(stmt))
