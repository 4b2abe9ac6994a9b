"""Erasure and export of one customer across every domain, and the merged audit.

An erasure runs in one transaction: the customer's name, contacts and identities, the raw
text of their conversations (masked copies stay), their addresses in tickets and the
outbox, screenshots of their conversations. Conversations, timestamps, topics, ratings and
masked text stay, so KPIs over the period do not change. The erasure is audited with who,
when and the request's reference, never with the erased data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from wowdesk.bot import personal_data as bot_data
from wowdesk.conversations import personal_data as conversation_data
from wowdesk.customers import personal_data as customer_data
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.i18n import N_
from wowdesk.operators.models import User
from wowdesk.quality import personal_data as quality_data
from wowdesk.quality import screenshots
from wowdesk.routing import personal_data as routing_data
from wowdesk.safety import personal_data as safety_data

log = logging.getLogger(__name__)
EXPORT_FORMAT = 1


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member in the web, or the operating-system user at the CLI."""

    user_id: int | None
    username: str
    role: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.role)

    @classmethod
    def cli(cls, name: str) -> Actor:
        return cls(None, f"cli:{name}", "cli")


def remove_after_commit(db: Session, folder: Path, names: list[str]) -> None:
    """Files go once the rows that named them are committed; a rollback keeps them."""
    if not names:
        return

    def remove(_session: Session) -> None:
        for name in names:
            try:
                screenshots.remove(folder, name)
            except OSError:
                log.exception("screenshot %s not removed", name)

    event.listen(db, "after_commit", remove, once=True)


@dataclass(frozen=True)
class Erasure:
    customer_id: int
    conversations: int
    messages: int
    cards: int
    tickets: int
    mails: int
    screenshots: int
    erased_at: datetime


def erase_parts(
    db: Session, customer_id: int, conversation_ids: list[int], var_dir: Path
) -> Erasure:
    """Every domain's part of one customer, without the audit (retention uses it too)."""
    messages = conversation_data.do_erase_raw_text(db, conversation_ids)
    cards = bot_data.do_erase_conversation_data(db, conversation_ids)
    tickets = routing_data.do_erase_conversation_data(db, conversation_ids)
    mails = conversation_data.do_erase_mail(db, conversation_ids)
    files = quality_data.do_erase_conversation_data(db, conversation_ids)
    remove_after_commit(db, var_dir / "screenshots", files)
    customer = customer_data.do_erase(db, customer_id)
    assert customer.erased_at is not None
    return Erasure(
        customer_id=customer_id,
        conversations=len(conversation_ids),
        messages=messages,
        cards=cards,
        tickets=tickets,
        mails=mails,
        screenshots=len(files),
        erased_at=customer.erased_at,
    )


def do_erase_customer(
    db: Session, actor: Actor, customer_id: int, *, reference: str, var_dir: Path, place: str
) -> Erasure:
    reference = customer_data.check_reference(reference)
    customers.get_customer(db, customer_id)  # 404 before anything
    ids = conversation_data.customer_conversation_ids(db, customer_id)
    done = erase_parts(db, customer_id, ids, var_dir)
    customer_data.record_access(
        db,
        customer_id=customer_id,
        action="erasure",
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        place=place,
        reference=reference,
    )
    return done


def do_export_customer(
    db: Session, actor: Actor, customer_id: int, *, place: str, reference: str = ""
) -> dict[str, Any]:
    """Everything held about the customer, for an access request; the export is audited."""
    data = customer_data.export_customer(db, customer_id)
    data["format"] = EXPORT_FORMAT
    data["exported_at"] = utcnow().isoformat()
    data["conversations"] = conversation_data.export_conversations(db, customer_id)
    customer_data.record_access(
        db,
        customer_id=customer_id,
        action="export",
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        place=place,
        reference=reference.strip(),
    )
    return data


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    username: str
    role: str
    action: str  # raw_text | contacts | export | erasure
    customer_id: int | None
    conversation_id: int | None
    message_id: int | None
    place: str
    reference: str


# what the audit page says for each action code (the CSV and the API keep the codes)
ACTION_LABELS = {
    "raw_text": N_("raw message text"),
    "contacts": N_("contacts in full"),
    "export": N_("export"),
    "erasure": N_("erasure"),
}

AUDIT_COLUMNS = (
    "at",
    "username",
    "role",
    "action",
    "customer_id",
    "conversation_id",
    "message_id",
    "place",
    "reference",
)


def audit(
    db: Session,
    *,
    query: str = "",
    customer_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """Every read of (and act on) raw personal data, newest first: raw-text views and the
    customers' data-access audit, one list. A customer filter finds the raw-text views of
    that customer's conversations."""
    query = query.strip()
    conv_ids = (
        conversation_data.customer_conversation_ids(db, customer_id)
        if customer_id is not None
        else None
    )
    rows = [
        AuditRow(
            at=r.created_at,
            username=r.username,
            role=r.role,
            action=r.action,
            customer_id=r.customer_id,
            conversation_id=r.conversation_id,
            message_id=None,
            place=r.place,
            reference=r.reference,
        )
        for r in customer_data.list_access(
            db, query=query, customer_id=customer_id, since=since, until=until, limit=limit
        )
    ]
    query_views = "" if not query or "raw_text".startswith(query.lower()) else query
    rows += [
        AuditRow(
            at=v.created_at,
            username=v.username,
            role=v.role,
            action="raw_text",
            customer_id=customer_id,
            conversation_id=v.conversation_id,
            message_id=v.message_id,
            place=v.place,
            reference=v.reason,
        )
        for v in safety_data.search_views(
            db,
            query=query_views,
            conversation_ids=conv_ids,
            since=since,
            until=until,
            limit=limit,
        )
    ]
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]
