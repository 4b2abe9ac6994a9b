"""Conversations: receive, assign, reply, close, wrap up, rate.

Every write is idempotent where a client may retry (a message carries the client's id, so a
resend after a reconnect is stored once), stamps the KPI timestamps as it happens, and
publishes its live event only after commit.
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from wowdesk import events
from wowdesk.conversations import secrets_policy
from wowdesk.conversations.models import AuthorKind, Conversation, Message, Status
from wowdesk.conversations.schemas import ConversationOut, CustomerView, MessageOut
from wowdesk.conversations.topics import get_topic
from wowdesk.customers import service as customers
from wowdesk.db import dialect_insert, utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.i18n import gettext as _
from wowdesk.nlp import secrets
from wowdesk.nlp.pii import mask_text
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.security import derived_token, same, token_hash

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# Control characters other than tab and newlines have no place in chat text; NUL also
# breaks PostgreSQL text columns.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OPEN = (Status.bot, Status.queued, Status.assigned)
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


def access_conversation_by_token(db: Session, conversation_id: int, token: str) -> Conversation:
    """A wrong token looks exactly like a missing conversation: ids cannot be probed."""
    conv = db.get(Conversation, conversation_id)
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
    allowed to (`safety.rawtext`), which is audited."""
    return conv.operator_id == user.id and conv.status in (Status.assigned, Status.wrapup)


def check_can_write(conv: Conversation, user: User) -> None:
    if conv.status not in (Status.assigned,):
        raise Conflict("Take the conversation before replying", code="not_assigned")
    if conv.operator_id != user.id and not operators.has_role(user, Role.supervisor):
        raise Forbidden("This conversation is assigned to another operator", code="not_yours")


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


def conversation_out(db: Session, convs: list[Conversation]) -> list[ConversationOut]:
    """Names are looked up once per batch, through each owning domain's service."""
    cnames = customers.customer_names(db, {c.customer_id for c in convs})
    onames = operators.user_names(db, {c.operator_id for c in convs if c.operator_id})
    out = []
    for c in convs:
        item = ConversationOut.model_validate(c)
        item.customer_name = cnames.get(c.customer_id, "")
        item.operator_name = onames.get(c.operator_id, "") if c.operator_id else ""
        out.append(item)
    return out


def message_out(db: Session, messages: list[Message], *, raw: bool = False) -> list[MessageOut]:
    """Masked unless `raw`: the customer's own chat and the serving operator (`serves`)."""
    names = operators.user_names(db, {m.author_id for m in messages if m.author_id})
    out = []
    for m in messages:
        item = MessageOut.model_validate(m)
        item.author_name = names.get(m.author_id, "") if m.author_id else ""
        if not raw and m.masked_text != m.text:
            item.text = m.masked_text
            item.masked = True
        out.append(item)
    return out


def message_event_for(
    event: dict[str, Any], *, customer: bool = False, user_id: int | None = None
) -> dict[str, Any]:
    """A live message event as one client may see it. On the bus the message carries the
    masked text, the raw words ride beside it (`raw_text`, `served_by`) and leave the
    server only to the customer and to the operator serving the conversation."""
    out = {k: v for k, v in event.items() if k not in ("raw_text", "served_by")}
    raw = event.get("raw_text")
    if raw is not None and (
        customer or (user_id is not None and event.get("served_by") == user_id)
    ):
        out["message"] = {**event["message"], "text": raw, "masked": False}
    return out


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


# --- events ----------------------------------------------------------------------------


def _channels(conv: Conversation) -> list[str]:
    channels = [events.conversation_channel(conv.id)]
    if conv.operator_id:
        channels.append(events.operator_channel(conv.operator_id))
    if conv.status == Status.queued:
        channels.append(events.QUEUE_CHANNEL)
    elif conv.status == Status.bot:
        channels.append(events.BOT_CHANNEL)
    return channels


def _publish_conversation(
    db: Session, conv: Conversation, op: str, extra: tuple[str, ...] = ()
) -> None:
    payload = conversation_out(db, [conv])[0].model_dump(mode="json")
    events.publish_on_commit(
        db,
        [*_channels(conv), *extra],
        {"type": "conversation", "op": op, "id": conv.id, "conversation": payload},
    )


def _publish_message(db: Session, conv: Conversation, msg: Message) -> None:
    """Consumers on the server (the bot, the sockets) get it all; each socket passes it
    through `message_event_for` before a client sees it."""
    payload = message_out(db, [msg])[0].model_dump(mode="json")
    event: dict[str, Any] = {"type": "message", "op": "created", "id": msg.id, "message": payload}
    if payload["masked"]:
        event["raw_text"] = msg.text
        serving = conv.operator_id if conv.status in (Status.assigned, Status.wrapup) else None
        event["served_by"] = serving
    channels = _channels(conv)
    if msg.author_kind == AuthorKind.customer and conv.status == Status.assigned:
        channels.append(events.ASSIST_CHANNEL)  # the operator's suggestions follow it
    events.publish_on_commit(db, channels, event)


# --- writing ---------------------------------------------------------------------------


def _find_by_client_id(db: Session, conv_id: int, client_id: str) -> Message | None:
    return db.scalar(
        select(Message).where(Message.conversation_id == conv_id, Message.client_id == client_id)
    )


# The hot path's statements are built once: building and cache-keying a statement costs
# more than SQLite takes to run it.
_CONVERSATIONS = cast(Table, Conversation.__table__)
_TAKE_SEQ = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("cid"))
    .values(last_seq=_CONVERSATIONS.c.last_seq + 1, last_message_at=bindparam("now"))
    .returning(_CONVERSATIONS.c.last_seq, _CONVERSATIONS.c.operator_id, _CONVERSATIONS.c.status)
)
_GIVE_BACK_SEQ = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("cid"))
    .values(last_seq=bindparam("seq"), last_message_at=bindparam("before"))
)


@functools.cache
def _insert_message_once(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING on (conversation, client_id): a concurrent resend of
    the same message stores nothing and returns no id, with no savepoint to roll back to."""
    table = cast(Table, Message.__table__)
    insert = dialect_insert(dialect)
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["conversation_id", "client_id"])
        .returning(table.c.id)
    )


def _append(
    db: Session,
    conv: Conversation,
    *,
    author_kind: AuthorKind,
    author_id: int | None,
    client_id: str,
    text: str,
    meta: dict[str, Any] | None = None,
    optimistic: bool = False,
    masked_text: str | None = None,
) -> tuple[Message, bool]:
    """The hot path of every chat: Core statements, not ORM flushes (a message costs two
    statements, so one SQLite writer keeps up with hundreds of messages a second).

    The UPDATE … RETURNING on the conversation takes its row lock, so concurrent writers get
    distinct seqs; with `optimistic`, the INSERT itself detects a resend (no lookup first)."""
    if not optimistic:
        existing = _find_by_client_id(db, conv.id, client_id)
        if existing is not None:
            return existing, False
    db.flush()  # pending ORM changes (a new conversation) go before the Core statements
    now = utcnow()
    before = conv.last_message_at
    connection = db.connection()
    taken = connection.execute(_TAKE_SEQ, {"cid": conv.id, "now": now}).one()
    seq = taken.last_seq
    set_committed_value(conv, "last_seq", seq)
    # who holds it is read under the row lock, with the seq: an assignment committed while
    # this writer waited is seen, so the event goes to the operator who holds it now
    set_committed_value(conv, "operator_id", taken.operator_id)
    set_committed_value(conv, "status", Status(taken.status))
    set_committed_value(conv, "last_message_at", now)
    values: dict[str, Any] = {
        "conversation_id": conv.id,
        "seq": seq,
        "client_id": client_id,
        "author_kind": author_kind,
        "author_id": author_id,
        "text": text,
        "masked_text": mask_text(text) if masked_text is None else masked_text,
        "meta": meta or {},
        "created_at": now,
    }
    message_id = connection.scalar(_insert_message_once(connection.dialect.name), values)
    if message_id is None:
        # a resend: give the seq back (this transaction still holds the row lock, so nobody
        # took a later one) and keep seqs gap-free, which lets clients trust them
        connection.execute(_GIVE_BACK_SEQ, {"cid": conv.id, "seq": seq - 1, "before": before})
        set_committed_value(conv, "last_seq", seq - 1)
        set_committed_value(conv, "last_message_at", before)
        existing = _find_by_client_id(db, conv.id, client_id)
        if existing is None:
            raise Conflict("The message could not be stored; send it again")
        return existing, False
    msg = Message(id=message_id, **values)
    make_transient_to_detached(msg)
    db.add(msg)
    if author_kind == AuthorKind.operator and conv.first_human_reply_at is None:
        conv.first_human_reply_at = now
    _publish_message(db, conv, msg)
    return msg, True


def _system_message(
    db: Session,
    conv: Conversation,
    text: str,
    kind: str,
    operator_id: int | None = None,
    *,
    ours: bool = True,
) -> Message:
    """`operator_id` names who joined: the conversation's line of holders stays readable.
    A text that is `ours` (the service's own words and staff names) skips the PII search:
    there is nothing of the customer's in it, and the NER model would cost every routing
    burst a few milliseconds per conversation."""
    meta: dict[str, Any] = {"kind": kind}
    if operator_id is not None:
        meta["operator_id"] = operator_id
    msg, _created = _append(
        db,
        conv,
        author_kind=AuthorKind.system,
        author_id=None,
        client_id=f"sys-{uuid.uuid4().hex}",
        text=text,
        meta=meta,
        masked_text=text if ours else None,
    )
    return msg


def do_system_note(db: Session, conv: Conversation, text: str, kind: str) -> Message:
    """A line from the service itself (queue place, callback booked) in the conversation;
    it may repeat what the customer gave (a phone for the callback), so it is masked."""
    return _system_message(db, conv, text, kind, ours=False)


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
        first = _find_by_client_id(db, replay.id, client_id)
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
    msg, _created = _append(
        db, conv, author_kind=AuthorKind.customer, author_id=None, client_id=client_id, text=text
    )
    _publish_conversation(db, conv, "created")
    if secret_kinds:
        _notice_secrets(db, conv, msg, secret_kinds)
    return conv, token, msg


def do_customer_message(
    db: Session, conv: Conversation, *, client_id: str, text: str, limit: int
) -> tuple[Message, bool]:
    """A resend is answered with the stored message, even after the conversation closed;
    on the common path the INSERT itself detects the resend (no lookup first)."""
    check_client_id(client_id)
    if conv.status not in OPEN:
        existing = _find_by_client_id(db, conv.id, client_id)
        if existing is not None:
            return existing, False
        raise Conflict("This conversation is closed; start a new one", code="conversation_closed")
    text, secret_kinds = secrets.masked_with_kinds(check_text(text, limit))
    msg, created = _append(
        db,
        conv,
        author_kind=AuthorKind.customer,
        author_id=None,
        client_id=client_id,
        text=text,
        optimistic=True,
    )
    if created and secret_kinds:
        _notice_secrets(db, conv, msg, secret_kinds)
    return msg, created


def _notice_secrets(db: Session, conv: Conversation, msg: Message, kinds: list[str]) -> None:
    """The customer learns, once per kind of secret, that we never ask for them."""
    if secrets_policy.do_note_customer_secrets(db, conv.id, msg.id, kinds):
        _system_message(db, conv, secrets.customer_notice(), "secret_notice")


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
    existing = _find_by_client_id(db, conv.id, client_id)
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
    msg, created = _append(
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
    msg, _created = _append(
        db,
        conv,
        author_kind=AuthorKind.bot,
        author_id=None,
        client_id=f"bot-{reply_to}",
        text=text,
        meta=meta,
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
    _system_message(db, conv, notice, "handoff")
    _publish_conversation(db, conv, "handed_off", extra=(events.BOT_CHANNEL,))
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
    _publish_conversation(db, conv, "closed", extra=(events.BOT_CHANNEL,))
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
    _system_message(
        db,
        conv,
        _("Operator {name} joined the conversation", name=user.display_name),
        "joined",
        user.id,
    )
    _publish_conversation(db, conv, "assigned", extra=(events.QUEUE_CHANNEL,))
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
    _system_message(db, conv, _("The conversation is closed. Please rate our help."), "closed")
    _publish_conversation(db, conv, "closed", extra=(events.QUEUE_CHANNEL,))
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
    _publish_conversation(db, conv, "wrapped_up")
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
    _publish_conversation(db, conv, "rated")
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
            _channels(conv),
            {
                "type": "delivered",
                "op": side,
                "id": conv.id,
                "conversation_id": conv.id,
                "seq": seq,
            },
        )


def publish_typing(bus: events.LocalBus, conv: Conversation, side: Side) -> None:
    """Typing marks are ephemeral: nothing is stored, so they go straight to the bus."""
    bus.publish(
        _channels(conv),
        {"type": "typing", "op": side, "id": conv.id, "conversation_id": conv.id},
    )


def count_by_status(db: Session) -> dict[str, int]:
    rows = db.execute(select(Conversation.status, func.count()).group_by(Conversation.status))
    return {status: n for status, n in rows}
