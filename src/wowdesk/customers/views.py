"""How a customer's contacts and orders are shown to staff. Contacts (e-mail, phone,
identities that are addresses or numbers) are personal data: only the roles allowed raw
personal data see them in full, everybody else sees them masked."""

from __future__ import annotations

import re
from collections.abc import Collection

import phonenumbers

from wowdesk.customers import loyalty
from wowdesk.customers.orders import OrderView
from wowdesk.customers.schemas import (
    OrderLineOut,
    OrderOut,
)
from wowdesk.i18n import N_, gettext
from wowdesk.operators.models import User

# the roles that see contacts in full: WOWDESK_RAW_TEXT_ROLES, as for raw message text


# the roles that see contacts in full: WOWDESK_RAW_TEXT_ROLES, as for raw message text
RAW_CONTACT_ROLES = frozenset({"supervisor", "admin"})


ORDER_STATUSES = {
    "new": N_("new"),
    "paid": N_("paid"),
    "shipped": N_("shipped"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
    "returned": N_("returned"),
}


EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{10,}$")


def sees_raw_contacts(user: User, roles: Collection[str] = RAW_CONTACT_ROLES) -> bool:
    return user.role in roles


def mask_email(email: str) -> str:
    """ivanova@mail.ru → i***@mail.ru: the domain helps («is it your work address?»)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    """+79161234567 → +7 *** ***-45-67: the last four digits, enough to ask about."""
    try:
        number = phonenumbers.parse(phone, "RU")
        digits = str(number.national_number)
        return f"+{number.country_code} *** ***-{digits[-4:-2]}-{digits[-2:]}"
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", phone)
        return f"***-{digits[-4:-2]}-{digits[-2:]}" if len(digits) >= 4 else "***"


def mask_contact(value: str) -> str:
    """Masks what looks like an address or a number; a browser id is nobody's contact."""
    if EMAIL_LIKE.match(value):
        return mask_email(value)
    if PHONE_LIKE.match(value):
        return mask_phone(value)
    return value


def visible_contact(
    user: User, value: str | None, roles: Collection[str] = RAW_CONTACT_ROLES
) -> str | None:
    """The contact as this user may see it (`roles`: the settings' raw-text roles)."""
    return value if not value or sees_raw_contacts(user, roles) else mask_contact(value)


def order_out(view: OrderView) -> OrderOut:
    return OrderOut(
        id=view.id,
        source=view.source,
        order_id=view.external_id,
        placed_at=view.placed_at,
        status=view.status,
        status_label=gettext(ORDER_STATUSES.get(view.status, view.status)),
        channel=view.channel,
        total_kopecks=view.total_kopecks,
        total_text=loyalty.rubles(view.total_kopecks // 100),
        products=view.products,
        lines=[
            OrderLineOut(
                sku=x.sku,
                product=x.product,
                category=x.category,
                quantity=x.quantity,
                price_kopecks=x.price_kopecks,
            )
            for x in view.lines
        ],
    )
