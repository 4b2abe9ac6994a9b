"""Quality work beside the app: auto-QA of closed conversations every few seconds, and the
daily jobs (WOW candidates, knowledge gaps) every hour for the day before.

Both are passes over the database, idempotent by unique keys (a conversation's automatic
score, a WOW candidate per conversation, a draft per gap signature), so a restart, a
second app process or a worker running the same pass never doubles anything.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from wowdesk.config import Settings
from wowdesk.db import local_today, unit_of_work
from wowdesk.kb.knowledge import Knowledge
from wowdesk.quality import autoqa, gaps, wow

log = logging.getLogger(__name__)

DAILY_EVERY_SECONDS = 3600.0
DAILY_FIRST_SECONDS = 120.0


def scorer_for(settings: Settings, knowledge: Knowledge | None) -> autoqa.Scorer:
    return autoqa.Scorer(
        knowledge=knowledge,
        company=settings.company_name,
        first_reply_target_s=settings.qa_first_reply_seconds,
        reply_target_s=settings.qa_reply_seconds,
    )


def score_pending(factory: sessionmaker[Session], scorer: autoqa.Scorer) -> int:
    with unit_of_work(factory) as db:
        return autoqa.do_score_pending(db, scorer)


def daily(db: Session, settings: Settings) -> dict[str, int]:
    """Yesterday's (and today's so far) WOW candidates and gap drafts."""
    today = local_today(settings.timezone)
    found = 0
    for day in (today - timedelta(days=1), today):
        found += len(wow.do_find(db, day, settings.timezone))
    drafts = gaps.do_mine(db, since_days=2)
    return {"wow": found, "drafts": len(drafts)}
