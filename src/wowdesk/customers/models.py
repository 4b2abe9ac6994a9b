"""Customers, their identities on each channel, and what the business knows of them:
orders, open cases in other departments, and the item associations mined from all orders.

Money is stored as whole kopecks in integers: exact sums (no float drift), the same type on
SQLite and PostgreSQL (SQLite has no true DECIMAL), and a plain `SUM()` in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    # 0 standard, 1 premium, 2 VIP: set by an integrator, raises the place in the queue
    tier: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the business's own grouping (e.g. "B2B", "новый", "постоянный"), imported with orders
    segment: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # False: known only by an id nobody signed (customers.signing); never merged with anyone
    verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # set when the customer's personal data was erased on request: the row stays (the
    # conversations' statistics point at it) with no name, contact or identity left
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CustomerIdentity(Base):
    """How a channel knows the customer: a browser id for web chat, an address for mail.
    An unsigned id lives apart from the same id signed: claiming it reaches nobody else."""

    __tablename__ = "customer_identity"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", "verified", name="uq_identity_channel_ext"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CustomerOrder(Base):
    """A purchase as the shop's system knows it; (source, external_id) is its identity, so
    a re-imported export updates orders instead of duplicating them."""

    __tablename__ = "customer_order"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_order_source_ext"),
        Index("ix_customer_order_customer_placed", "customer_id", "placed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(100))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # new | paid | shipped | completed | cancelled | returned
    status: Mapped[str] = mapped_column(String(16), default="completed")
    channel: Mapped[str] = mapped_column(String(32), default="")
    total_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OrderLine(Base):
    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("customer_order.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    sku: Mapped[str] = mapped_column(String(64), default="")
    product: Mapped[str] = mapped_column(String(200))
    # what cross-sell reasons about ("диван", "журнальный стол"); the product when empty
    category: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)


class CustomerCase(Base):
    """An issue the customer has open with another department (delivery, claims, security),
    imported from that department's system so the operator sees it without asking."""

    __tablename__ = "customer_case"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_case_source_ext"),
        Index("ix_customer_case_customer_status", "customer_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    # complaint | request | question | other: a complaint silences cross-sell offers
    kind: Mapped[str] = mapped_column(String(16), default="request")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AssociationRule(Base):
    """ "Who buys the antecedent also buys the consequent" from all orders: pairwise rules
    (one item each side), rebuilt whole by the cross-sell job."""

    __tablename__ = "association_rule"
    __table_args__ = (
        UniqueConstraint("antecedent", "consequent", name="uq_rule_pair"),
        Index("ix_association_rule_antecedent", "antecedent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    antecedent: Mapped[str] = mapped_column(String(200))
    consequent: Mapped[str] = mapped_column(String(200))
    # orders holding both, and the three classic measures over all orders
    pair_count: Mapped[int] = mapped_column(Integer)
    support: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    lift: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CustomerDataAccess(Base):
    """Audit of what was done with one customer's personal data: contacts shown in full,
    an export, an erasure. Customer and user are plain numbers with the login copied, so
    the audit outlives both; it never holds the data itself (an erasure's record names
    who, when and the request's reference only)."""

    __tablename__ = "customer_data_access"
    __table_args__ = (Index("ix_customer_data_access_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="")
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    conversation_id: Mapped[int | None] = mapped_column(Integer)
    # contacts | export | erasure
    action: Mapped[str] = mapped_column(String(16))
    # where it happened (console, api, admin, cli) and the request's reference or reason
    place: Mapped[str] = mapped_column(String(40), default="api")
    reference: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CustomerLink(Base):
    """Two customer records that are one person seen on two channels (a phone caller and a
    Telegram user). `confirmed` when the data proves it (a phone number Telegram verified,
    a confirmed e-mail) or an operator confirmed it; `proposed` while only the contacts
    agree; `rejected` when an operator said they are different people. The pair is stored
    once, lower id first."""

    __tablename__ = "customer_link"
    __table_args__ = (UniqueConstraint("customer_id", "other_id", name="uq_customer_link_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    reason: Mapped[str] = mapped_column(String(32))  # same_phone, same_email, verified_phone…
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
