"""The handoff card quotes the customer's own sentences and the facts they gave (order
numbers, amounts, a city): when those conversations' raw text goes (retention or erasure),
the card keeps its masked summary and loses the facts; its copies of the bot's answers
and the answers the grounding check rejected (they may echo the customer's details) keep
only masked text."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.bot.models import HandoffCard, RejectedAnswer
from wowdesk.nlp.pii import mask_json, mask_text


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> int:
    """Returns the cards changed."""
    if not conversation_ids:
        return 0
    changed = 0
    for card in db.scalars(
        select(HandoffCard).where(HandoffCard.conversation_id.in_(conversation_ids))
    ):
        summary = mask_text(card.summary)
        answers = mask_json(card.bot_answers)
        if summary != card.summary or card.facts or answers != card.bot_answers:
            card.summary = summary
            card.facts = []
            card.bot_answers = answers
            changed += 1
    for rejected in db.scalars(
        select(RejectedAnswer).where(RejectedAnswer.conversation_id.in_(conversation_ids))
    ):
        rejected.text = mask_text(rejected.text)
    db.flush()
    return changed
