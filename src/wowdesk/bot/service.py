"""The bot's turn: triage, then answer from the knowledge base or hand off with a card.

It reads and writes conversations only through their service, records every decision with
its reasons, and is idempotent per customer message (a message handled twice, e.g. after a
restart, gets one decision and one reply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk import telemetry
from wowdesk.bot import answer
from wowdesk.bot import handoff_card as handoff
from wowdesk.bot.engine import BotEngine
from wowdesk.bot.gate import bot_off_scope
from wowdesk.bot.models import BotDecision, HandoffCard, RejectedAnswer, TopicPolicy
from wowdesk.bot.schemas import CardOut, DecisionOut, HandoffOut
from wowdesk.bot.triage import FLAG_LABELS, says_helped, says_not_helped, triage
from wowdesk.conversations import secrets_policy
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.errors import Invalid, NotFound
from wowdesk.i18n import N_, gettext
from wowdesk.nlp.introduced import introduced_name
from wowdesk.nlp.pii import find_pii, mask_text

MANUAL_MODE = "manual_mode"
LATE = "bot_late"
REASONS = {
    MANUAL_MODE: N_("manual mode: a supervisor switched the bot off"),
    "did_not_help": N_("the customer said the answer did not help"),
    "asked_again": N_("the customer asked the same again"),
    "topic_off": N_("the bot is switched off for this topic"),
    "topic_unsure": N_("the topic is unclear"),
    "no_answer": N_("the knowledge base has no confident answer"),
    "hallucination": N_("the generated answer was not supported by the knowledge base"),
    "unsafe_answer": N_(
        "the answer failed the safety check (asked for secrets, revealed its instructions, "
        "leaked personal data or promised what the knowledge base does not)"
    ),
    "llm_down": N_("the language model did not answer"),
    LATE: N_("the bot could not start answering in time"),
    "prompt_injection": N_(
        "the message looks like a prompt injection: the language model did not see it"
    ),
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


@dataclass
class Turn:
    """The bot's decision on one customer message, before anything is written: the live turn
    applies it, a regression replay only reads it."""

    action: str  # answer | handoff
    topic: str = ""
    confidence: float = 0.0
    flags: list[dict[str, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    retrieval_confidence: float = 0.0
    article_id: int | None = None
    reply: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # a generated answer the grounding check stopped: (text, problems, sources)
    rejected: tuple[str, list[str], list[dict[str, Any]]] | None = None


def decide(
    db: Session,
    engine: BotEngine,
    text: str,
    masked_text: str,
    turns: list[str],
    *,
    channel: str,
    last_article: int | None = None,
    followup: bool = False,
    manual_mode: bool = True,
) -> Turn:
    """Triage, the switches, then retrieval and composition. With `manual_mode`, a supervisor's
    switch for everything, the channel or the message's topic (known only after triage, so it
    is classified first) sends the message to people untouched by the knowledge base."""
    topic, confidence = engine.classify(text)
    tri = triage(text, topic, confidence)
    flags = [{"code": f.code, "evidence": f.evidence} for f in tri.flags]
    turn = Turn("handoff", topic=topic, confidence=confidence, flags=flags)
    if manual_mode and bot_off_scope(db, topic=topic, channel=channel) is not None:
        turn.reasons.append(MANUAL_MODE)
        return turn
    policy = get_policy(db, topic)
    reasons = turn.reasons
    reasons.extend(f.code for f in tri.flags)
    if followup and says_not_helped(text):
        reasons.append("did_not_help")
    if not policy.bot_allowed:
        reasons.append("topic_off")
    if confidence < policy.min_topic_confidence:
        reasons.append("topic_unsure")
    if reasons:
        return turn

    hits = engine.search(db, text)
    top = hits[0] if hits else None
    turn.retrieval_confidence = top.confidence if top else 0.0
    if top is None or turn.retrieval_confidence < policy.min_retrieval_confidence:
        reasons.append("no_answer")
        return turn
    if last_article is not None and top.article_id == last_article:
        reasons.append("asked_again")
        return turn
    turn.article_id = int(top.article_id)
    url = engine.article_url(turn.article_id)
    verdict = engine.screen(text)
    if verdict is not None and verdict.injection:
        # never shown to the LLM: the extractive answer (or a person) handles it
        evidence = f"{verdict.sentence[:120]} ({verdict.probability:.2f})"
        turn.flags.append({"code": "prompt_injection", "evidence": evidence})
        reasons.append("prompt_injection")
    composed = engine.compose(masked_text, turns, hits, use_llm=not reasons)
    if composed.rejected is not None:
        sources = [{"article_id": h.article_id, "text": h.text} for h in hits]
        turn.rejected = (composed.rejected, list(composed.problems), sources)
        reasons.append("unsafe_answer" if composed.unsafe else "hallucination")
        return turn
    if composed.unavailable:
        reasons.append("llm_down")
        return turn
    turn.action = "answer"
    turn.reply = (
        answer.framed(composed.text, top.title, url)
        if composed.generated
        else answer.extractive(top.text, top.title, url)
    )
    turn.meta = {
        "kind": "answer",
        "article_id": turn.article_id,
        "sources": [{"article_id": h.article_id, "start": h.start, "end": h.end} for h in hits[:3]],
        "confidence": round(turn.retrieval_confidence, 4),
        "grounded": True,
        "generated": composed.generated,
    }
    return turn


def replay(db: Session, engine: BotEngine, question: str, channel: str = "web") -> Turn:
    """What the bot would do with this question as a new conversation now, writing nothing
    (regression cases): the same `decide` as the live turn, switches ignored."""
    return decide(
        db,
        engine,
        question,
        mask_text(question),
        [mask_text(question)],
        channel=channel,
        manual_mode=False,
    )


def handle_message(
    db: Session,
    engine: BotEngine,
    conversation_id: int,
    message_id: int,
    start_within: timedelta | None = None,
) -> BotDecision | None:
    """One turn for a customer message. Not the conversation's last customer message: nothing
    (the last one's turn answers the burst). Waited longer than `start_within` before the
    turn started: handed to a person instead, the customer has waited enough."""
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
    if any(m.author_kind == "customer" and m.id > msg.id for m in history):
        return None  # a burst is answered once, at its last message (whose turn reads all)
    if start_within is not None and utcnow() - msg.created_at > start_within:
        return do_hand_off_late(db, conv, msg.id)
    previous = [m for m in history if m.author_kind == "bot" and m.id < msg.id]
    last_article = previous[-1].meta.get("article_id") if previous else None

    if previous and says_helped(msg.text):
        conversations.do_bot_close(db, conv, answer.farewell(), reply_to=msg.id)
        return _record(db, conv.id, msg.id, Turn("resolved", article_id=last_article))

    turn = decide(
        db,
        engine,
        msg.text,
        msg.masked_text,
        [m.masked_text for m in history],
        channel=conv.channel,
        last_article=last_article,
        followup=bool(previous),
    )
    if turn.rejected is not None:
        rejected_text, problems, sources = turn.rejected
        db.add(
            RejectedAnswer(
                conversation_id=conv.id,
                message_id=msg.id,
                text=rejected_text,
                reasons=problems,
                sources=sources,
            )
        )
        if "unsafe_answer" in turn.reasons:
            secrets_policy.do_record(
                db,
                secrets_policy.BOT_STOPPED,
                conversation_id=conv.id,
                message_id=msg.id,
                details={"reasons": problems},
            )
    if turn.reply is not None:
        conversations.do_bot_message(db, conv, turn.reply, turn.meta, reply_to=msg.id)
        return _record(db, conv.id, msg.id, turn)
    _hand_over(db, conv, turn.reasons)
    return _record(db, conv.id, msg.id, turn)


def do_hand_off_late(db: Session, conv: Conversation, message_id: int) -> BotDecision:
    """A turn that could not start in time (the workers are behind): a person takes over
    with the usual card and notice, and the decision says why."""
    _hand_over(db, conv, [LATE])
    return _record(db, conv.id, message_id, Turn("handoff", reasons=[LATE]))


def do_hand_off_overdue(db: Session, waited: timedelta) -> int:
    """Every bot conversation whose last customer message has waited longer than `waited`
    with no decision: handed to people. Run by every app process, so a backlog in the
    workers never leaves a customer waiting; the row lock lets one process do each."""
    handed = 0
    for conversation_id, message_id in conversations.list_bot_pending(db):
        msg = conversations.get_message(db, message_id)
        if utcnow() - msg.created_at <= waited or _decided(db, message_id) is not None:
            continue
        conv = conversations.lock_conversation(db, conversation_id)
        if conv.status != Status.bot or _decided(db, message_id) is not None:
            continue
        do_hand_off_late(db, conv, message_id)
        handed += 1
    return handed


def _hand_over(db: Session, conv: Conversation, reasons: list[str]) -> None:
    """The card first, then the queue: the operator who takes it reads why at once. In manual
    mode the customer is greeted as by a person, not told the bot gave up. A nameless
    customer who gave their name to the bot is called by it from now on."""
    history = conversations.list_messages(db, conv)
    customer_texts = [m.text for m in history if m.author_kind == "customer"]
    personal = [find_pii(text) for text in customer_texts]  # the NER once, for both
    name = introduced_name(customer_texts, personal)
    customers.do_take_given_name(db, conv.customer_id, name)
    bot_texts = [m.text for m in history if m.author_kind == "bot"]
    card = handoff.build_card(customer_texts, bot_texts, personal)
    db.add(
        HandoffCard(
            conversation_id=conv.id,
            summary=card.summary,
            facts=card.facts,
            bot_answers=card.bot_answers,
            reasons=[gettext(REASONS[r]) for r in reasons],
        )
    )
    notice = answer.human_greeting() if MANUAL_MODE in reasons else answer.handoff_notice()
    conversations.do_handoff(db, conv, notice)


def list_held(db: Session, *, topic: str | None = None, channel: str | None = None) -> list[int]:
    """Conversations the bot holds now, optionally only those of a topic (as the bot last
    classified them) or a channel: what manual mode must hand to people at once."""
    held = [cid for cid, _mid in conversations.list_bot_pending(db)]
    if topic is not None:
        hints = routing_hints(db, set(held))
        held = [cid for cid in held if hints.get(cid, ("", []))[0] == topic]
    if channel is not None:
        held = [cid for cid in held if conversations.get_conversation(db, cid).channel == channel]
    return held


def do_hand_over(db: Session, conversation_id: int, reason: str = MANUAL_MODE) -> bool:
    """Takes a conversation from the bot for people (the bot was switched off): the same card
    and queue as any handoff. False when the bot no longer held it."""
    conv = conversations.lock_conversation(db, conversation_id)
    if conv.status != Status.bot:
        return False
    _hand_over(db, conv, [reason])
    return True


def _outcome(turn: Turn) -> str:
    if turn.rejected is not None:
        return "rejected_ungrounded"
    return "answered" if turn.action == "answer" else "handed_off"


def _record(db: Session, conversation_id: int, message_id: int, turn: Turn) -> BotDecision:
    telemetry.BOT_TURNS.labels(_outcome(turn)).inc()
    decision = BotDecision(
        conversation_id=conversation_id,
        message_id=message_id,
        action=turn.action,
        topic=turn.topic,
        topic_confidence=round(turn.confidence, 4),
        complexity="complex" if turn.flags or turn.reasons else "simple",
        flags=turn.flags,
        reasons=turn.reasons,
        retrieval_confidence=round(turn.retrieval_confidence, 4),
        article_id=turn.article_id,
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


def handoff_out(db: Session, conversation_id: int, *, raw: bool) -> HandoffOut:
    """The card and the decisions; unless `raw`, the customer's words in them are masked
    (the summary, the facts, the bot's answers and the evidence of risk flags)."""
    hide = (lambda text: text) if raw else mask_text
    card = latest_card(db, conversation_id)
    decisions = []
    for d in list_decisions(db, conversation_id):
        item = DecisionOut.model_validate(d)
        item.reason_labels = [reason_label(r) for r in d.reasons]
        item.flags = [
            {**f, "evidence": hide(str(f["evidence"]))} if f.get("evidence") else f
            for f in item.flags
        ]
        decisions.append(item)
    out = None
    if card is not None:
        out = CardOut.model_validate(card)
        out.summary = hide(out.summary)
        out.facts = [{**f, "value": hide(str(f.get("value", "")))} for f in out.facts]
        out.bot_answers = [hide(a) for a in out.bot_answers]
    return HandoffOut(card=out, decisions=decisions)


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


def rejected_questions(db: Session, rejected: list[RejectedAnswer]) -> dict[int, tuple[str, bool]]:
    """The customer's message behind each rejected answer, as its PII-masked copy, and
    whether masking hid anything (then a permitted role may reveal it, audited)."""
    out: dict[int, tuple[str, bool]] = {}
    for r in rejected:
        try:
            msg = conversations.get_message(db, r.message_id)
        except NotFound:
            continue
        out[r.message_id] = (msg.masked_text, msg.masked_text != msg.text)
    return out


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


# questions the bot passed to people because it had no answer (what quality mines for drafts)
GAP_REASONS = ("no_answer", "did_not_help", "asked_again", "topic_unsure", "hallucination")


def list_gap_handoffs(db: Session, since: datetime) -> list[tuple[int, int]]:
    """(conversation, customer message) of each handoff since `since` whose reasons say the
    knowledge base lacked the answer."""
    rows = db.execute(
        select(BotDecision.conversation_id, BotDecision.message_id, BotDecision.reasons)
        .where(BotDecision.action == "handoff", BotDecision.created_at >= since)
        .order_by(BotDecision.id)
    )
    return [(cid, mid) for cid, mid, reasons in rows if set(reasons or ()) & set(GAP_REASONS)]
