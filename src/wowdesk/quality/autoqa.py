"""Auto-QA: every closed conversation scored in the background, the bot's own too.

`do_score_pending` is one pass: the closed conversations of the last week that have no
automatic score get one (the operator scorecard when a person served, the bot scorecard
otherwise), with each criterion's evidence. The unique `auto_key` makes a conversation
scored once however many processes run the pass at once. The same pass refreshes the
risk of scores whose conversation was rated since (a low CSAT sends it to review).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from wowdesk.assist import service as assist
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.db import insert_missing, utcnow
from wowdesk.i18n import N_
from wowdesk.kb.knowledge import Knowledge
from wowdesk.quality import scorecards
from wowdesk.quality.models import Score, ScorecardKind, ScoreSource
from wowdesk.quality.scorecards import Result
from wowdesk.quality.transcript import Line, Transcript
from wowdesk.safety import verification

BATCH = 20  # a short unit: on SQLite it holds the one connection requests share
LOOKBACK = timedelta(days=7)
TEMPLATES_TTL = 60.0
LONG_HANDLE = timedelta(minutes=20)
LOW_SCORE = 70.0
AUTHORS = (N_("customer"), N_("operator"), N_("bot"), N_("system"))
RISKS = {
    "critical": N_("critical error"),
    "low_score": N_("low auto score"),
    "low_csat": N_("low CSAT"),
    "long_handle": N_("long handle time"),
}


@dataclass
class Scorer:
    """What auto-QA needs beside the database: the bot's knowledge index (the passages a
    reply is checked against) and the reply templates (cached for a minute)."""

    knowledge: Knowledge | None = None
    company: str = ""
    first_reply_target_s: float = 60.0
    reply_target_s: float = 120.0
    _templates: tuple[str, ...] = ()
    _templates_at: float = field(default=-1e9)

    def templates(self, db: Session) -> tuple[str, ...]:
        now = time.monotonic()
        if now - self._templates_at > TEMPLATES_TTL:
            self._templates = tuple(t.text for t in assist.list_templates(db, active_only=True))
            self._templates_at = now
        return self._templates

    def passages(self, db: Session, lines: list[Line]) -> tuple[str, ...]:
        if self.knowledge is None:
            return ()
        asked = " ".join(line.text for line in lines if line.author == "customer")[:2000]
        if not asked.strip():
            return ()
        return tuple(h.text for h in self.knowledge.search(db, asked, k=3))


def kind_of(conv: Conversation) -> str:
    served = conv.operator_id is not None or conv.handed_off_at is not None
    return ScorecardKind.operator if served else ScorecardKind.bot


def transcript_of(db: Session, scorer: Scorer, conv: Conversation) -> Transcript:
    messages = conversations.list_messages(db, conv, limit=2000)
    lines = [Line(m.seq, m.author_kind, m.masked_text, m.created_at) for m in messages]
    kind = kind_of(conv)
    resolved = any(m.meta.get("kind") == "farewell" for m in messages if m.author_kind == "bot")
    return Transcript(
        lines=tuple(lines),
        company=scorer.company,
        handed_off_at=conv.handed_off_at,
        verified=verification.last_sent(db, conv.id) is not None,
        kb_passages=scorer.passages(db, lines),
        templates=scorer.templates(db),
        csat=conv.csat,
        first_reply_target_s=scorer.first_reply_target_s,
        reply_target_s=scorer.reply_target_s,
        agent=str(kind),
        extra={
            "resolved": resolved,
            "assigned_at": conversations.reached_operator_at(conv, messages),
        },
    )


def risk_of(conv: Conversation, total: float, critical: bool) -> tuple[float, list[str]]:
    """Why a supervisor should look: a low or failed auto score, a low rating, a long
    handle time. The queue sorts by the sum."""
    reasons: list[tuple[float, str]] = []
    if critical:
        reasons.append((3.0, "critical"))
    elif total < LOW_SCORE:
        reasons.append(((LOW_SCORE - total) / LOW_SCORE * 2, "low_score"))
    if conv.csat is not None and conv.csat <= 2:
        reasons.append((2.0 if conv.csat == 1 else 1.5, "low_csat"))
    start = conv.assigned_at or conv.created_at
    if conv.closed_at and start and conv.closed_at - start > LONG_HANDLE:
        reasons.append((1.0, "long_handle"))
    return round(sum(r for r, _ in reasons), 3), [code for _, code in reasons]


def score_row(conv: Conversation, version_id: int, result: Result, now: datetime) -> dict[str, Any]:
    risk, reasons = risk_of(conv, result.total, result.critical_failed)
    return {
        "conversation_id": conv.id,
        "auto_key": conv.id,
        "version_id": version_id,
        "source": ScoreSource.auto.value,
        "operator_id": conv.operator_id,
        "topic_id": conv.topic_id,
        "channel": conv.channel,
        "total": result.total,
        "critical_failed": result.critical_failed,
        "repeat": result.value("no_repeat") == 0,
        "results": [c.as_json() for c in result.criteria],
        "risk": risk,
        "risk_reasons": reasons,
        "sample": random.random(),
        "reviewed": False,
        "closed_at": conv.closed_at or now,
        "created_at": now,
        "updated_at": now,
    }


def score_conversation(db: Session, scorer: Scorer, conv: Conversation) -> tuple[int, Result]:
    """The score of one conversation with its kind's default scorecard (not stored)."""
    version = scorecards.default_version(db, kind_of(conv))
    return version.id, scorecards.score_transcript(
        version.definition, transcript_of(db, scorer, conv)
    )


def do_score(db: Session, scorer: Scorer, conv: Conversation) -> Score:
    """Scores one closed conversation once; a second call returns the stored score."""
    found = auto_score(db, conv.id)
    if found is not None:
        return found
    version_id, result = score_conversation(db, scorer, conv)
    insert_missing(
        db,
        cast(Table, Score.__table__),
        [score_row(conv, version_id, result, utcnow())],
        ["auto_key"],
    )
    score = auto_score(db, conv.id)
    assert score is not None
    return score


def auto_score(db: Session, conversation_id: int) -> Score | None:
    return db.scalar(select(Score).where(Score.auto_key == conversation_id))


def list_unscored(db: Session, limit: int = BATCH) -> list[Conversation]:
    since = utcnow() - LOOKBACK
    scored = select(Score.auto_key).where(Score.auto_key == Conversation.id)
    return list(
        db.scalars(
            select(Conversation)
            .where(
                # scored at close: wrap-up only adds the topic (synced below)
                Conversation.status.in_((Status.wrapup, Status.closed)),
                Conversation.created_at >= since,
                ~scored.exists(),
            )
            .order_by(Conversation.id)
            .limit(limit)
        )
    )


def _refresh_rated(db: Session, since: datetime) -> int:
    """A rating that came after the score changes the risk (not the score); the wrap-up
    that came after it gives the topic."""
    rated = db.execute(
        select(Score, Conversation)
        .join(Conversation, Conversation.id == Score.auto_key)
        .where(Conversation.csat_at >= since)
    ).all()
    wrapped = db.execute(
        select(Score, Conversation)
        .join(Conversation, Conversation.id == Score.auto_key)
        .where(
            Score.closed_at >= since - timedelta(hours=12),
            Score.topic_id.is_(None),
            Conversation.topic_id.is_not(None),
        )
    ).all()
    for score, conv in [*rated, *wrapped]:
        if score.topic_id != conv.topic_id:
            score.topic_id = conv.topic_id
        if score.reviewed:
            continue
        risk, reasons = risk_of(conv, score.total, score.critical_failed)
        if (risk, reasons) != (score.risk, score.risk_reasons):
            score.risk, score.risk_reasons = risk, reasons
    db.flush()
    return len(rated)


def do_score_pending(db: Session, scorer: Scorer, batch: int = BATCH) -> int:
    """One background pass; returns how many conversations it scored (a full batch means
    more are waiting)."""
    convs = list_unscored(db, batch)
    now = utcnow()
    rows = []
    for conv in convs:
        version_id, result = score_conversation(db, scorer, conv)
        rows.append(score_row(conv, version_id, result, now))
    insert_missing(db, cast(Table, Score.__table__), rows, ["auto_key"])
    _refresh_rated(db, now - timedelta(minutes=10))
    return len(rows)


def totals(db: Session, conversation_ids: list[int]) -> dict[int, float]:
    """Automatic totals of these conversations (those scored)."""
    out: dict[int, float] = {}
    for start in range(0, len(conversation_ids), 500):
        chunk = conversation_ids[start : start + 500]
        rows = db.execute(select(Score.auto_key, Score.total).where(Score.auto_key.in_(chunk)))
        out.update({int(k): float(v) for k, v in rows if k is not None})
    return out
