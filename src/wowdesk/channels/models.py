"""The channels' own tables: calls imported, Telegram chats and their delivery marks,
inbound mail and its threads, mailboxes' read marks, attachments customers sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class CallRecord(Base):
    """A phone call imported from a telephony or speech-recognition system. `call_id` is
    that system's id: importing the same call again finds this row instead of a second
    conversation. The timestamps are the telephony system's; the conversation holds them
    too, where the KPIs read them."""

    __tablename__ = "call_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(100), unique=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    caller: Mapped[str] = mapped_column(String(32))
    operator_login: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acw_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recording_url: Mapped[str] = mapped_column(String(1000), default="")
    # lines of the customer reading out identification data, masked whole
    identification_lines: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TelegramConversation(Base):
    """A conversation held with a Telegram chat, and how far its messages were sent there.
    `sent_seq` only moves forward after Telegram accepted a message; `lease_until` lets one
    process at a time send a conversation's messages, so none goes out twice."""

    __tablename__ = "telegram_conversation"
    __table_args__ = (Index("ix_telegram_conversation_chat", "chat_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    sent_seq: Mapped[int] = mapped_column(Integer, default=0)
    # still has messages to send or may get more; off once closed and all sent
    active: Mapped[bool] = mapped_column(default=True, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TelegramUpdate(Base):
    """Updates already handled: Telegram redelivers a webhook call it saw fail, and a
    restarted poller may fetch an update twice; each is stored once."""

    __tablename__ = "telegram_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Attachment(Base):
    """A photo or document a customer sent through a channel: checked by size and by its
    own first bytes, stored under the var dir with a random name, served to staff only."""

    __tablename__ = "channel_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # photo | document
    content_type: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class InboundMail(Base):
    """Every mail read from a mailbox, by its Message-ID: read twice (a mailbox re-synced,
    two processes polling), it is stored once; the thread of later mails is found here."""

    __tablename__ = "inbound_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    sender: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(16), default="message")  # or auto_reply, bounce
    mailbox: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MailThread(Base):
    """A conversation held by e-mail: where answers go, the subject and the Message-IDs
    they must refer to (so the customer's mail program threads them), and how far the
    operators' messages were put in the outbox."""

    __tablename__ = "mail_thread"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300), default="")
    last_message_id: Mapped[str] = mapped_column(String(300), default="")
    references: Mapped[str] = mapped_column(Text, default="")
    mailed_seq: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)


class MailboxState(Base):
    """How far a mailbox was read: the UIDs above `last_uid` are new while the server's
    UIDVALIDITY stays the same (when it changes, every mail is looked at again and the
    Message-IDs keep them from being stored twice)."""

    __tablename__ = "mailbox_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(300), unique=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, default=0)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
