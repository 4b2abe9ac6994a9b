"""The suggestion log keeps what the operator was offered and what they sent: texts that can
carry the customer's name or details filled into a template. On erasure (and when the
conversation's raw text expires) they keep only their masked copies; outcomes and
similarity (the assistant's statistics) stay."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.assist.models import SuggestionLog
from wowdesk.nlp.pii import mask_json, mask_text


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> int:
    """Returns the log rows changed."""
    if not conversation_ids:
        return 0
    changed = 0
    for log in db.scalars(
        select(SuggestionLog).where(SuggestionLog.conversation_id.in_(conversation_ids))
    ):
        before = (log.suggestions, log.chosen, log.sent_text)
        log.suggestions = mask_json(log.suggestions)
        log.chosen = mask_json(log.chosen)
        log.sent_text = mask_text(log.sent_text) if log.sent_text else log.sent_text
        changed += before != (log.suggestions, log.chosen, log.sent_text)
    db.flush()
    return changed
