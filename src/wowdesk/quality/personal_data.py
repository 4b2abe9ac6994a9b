"""What quality keeps of customers: screenshots attached to flags (they show the
conversation as the operator saw it) and the flagged answers' raw copies. Files are only
named here; the caller removes them once its transaction has committed, so a rolled-back
erasure never loses a screenshot it still points at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.quality.models import Flag


def _strip(flags: list[Flag]) -> list[str]:
    names = []
    for flag in flags:
        if flag.screenshot_name:
            names.append(flag.screenshot_name)
            flag.screenshot_name = ""
            flag.screenshot_type = ""
            flag.screenshot_bytes = 0
    return names


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> list[str]:
    """Flags on these conversations lose their screenshots and raw answer copies; returns
    the screenshot files to remove."""
    if not conversation_ids:
        return []
    flags = list(db.scalars(select(Flag).where(Flag.conversation_id.in_(conversation_ids))))
    for flag in flags:
        flag.answer_text = flag.answer_masked
    names = _strip(flags)
    db.flush()
    return names


def screenshots_before(db: Session, before: datetime) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Flag)
            .where(Flag.created_at < before, Flag.screenshot_name != "")
        )
        or 0
    )


def do_expire_screenshots(db: Session, before: datetime) -> list[str]:
    """Screenshots of flags made before `before` go (the flag, its reason and masked copies
    stay for the incident's history); returns the files to remove."""
    flags = list(
        db.scalars(select(Flag).where(Flag.created_at < before, Flag.screenshot_name != ""))
    )
    names = _strip(flags)
    db.flush()
    return names
