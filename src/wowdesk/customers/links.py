"""One person across channels: links between customer records.

A link is made `confirmed` only on proof (a phone number Telegram verified for the user who
shares it, an operator's confirmation); records whose contacts merely agree (the same
e-mail in a chat form and on a mail, the same number on a call and in an order) are
`proposed` and wait for an operator, because a contact typed by someone is not proof that
they own it. Nothing is merged: each channel keeps its record, and the 360 panel and the
history read the whole confirmed group."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from wowdesk.customers.models import Customer, CustomerIdentity, CustomerLink
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, NotFound

PROPOSED, CONFIRMED, REJECTED = "proposed", "confirmed", "rejected"
MAX_GROUP = 50


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _find(db: Session, a: int, b: int) -> CustomerLink | None:
    low, high = _pair(a, b)
    return db.scalar(
        select(CustomerLink).where(CustomerLink.customer_id == low, CustomerLink.other_id == high)
    )


def do_propose(db: Session, a: int, b: int, reason: str) -> CustomerLink | None:
    """Idempotent; a pair already decided stays as it was decided."""
    if a == b:
        return None
    link = _find(db, a, b)
    if link is None:
        low, high = _pair(a, b)
        link = CustomerLink(customer_id=low, other_id=high, status=PROPOSED, reason=reason)
        db.add(link)
        db.flush()
    return link


def do_link(db: Session, a: int, b: int, reason: str) -> CustomerLink | None:
    """Proven by the data: confirmed at once (even a proposal an operator has not seen)."""
    link = do_propose(db, a, b, reason)
    if link is not None and link.status == PROPOSED:
        link.status, link.reason, link.decided_at = CONFIRMED, reason, utcnow()
        db.flush()
    return link


def do_decide(db: Session, link_id: int, user_id: int, *, confirm: bool) -> CustomerLink:
    link = db.get(CustomerLink, link_id)
    if link is None:
        raise NotFound("Link not found")
    if link.status != PROPOSED:
        raise Conflict("This link is already decided", code="link_decided")
    link.status = CONFIRMED if confirm else REJECTED
    link.decided_by, link.decided_at = user_id, utcnow()
    db.flush()
    return link


def group_of(db: Session, customer_id: int) -> list[int]:
    """The customer and everyone confirmed to be the same person (links are transitive)."""
    seen, todo = {customer_id}, [customer_id]
    while todo and len(seen) < MAX_GROUP:
        current = todo.pop()
        rows = db.execute(
            select(CustomerLink.customer_id, CustomerLink.other_id).where(
                CustomerLink.status == CONFIRMED,
                or_(CustomerLink.customer_id == current, CustomerLink.other_id == current),
            )
        )
        for a, b in rows:
            for other in (a, b):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
    return sorted(seen)


def proposals_for(db: Session, customer_id: int) -> list[CustomerLink]:
    return list(
        db.scalars(
            select(CustomerLink)
            .where(
                CustomerLink.status == PROPOSED,
                or_(CustomerLink.customer_id == customer_id, CustomerLink.other_id == customer_id),
            )
            .order_by(CustomerLink.id)
        )
    )


def do_propose_by_contacts(db: Session, customer_id: int) -> list[CustomerLink]:
    """Other records with the same e-mail or phone as this one: proposals."""
    me = db.get(Customer, customer_id)
    if me is None:
        return []
    found: list[CustomerLink] = []
    if me.email:
        for other in db.scalars(
            select(Customer.id).where(
                func.lower(Customer.email) == me.email.lower(), Customer.id != me.id
            )
        ):
            if (link := do_propose(db, me.id, other, "same_email")) is not None:
                found.append(link)
    if me.phone:
        for other in db.scalars(
            select(Customer.id).where(Customer.phone == me.phone, Customer.id != me.id)
        ):
            if (link := do_propose(db, me.id, other, "same_phone")) is not None:
                found.append(link)
    return found


def do_link_verified_phone(db: Session, customer_id: int, phone: str) -> list[CustomerLink]:
    """A phone number the channel verified for this customer (Telegram's shared contact):
    a record that called from that number (the phone network's caller id) is the same
    person; a record where the number was only typed in is proposed."""
    me = db.get(Customer, customer_id)
    if me is None:
        return []
    if not me.phone:
        me.phone = phone
    callers = set(
        db.scalars(
            select(CustomerIdentity.customer_id).where(
                CustomerIdentity.channel == "phone", CustomerIdentity.external_id == phone
            )
        )
    )
    found = []
    for other in db.scalars(
        select(Customer.id).where(Customer.phone == phone, Customer.id != me.id)
    ):
        if other in callers:
            link = do_link(db, me.id, other, "verified_phone")
        else:
            link = do_propose(db, me.id, other, "same_phone")
        if link is not None:
            found.append(link)
    db.flush()
    return found
