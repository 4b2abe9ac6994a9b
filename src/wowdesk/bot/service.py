"""The bot's turn: triage, then answer from the knowledge base or hand off with a card.

It reads and writes conversations only through their service, records every decision with
its reasons, and is idempotent per customer message (a message handled twice, e.g. after a
restart, gets one decision and one reply).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.bot import answer, handoff
from wowdesk.bot.engine import BotEngine
from wowdesk.bot.models import BotDecision, HandoffCard, RejectedAnswer, TopicPolicy
from wowdesk.bot.triage import FLAG_LABELS, says_helped, says_not_helped, triage
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Status
from wowdesk.db import utcnow
from wowdesk.errors import Invalid
from wowdesk.i18n import N_, gettext

REASONS = {
    "did_not_help": N_("the customer said the answer did not help"),
    "asked_again": N_("the customer asked the same again"),
    "topic_off": N_("the bot is switched off for this topic"),
    "topic_unsure": N_("the topic is unclear"),
    "no_answer": N_("the knowledge base has no confident answer"),
    "hallucination": N_("the generated answer was not supported by the knowledge base"),
    "llm_down": N_("the language model did not answer"),
    **FLAG_LABELS,
}


@dataclass(frozen=True)
class Policy:
    bot_allowed: bool = True
    min_topic_confidence: float = 0.0
    min_retrieval_confidence: float = 0.35


def get_policy(db: Session, topic: str) -> Policy:
    row = db.scalar(select(TopicPolicy).where(TopicPolicy.topic == topic))
    if row is None:
        return Policy()
    return Policy(row.bot_allowed, row.min_topic_confidence, row.min_retrieval_confidence)


def list_policies(db: Session) -> list[TopicPolicy]:
    return list(db.scalars(select(TopicPolicy).order_by(TopicPolicy.topic)))


def do_set_policy(
    db: Session,
    topic: str,
    *,
    bot_allowed: bool,
    min_topic_confidence: float,
    min_retrieval_confidence: float,
) -> TopicPolicy:
    if not topic.strip():
        raise Invalid("Topic must not be empty")
    for value in (min_topic_confidence, min_retrieval_confidence):
        if not 0.0 <= value <= 1.0:
            raise Invalid("Thresholds are between 0 and 1")
    row = db.scalar(select(TopicPolicy).where(TopicPolicy.topic == topic))
    if row is None:
        row = TopicPolicy(topic=topic)
        db.add(row)
    row.bot_allowed = bot_allowed
    row.min_topic_confidence = min_topic_confidence
    row.min_retrieval_confidence = min_retrieval_confidence
    row.updated_at = utcnow()
    db.flush()
    return row


def _decided(db: Session, message_id: int) -> BotDecision | None:
    return db.scalar(select(BotDecision).where(BotDecision.message_id == message_id))


def handle_message(
    db: Session, engine: BotEngine, conversation_id: int, message_id: int
) -> BotDecision | None:
    conv = conversations.lock_conversation(db, conversation_id)
    if conv.status != Status.bot:
        return None
    done = _decided(db, message_id)
    if done is not None:
        return done
    history = conversations.list_messages(db, conv)
    msg = next((m for m in history if m.id == message_id), None)
    if msg is None or msg.author_kind != "customer":
        return None
    previous = [m for m in history if m.author_kind == "bot" and m.id < msg.id]
    last_article = previous[-1].meta.get("article_id") if previous else None

    if previous and says_helped(msg.text):
        conversations.do_bot_close(db, conv, answer.farewell(), reply_to=msg.id)
        return _record(db, conv.id, msg.id, "resolved", "", 0.0, [], [], 0.0, last_article)

    topic, confidence = engine.classify(msg.text)
    tri = triage(msg.text, topic, confidence)
    policy = get_policy(db, topic)
    reasons = [f.code for f in tri.flags]
    if previous and says_not_helped(msg.text):
        reasons.append("did_not_help")
    if not policy.bot_allowed:
        reasons.append("topic_off")
    if confidence < policy.min_topic_confidence:
        reasons.append("topic_unsure")

    retrieval_confidence = 0.0
    article_id: int | None = None
    reply: str | None = None
    meta: dict[str, Any] = {}
    if not reasons:
        hits = engine.search(db, msg.text)
        top = hits[0] if hits else None
        retrieval_confidence = top.confidence if top else 0.0
        if top is None or retrieval_confidence < policy.min_retrieval_confidence:
            reasons.append("no_answer")
        elif last_article is not None and top.article_id == last_article:
            reasons.append("asked_again")
        else:
            article_id = int(top.article_id)
            url = engine.article_url(article_id)
            composed = engine.compose(msg.masked_text, [m.masked_text for m in history], hits)
            if composed.rejected is not None:
                db.add(
                    RejectedAnswer(
                        conversation_id=conv.id,
                        message_id=msg.id,
                        text=composed.rejected,
                        reasons=composed.problems,
                        sources=[{"article_id": h.article_id, "text": h.text} for h in hits],
                    )
                )
                reasons.append("hallucination")
            elif composed.unavailable:
                reasons.append("llm_down")
            else:
                reply = (
                    answer.framed(composed.text, top.title, url)
                    if composed.generated
                    else answer.extractive(top.text, top.title, url)
                )
                meta = {
                    "kind": "answer",
                    "article_id": article_id,
                    "sources": [
                        {"article_id": h.article_id, "start": h.start, "end": h.end}
                        for h in hits[:3]
                    ],
                    "confidence": round(retrieval_confidence, 4),
                    "grounded": True,
                    "generated": composed.generated,
                }

    flags = [{"code": f.code, "evidence": f.evidence} for f in tri.flags]
    if reply is not None:
        conversations.do_bot_message(db, conv, reply, meta, reply_to=msg.id)
        return _record(
            db,
            conv.id,
            msg.id,
            "answer",
            topic,
            confidence,
            flags,
            [],
            retrieval_confidence,
            article_id,
        )

    customer_texts = [m.text for m in history if m.author_kind == "customer"]
    bot_texts = [m.text for m in previous]
    card = handoff.build_card(customer_texts, bot_texts)
    db.add(
        HandoffCard(
            conversation_id=conv.id,
            summary=card.summary,
            facts=card.facts,
            bot_answers=card.bot_answers,
            reasons=[gettext(REASONS[r]) for r in reasons],
        )
    )
    conversations.do_handoff(db, conv, answer.handoff_notice())
    return _record(
        db,
        conv.id,
        msg.id,
        "handoff",
        topic,
        confidence,
        flags,
        reasons,
        retrieval_confidence,
        article_id,
    )


def _record(
    db: Session,
    conversation_id: int,
    message_id: int,
    action: str,
    topic: str,
    confidence: float,
    flags: list[dict[str, str]],
    reasons: list[str],
    retrieval_confidence: float,
    article_id: int | None,
) -> BotDecision:
    decision = BotDecision(
        conversation_id=conversation_id,
        message_id=message_id,
        action=action,
        topic=topic,
        topic_confidence=round(confidence, 4),
        complexity="complex" if flags or reasons else "simple",
        flags=flags,
        reasons=reasons,
        retrieval_confidence=round(retrieval_confidence, 4),
        article_id=article_id,
    )
    db.add(decision)
    db.flush()
    return decision


def recent_decisions(db: Session, limit: int = 50) -> list[BotDecision]:
    return list(db.scalars(select(BotDecision).order_by(BotDecision.id.desc()).limit(limit)))


def list_decisions(db: Session, conversation_id: int) -> list[BotDecision]:
    return list(
        db.scalars(
            select(BotDecision)
            .where(BotDecision.conversation_id == conversation_id)
            .order_by(BotDecision.id)
        )
    )


def latest_card(db: Session, conversation_id: int) -> HandoffCard | None:
    return db.scalar(
        select(HandoffCard)
        .where(HandoffCard.conversation_id == conversation_id)
        .order_by(HandoffCard.id.desc())
        .limit(1)
    )


def do_add_card(
    db: Session,
    conversation_id: int,
    *,
    summary: str,
    facts: list[dict[str, str]],
    answers: list[str],
    reasons: list[str],
) -> HandoffCard:
    """A card written by someone other than the bot (a colleague's transfer): the newest
    card is the one the receiving operator reads."""
    card = HandoffCard(
        conversation_id=conversation_id,
        summary=summary,
        facts=facts,
        bot_answers=answers,
        reasons=reasons,
    )
    db.add(card)
    db.flush()
    return card


def reason_label(code: str) -> str:
    return gettext(REASONS.get(code, code))


def count_rejected(db: Session) -> int:
    return int(db.scalar(select(func.count(RejectedAnswer.id))) or 0)


def list_rejected(db: Session, limit: int = 100) -> list[RejectedAnswer]:
    return list(db.scalars(select(RejectedAnswer).order_by(RejectedAnswer.id.desc()).limit(limit)))


def routing_hints(db: Session, conversation_ids: set[int]) -> dict[int, tuple[str, list[str]]]:
    """The topic and the risk flags the bot found, for the queue a conversation joins."""
    hints: dict[int, tuple[str, list[str]]] = {}
    if not conversation_ids:
        return hints
    rows = db.scalars(
        select(BotDecision)
        .where(BotDecision.conversation_id.in_(conversation_ids))
        .order_by(BotDecision.id)
    )
    for decision in rows:
        topic, flags = hints.get(decision.conversation_id, ("", []))
        codes = [str(f.get("code", "")) if isinstance(f, dict) else str(f) for f in decision.flags]
        merged = flags + [c for c in codes if c and c not in flags]
        hints[decision.conversation_id] = (decision.topic or topic, merged)
    return hints
