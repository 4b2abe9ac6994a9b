"""Customers: found by their identity on a channel, created on first contact, or matched
by e-mail or phone when another system (the shop's orders) knows them."""

from __future__ import annotations

import re

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wowdesk.customers.models import Customer, CustomerIdentity
from wowdesk.errors import Conflict, Invalid, NotFound


def check_identity(channel: str, external_id: str) -> None:
    if not channel or len(channel) > 32:
        raise Invalid("Channel must be 1-32 characters")
    if not external_id or len(external_id) > 200:
        raise Invalid("Customer identity must be 1-200 characters")


def do_identify(
    db: Session,
    *,
    channel: str,
    external_id: str,
    display_name: str = "",
    email: str | None = None,
    phone: str | None = None,
    verified: bool = True,
) -> Customer:
    """The same person on the same channel is always the same customer, even under races.
    An unverified id (`verified=False`: nobody signed it) is a customer of its own, apart
    from whoever owns the same id verified."""
    check_identity(channel, external_id)
    ident = db.scalar(
        select(CustomerIdentity).where(
            CustomerIdentity.channel == channel,
            CustomerIdentity.external_id == external_id,
            CustomerIdentity.verified == verified,
        )
    )
    if ident is not None:
        customer = db.get(Customer, ident.customer_id)
        assert customer is not None
        if display_name and not customer.display_name:
            customer.display_name = display_name[:200]
        return customer
    customer = Customer(
        display_name=display_name[:200], email=email, phone=phone, verified=verified
    )
    db.add(customer)
    db.flush()
    try:
        with db.begin_nested():
            db.add(
                CustomerIdentity(
                    customer_id=customer.id,
                    channel=channel,
                    external_id=external_id,
                    verified=verified,
                )
            )
            db.flush()
    except IntegrityError:
        db.delete(customer)
        return do_identify(db, channel=channel, external_id=external_id, verified=verified)
    return customer


def get_customer(db: Session, customer_id: int) -> Customer:
    customer = db.get(Customer, customer_id)
    if customer is None:
        raise NotFound("Customer not found")
    return customer


def list_identities(db: Session, customer_id: int) -> list[CustomerIdentity]:
    return list(
        db.scalars(select(CustomerIdentity).where(CustomerIdentity.customer_id == customer_id))
    )


def customer_names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.execute(select(Customer.id, Customer.display_name).where(Customer.id.in_(ids)))
    return {cid: name for cid, name in rows}


def search_customers(db: Session, query: str, limit: int = 50) -> list[Customer]:
    stmt = select(Customer).order_by(Customer.id.desc()).limit(limit)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(
            Customer.display_name.ilike(like)
            | Customer.email.ilike(like)
            | Customer.phone.ilike(like)
        )
    return list(db.scalars(stmt))


def tiers(db: Session, ids: set[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.execute(select(Customer.id, Customer.tier).where(Customer.id.in_(ids)))
    return {cid: tier for cid, tier in rows}


def do_set_contact(
    db: Session, customer_id: int, *, email: str | None = None, phone: str | None = None
) -> Customer:
    """The address the customer gave for an answer by e-mail or a callback."""
    customer = get_customer(db, customer_id)
    if email:
        customer.email = email
    if phone:
        customer.phone = phone
    db.flush()
    return customer


def do_take_given_name(db: Session, customer_id: int, name: str) -> bool:
    """The name a customer gave in a conversation («Меня зовут Ольга»), kept when the record
    has none: a web chat's customer is anonymous, and the inbox, Customer 360 and the
    customer's next conversation then showed «#3007». A name the channel, an integrator
    or an operator gave is never replaced, nor is an erased customer named again."""
    name = name.strip()[:200]
    customer = get_customer(db, customer_id)
    if not name or customer.display_name.strip() or customer.erased_at is not None:
        return False
    customer.display_name = name
    db.flush()
    return True


def do_set_name(db: Session, customer_id: int, name: str) -> Customer:
    """An operator's correction: what the customer is called everywhere from now on."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise Invalid("A customer's name must be 1-200 characters", code="invalid_name")
    customer = get_customer(db, customer_id)
    if customer.erased_at is not None:
        raise Conflict("This customer's data was erased", code="customer_erased")
    customer.display_name = name
    db.flush()
    return customer


def do_set_tier(db: Session, customer_id: int, tier: int) -> Customer:
    if tier not in (0, 1, 2):
        raise Invalid("Tier must be 0 (standard), 1 (premium) or 2 (VIP)", code="invalid_tier")
    customer = get_customer(db, customer_id)
    customer.tier = tier
    db.flush()
    return customer


# --- contacts: one normal form, so an import finds the customer the chat created --------

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(text: str) -> str:
    email = text.strip().lower()
    if len(email) > 320 or not EMAIL.match(email):
        raise Invalid("Not an e-mail address: {value}", code="invalid_email", value=text)
    return email


def normalize_phone(text: str) -> str:
    """E.164 (+79991234567); a Russian number may be written any usual way (8 999 …)."""
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException as exc:
        raise Invalid("Not a phone number: {value}", code="invalid_phone", value=text) from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid("Not a phone number: {value}", code="invalid_phone", value=text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_customer(
    db: Session,
    *,
    channel: str = "",
    external_id: str = "",
    email: str = "",
    phone: str = "",
) -> Customer | None:
    """By identity first (exact), then e-mail, then phone (both already normalised); only
    verified customers: what an unsigned id claimed (its e-mail too) matches nobody."""
    if channel and external_id:
        ident = db.scalar(
            select(CustomerIdentity).where(
                CustomerIdentity.channel == channel,
                CustomerIdentity.external_id == external_id,
                CustomerIdentity.verified.is_(True),
            )
        )
        if ident is not None:
            return db.get(Customer, ident.customer_id)
    if email:
        found = db.scalar(
            select(Customer)
            .where(func.lower(Customer.email) == email, Customer.verified.is_(True))
            .order_by(Customer.id)
            .limit(1)
        )
        if found is not None:
            return found
    if phone:
        return db.scalar(
            select(Customer)
            .where(Customer.phone == phone, Customer.verified.is_(True))
            .order_by(Customer.id)
            .limit(1)
        )
    return None


def do_match_customer(
    db: Session,
    *,
    channel: str = "",
    external_id: str = "",
    email: str = "",
    phone: str = "",
    name: str = "",
    segment: str = "",
) -> tuple[Customer, bool]:
    """The customer another system means, created when nobody matches; what that system
    knows and we do not (an address, the identity, the segment) is added. True if created."""
    customer = find_customer(db, channel=channel, external_id=external_id, email=email, phone=phone)
    created = customer is None
    if customer is None:
        customer = Customer(display_name=name[:200], email=email or None, phone=phone or None)
        db.add(customer)
        db.flush()
    else:
        if name and not customer.display_name:
            customer.display_name = name[:200]
        if email and not customer.email:
            customer.email = email
        if phone and not customer.phone:
            customer.phone = phone
    if segment:
        customer.segment = segment[:64]
    if channel and external_id:
        known = db.scalar(
            select(CustomerIdentity.id).where(
                CustomerIdentity.channel == channel,
                CustomerIdentity.external_id == external_id,
                CustomerIdentity.verified.is_(True),
            )
        )
        if known is None:
            db.add(
                CustomerIdentity(customer_id=customer.id, channel=channel, external_id=external_id)
            )
    db.flush()
    return customer, created
