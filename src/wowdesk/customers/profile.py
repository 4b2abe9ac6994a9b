"""Customer 360: everything the operator needs about the person in one panel — identities,
segment and tier, loyalty, orders, other departments' open cases, earlier conversations and,
when the conversation is calm, up to three offers.

Contacts (e-mail, phone, identities that are addresses or numbers) are personal data: only
the roles allowed raw personal data see them in full, everybody else sees them masked.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import phonenumbers
from sqlalchemy.orm import Session

from wowdesk.bot import service as bot
from wowdesk.bot.triage import risk_flags
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation
from wowdesk.customers import crosssell, loyalty, orders, service
from wowdesk.customers.orders import OrderView
from wowdesk.customers.schemas import (
    CaseOut,
    EarlierOut,
    IdentityOut,
    LoyaltyOut,
    OfferOut,
    OrderLineOut,
    OrderOut,
    ProfileCustomer,
    ProfileOut,
)
from wowdesk.errors import Invalid
from wowdesk.i18n import N_, gettext
from wowdesk.operators.models import User

# the roles that see contacts in full: WOWDESK_RAW_TEXT_ROLES, as for raw message text
RAW_CONTACT_ROLES = frozenset({"supervisor", "admin"})

TIERS = {0: N_("standard"), 1: N_("premium"), 2: N_("VIP")}
ORDER_STATUSES = {
    "new": N_("new"),
    "paid": N_("paid"),
    "shipped": N_("shipped"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
    "returned": N_("returned"),
}
# triage flags after which an offer would sound tone-deaf, and why the panel stays quiet
QUIET_FLAGS = {
    "negative_emotion": N_("the customer is upset"),
    "legal_threat": N_("the customer threatens legal action"),
    "fraud_security": N_("the customer reports fraud or a security problem"),
    "account_action": N_("the customer asks for a refund, compensation or another action"),
}
PROFILE_ORDERS = 5
EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{10,}$")


# --- personal data ----------------------------------------------------------------------


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


# --- calm -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calm:
    calm: bool
    reasons: list[str]


def calm_of(
    db: Session,
    customer_id: int,
    conv: Conversation | None,
    complaint_topics: Collection[str] = (),
) -> Calm:
    """Offers only in a calm conversation: no upset, threatening or fraud-reporting message
    (the bot's triage flags, and the same patterns over the customer's messages the bot never
    saw), no complaint topic and no complaint open in another department."""
    flags: set[str] = set()
    topic_names: set[str] = set()
    if conv is not None:
        _bot_topic, bot_flags = bot.routing_hints(db, {conv.id}).get(conv.id, ("", []))
        flags.update(bot_flags)
        topic_names.add(_bot_topic)
        for message in conversations.list_messages(db, conv):
            if message.author_kind == "customer":
                flags.update(f.code for f in risk_flags(message.text))
        if conv.topic_id is not None:
            topic_names.add(topics.get_topic(db, conv.topic_id).name)
    reasons = [gettext(label) for code, label in QUIET_FLAGS.items() if code in flags]
    wanted = {t.casefold() for t in complaint_topics}
    if any(t.casefold() in wanted for t in topic_names if t):
        reasons.append(gettext("the conversation is a complaint"))
    if any(c.kind == "complaint" for c in orders.list_cases(db, customer_id)):
        reasons.append(gettext("a complaint is open in another department"))
    return Calm(not reasons, reasons)


# --- the panel --------------------------------------------------------------------------


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


def _earlier(db: Session, customer_id: int, exclude: int | None) -> list[EarlierOut]:
    convs = conversations.list_customer_conversations(db, customer_id, exclude_id=exclude)
    names = {t.id: t.name for t in topics.list_topics(db)}
    return [
        EarlierOut(
            id=c.id,
            created_at=c.created_at,
            channel=c.channel,
            status=c.status,
            subject=c.subject,
            topic=names.get(c.topic_id, "") if c.topic_id else "",
            csat=c.csat,
            operator_name=c.operator_name,
        )
        for c in conversations.conversation_out(db, convs)
    ]


def profile(
    db: Session,
    user: User,
    customer_id: int,
    *,
    conversation_id: int | None = None,
    programme: loyalty.Programme | None = None,
    complaint_topics: Collection[str] = (),
    raw_roles: Collection[str] = RAW_CONTACT_ROLES,
) -> ProfileOut:
    customer = service.get_customer(db, customer_id)
    conv = None
    if conversation_id is not None:
        conv = conversations.access_conversation(db, user, conversation_id)
        if conv.customer_id != customer.id:
            raise Invalid("The conversation is not this customer's", code="other_customer")
    raw = sees_raw_contacts(user, raw_roles)

    def contact(value: str | None) -> str | None:
        return visible_contact(user, value, raw_roles)

    state = loyalty.loyalty_of(db, customer.id, programme)
    count, total = orders.order_stats(db, customer.id)
    calm = calm_of(db, customer.id, conv, complaint_topics)
    offers = crosssell.offers_for(db, customer.id) if calm.calm else []
    return ProfileOut(
        customer=ProfileCustomer(
            id=customer.id,
            display_name=customer.display_name,
            segment=customer.segment,
            tier=customer.tier,
            tier_label=gettext(TIERS.get(customer.tier, TIERS[0])),
            email=contact(customer.email),
            phone=contact(customer.phone),
            contacts_masked=not raw,
            verified=customer.verified,
            created_at=customer.created_at,
        ),
        identities=[
            IdentityOut(
                channel=i.channel, external_id=contact(i.external_id) or "", verified=i.verified
            )
            for i in service.list_identities(db, customer.id)
        ],
        loyalty=LoyaltyOut(
            total_rub=state.total_rub,
            threshold_rub=state.threshold_rub,
            percent=state.percent,
            remaining_rub=state.remaining_rub,
            reached=state.reached,
            label=loyalty.label(state),
        ),
        orders=[order_out(v) for v in orders.list_orders(db, customer.id, PROFILE_ORDERS)],
        orders_count=count,
        orders_total_text=loyalty.rubles(total // 100),
        cases=[
            CaseOut(
                id=c.id,
                source=c.source,
                case_id=c.external_id,
                department=c.department,
                title=c.title,
                kind=c.kind,
                status=c.status,
                opened_at=c.opened_at,
            )
            for c in orders.list_cases(db, customer.id)
        ],
        conversations=_earlier(db, customer.id, conv.id if conv else None),
        calm=calm.calm,
        quiet_reasons=calm.reasons,
        offers=[OfferOut(item=o.item, reason=o.reason, confidence=o.confidence) for o in offers],
    )
