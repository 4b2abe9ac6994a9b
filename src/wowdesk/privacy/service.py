"""Erasure and export of one customer across every domain, and the merged audit.

An erasure runs in one transaction and reaches every table `privacy.inventory` lists as
holding a customer's personal data: the customer's name, contacts, identities and links
(and those of every record confirmed as the same person on another channel), the raw text
of their conversations (masked copies stay), operators' notes about them, their addresses
in tickets, the outbox, mail threads and mails read, their Telegram chat, calls' numbers and
recordings' links, files they sent and screenshots of their conversations, and the learning
material made from their dialogues (masked). Conversations, timestamps, topics, ratings
and masked text stay, so KPIs over the period do not change. The erasure is audited with
who, when and the request's reference, never with the erased data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from wowdesk.assist import personal_data as assist_data
from wowdesk.bot import personal_data as bot_data
from wowdesk.channels import attachments
from wowdesk.channels import personal_data as channel_data
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
from wowdesk.training import personal_data as training_data

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


def remove_after_commit(
    db: Session,
    folder: Path,
    names: list[str],
    remover: Callable[[Path, str], None] = screenshots.remove,
) -> None:
    """Files go once the rows that named them are committed; a rollback keeps them."""
    if not names:
        return

    def remove(_session: Session) -> None:
        for name in names:
            try:
                remover(folder, name)
            except OSError:
                log.exception("file %s not removed", name)

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
    # the person's other records (confirmed links) erased with this one
    linked_customers: list[int] = field(default_factory=list)
    notes: int = 0
    telegram_chats: int = 0
    mail_threads: int = 0
    inbound_mails: int = 0
    calls: int = 0
    attachments: int = 0
    library_cases: int = 0
    regression_cases: int = 0


@dataclass(frozen=True)
class Contacts:
    tickets: int
    mails: int
    channels: channel_data.ChannelsErased


def erase_contacts(
    db: Session, customer_id: int, conversation_ids: list[int], var_dir: Path
) -> Contacts:
    """How to reach or find the customer, in every domain: tickets', the outbox's, the
    channels' (chats, threads, mails read, callers, files) and the customer's own record.
    The contacts' retention uses it for silent customers; an erasure does it and more."""
    tickets = routing_data.do_erase_conversation_data(db, conversation_ids)
    mails = conversation_data.do_erase_mail(db, conversation_ids)
    conversation_data.do_erase_identifiers(db, conversation_ids)
    channels = channel_data.do_erase_conversation_data(db, conversation_ids)
    remove_after_commit(db, var_dir / "attachments", channels.attachments, attachments.remove)
    safety_data.do_erase_verifications(db, customer_id)
    customer_data.do_erase(db, customer_id)
    return Contacts(tickets, mails, channels)


def erase_parts(
    db: Session, customer_id: int, conversation_ids: list[int], var_dir: Path
) -> Erasure:
    """Every domain's part of one customer record, without the audit."""
    messages = conversation_data.do_erase_raw_text(db, conversation_ids)
    notes = conversation_data.do_mask_notes(db, conversation_ids)
    cards = bot_data.do_erase_conversation_data(db, conversation_ids)
    assist_data.do_erase_conversation_data(db, conversation_ids)
    files = quality_data.do_erase_conversation_data(db, conversation_ids)
    remove_after_commit(db, var_dir / "screenshots", files)
    material = quality_data.do_erase_material(db, conversation_ids)
    training_data.do_erase_from_cases(db, material.cases)
    training_data.do_erase_questions(db, material.questions)
    contacts = erase_contacts(db, customer_id, conversation_ids, var_dir)
    channels = contacts.channels
    customer = customers.get_customer(db, customer_id)
    assert customer.erased_at is not None
    return Erasure(
        customer_id=customer_id,
        conversations=len(conversation_ids),
        messages=messages,
        cards=cards,
        tickets=contacts.tickets,
        mails=contacts.mails,
        screenshots=len(files),
        erased_at=customer.erased_at,
        notes=notes,
        telegram_chats=channels.telegram_chats,
        mail_threads=channels.mail_threads,
        inbound_mails=channels.inbound_mails,
        calls=channels.calls,
        attachments=len(channels.attachments),
        library_cases=len(material.cases),
        regression_cases=material.regression_cases,
    )


def do_erase_customer(
    db: Session, actor: Actor, customer_id: int, *, reference: str, var_dir: Path, place: str
) -> Erasure:
    """Erases the person: this record and every record confirmed as theirs on another
    channel (each erasure audited on its record)."""
    reference = customer_data.check_reference(reference)
    customers.get_customer(db, customer_id)  # 404 before anything
    person = customer_data.person_ids(db, customer_id)
    parts = []
    for record_id in [customer_id, *(i for i in person if i != customer_id)]:
        ids = conversation_data.customer_conversation_ids(db, record_id)
        parts.append(erase_parts(db, record_id, ids, var_dir))
        customer_data.record_access(
            db,
            customer_id=record_id,
            action="erasure",
            user_id=actor.user_id,
            username=actor.username,
            role=actor.role,
            place=place,
            reference=reference,
        )
    first = parts[0]
    counted = {
        f.name: sum(getattr(p, f.name) for p in parts)
        for f in fields(Erasure)
        if f.type == "int" and f.name != "customer_id"
    }
    return replace(first, linked_customers=[p.customer_id for p in parts[1:]], **counted)


def do_export_customer(
    db: Session, actor: Actor, customer_id: int, *, place: str, reference: str = ""
) -> dict[str, Any]:
    """Everything held about the customer, for an access request; the export is audited.
    Records confirmed as the same person on other channels come under `linked`."""
    data = _export_record(db, customer_id)
    data["format"] = EXPORT_FORMAT
    data["exported_at"] = utcnow().isoformat()
    data["linked"] = [
        _export_record(db, other)
        for other in customer_data.person_ids(db, customer_id)
        if other != customer_id
    ]
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


def _export_record(db: Session, customer_id: int) -> dict[str, Any]:
    data = customer_data.export_customer(db, customer_id)
    data["conversations"] = conversation_data.export_conversations(db, customer_id)
    ids = conversation_data.customer_conversation_ids(db, customer_id)
    data["channels"] = channel_data.export_conversations(db, ids)
    data["verifications"] = safety_data.export_verifications(db, customer_id)
    data.update(quality_data.export_material(db, ids))
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
