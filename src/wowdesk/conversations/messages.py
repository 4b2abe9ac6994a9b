"""The message store: each message appended once (a resend stores nothing) with the next
gap-free seq of its conversation, and the events that tell every client, after commit. The
hot path of every chat, so its statements are Core and built once."""

from __future__ import annotations

import functools
import uuid
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from wowdesk import events, telemetry
from wowdesk.conversations.models import AuthorKind, Conversation, Message, Status
from wowdesk.conversations.schemas import (
    ConversationChanged,
    ConversationOut,
    MessageCreated,
    MessageOut,
)
from wowdesk.customers import service as customers
from wowdesk.db import dialect_insert, utcnow
from wowdesk.errors import Conflict
from wowdesk.i18n import gettext as _
from wowdesk.nlp.gender import gender_of
from wowdesk.nlp.pii import mask_text
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.models import User

# The hot path's statements are built once: building and cache-keying a statement costs
# more than SQLite takes to run it.
_CONVERSATIONS = cast(Table, Conversation.__table__)
_TAKE_SEQ = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("cid"))
    .values(last_seq=_CONVERSATIONS.c.last_seq + 1, last_message_at=bindparam("now"))
    .returning(
        _CONVERSATIONS.c.last_seq,
        _CONVERSATIONS.c.operator_id,
        _CONVERSATIONS.c.status,
        presence.watching(_CONVERSATIONS.c.operator_id, _CONVERSATIONS.c.id).label("watched"),
    )
)


def conversation_out(db: Session, convs: list[Conversation]) -> list[ConversationOut]:
    """Names are looked up once per batch, through each owning domain's service."""
    cnames = customers.customer_names(db, {c.customer_id for c in convs})
    onames = operators.user_names(db, {c.operator_id for c in convs if c.operator_id})
    out = []
    for c in convs:
        item = ConversationOut.model_validate(c)
        item.customer_name = cnames.get(c.customer_id, "")
        item.customer_gender = gender_of(item.customer_name) or ""
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
        if m.meta and "attachment" in m.meta:  # a file sent through a channel
            item.attachment = m.meta["attachment"]
            item.attachments = m.meta.get("attachments") or [m.meta["attachment"]]
        if not raw and m.masked_text != m.text:
            item.text = m.masked_text
            item.masked = True
        out.append(item)
    return out


def channels_of(conv: Conversation) -> list[str]:
    channels = [events.conversation_channel(conv.id)]
    if conv.operator_id:
        channels.append(events.operator_channel(conv.operator_id))
    if conv.status == Status.queued:
        channels.append(events.QUEUE_CHANNEL)
    elif conv.status == Status.bot:
        channels.append(events.BOT_CHANNEL)
    return channels


def publish_conversation(
    db: Session, conv: Conversation, op: str, extra: tuple[str, ...] = ()
) -> None:
    payload = conversation_out(db, [conv])[0].model_dump(mode="json")
    events.publish_on_commit(
        db,
        [*channels_of(conv), *extra],
        ConversationChanged(op=op, id=conv.id, conversation=payload),
    )


def publish_message(db: Session, conv: Conversation, msg: Message, *, watched: bool) -> None:
    """The masked copy travels (through Redis too, in distributed mode); a socket of the
    customer or of `served_by` reads the raw words through `raw_text_of`. `watched`: the
    holder's console shows this conversation (read with the seq, under its row lock)."""
    payload = message_out(db, [msg])[0].model_dump(mode="json")
    serving = conv.operator_id if conv.status in (Status.assigned, Status.wrapup) else None
    event = MessageCreated(id=msg.id, message=payload, served_by=serving)
    channels = channels_of(conv)
    if msg.author_kind == AuthorKind.customer and conv.status == Status.assigned and watched:
        # suggestions follow the conversation the holder's console shows (the others' are
        # computed when opened), not a job per customer message
        channels.append(events.ASSIST_CHANNEL)
    events.publish_on_commit(db, channels, event)


def find_by_client_id(db: Session, conv_id: int, client_id: str) -> Message | None:
    return db.scalar(
        select(Message).where(Message.conversation_id == conv_id, Message.client_id == client_id)
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


def append(
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
        existing = find_by_client_id(db, conv.id, client_id)
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
        existing = find_by_client_id(db, conv.id, client_id)
        if existing is None:
            raise Conflict("The message could not be stored; send it again")
        return existing, False
    msg = Message(id=message_id, **values)
    make_transient_to_detached(msg)
    db.add(msg)
    if author_kind == AuthorKind.operator and conv.first_human_reply_at is None:
        conv.first_human_reply_at = now
    telemetry.MESSAGES.labels(str(author_kind)).inc()
    publish_message(db, conv, msg, watched=bool(taken.watched))
    return msg, True


def joined_line(user: User) -> str:
    """«Оператор Анна подключилась»: the verb agrees with the operator's gender (stated in
    the profile, else read from the first name); unknown keeps the masculine default."""
    if gender_of(user.display_name, user.gender) == "f":
        return _("Operator {name} joined the conversation [f]", name=user.display_name)
    return _("Operator {name} joined the conversation", name=user.display_name)


def system_message(
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
    msg, _created = append(
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
