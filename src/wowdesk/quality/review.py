"""Review: the supervisors' queue, scoring by hand, overriding the automatic result, and
the operators' disputes.

The queue is the riskiest unreviewed conversations (low auto score, critical error, low
CSAT, long handle time), highest risk first, then a random sample of the rest (each score
carries a random key, so the sample is an index range, not a table scan); equal risk and
the sample itself go latest closed first. It pages by offset (its order is not the id's),
and can leave out the bot's conversations or show them alone.

A hand score uses the same scorecard form and is stored beside the automatic one; an
override changes one criterion of a score and is written to `qa_score_change` with who,
when, before, after and why. An operator disputes a criterion of their own score; the
dispute goes back to a reviewer, who accepts (the criterion is overridden, audited) or
rejects it, with a comment.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality import autoqa, scorecards
from wowdesk.quality.models import (
    Dispute,
    DisputeStatus,
    Score,
    ScoreChange,
    ScoreSource,
)
from wowdesk.quality.schemas import DisputeResolved

COUNT_CAP = 1000
SAMPLE_RATE = 0.05  # the random part of the queue: 5 % of scored conversations
QUEUE_PAGE = 50


class Handler(enum.StrEnum):
    """Whom the queue shows: every conversation, those an operator took, or those no operator
    took (the bot's alone, or left in the queue): the bot's low scores crowded operators'
    conversations out of the page."""

    all = "all"
    operators = "operators"
    bot = "bot"


@dataclass(frozen=True)
class QueueItem:
    score: Score
    why: str  # risk | sample


def _waiting(who: Handler) -> Select[Score]:
    stmt = select(Score).where(Score.source == ScoreSource.auto, Score.reviewed.is_(False))
    if who == Handler.operators:
        return stmt.where(Score.operator_id.is_not(None))
    if who == Handler.bot:
        return stmt.where(Score.operator_id.is_(None))
    return stmt


def _risky() -> ColumnElement[bool]:
    return Score.risk > 0


def _sampled() -> ColumnElement[bool]:
    return (Score.risk <= 0) & (Score.sample < SAMPLE_RATE)


# Latest closed first among equals, the id last so that a page never reshuffles; NULLs last
# on both databases (PostgreSQL puts them first in a descending order, SQLite last).
_LATEST = (Score.closed_at.desc().nulls_last(), Score.id.desc())


def review_queue(
    db: Session, limit: int = QUEUE_PAGE, offset: int = 0, who: Handler = Handler.all
) -> list[QueueItem]:
    """Risky first, by risk (the sum of the reasons' weights, `autoqa.risk_of`), then the
    random sample; equal risk and the sample latest closed first. `offset` counts through
    both parts, so consecutive pages neither repeat nor skip a conversation (the sample
    used to start over on every page past the risky ones). Each part walks an index."""
    base = _waiting(who)
    risky = list(
        db.scalars(
            base.where(_risky()).order_by(Score.risk.desc(), *_LATEST).offset(offset).limit(limit)
        )
    )
    items = [QueueItem(s, "risk") for s in risky]
    if len(items) < limit:
        # how many risky ones come before the sample: known from this page unless it began
        # past them all
        before = offset + len(risky) if risky or offset == 0 else _count(db, base.where(_risky()))
        sample = db.scalars(
            base.where(_sampled())
            .order_by(*_LATEST)
            .offset(max(0, offset - before))
            .limit(limit - len(items))
        )
        items += [QueueItem(s, "sample") for s in sample]
    return items


def _count(db: Session, stmt: Select[Score], cap: int | None = None) -> int:
    ids = stmt.with_only_columns(Score.id)
    if cap is not None:
        ids = ids.limit(cap)
    return int(db.scalar(select(func.count()).select_from(ids.subquery())) or 0)


def count_queue(db: Session, who: Handler = Handler.all, cap: int = COUNT_CAP) -> int:
    """What the queue's pages hold (the risky ones and the sample, as filtered), counted up
    to `cap`: past it the badge says «cap+» instead of walking a million index entries on
    every page view. It counted the risky ones alone, so the badge promised more than the
    pages, or fewer."""
    base = _waiting(who)
    risky = _count(db, base.where(_risky()), cap)
    return risky + _count(db, base.where(_sampled()), cap - risky) if risky < cap else cap


def get_score(db: Session, score_id: int) -> Score:
    score = db.get(Score, score_id)
    if score is None:
        raise NotFound("Score not found")
    return score


def access_score(db: Session, user: User, score_id: int) -> Score:
    """Supervisors see every score; an operator those of their own conversations, and a
    mentor their trainee's (`register_reader`)."""
    score = get_score(db, score_id)
    if not _reads(db, user, score.operator_id):
        raise NotFound("Score not found")
    return score


# Who else may read an operator's scored conversations: a trainee's mentor. Training is a
# layer above and registers its check at start-up (`register_reader`).
Reader = Callable[[Session, User, int], bool]  # (db, reader, the conversation's operator)
_readers: list[Reader] = []


def register_reader(check: Reader) -> None:
    if check not in _readers:
        _readers.append(check)


def _reads(db: Session, user: User, operator_id: int | None) -> bool:
    """Supervisors, the operator scored, and whoever a registered reader admits."""
    if operators.has_role(user, Role.supervisor) or operator_id == user.id:
        return True
    return operator_id is not None and any(check(db, user, operator_id) for check in _readers)


def scores_of(db: Session, user: User, conversation_id: int) -> list[Score]:
    """A conversation's scores for its QA page: a colleague's conversation is not found."""
    found = visible_scores(db, user, conversation_id)
    if found is None:
        raise NotFound("Conversation not found")
    return found


def visible_scores(db: Session, user: User, conversation_id: int) -> list[Score] | None:
    """The scores this user may read, None when the conversation is not theirs to read:
    the console asks for whatever conversation it opens, and a 404 there was an error."""
    conv = conversations.get_conversation(db, conversation_id)
    if not _reads(db, user, conv.operator_id):
        return None
    return list(
        db.scalars(
            select(Score)
            .where(Score.conversation_id == conversation_id)
            .order_by(Score.source, Score.id)
        )
    )


def my_scores(db: Session, user: User, limit: int = 50) -> list[Score]:
    return list(
        db.scalars(
            select(Score)
            .where(Score.operator_id == user.id)
            .order_by(Score.closed_at.desc(), Score.id.desc())
            .limit(limit)
        )
    )


def check_values(
    definition: dict[str, Any], values: dict[str, int | None]
) -> dict[str, int | None]:
    keys = {c["key"] for c in scorecards.criteria_of(definition)}
    unknown = set(values) - keys
    if unknown:
        raise Invalid("Unknown criteria: {keys}", keys=", ".join(sorted(unknown)))
    for key, value in values.items():
        if value not in (0, 1, None):
            raise Invalid("Criterion «{key}»: 1 (met), 0 (not met) or empty", key=key)
    return values


def do_manual_score(
    db: Session,
    user: User,
    conversation_id: int,
    values: dict[str, int | None],
    notes: dict[str, str] | None = None,
) -> Score:
    """A reviewer's own score with the scorecard of the automatic one; marks it reviewed."""
    conv = conversations.get_conversation(db, conversation_id)
    auto = db.scalar(select(Score).where(Score.auto_key == conv.id))
    version_id = auto.version_id if auto else _default_version_id(db, conv)
    definition = scorecards.get_version(db, version_id).definition
    check_values(definition, values)
    results = []
    for c in scorecards.criteria_of(definition):
        results.append(
            {
                "key": c["key"],
                "title": c["title"],
                "section": c["section"],
                "weight": float(c["weight"]),
                "critical": bool(c["critical"]),
                "mode": c["mode"],
                "value": values.get(c["key"]),
                "evidence": [],
                "note": (notes or {}).get(c["key"], "").strip()[:2000],
            }
        )
    total, critical = scorecards.total_of(results)
    now = utcnow()
    score = Score(
        conversation_id=conv.id,
        version_id=version_id,
        source=ScoreSource.manual,
        reviewer_id=user.id,
        operator_id=conv.operator_id,
        topic_id=conv.topic_id,
        channel=conv.channel,
        total=total,
        critical_failed=critical,
        repeat=values.get("no_repeat") == 0,
        results=results,
        closed_at=conv.closed_at or now,
        reviewed=True,
        created_at=now,
        updated_at=now,
    )
    db.add(score)
    if auto is not None:
        auto.reviewed = True
    db.flush()
    return score


def _default_version_id(db: Session, conv: Conversation) -> int:
    return scorecards.default_version(db, autoqa.kind_of(conv)).id


def do_override(
    db: Session,
    user: User,
    score: Score,
    criterion: str,
    value: int | None,
    reason: str,
    dispute_id: int | None = None,
) -> ScoreChange:
    """Changes one criterion's result; the total is recomputed and the change audited."""
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the result is changed", code="reason_required")
    if value not in (0, 1, None):
        raise Invalid("Criterion «{key}»: 1 (met), 0 (not met) or empty", key=criterion)
    results = copy.deepcopy(score.results)
    entry = next((r for r in results if r["key"] == criterion), None)
    if entry is None:
        raise Invalid("Unknown criteria: {keys}", keys=criterion)
    if entry["value"] == value:
        raise Conflict("The criterion already has this result", code="unchanged")
    old_value, old_total = entry["value"], score.total
    entry["value"] = value
    entry["overridden"] = True
    score.results = results
    score.total, score.critical_failed = scorecards.total_of(results)
    if criterion == "no_repeat":
        score.repeat = value == 0
    score.reviewed = True
    score.updated_at = utcnow()
    change = ScoreChange(
        score_id=score.id,
        criterion=criterion,
        old_value=old_value,
        new_value=value,
        old_total=old_total,
        new_total=score.total,
        reason=reason[:2000],
        user_id=user.id,
        dispute_id=dispute_id,
    )
    db.add(change)
    db.flush()
    return change


def list_changes(db: Session, score_id: int) -> list[ScoreChange]:
    return list(
        db.scalars(
            select(ScoreChange).where(ScoreChange.score_id == score_id).order_by(ScoreChange.id)
        )
    )


def do_dispute(db: Session, user: User, score: Score, criterion: str, comment: str) -> Dispute:
    """An operator questions one criterion of their own score."""
    if score.operator_id != user.id:
        raise Forbidden("Only the operator scored may dispute", code="not_yours")
    if not any(r["key"] == criterion for r in score.results):
        raise Invalid("Unknown criteria: {keys}", keys=criterion)
    comment = comment.strip()
    if not comment:
        raise Invalid("Say what is wrong with the result", code="comment_required")
    open_one = db.scalar(
        select(Dispute.id).where(
            Dispute.score_id == score.id,
            Dispute.criterion == criterion,
            Dispute.status == DisputeStatus.open,
        )
    )
    if open_one is not None:
        raise Conflict("This criterion is already disputed", code="already_disputed")
    dispute = Dispute(
        score_id=score.id, criterion=criterion, operator_id=user.id, comment=comment[:2000]
    )
    db.add(dispute)
    db.flush()
    return dispute


def get_dispute(db: Session, dispute_id: int) -> Dispute:
    dispute = db.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("Dispute not found")
    return dispute


def list_disputes(db: Session, status: str | None = "open", limit: int = 100) -> list[Dispute]:
    stmt = select(Dispute).order_by(Dispute.created_at.desc(), Dispute.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Dispute.status == status)
    return list(db.scalars(stmt))


def do_resolve(
    db: Session,
    user: User,
    dispute: Dispute,
    *,
    accept: bool,
    comment: str,
    value: int | None = None,
) -> Dispute:
    """Accepting overrides the criterion (to `value`, by default the opposite result);
    the operator is told either way."""
    if dispute.status != DisputeStatus.open:
        raise Conflict("This dispute is already resolved", code="already_resolved")
    if dispute.operator_id == user.id:
        raise Forbidden("A dispute goes to another reviewer", code="own_dispute")
    comment = comment.strip()
    if not comment:
        raise Invalid("Say why", code="comment_required")
    score = get_score(db, dispute.score_id)
    if accept:
        current = next(r["value"] for r in score.results if r["key"] == dispute.criterion)
        new = value if value is not None else (0 if current == 1 else 1)
        do_override(db, user, score, dispute.criterion, new, comment, dispute_id=dispute.id)
    dispute.status = DisputeStatus.accepted if accept else DisputeStatus.rejected
    dispute.reviewer_id = user.id
    dispute.resolution = comment[:2000]
    dispute.resolved_at = utcnow()
    db.flush()
    if dispute.operator_id:
        events.publish_on_commit(
            db,
            [events.operator_channel(dispute.operator_id)],
            DisputeResolved(op=dispute.status, id=dispute.id, score_id=score.id),
        )
    return dispute
