"""What a waiting customer is told (place and estimate) and the other ways they may choose:
an answer by e-mail, a callback at a chosen time, or the bot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations import moves
from wowdesk.conversations import outbox as channels
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Invalid
from wowdesk.i18n import N_
from wowdesk.i18n import gettext as _
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.models import OperatorStatus
from wowdesk.routing import waiting
from wowdesk.routing.models import Ticket, TicketState
from wowdesk.routing.schemas import QueueChoice, QueuePlace
from wowdesk.routing.service import (
    candidates,
    ensure_ticket,
    get_ticket,
    priority_of,
    qualified,
)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")
MAX_CALLBACK_AHEAD = timedelta(days=14)

# --- what the customer is told -------------------------------------------------------


@dataclass(frozen=True)
class Place:
    conversation_id: int
    queue: str
    position: int
    wait_seconds: float | None


def queue_places(db: Session, presence_grace: float = 60.0) -> list[Place]:
    """Each waiting ticket's position in its queue and its estimated wait."""
    return [place for _ticket, place in _ticket_places(db, presence_grace)]


def _ticket_places(db: Session, presence_grace: float) -> list[tuple[Ticket, Place]]:
    now = utcnow()
    tickets = list(
        db.scalars(
            select(Ticket)
            .where(Ticket.state == TicketState.waiting, Ticket.escalated.is_(False))
            .order_by(Ticket.priority_at, Ticket.conversation_id)
        )
    )
    if not tickets:
        return []
    states = [
        s
        for _u, s in presence.list_states(db)
        if s.status == OperatorStatus.online
        and s.last_seen_at is not None
        and s.last_seen_at >= now - timedelta(seconds=presence_grace)
    ]
    pool = candidates(db, states)
    staffed = presence.staffed_topics(db)
    handle = waiting.mean_handle_seconds(moves.recent_handle_seconds(db))
    positions: dict[tuple[str, str], int] = {}
    # (slots, free places) of the operators able to take a queue/channel/language: the
    # same for every ticket of that kind, so counted once per kind, not once per ticket
    room: dict[tuple[str, str, str], tuple[int, int]] = {}
    places: list[tuple[Ticket, Place]] = []
    for ticket in tickets:
        kind = (ticket.queue.lower(), ticket.channel.lower(), ticket.language.lower())
        if kind not in room:
            able = [c for c in pool if qualified(c, ticket, staffed)]
            room[kind] = (sum(c.state.capacity for c in able), sum(max(c.free, 0) for c in able))
        slots, free = room[kind]
        key = (ticket.queue.lower(), ticket.channel)
        positions[key] = positions.get(key, 0) + 1
        wait = waiting.estimate_wait(positions[key], slots, free, handle)
        place = Place(ticket.conversation_id, ticket.queue, positions[key], wait)
        places.append((ticket, place))
    return places


def do_tell_places(db: Session, offer_after_minutes: float, presence_grace: float = 60.0) -> int:
    """Publishes a new position or estimate to each waiting customer whose changed.

    Only tickets nobody else holds are updated (`SKIP LOCKED`): several processes' passes
    run at once, each holding the tickets it just dispatched, and waiting for each other's
    would deadlock. A skipped customer hears their place at the next pass."""
    changed: list[tuple[Ticket, Place, int | None, int | None]] = []
    for ticket, place in _ticket_places(db, presence_grace):
        wait = None if place.wait_seconds is None else int(place.wait_seconds)
        minutes = None if wait is None else waiting.rounded_minutes(wait)
        if ticket.told_position == place.position and ticket.told_wait_seconds == (
            None if minutes is None else minutes * 60
        ):
            continue
        changed.append((ticket, place, wait, minutes))
    if not changed:
        return 0
    free = set(
        db.scalars(
            select(Ticket.conversation_id)
            .where(Ticket.conversation_id.in_([c[0].conversation_id for c in changed]))
            .order_by(Ticket.conversation_id)
            .with_for_update(skip_locked=True)
        )
    )
    told = 0
    for ticket, place, wait, minutes in changed:
        if ticket.conversation_id not in free:
            continue
        ticket.told_position = place.position
        ticket.told_wait_seconds = None if minutes is None else minutes * 60
        offer = wait is None or wait > offer_after_minutes * 60
        events.publish_on_commit(
            db,
            [events.conversation_channel(place.conversation_id)],
            QueuePlace(
                id=place.conversation_id,
                conversation_id=place.conversation_id,
                position=place.position,
                wait_minutes=minutes,
                text=place_text(place.position, minutes),
                alternatives=offer,
            ),
        )
        told += 1
    db.flush()
    return told


ORDINALS = (
    N_("first"),
    N_("second"),
    N_("third"),
    N_("fourth"),
    N_("fifth"),
    N_("sixth"),
    N_("seventh"),
    N_("eighth"),
    N_("ninth"),
    N_("tenth"),
)


def place_text(position: int, minutes: int | None) -> str:
    place = _(ORDINALS[position - 1]) if position <= len(ORDINALS) else str(position)
    if minutes is None:
        return _("You are {place} in the queue; no operator is free right now", place=place)
    return _("You are {place} in the queue, about {minutes} min", place=place, minutes=minutes)


# --- the customer chooses another way ------------------------------------------------


def _waiting_ticket(db: Session, conv: Conversation) -> Ticket:
    if conv.status != Status.queued:
        raise Conflict("The conversation is no longer waiting", code="not_queued")
    ticket = ensure_ticket(db, conv)
    if ticket.state not in (TicketState.waiting, TicketState.email, TicketState.callback):
        raise Conflict("The conversation is no longer waiting", code="not_queued")
    return ticket


def _publish_choice(db: Session, conv: Conversation, kind: str) -> None:
    """The queues changed without an assignment: supervisors' boards recount."""
    events.publish_on_commit(
        db,
        [events.QUEUE_CHANNEL],
        QueueChoice(id=conv.id, kind=kind),
    )


def do_leave_message(db: Session, conv: Conversation, email: str) -> Ticket:
    """Out of the live queue; an operator answers later and the answer goes by e-mail."""
    email = email.strip()
    if not EMAIL.match(email):
        raise Invalid("Enter a valid e-mail address", code="invalid_email")
    ticket = _waiting_ticket(db, conv)
    ticket.state = TicketState.email
    ticket.contact = {"email": email}
    ticket.mail_to = email
    ticket.mailed_seq = conv.last_seq
    ticket.updated_at = utcnow()
    customers.do_set_contact(db, conv.customer_id, email=email)
    conversations.do_system_note(
        db, conv, _("We will answer at {email}. You can close this window.", email=email), "email"
    )
    _publish_choice(db, conv, "email")
    db.flush()
    return ticket


def check_phone(phone: str) -> str:
    try:
        number = phonenumbers.parse(phone, "RU")
    except phonenumbers.NumberParseException as exc:
        raise Invalid("Enter a valid phone number", code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid("Enter a valid phone number", code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def do_request_callback(db: Session, conv: Conversation, phone: str, at: datetime) -> Ticket:
    number = check_phone(phone)
    now = utcnow()
    if at.tzinfo is None:
        raise Invalid("Give the callback time with its time zone", code="invalid_time")
    if at < now - timedelta(minutes=1) or at > now + MAX_CALLBACK_AHEAD:
        raise Invalid("Choose a time within the next two weeks", code="invalid_time")
    ticket = _waiting_ticket(db, conv)
    ticket.state = TicketState.callback
    ticket.contact = {"phone": number, "at": at.isoformat()}
    ticket.updated_at = now
    customers.do_set_contact(db, conv.customer_id, phone=number)
    conversations.do_system_note(
        db,
        conv,
        _("We will call you at {phone} at the time you chose.", phone=number),
        "callback",
    )
    _publish_choice(db, conv, "callback")
    db.flush()
    return ticket


def do_back_to_bot(db: Session, conv: Conversation) -> None:
    ticket = _waiting_ticket(db, conv)
    moves.do_return_to_bot(db, conv)
    ticket.state = TicketState.left
    ticket.updated_at = utcnow()
    _publish_choice(db, conv, "bot")
    db.flush()


COLLECT_LIMIT = 500


def do_collect_email_answers(db: Session) -> int:
    """Operator messages in conversations whose customer chose an answer by e-mail go to the
    outbox (one mail each, keyed by the message, so a second pass adds nothing). Once the
    conversation is closed and everything is collected, the ticket stops being watched."""
    queued = 0
    for ticket in db.scalars(
        select(Ticket)
        # the literal, not a parameter, lets the database use the partial index
        .where(Ticket.mail_to != literal("", literal_execute=True))
        .with_for_update(skip_locked=True)
    ):
        conv = conversations.get_conversation(db, ticket.conversation_id)
        messages = conversations.list_messages(
            db, conv, after_seq=ticket.mailed_seq, limit=COLLECT_LIMIT
        )
        answers = [m for m in messages if m.author_kind == "operator"]
        names = operators.user_names(db, {m.author_id for m in answers if m.author_id})
        for m in answers:
            name = names.get(m.author_id or 0, "")
            channels.do_enqueue(
                db,
                key=f"message:{m.id}",
                to=ticket.mail_to,
                subject=_("Answer to your request No. {id}", id=conv.id),
                body=f"{m.text}\n\n-- \n{name}" if name else m.text,
                conversation_id=conv.id,
            )
            queued += 1
        if messages:
            ticket.mailed_seq = messages[-1].seq
        if conv.status in (Status.wrapup, Status.closed) and len(messages) < COLLECT_LIMIT:
            ticket.mail_to = ""  # everything up to the close is in the outbox
    db.flush()
    return queued


def do_callbacks_due(db: Session) -> list[int]:
    """Callbacks whose time has come join the live queue at its head."""
    now = utcnow()
    due = []
    for ticket in db.scalars(
        select(Ticket).where(Ticket.state == TicketState.callback).with_for_update(skip_locked=True)
    ):
        at = datetime.fromisoformat(str(ticket.contact.get("at")))
        if at <= now:
            ticket.state = TicketState.waiting
            ticket.requeues += 1
            ticket.priority_at = priority_of(ticket)
            ticket.note = _(
                "Call the customer back: {phone}", phone=ticket.contact.get("phone", "")
            )
            ticket.updated_at = now
            due.append(ticket.conversation_id)
    db.flush()
    return due


def place_of(
    db: Session, conv: Conversation, offer_after_minutes: float, presence_grace: float = 60.0
) -> tuple[int | None, int | None, str, bool]:
    """(position, minutes, text, offer alternatives) for one waiting conversation."""
    if conv.status != Status.queued:
        return None, None, "", False
    ticket = get_ticket(db, conv.id)
    if ticket is not None and ticket.state != TicketState.waiting:
        return None, None, "", False
    for place in queue_places(db, presence_grace):
        if place.conversation_id == conv.id:
            minutes = (
                None if place.wait_seconds is None else waiting.rounded_minutes(place.wait_seconds)
            )
            offer = place.wait_seconds is None or place.wait_seconds > offer_after_minutes * 60
            return place.position, minutes, place_text(place.position, minutes), offer
    return None, None, "", False
