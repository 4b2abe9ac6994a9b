"""WOW dialogues: the day's best found every day, confirmed by a supervisor, announced.

A candidate was rated 5 and thanked in the customer's own words, scored high by auto-QA
(no critical error), and started hard: an upset customer, a rare topic, an escalation
avoided (the customer asked for a manager and the operator solved it), a transfer that
was resolved in this one contact. Each reason adds points; the day's best go to
/quality/wow. A confirmed one is announced to every operator (a positive broadcast),
counts for its operator and enters the case library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from wowdesk.conversations import service as conversations
from wowdesk.conversations.kpi_rollup import day_bounds
from wowdesk.conversations.models import Conversation, Status
from wowdesk.db import insert_missing, utcnow
from wowdesk.errors import Conflict, Invalid, NotFound
from wowdesk.i18n import N_
from wowdesk.i18n import gettext as _
from wowdesk.operators import broadcasts
from wowdesk.operators import service as operators
from wowdesk.operators.models import User
from wowdesk.quality import cases
from wowdesk.quality.models import Score, Wow, WowStatus
from wowdesk.quality.sentiment import polarity

HIGH_QA = 85.0
PER_DAY = 10
RARE_SHARE = 0.02
ESCALATION = re.compile(
    r"руководител|начальник|старш\w+ смены|жалоб|претензи|manager|supervisor|complain",
    re.IGNORECASE,
)
THANKS = re.compile(r"спасиб|благодар|thank|appreciat", re.IGNORECASE)
REASONS = {
    "rated_thanked": N_("rated 5 and thanked in their own words"),
    "high_qa": N_("high QA score"),
    "hard_start": N_("the customer started upset"),
    "rare_topic": N_("a rare topic"),
    "escalation_avoided": N_("asked for a manager, solved without one"),
    "transfer_resolved": N_("a transfer resolved in one contact"),
}
STATUSES = (N_("candidate"), N_("confirmed"), N_("rejected"))
HARD = ("hard_start", "rare_topic", "escalation_avoided", "transfer_resolved")


@dataclass(frozen=True)
class Candidate:
    conversation_id: int
    operator_id: int | None
    points: float
    reasons: list[str]
    quote: str  # the customer's thanks (masked)


def reason_label(code: str) -> str:
    return _(REASONS.get(code, code))


def _rows(db: Session, day: date, timezone: str) -> list[tuple[Conversation, Score]]:
    start, end = day_bounds(day, day, timezone)
    return list(
        db.execute(
            select(Conversation, Score)
            .join(Score, Score.auto_key == Conversation.id)
            .where(
                Conversation.status.in_((Status.wrapup, Status.closed)),
                Conversation.closed_at >= start,
                Conversation.closed_at < end,
                Conversation.csat == 5,
                Conversation.operator_id.is_not(None),
                Score.total >= HIGH_QA,
                Score.critical_failed.is_(False),
            )
        ).all()
    )


def _topic_shares(db: Session, day: date, timezone: str) -> dict[int | None, float]:
    start, end = day_bounds(day, day, timezone)
    rows = db.execute(
        select(Conversation.topic_id, func.count())
        .where(Conversation.closed_at >= start, Conversation.closed_at < end)
        .group_by(Conversation.topic_id)
    ).all()
    total = sum(n for _, n in rows) or 1
    return {topic: n / total for topic, n in rows}


def find(db: Session, day: date, timezone: str, limit: int = PER_DAY) -> list[Candidate]:
    """The day's candidates, best first (nothing stored)."""
    shares = _topic_shares(db, day, timezone)
    rows = _rows(db, day, timezone)
    messages = conversations.messages_of(db, [conv.id for conv, _score in rows])
    found = []
    for conv, score in rows:
        said = [m for m in messages[conv.id][1] if m.author_kind == "customer"]
        thanks = _thanks([m.masked_text for m in said])
        # their own words: more than a bare «спасибо»
        if not thanks or len(thanks.split()) < 3 or polarity(thanks)[0] <= 0:
            continue
        reasons = ["rated_thanked", "high_qa"]
        points = 2.0 + score.total / 100
        first = said[0].masked_text
        if polarity(first)[0] < 0:
            reasons.append("hard_start")
            points += 1.5
        share = shares.get(conv.topic_id, 1.0)
        if conv.topic_id is not None and share <= RARE_SHARE:
            reasons.append("rare_topic")
            points += 1.0
        if any(ESCALATION.search(m.masked_text) for m in said):
            reasons.append("escalation_avoided")
            points += 1.5
        if conv.transfer_count or conv.handed_off_at is not None:
            reasons.append("transfer_resolved")
            points += 0.5
        if not set(reasons) & set(HARD):
            continue
        found.append(Candidate(conv.id, conv.operator_id, round(points, 2), reasons, thanks[:300]))
    found.sort(key=lambda c: (-c.points, c.conversation_id))
    return found[:limit]


def _thanks(said: list[str]) -> str:
    """The customer's last thanks among their (masked) messages; "" when they gave none."""
    return next((text for text in reversed(said) if THANKS.search(text)), "")


def thanks_of(db: Session, conversation_ids: list[int]) -> dict[int, str]:
    """The customer's thanks in each conversation (masked): what the candidate's card
    quotes, so a supervisor reads why it may be a WOW before opening it."""
    found = conversations.messages_of(db, conversation_ids)
    return {
        cid: _thanks([m.masked_text for m in found[cid][1] if m.author_kind == "customer"])
        for cid in conversation_ids
        if cid in found
    }


def do_find(db: Session, day: date, timezone: str, limit: int = PER_DAY) -> list[Candidate]:
    """The daily job: stores the day's candidates for review (once per conversation)."""
    found = find(db, day, timezone, limit)
    rows = [
        {
            "conversation_id": c.conversation_id,
            "day": day,
            "operator_id": c.operator_id,
            "points": c.points,
            "reasons": c.reasons,
            "status": WowStatus.candidate.value,
            "created_at": utcnow(),
        }
        for c in found
    ]
    insert_missing(db, cast(Table, Wow.__table__), rows, ["conversation_id"])
    return found


def get_wow(db: Session, wow_id: int) -> Wow:
    wow = db.get(Wow, wow_id)
    if wow is None:
        raise NotFound("WOW candidate not found")
    return wow


def list_wows(
    db: Session, status: str | None = None, limit: int = 100, operator_id: int | None = None
) -> list[Wow]:
    stmt = select(Wow).order_by(Wow.day.desc(), Wow.points.desc()).limit(limit)
    if status:
        stmt = stmt.where(Wow.status == status)
    if operator_id is not None:
        stmt = stmt.where(Wow.operator_id == operator_id)
    return list(db.scalars(stmt))


def count_confirmed(db: Session, operator_id: int) -> int:
    """What the training issue turns into badges and points."""
    return int(
        db.scalar(
            select(func.count()).where(
                Wow.operator_id == operator_id, Wow.status == WowStatus.confirmed
            )
        )
        or 0
    )


def do_decide(
    db: Session,
    user: User,
    wow_id: int,
    *,
    confirm: bool,
    what_good: str = "",
    tags: list[str] | None = None,
) -> Wow:
    wow = get_wow(db, wow_id)
    if wow.status != WowStatus.candidate:
        raise Conflict("This candidate is already decided", code="already_decided")
    wow.status = WowStatus.confirmed if confirm else WowStatus.rejected
    wow.decided_by = user.id
    wow.decided_at = utcnow()
    db.flush()
    if confirm:
        _recognise(db, user, wow, what_good, tags or [])
    return wow


def _recognise(db: Session, user: User, wow: Wow, what_good: str, tags: list[str]) -> None:
    conv = conversations.get_conversation(db, wow.conversation_id)
    reasons = ", ".join(reason_label(r) for r in wow.reasons)
    case = cases.do_create_from_conversation(
        db,
        user,
        conv,
        source="wow",
        title=_("WOW dialogue #{id}", id=conv.id),
        tags=tags,
        what_good=what_good.strip() or reasons,
    )
    wow.case_id = case.id
    name = (
        operators.user_names(db, {wow.operator_id}).get(wow.operator_id or 0, "")
        if wow.operator_id
        else ""
    )
    text = _(
        "WOW dialogue! {name}: {reasons}. Read it in the case library: /quality/cases/{case}",
        name=name or _("an operator"),
        reasons=reasons,
        case=case.id,
    )
    try:
        broadcasts.do_broadcast(db, author_id=user.id, text=text, level="positive")
    except Invalid as exc:  # nobody else on the team yet: the case is still in the library
        if exc.code != "empty_audience":
            raise
    db.flush()
