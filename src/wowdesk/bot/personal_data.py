"""The handoff card quotes the customer's own sentences and the facts they gave (order
numbers, amounts, a city): when those conversations' raw text goes (retention or erasure),
the card keeps its masked summary and loses the facts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.bot.models import HandoffCard
from wowdesk.nlp.pii import mask_text


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> int:
    """Returns the cards changed."""
    if not conversation_ids:
        return 0
    changed = 0
    for card in db.scalars(
        select(HandoffCard).where(HandoffCard.conversation_id.in_(conversation_ids))
    ):
        summary = mask_text(card.summary)
        if summary != card.summary or card.facts:
            card.summary = summary
            card.facts = []
            changed += 1
    db.flush()
    return changed
