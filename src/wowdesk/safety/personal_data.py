"""The audit of raw-text views (kept for the retention period, searched by the admins'
audit page), and the verification codes sent to a customer (the masked address they went
to: blanked with the customer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from wowdesk.safety.models import RawTextView, VerificationCode


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


def do_erase_verifications(db: Session, customer_id: int) -> int:
    """The record that a code was sent stays (the channel, when, by whom); the address
    and the code go. Returns the records changed."""
    rows = list(
        db.scalars(select(VerificationCode).where(VerificationCode.customer_id == customer_id))
    )
    for row in rows:
        row.address = ""
        row.code = ""
    db.flush()
    return len(rows)


def export_verifications(db: Session, customer_id: int) -> list[dict[str, Any]]:
    return [
        {
            "conversation_id": v.conversation_id,
            "channel": v.channel,
            "address": v.address,
            "created_at": v.created_at.isoformat(),
        }
        for v in db.scalars(
            select(VerificationCode)
            .where(VerificationCode.customer_id == customer_id)
            .order_by(VerificationCode.id)
        )
    ]
