"""What the safety domain keeps of customers: screenshots attached to flags (they show the
conversation as the operator saw it), the flagged answers' raw copies, and the audit of
raw-text views. Files are only named here; the caller removes them once its transaction
has committed, so a rolled-back erasure never loses a screenshot it still points at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from wowdesk.safety.models import Flag, RawTextView


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


def do_expire_view_audit(db: Session, before: datetime, *, dry_run: bool = False) -> int:
    where = RawTextView.created_at < before
    count = int(db.scalar(select(func.count()).select_from(RawTextView).where(where)) or 0)
    if count and not dry_run:
        db.execute(delete(RawTextView).where(where))
    return count


def search_views(
    db: Session,
    *,
    query: str = "",
    conversation_ids: list[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[RawTextView]:
    """The raw-text audit, newest first; `query` matches the login, the place or the reason."""
    stmt = select(RawTextView).order_by(RawTextView.id.desc()).limit(limit)
    if query:
        stmt = stmt.where(
            or_(
                *(
                    c.like(f"%{query}%") | func.lower(c).like(f"%{query.lower()}%")
                    for c in (RawTextView.username, RawTextView.place, RawTextView.reason)
                )
            )
        )
    if conversation_ids is not None:
        stmt = stmt.where(RawTextView.conversation_id.in_(conversation_ids))
    if since is not None:
        stmt = stmt.where(RawTextView.created_at >= since)
    if until is not None:
        stmt = stmt.where(RawTextView.created_at < until)
    return list(db.scalars(stmt))
