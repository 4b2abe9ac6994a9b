"""Queues and assignment.

A conversation waiting for a human has a ticket: its queue (a skill), its priority and
what it was told. The dispatcher gives waiting tickets, best priority first, to qualified
operators with free capacity, choosing among them by the configured strategy.

Why it can neither lose nor double-assign: a conversation changes hands only through a
conditional UPDATE (`conversations.do_assign`), so exactly one of several racing
dispatchers wins it; and an operator's capacity is checked while their state row is locked
(PostgreSQL `FOR UPDATE`; dispatchers skip rows another one holds, and tickets likewise, so
several processes share the work instead of queueing behind each other; SQLite has one
writer, which serialises the same steps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import Table, case, select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.bot import service as bot
from wowdesk.conversations import moves, topics
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.customers import service as customers
from wowdesk.db import insert_missing, utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid
from wowdesk.i18n import gettext as _
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.models import OperatorState, OperatorStatus, Role, Skill, User
from wowdesk.routing.models import Ticket, TicketState
from wowdesk.routing.schemas import EscalationCreated

Strategy = Literal["longest_idle", "least_busy", "round_robin"]

# How much earlier than its real arrival a ticket counts: priority is waiting time plus these.
TIER_BOOST = {1: timedelta(minutes=2), 2: timedelta(minutes=5)}
RISK_BOOST = timedelta(minutes=3)
RISKY = {"fraud_security", "legal_threat", "negative_emotion"}
# back from an operator who left: ahead of everyone who has not been served yet
HEAD_OF_QUEUE = timedelta(days=1)


@dataclass(frozen=True)
class Offer:
    conversation_id: int
    user_id: int
    waited_seconds: float


def priority_of(ticket: Ticket) -> datetime:
    boost = TIER_BOOST.get(ticket.tier, timedelta())
    if RISKY & set(ticket.risk):
        boost += RISK_BOOST
    if ticket.requeues:
        boost += HEAD_OF_QUEUE
    return ticket.waiting_since - boost


_TICKETS = cast(Table, Ticket.__table__)


def get_ticket(db: Session, conversation_id: int) -> Ticket | None:
    return db.get(Ticket, conversation_id)


# --- keeping tickets in step with conversations ----------------------------------------


def _open_tickets(db: Session, fresh: list[Conversation], now: datetime) -> int:
    """Waiting tickets for conversations that have none yet, in the queue the bot's topic
    names, with the customer's tier and the risk flags that raise priority."""
    if not fresh:
        return 0
    hints = bot.routing_hints(db, {c.id for c in fresh})
    tiers = customers.tiers(db, {c.customer_id for c in fresh})
    rows = []
    for conv in fresh:
        topic, flags = hints.get(conv.id, ("", []))
        ticket = Ticket(
            conversation_id=conv.id,
            queue=topic,
            channel=conv.channel,
            tier=tiers.get(conv.customer_id, 0),
            risk=flags,
            state=TicketState.waiting,
            waiting_since=conv.queued_at or now,
            requeues=0,
            escalated=False,
            note="",
            contact={},
            created_at=now,
            updated_at=now,
        )
        ticket.priority_at = priority_of(ticket)
        rows.append(
            {c.key: v for c in _TICKETS.columns if (v := getattr(ticket, c.key)) is not None}
        )
    # another process's pass may create the same tickets at the same moment
    insert_missing(db, _TICKETS, rows, ["conversation_id"])
    return len(rows)


def do_sync(db: Session, now: datetime | None = None) -> int:
    """Every queued conversation gets a waiting ticket, whatever put it there (the bot, a
    channel, a crash between two steps); a ticket whose conversation left the queue by
    another way (taken by hand, closed) stops waiting. Returns how many tickets changed."""
    now = now or utcnow()
    queued_ids = moves.queued_ids(db)
    open_states = (TicketState.waiting, TicketState.email, TicketState.callback)
    states: dict[int, str] = {
        cid: state
        for cid, state in db.execute(
            select(Ticket.conversation_id, Ticket.state).where(Ticket.state.in_(open_states))
        )
    }
    unseen = queued_ids - states.keys()  # new, or back in the queue after an assignment
    if unseen:
        for cid, state in db.execute(
            select(Ticket.conversation_id, Ticket.state).where(Ticket.conversation_id.in_(unseen))
        ):
            states[cid] = state
    stale = {
        cid
        for cid, state in states.items()
        if (cid in queued_ids and state in (TicketState.assigned, TicketState.left))
        or (cid not in queued_ids and state != TicketState.assigned)
    }
    tickets = (
        {
            t.conversation_id: t
            for t in db.scalars(select(Ticket).where(Ticket.conversation_id.in_(stale)))
        }
        if stale
        else {}
    )
    convs = {c.id: c for c in moves.list_by_ids(db, (queued_ids - states.keys()) | stale)}
    fresh = [convs[cid] for cid in convs if cid not in states]
    changed = _open_tickets(db, fresh, now)
    for cid, ticket in tickets.items():
        conv_queued = cid in queued_ids
        if conv_queued and ticket.state in (TicketState.assigned, TicketState.left):
            ticket.state = TicketState.waiting
            ticket.operator_id = None
            ticket.waiting_since = convs[cid].queued_at or now
            ticket.priority_at = priority_of(ticket)
            ticket.updated_at = now
            changed += 1
        elif not conv_queued and ticket.state != TicketState.assigned:
            ticket.state = TicketState.assigned if convs[cid].operator_id else TicketState.left
            ticket.operator_id = convs[cid].operator_id
            ticket.updated_at = now
            changed += 1
    db.flush()
    return changed


# --- who may take what ---------------------------------------------------------------


@dataclass
class _Candidate:
    state: OperatorState
    user: User
    load: int
    topics: set[str]
    channels: set[str]
    languages: set[str]
    level: dict[str, int]

    @property
    def free(self) -> int:
        return self.state.capacity - self.load


def qualified(c: _Candidate, ticket: Ticket, staffed_topics: set[str]) -> bool:
    # a topic nobody has as a skill falls to everyone, rather than waiting for ever
    topic = ticket.queue.lower()
    if topic and c.topics and topic in staffed_topics and topic not in c.topics:
        return False
    if c.channels and ticket.channel.lower() not in c.channels:
        return False
    return not (c.languages and ticket.language.lower() not in c.languages)


def _strategy_key(strategy: Strategy) -> Callable[[_Candidate, Ticket], tuple[Any, ...]]:
    epoch = datetime.min.replace(tzinfo=utcnow().tzinfo)

    def idle_since(c: _Candidate) -> datetime:
        s = c.state
        return max(d for d in (s.last_assigned_at, s.last_released_at, s.status_since, epoch) if d)

    def level(c: _Candidate, t: Ticket) -> int:
        return -c.level.get(t.queue.lower(), 0)

    if strategy == "least_busy":
        return lambda c, t: (c.load / c.state.capacity, level(c, t), idle_since(c))
    if strategy == "round_robin":
        return lambda c, t: (c.state.last_assigned_at or epoch, c.user.id)
    return lambda c, t: (c.load > 0, idle_since(c), level(c, t))


def candidates(db: Session, states: list[OperatorState]) -> list[_Candidate]:
    ids = {s.user_id for s in states}
    loads = moves.active_counts(db, ids)
    skills = presence.skills_of(db, ids)
    users = operators.users_by_id(db, ids)
    out = []
    for state in states:
        mine: list[Skill] = skills.get(state.user_id, [])

        def values(kind: str, mine: list[Skill] = mine) -> set[str]:
            return {s.value.lower() for s in mine if s.kind == kind}

        out.append(
            _Candidate(
                state=state,
                user=users[state.user_id],
                load=loads.get(state.user_id, 0),
                topics=values("topic"),
                channels=values("channel"),
                languages=values("language"),
                level={s.value.lower(): s.level for s in mine if s.kind == "topic"},
            )
        )
    return out


# --- assignment ----------------------------------------------------------------------


# assignments per transaction: the conversations and operators a pass locks stay locked
# until it commits, so customers writing to them wait; short passes keep that wait short
PASS_LIMIT = 25


def do_dispatch(
    db: Session,
    *,
    strategy: Strategy = "longest_idle",
    presence_grace: float = 60.0,
    limit: int = PASS_LIMIT,
) -> list[Offer]:
    """Gives up to `limit` waiting conversations to operators; returns the offers made
    (after commit each operator's console receives its conversation through the usual
    events). A full batch means more may wait: the caller runs another pass."""
    now = utcnow()
    states = presence.lock_available(db, now, now - timedelta(seconds=presence_grace))
    pool = [c for c in candidates(db, states) if c.free > 0]
    if not pool:
        return []
    tickets = list(
        db.scalars(
            select(Ticket)
            .where(
                Ticket.state.in_((TicketState.waiting, TicketState.email)),
                Ticket.escalated.is_(False),
            )
            # customers waiting live first; left messages fill the room that remains
            .order_by(
                case((Ticket.state == TicketState.email, 1), else_=0),
                Ticket.priority_at,
                Ticket.conversation_id,
            )
            .limit(limit * 4)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )
    staffed = presence.staffed_topics(db)
    key = _strategy_key(strategy)
    offers: list[Offer] = []
    for ticket in tickets:
        able = [c for c in pool if c.free > 0 and qualified(c, ticket, staffed)]
        if not able:
            continue
        best = min(able, key=lambda c: key(c, ticket))
        try:
            conversations.do_assign(db, ticket.conversation_id, best.user)
        except Conflict:  # taken by hand or closed meanwhile: do_sync settles the ticket
            continue
        ticket.state = TicketState.assigned
        ticket.operator_id = best.user.id
        ticket.offered_at = now
        ticket.updated_at = now
        best.load += 1
        presence.do_note_assigned(best.state, now)
        offers.append(
            Offer(
                ticket.conversation_id, best.user.id, (now - ticket.waiting_since).total_seconds()
            )
        )
        if len(offers) >= limit or not any(c.free > 0 for c in pool):
            break
    db.flush()
    return offers


def check_capacity(db: Session, user: User) -> OperatorState:
    state = presence.lock_state(db, user.id)
    load = moves.active_counts(db, {user.id})[user.id]
    if load >= state.capacity:
        raise Conflict(
            "{name} already has {n} conversations, the most allowed",
            name=user.display_name,
            n=load,
            code="at_capacity",
        )
    return state


def do_take(db: Session, conversation_id: int, user: User) -> Conversation:
    """An operator (or a supervisor, for an escalation) takes a waiting conversation."""
    conv = conversations.get_conversation(db, conversation_id)
    if conv.status == Status.assigned and conv.operator_id == user.id:
        return conv
    state = check_capacity(db, user)
    conv = conversations.do_assign(db, conversation_id, user)
    ticket = get_ticket(db, conversation_id)
    now = utcnow()
    if ticket is not None:
        ticket.state = TicketState.assigned
        ticket.operator_id = user.id
        ticket.offered_at = now
        ticket.updated_at = now
    presence.do_note_assigned(state, now)
    db.flush()
    return conv


def _check_holder(conv: Conversation, user: User) -> None:
    if conv.status not in (Status.assigned, Status.queued):
        raise Conflict("The conversation is not open", code="not_open")
    if conv.operator_id != user.id and not operators.has_role(user, Role.supervisor):
        raise Forbidden("This conversation is assigned to another operator", code="not_yours")


def _note(text: str) -> str:
    return text.strip()[:2000]


def ensure_ticket(db: Session, conv: Conversation) -> Ticket:
    ticket = get_ticket(db, conv.id)
    if ticket is None:
        do_sync(db)
        ticket = get_ticket(db, conv.id)
    if ticket is None:  # an assigned conversation that never queued (taken straight away)
        now = utcnow()
        ticket = Ticket(
            conversation_id=conv.id,
            queue="",
            channel=conv.channel,
            tier=0,
            risk=[],
            state=TicketState.assigned,
            waiting_since=conv.queued_at or now,
            priority_at=conv.queued_at or now,
            operator_id=conv.operator_id,
            requeues=0,
            escalated=False,
            note="",
            contact={},
            created_at=now,
            updated_at=now,
        )
        db.add(ticket)
        db.flush()
    return ticket


def do_transfer_to_operator(
    db: Session, conv: Conversation, by: User, to_user_id: int, note: str = ""
) -> Conversation:
    _check_holder(conv, by)
    target = operators.get_user(db, to_user_id)
    if target.id == conv.operator_id:
        raise Invalid("The conversation is already with {name}", name=target.display_name)
    state = presence.get_state(db, target.id)
    if not target.is_active or state.status != OperatorStatus.online:
        raise Conflict("{name} is not online", name=target.display_name, code="not_online")
    state = check_capacity(db, target)
    ticket = ensure_ticket(db, conv)
    previous = conv.operator_id
    moves.do_transfer(db, conv, target)
    now = utcnow()
    ticket.state = TicketState.assigned
    ticket.operator_id = target.id
    ticket.offered_at = now
    ticket.note = _note(note)
    ticket.updated_at = now
    presence.do_note_assigned(state, now)
    if previous:
        presence.do_note_released(db, previous)
    db.flush()
    return conv


def do_transfer_to_queue(
    db: Session, conv: Conversation, by: User, queue: str, note: str = ""
) -> Conversation:
    _check_holder(conv, by)
    queue = queue.strip()
    if queue and queue.lower() not in {t.name.lower() for t in topics.list_topics(db)}:
        raise Invalid("Unknown queue {queue}", queue=queue, code="unknown_queue")
    ticket = ensure_ticket(db, conv)
    previous = conv.operator_id
    if conv.status == Status.assigned and not moves.do_requeue(db, conv, reason="transfer"):
        raise Conflict("The conversation has moved meanwhile", code="moved")
    now = utcnow()
    ticket.queue = queue
    ticket.state = TicketState.waiting
    ticket.operator_id = None
    ticket.note = _note(note)
    ticket.requeues += 1  # the customer has been served already: head of the new queue
    ticket.priority_at = priority_of(ticket)
    ticket.updated_at = now
    if previous:
        presence.do_note_released(db, previous)
    db.flush()
    return conv


def do_escalate(db: Session, conv: Conversation, by: User, note: str) -> Conversation:
    """A non-standard case goes to the supervisors, who take it from their console."""
    _check_holder(conv, by)
    if not note.strip():
        raise Invalid("Say why the conversation needs a supervisor", code="note_required")
    ticket = ensure_ticket(db, conv)
    previous = conv.operator_id
    if conv.status == Status.assigned and not moves.do_requeue(db, conv, reason="transfer"):
        raise Conflict("The conversation has moved meanwhile", code="moved")
    now = utcnow()
    ticket.escalated = True
    ticket.state = TicketState.waiting
    ticket.operator_id = None
    ticket.note = _note(note)
    ticket.requeues += 1
    ticket.priority_at = priority_of(ticket)
    ticket.updated_at = now
    if previous:
        presence.do_note_released(db, previous)
    db.flush()
    events.publish_on_commit(
        db,
        [events.ROUTING_CHANNEL],
        EscalationCreated(id=conv.id, note=ticket.note),
    )
    return conv


def do_requeue_abandoned(db: Session, grace_seconds: float) -> list[int]:
    """Conversations of operators who went offline (or whose console went silent) longer
    than the grace period ago go back to the head of the queue, with a note."""
    now = utcnow()
    before = now - timedelta(seconds=grace_seconds)
    lost = set(presence.list_sessions_lost(db, before))
    for uid in lost:
        presence.do_set_status(
            db, operators.get_user(db, uid), OperatorStatus.offline, "session_lost"
        )
    gone = lost | presence.list_offline_since(db, before, moves.holders(db))
    moved = []
    for conv in moves.list_held(db, gone):
        name = operators.get_user(db, conv.operator_id).display_name if conv.operator_id else ""
        ticket = ensure_ticket(db, conv)
        if not moves.do_requeue(db, conv, reason="operator_left"):
            continue
        ticket.state = TicketState.waiting
        ticket.operator_id = None
        ticket.requeues += 1
        ticket.note = _("Returned to the queue: {name} went offline", name=name)
        ticket.priority_at = priority_of(ticket)
        ticket.updated_at = now
        moved.append(conv.id)
    db.flush()
    return moved


def do_release(db: Session, conversation_id: int) -> None:
    """The operator closed the conversation: their slot is free again."""
    conv = conversations.get_conversation(db, conversation_id)
    if conv.operator_id:
        presence.do_note_released(db, conv.operator_id)
    ticket = get_ticket(db, conv.id)
    if ticket is not None and ticket.state != TicketState.left:
        ticket.state = TicketState.left
        ticket.updated_at = utcnow()
    db.flush()


def list_tickets(db: Session, conversation_ids: set[int]) -> dict[int, Ticket]:
    if not conversation_ids:
        return {}
    return {
        t.conversation_id: t
        for t in db.scalars(select(Ticket).where(Ticket.conversation_id.in_(conversation_ids)))
    }


def operator_status(db: Session, user: User) -> tuple[OperatorState, int]:
    return presence.get_state(db, user.id), moves.active_counts(db, {user.id})[user.id]


def do_set_profile(
    db: Session, user_id: int, capacity: int, skills: list[presence.SkillIn]
) -> tuple[OperatorState, list[Skill]]:
    operators.get_user(db, user_id)
    state = presence.do_set_capacity(db, user_id, capacity)
    return state, presence.do_set_skills(db, user_id, skills)
