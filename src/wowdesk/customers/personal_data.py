"""One customer's personal data over its life: the audit of every look at it, the export
for an access request, the erasure on request and the expiry of silent customers' contacts.

Only the customers' own tables are touched here; what other domains hold about the
customer (messages, mails, tickets, screenshots) each domain erases itself, and the
`privacy` package calls them all in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from wowdesk.customers import links, service, views
from wowdesk.customers.models import (
    Customer,
    CustomerCase,
    CustomerDataAccess,
    CustomerIdentity,
    CustomerLink,
    CustomerOrder,
    OrderLine,
)
from wowdesk.db import utcnow
from wowdesk.errors import Invalid
from wowdesk.operators.models import User

ACTIONS = ("contacts", "export", "erasure")
MAX_REFERENCE = 200


def check_reference(reference: str) -> str:
    """The request's reference (a ticket number, a letter's date) must be given for an
    erasure: the audit has to show on what ground the data went."""
    reference = reference.strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise Invalid("Give the request's reference (1-200 characters)", code="reference_required")
    return reference


def record_access(
    db: Session,
    *,
    customer_id: int,
    action: str,
    user_id: int | None,
    username: str,
    role: str = "",
    place: str = "api",
    reference: str = "",
    conversation_id: int | None = None,
) -> CustomerDataAccess:
    assert action in ACTIONS, action
    row = CustomerDataAccess(
        user_id=user_id,
        username=username[:64],
        role=role[:16],
        customer_id=customer_id,
        conversation_id=conversation_id,
        action=action,
        place=place[:40],
        reference=reference[:MAX_REFERENCE],
        created_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return row


def matches(column: Any, query: str) -> ColumnElement[bool]:
    """Case-insensitive where the database can: SQLite's lower() folds ASCII only, so the
    query as typed matches too (Cyrillic in the case it was written)."""
    found: ColumnElement[bool] = column.like(f"%{query}%") | func.lower(column).like(
        f"%{query.lower()}%"
    )
    return found


def shows_contacts(email: str | None, phone: str | None, identities: list[str]) -> bool:
    """Whether a view in full would show a contact (a browser id is nobody's contact)."""
    return bool(email or phone) or any(views.mask_contact(i) != i for i in identities)


def audit_contacts(
    db: Session, user: User, customer_id: int, *, place: str, conversation_id: int | None = None
) -> None:
    """A look at a customer's contacts in full goes into the personal-data audit."""
    record_access(
        db,
        customer_id=customer_id,
        action="contacts",
        user_id=user.id,
        username=user.username,
        role=user.role,
        place=place,
        conversation_id=conversation_id,
    )


def list_access(
    db: Session,
    *,
    query: str = "",
    customer_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[CustomerDataAccess]:
    """The audit, newest first; `query` matches the login, action, place or reference."""
    stmt = select(CustomerDataAccess).order_by(CustomerDataAccess.id.desc()).limit(limit)
    if query:
        stmt = stmt.where(
            or_(
                *(
                    matches(column, query)
                    for column in (
                        CustomerDataAccess.username,
                        CustomerDataAccess.action,
                        CustomerDataAccess.place,
                        CustomerDataAccess.reference,
                    )
                )
            )
        )
    if customer_id is not None:
        stmt = stmt.where(CustomerDataAccess.customer_id == customer_id)
    if since is not None:
        stmt = stmt.where(CustomerDataAccess.created_at >= since)
    if until is not None:
        stmt = stmt.where(CustomerDataAccess.created_at < until)
    return list(db.scalars(stmt))


def do_expire_access_audit(db: Session, before: datetime, *, dry_run: bool = False) -> int:
    """Audit records older than the retention period go."""
    where = CustomerDataAccess.created_at < before
    count = db.scalar(select(func.count()).select_from(CustomerDataAccess).where(where)) or 0
    if count and not dry_run:
        db.execute(delete(CustomerDataAccess).where(where))
    return int(count)


def export_customer(db: Session, customer_id: int) -> dict[str, Any]:
    """Everything the customers' tables hold about the person, as plain JSON values."""
    customer = service.get_customer(db, customer_id)
    orders = list(
        db.scalars(
            select(CustomerOrder)
            .where(CustomerOrder.customer_id == customer_id)
            .order_by(CustomerOrder.placed_at)
        )
    )
    lines: dict[int, list[OrderLine]] = {}
    if orders:
        for line in db.scalars(
            select(OrderLine)
            .where(OrderLine.order_id.in_([o.id for o in orders]))
            .order_by(OrderLine.order_id, OrderLine.position)
        ):
            lines.setdefault(line.order_id, []).append(line)
    cases = db.scalars(
        select(CustomerCase)
        .where(CustomerCase.customer_id == customer_id)
        .order_by(CustomerCase.opened_at)
    )
    return {
        "customer": {
            "id": customer.id,
            "display_name": customer.display_name,
            "email": customer.email,
            "phone": customer.phone,
            "tier": customer.tier,
            "segment": customer.segment,
            "created_at": customer.created_at.isoformat(),
            "erased_at": customer.erased_at.isoformat() if customer.erased_at else None,
        },
        "identities": [
            {
                "channel": i.channel,
                "external_id": i.external_id,
                "verified": i.verified,
                "created_at": i.created_at.isoformat(),
            }
            for i in service.list_identities(db, customer_id)
        ],
        "links": export_links(db, customer_id),
        "orders": [
            {
                "source": o.source,
                "order_id": o.external_id,
                "placed_at": o.placed_at.isoformat(),
                "status": o.status,
                "channel": o.channel,
                "total_kopecks": o.total_kopecks,
                "lines": [
                    {
                        "sku": x.sku,
                        "product": x.product,
                        "category": x.category,
                        "quantity": x.quantity,
                        "price_kopecks": x.price_kopecks,
                    }
                    for x in lines.get(o.id, [])
                ],
            }
            for o in orders
        ],
        "cases": [
            {
                "source": c.source,
                "case_id": c.external_id,
                "department": c.department,
                "title": c.title,
                "kind": c.kind,
                "status": c.status,
                "opened_at": c.opened_at.isoformat(),
            }
            for c in cases
        ],
    }


def person_ids(db: Session, customer_id: int) -> list[int]:
    """The records of one person: the customer and every record confirmed as the same
    person on another channel (an erasure or an export is of the person, not of one
    channel's record). Merely proposed links are not proof and are not followed."""
    return sorted(set(links.group_of(db, customer_id)) | {customer_id})


def export_links(db: Session, customer_id: int) -> list[dict[str, Any]]:
    return [
        {
            "customer_id": link.customer_id,
            "other_id": link.other_id,
            "status": link.status,
            "reason": link.reason,
            "created_at": link.created_at.isoformat(),
        }
        for link in db.scalars(
            select(CustomerLink)
            .where(
                or_(CustomerLink.customer_id == customer_id, CustomerLink.other_id == customer_id)
            )
            .order_by(CustomerLink.id)
        )
    ]


def do_erase(db: Session, customer_id: int) -> Customer:
    """Name, contacts, segment, identities, links to other records (proposed, confirmed or
    rejected: each says "this is the same person as that") and other departments' case
    titles go; the row
    stays (conversations' statistics point at it) and orders stay as anonymous sales (the
    shop's accounting keeps them; the link to a person is what is erased). Erasing twice
    is harmless."""
    customer = service.get_customer(db, customer_id)
    customer.display_name = ""
    customer.email = None
    customer.phone = None
    customer.segment = ""
    if customer.erased_at is None:
        customer.erased_at = utcnow()
    db.execute(delete(CustomerIdentity).where(CustomerIdentity.customer_id == customer_id))
    db.execute(delete(CustomerCase).where(CustomerCase.customer_id == customer_id))
    db.execute(
        delete(CustomerLink).where(
            or_(CustomerLink.customer_id == customer_id, CustomerLink.other_id == customer_id)
        )
    )
    db.flush()
    return customer


def with_contacts_created_before(db: Session, before: datetime) -> list[int]:
    """Customers not yet erased, created before `before`, who still hold a contact or an
    identity: the candidates for contact retention (the caller checks their last contact)."""
    has_identity = select(CustomerIdentity.customer_id).where(
        CustomerIdentity.customer_id == Customer.id
    )
    return list(
        db.scalars(
            select(Customer.id)
            .where(
                Customer.erased_at.is_(None),
                Customer.created_at < before,
                or_(
                    Customer.email.is_not(None),
                    Customer.phone.is_not(None),
                    Customer.display_name != "",
                    has_identity.exists(),
                ),
            )
            .order_by(Customer.id)
        )
    )
