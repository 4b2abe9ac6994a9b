"""Conversations: receive, assign, reply, close, wrap up, rate.

Every write is idempotent where a client may retry (a message carries the client's id, so a
resend after a reconnect is stored once), stamps the KPI timestamps as it happens, and
publishes its live event only after commit.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations import secrets_policy
from wowdesk.conversations.messages import (
    append,
    channels_of,
    find_by_client_id,
    joined_line,
    publish_conversation,
    system_message,
)
from wowdesk.conversations.messages import (
    conversation_out as conversation_out,  # the service's public face
)
from wowdesk.conversations.messages import (
    message_out as message_out,
)
from wowdesk.conversations.models import AuthorKind, Conversation, Message, Status
from wowdesk.conversations.schemas import (
    CustomerView,
    Delivered,
    MessageCreated,
    Typing,
)
from wowdesk.conversations.topics import get_topic
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.i18n import N_
from wowdesk.i18n import gettext as _
from wowdesk.nlp import secrets
from wowdesk.nlp.pii import mask_repeated, mask_text
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.security import derived_token, same, token_hash

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# Control characters other than tab and newlines have no place in chat text; NUL also
# breaks PostgreSQL text columns.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OPEN = (Status.bot, Status.queued, Status.assigned)
# the channels customers write from (the chat widget, messengers, mail, call transcripts);
# N_ marks the codes for the catalogs: pages show `_(channel)`
CHANNELS = (N_("web"), N_("telegram"), N_("email"), N_("phone"))
Side = Literal["customer", "operator"]


def check_text(text: str, limit: int) -> str:
    if not isinstance(text, str):
        raise Invalid("Message text must be a string", code="invalid_text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Invalid("Message text is not valid UTF-8", code="invalid_utf8") from exc
    if CONTROL.search(text):
        raise Invalid("Message text contains control characters", code="invalid_text")
    stripped = text.strip()
    if not stripped:
        raise Invalid("Message must not be empty", code="empty_message")
    if len(stripped) > limit:
        raise Invalid(
            "Message is too long: {n} characters, at most {limit}",
            code="message_too_long",
            n=len(stripped),
            limit=limit,
        )
    return stripped


def check_client_id(client_id: str) -> None:
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise Invalid("client_id must be 1-64 letters, digits or _.:-", code="invalid_client_id")


# --- reading ---------------------------------------------------------------------------


def get_conversation(db: Session, conversation_id: int) -> Conversation:
    conv = db.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound("Conversation not found")
    return conv


def lock_conversation(db: Session, conversation_id: int) -> Conversation:
    """For work that must not overlap on one conversation (two bot workers answering two
    quick messages): PostgreSQL holds the row until commit; SQLite has one writer anyway."""
    conv = db.get(Conversation, conversation_id, with_for_update=True, populate_existing=True)
    if conv is None:
        raise NotFound("Conversation not found")
    return conv


# every chat message starts with this lookup: a statement built once skips the select that
# `Session.get` builds and cache-keys per call (225 -> 175 µs a unit on SQLite)
_BY_ID = select(Conversation).where(Conversation.id == bindparam("cid"))


def access_conversation_by_token(db: Session, conversation_id: int, token: str) -> Conversation:
    """A wrong token looks exactly like a missing conversation: ids cannot be probed."""
    conv = db.execute(_BY_ID, {"cid": conversation_id}).scalar_one_or_none()
    if conv is None or not token or not same(conv.token_hash, token_hash(token)):
        raise NotFound("Conversation not found")
    return conv


def access_conversation(db: Session, user: User, conversation_id: int) -> Conversation:
    """Every staff member may read every conversation: history is what makes service good."""
    return get_conversation(db, conversation_id)


def serves(conv: Conversation, user: User) -> bool:
    """The operator holding a conversation needs the customer's words to serve it, so they
    (and only they) see raw text while it is assigned or in wrap-up. Everyone else - a
    supervisor watching, a colleague browsing the queue or the customer's earlier
    conversations - sees the PII-masked copy and may ask for the raw text only with a role
    allowed to (`safety.service`), which is audited."""
    return conv.operator_id == user.id and conv.status in (Status.assigned, Status.wrapup)


def check_can_write(conv: Conversation, user: User) -> None:
    if conv.status not in (Status.assigned,):
        raise Conflict("Take the conversation before replying", code="not_assigned")
    if conv.operator_id != user.id and not operators.has_role(user, Role.supervisor):
        raise Forbidden("This conversation is assigned to another operator", code="not_yours")


def messages_of(
    db: Session, conversation_ids: list[int]
) -> dict[int, tuple[Conversation, list[Message]]]:
    """Many conversations with their messages in two queries per chunk: for daily jobs
    that read thousands (quality's gaps), not one at a time."""
    out: dict[int, tuple[Conversation, list[Message]]] = {}
    for start in range(0, len(conversation_ids), 1000):
        chunk = conversation_ids[start : start + 1000]
        for conv in db.scalars(select(Conversation).where(Conversation.id.in_(chunk))):
            out[conv.id] = (conv, [])
        rows = db.scalars(
            select(Message)
            .where(Message.conversation_id.in_(chunk))
            .order_by(Message.conversation_id, Message.seq)
        )
        for msg in rows:
            out[msg.conversation_id][1].append(msg)
    return out


def masked_texts(db: Session, message_ids: list[int]) -> dict[int, str]:
    """Messages' masked copies by id, in one query (a page listing many)."""
    if not message_ids:
        return {}
    rows = db.execute(select(Message.id, Message.masked_text).where(Message.id.in_(message_ids)))
    return {message_id: text for message_id, text in rows}


def list_messages(
    db: Session, conv: Conversation, after_seq: int = 0, limit: int = 500
) -> list[Message]:
    return list(
        db.scalars(
            select(Message)
            .where(Message.conversation_id == conv.id, Message.seq > after_seq)
            .order_by(Message.seq)
            .limit(limit)
        )
    )


def list_inbox(
    db: Session, user: User, view: str = "active", limit: int = 200
) -> list[Conversation]:
    stmt = select(Conversation)
    if view == "queue":
        stmt = stmt.where(Conversation.status == Status.queued).order_by(Conversation.queued_at)
    elif view == "mine":
        stmt = stmt.where(
            Conversation.operator_id == user.id,
            Conversation.status.in_((Status.assigned, Status.wrapup)),
        ).order_by(Conversation.assigned_at)
    elif view == "active":
        stmt = stmt.where(
            (Conversation.status == Status.queued)
            | (
                (Conversation.operator_id == user.id)
                & Conversation.status.in_((Status.assigned, Status.wrapup))
            )
        ).order_by(Conversation.status.desc(), Conversation.queued_at)
    elif view == "all":
        stmt = stmt.order_by(Conversation.id.desc())
    else:
        raise Invalid("Unknown inbox view {view}", view=view)
    return list(db.scalars(stmt.limit(limit)))


def list_customer_conversations(
    db: Session, customer_id: int, exclude_id: int | None = None, limit: int = 20
) -> list[Conversation]:
    stmt = (
        select(Conversation)
        .where(Conversation.customer_id == customer_id)
        .order_by(Conversation.created_at.desc())
        .limit(limit)
    )
    if exclude_id is not None:
        stmt = stmt.where(Conversation.id != exclude_id)
    return list(db.scalars(stmt))


def new_customer_message(payload: events.Payload) -> tuple[int, int] | None:
    """(conversation id, message id) when a bus event is a customer's new message: what the
    bot and the assistant react to."""
    event = events.parse(payload)
    if isinstance(event, MessageCreated) and event.message["author_kind"] == AuthorKind.customer:
        return int(event.message["conversation_id"]), event.id
    return None


def raw_text_of(db: Session, message_id: int) -> str:
    """The raw words of one message. Only the sockets of the customer and of the operator
    serving the conversation call it (`sockets.message_for`): the bus carries masked text."""
    msg = db.get(Message, message_id)
    if msg is None:
        raise NotFound("Message not found")
    return msg.text


def customer_view(db: Session, conv: Conversation) -> CustomerView:
    name = operators.user_names(db, {conv.operator_id}) if conv.operator_id else {}
    return CustomerView(
        id=conv.id,
        status=conv.status,
        last_seq=conv.last_seq,
        operator_name=name.get(conv.operator_id, "") if conv.operator_id else "",
        operator_delivered_seq=conv.operator_delivered_seq,
        csat=conv.csat,
    )


# --- writing ---------------------------------------------------------------------------


def do_system_note(db: Session, conv: Conversation, text: str, kind: str) -> Message:
    """A line from the service itself (queue place, callback booked) in the conversation;
    it may repeat what the customer gave (a phone for the callback), so it is masked."""
    return system_message(db, conv, text, kind, ours=False)


def do_start(
    db: Session,
    *,
    identity: str,
    channel: str,
    client_id: str,
    text: str,
    limit: int,
    name: str = "",
    email: str | None = None,
    phone: str | None = None,
    first_line: bool = False,
    secret: str,
    verified: bool = True,
    meta: dict[str, Any] | None = None,
) -> tuple[Conversation, str, Message]:
    """Opens a conversation with its first message; with `first_line` the bot answers first.
    `verified=False`: the identity came unsigned from outside, so the customer is one of its
    own, never the one who owns that identity (`customers.signing`).

    Replaying the same opening message (same identity and client id) returns the same
    conversation and the same token (derived from `secret`), so a client that lost the
    first answer recovers it, and a late duplicate of the request cannot take the token
    away from the customer who already has it.
    """
    check_client_id(client_id)
    # a secret the customer sent never reaches the database, the events or the logs
    text, secret_kinds = secrets.masked_with_kinds(check_text(text, limit))
    customer = customers.do_identify(
        db,
        channel=channel,
        external_id=identity,
        display_name=name,
        email=email,
        phone=phone,
        verified=verified,
    )
    replay = db.scalar(
        select(Conversation)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(
            Conversation.customer_id == customer.id,
            Message.client_id == client_id,
            Message.seq == 1,
        )
    )
    if replay is not None:
        first = find_by_client_id(db, replay.id, client_id)
        assert first is not None
        return replay, derived_token(secret, replay.id, client_id), first
    now = utcnow()
    conv = Conversation(
        token_hash="",
        customer_id=customer.id,
        channel=channel,
        status=Status.bot if first_line else Status.queued,
        subject=mask_text(text)[:200],
        created_at=now,
        queued_at=None if first_line else now,
    )
    db.add(conv)
    db.flush()
    token = derived_token(secret, conv.id, client_id)
    conv.token_hash = token_hash(token)
    msg, _created = append(
        db,
        conv,
        author_kind=AuthorKind.customer,
        author_id=None,
        client_id=client_id,
        text=text,
        meta=meta,
    )
    publish_conversation(db, conv, "created")
    if secret_kinds:
        _notice_secrets(db, conv, msg, secret_kinds)
    return conv, token, msg


def do_customer_message(
    db: Session,
    conv: Conversation,
    *,
    client_id: str,
    text: str,
    limit: int,
    meta: dict[str, Any] | None = None,
) -> tuple[Message, bool]:
    """A resend is answered with the stored message, even after the conversation closed;
    on the common path the INSERT itself detects the resend (no lookup first)."""
    check_client_id(client_id)
    if conv.status not in OPEN:
        existing = find_by_client_id(db, conv.id, client_id)
        if existing is not None:
            return existing, False
        raise Conflict("This conversation is closed; start a new one", code="conversation_closed")
    text, secret_kinds = secrets.masked_with_kinds(check_text(text, limit))
    msg, created = append(
        db,
        conv,
        author_kind=AuthorKind.customer,
        author_id=None,
        client_id=client_id,
        text=text,
        optimistic=True,
        meta=meta,
    )
    if created and secret_kinds:
        _notice_secrets(db, conv, msg, secret_kinds)
    return msg, created


def _notice_secrets(db: Session, conv: Conversation, msg: Message, kinds: list[str]) -> None:
    """The customer learns, once per kind of secret, that we never ask for them."""
    if secrets_policy.do_note_customer_secrets(db, conv.id, msg.id, kinds):
        system_message(db, conv, secrets.customer_notice(), "secret_notice")


def do_operator_message(
    db: Session,
    conv: Conversation,
    user: User,
    *,
    client_id: str,
    text: str,
    limit: int,
    secret_policy: str = "warn",  # noqa: S107
    confirm_secret_request: bool = False,
) -> tuple[Message, bool]:
    """A message asking the customer for a secret is held (`secret_policy` warn: sent only
    when the operator confirms, and the confirmation is audited) or refused (block)."""
    check_client_id(client_id)
    existing = find_by_client_id(db, conv.id, client_id)
    if existing is not None:
        return existing, False
    text = check_text(text, limit)
    check_can_write(conv, user)
    asked = secrets_policy.check_operator_text(
        text,
        policy=secret_policy,
        confirmed=confirm_secret_request,
        previous=_staff_messages_just_before(db, conv, user),
    )
    msg, created = append(
        db,
        conv,
        author_kind=AuthorKind.operator,
        author_id=user.id,
        client_id=client_id,
        text=text,
        meta={"secret_request_confirmed": asked} if asked else None,
    )
    if created and asked:
        secrets_policy.do_record(
            db,
            secrets_policy.OPERATOR_CONFIRMED,
            conversation_id=conv.id,
            message_id=msg.id,
            user_id=user.id,
            details={"kinds": asked},
        )
    return msg, created


def _staff_messages_just_before(db: Session, conv: Conversation, user: User) -> str:
    """The text of this operator's last messages with nothing from anyone else after them: a
    request split over several messages is read as one."""
    recent = db.scalars(
        select(Message)
        .where(Message.conversation_id == conv.id)
        .order_by(Message.seq.desc())
        .limit(3)
    )
    texts: list[str] = []
    for message in recent:
        if message.author_kind != AuthorKind.operator or message.author_id != user.id:
            break
        texts.append(message.text)
    return " ".join(reversed(texts))


def do_bot_message(
    db: Session, conv: Conversation, text: str, meta: dict[str, Any], reply_to: int
) -> Message:
    """The bot's reply; `reply_to` makes it idempotent when a message is handled twice."""
    if conv.status != Status.bot:
        raise Conflict("The bot no longer holds this conversation", code="not_bot")
    msg, _created = append(
        db,
        conv,
        author_kind=AuthorKind.bot,
        author_id=None,
        client_id=f"bot-{reply_to}",
        text=text,
        meta=meta,
        masked_text=mask_repeated(text),
    )
    if conv.first_bot_reply_at is None:
        conv.first_bot_reply_at = msg.created_at
        db.flush()
    return msg


def do_handoff(db: Session, conv: Conversation, notice: str) -> Conversation:
    """From the bot to the human queue; the customer is told a person is coming."""
    if conv.status != Status.bot:
        return conv
    now = utcnow()
    conv.status = Status.queued
    conv.handed_off_at = now
    conv.queued_at = now
    db.flush()
    system_message(db, conv, notice, "handoff")
    publish_conversation(db, conv, "handed_off", extra=(events.BOT_CHANNEL,))
    return conv


def do_bot_close(db: Session, conv: Conversation, farewell: str, reply_to: int) -> Conversation:
    """The customer confirmed the bot's answer helped: resolved with no human."""
    if conv.status != Status.bot:
        return conv
    do_bot_message(db, conv, farewell, {"kind": "farewell"}, reply_to)
    now = utcnow()
    conv.status = Status.closed
    conv.closed_at = now
    conv.wrapup_done_at = now
    db.flush()
    publish_conversation(db, conv, "closed", extra=(events.BOT_CHANNEL,))
    return conv


def list_bot_pending(db: Session) -> list[tuple[int, int]]:
    """(conversation, last customer message) still waiting for the bot, e.g. after a crash."""
    rows = db.execute(
        select(Conversation.id, func.max(Message.id))
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Conversation.status == Status.bot, Message.author_kind == AuthorKind.customer)
        .group_by(Conversation.id)
    )
    return [(cid, mid) for cid, mid in rows]


def get_message(db: Session, message_id: int) -> Message:
    msg = db.get(Message, message_id)
    if msg is None:
        raise NotFound("Message not found")
    return msg


def do_assign(db: Session, conversation_id: int, user: User) -> Conversation:
    """Atomic: the conditional UPDATE lets exactly one of several racing operators win."""
    now = utcnow()
    result = db.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == Status.queued)
        .values(status=Status.assigned, operator_id=user.id, assigned_at=now)
        # refreshed below; "evaluate" would scan every loaded conversation per call
        .execution_options(synchronize_session=False)
    )
    conv = get_conversation(db, conversation_id)
    if result.rowcount == 0:  # type: ignore[attr-defined]
        db.refresh(conv)
        if conv.operator_id == user.id and conv.status == Status.assigned:
            return conv
        raise Conflict("The conversation has already been taken", code="already_taken")
    db.refresh(conv)
    system_message(
        db,
        conv,
        joined_line(user),
        "joined",
        user.id,
    )
    publish_conversation(db, conv, "assigned", extra=(events.QUEUE_CHANNEL,))
    return conv


def do_close(db: Session, conv: Conversation, user: User) -> Conversation:
    """Closing starts after-contact work (wrap-up); the customer is asked for a rating."""
    if conv.status in (Status.wrapup, Status.closed):
        return conv
    if conv.status == Status.queued:
        # A supervisor may close a queued conversation (spam, duplicate) without taking it.
        if not operators.has_role(user, Role.supervisor):
            raise Conflict("Take the conversation before closing it", code="not_assigned")
        conv.operator_id = conv.operator_id or user.id
    else:
        check_can_write(conv, user)
    conv.status = Status.wrapup
    conv.closed_at = utcnow()
    db.flush()
    system_message(db, conv, _("The conversation is closed. Please rate our help."), "closed")
    publish_conversation(db, conv, "closed", extra=(events.QUEUE_CHANNEL,))
    return conv


def do_wrapup(
    db: Session, conv: Conversation, user: User, *, topic_id: int, note: str = ""
) -> Conversation:
    if conv.status != Status.wrapup:
        raise Conflict("Close the conversation before wrap-up", code="not_in_wrapup")
    if conv.operator_id != user.id and not operators.has_role(user, Role.supervisor):
        raise Forbidden("This conversation is assigned to another operator", code="not_yours")
    topic = get_topic(db, topic_id)
    conv.topic_id = topic.id
    conv.wrapup_note = note.strip()[:2000]
    conv.status = Status.closed
    conv.wrapup_done_at = utcnow()
    db.flush()
    publish_conversation(db, conv, "wrapped_up")
    return conv


def do_rate(db: Session, conv: Conversation, score: int) -> Conversation:
    if not 1 <= score <= 5:
        raise Invalid("Rating must be from 1 to 5", code="invalid_score")
    if conv.status not in (Status.wrapup, Status.closed):
        raise Conflict("A conversation can be rated once it is closed", code="not_closed")
    if conv.csat is not None:
        raise Conflict("This conversation is already rated", code="already_rated")
    conv.csat = score
    conv.csat_at = utcnow()
    db.flush()
    publish_conversation(db, conv, "rated")
    return conv


def do_mark_delivered(db: Session, conv: Conversation, side: Side, seq: int) -> None:
    """Watermarks only move forward; the other side shows its messages as delivered."""
    seq = min(max(seq, 0), conv.last_seq)
    column = (
        Conversation.operator_delivered_seq
        if side == "operator"
        else Conversation.customer_delivered_seq
    )
    result = db.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, column < seq)
        .values({column.key: seq})
    )
    if result.rowcount:  # type: ignore[attr-defined]
        events.publish_on_commit(
            db,
            channels_of(conv),
            Delivered(op=side, id=conv.id, conversation_id=conv.id, seq=seq),
        )


def publish_typing(bus: events.LocalBus, conv: Conversation, side: Side) -> None:
    """Typing marks are ephemeral: nothing is stored, so they go straight to the bus."""
    bus.publish(
        channels_of(conv),
        Typing(op=side, id=conv.id, conversation_id=conv.id),
    )


def progress(db: Session, ids: set[int]) -> dict[int, tuple[int, str]]:
    """(last seq, status) per conversation: what a channel adapter still has to send."""
    if not ids:
        return {}
    rows = db.execute(
        select(Conversation.id, Conversation.last_seq, Conversation.status).where(
            Conversation.id.in_(ids)
        )
    )
    return {cid: (seq, status) for cid, seq, status in rows}


def count_by_status(db: Session) -> dict[str, int]:
    rows = db.execute(select(Conversation.status, func.count()).group_by(Conversation.status))
    return {status: n for status, n in rows}


def reached_operator_at(conv: Conversation, messages: list[Message]) -> datetime | None:
    """When the conversation reached the operator whose first reply the response time
    measures: the «joined» line of the operator who wrote that reply (the latest before
    it). That is the scored operator's own assignment unless a colleague answered first,
    and then the colleague's reply is measured from the colleague's. Not the bot's handoff:
    the queue before it is the contact center's service level, not the operator's doing.
    Without a «joined» line (imported history), `conv.assigned_at`: the first assignment
    (a direct transfer keeps it; a conversation requeued and taken again gets the new one).
    """
    first = next((m for m in messages if m.author_kind == AuthorKind.operator), None)
    if first is None:
        return conv.assigned_at
    joined = [
        m
        for m in messages
        if m.seq < first.seq
        and m.author_kind == AuthorKind.system
        and m.meta.get("kind") == "joined"
    ]
    own = [m for m in joined if m.meta.get("operator_id") == first.author_id]
    found = own or joined
    return found[-1].created_at if found else conv.assigned_at
