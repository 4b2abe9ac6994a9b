"""Customer 360: everything the operator needs about the person in one panel — identities,
segment and tier, loyalty, orders, other departments' open cases, earlier conversations and,
when the conversation is calm, up to three offers.

Contacts (e-mail, phone, identities that are addresses or numbers) are personal data: only
the roles allowed raw personal data see them in full, everybody else sees them masked.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from wowdesk.bot import service as bot
from wowdesk.bot.triage import risk_flags
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation
from wowdesk.customers import crosssell, links, loyalty, orders, personal_data, service
from wowdesk.customers.schemas import (
    CaseOut,
    EarlierOut,
    IdentityOut,
    LinkProposalOut,
    LoyaltyOut,
    OfferOut,
    ProfileCustomer,
    ProfileOut,
)
from wowdesk.customers.views import RAW_CONTACT_ROLES, order_out, sees_raw_contacts, visible_contact
from wowdesk.errors import Invalid
from wowdesk.i18n import N_, gettext
from wowdesk.operators.models import User

TIERS = {0: N_("standard"), 1: N_("premium"), 2: N_("VIP")}
# triage flags after which an offer would sound tone-deaf, and why the panel stays quiet
QUIET_FLAGS = {
    "negative_emotion": N_("the customer is upset"),
    "legal_threat": N_("the customer threatens legal action"),
    "fraud_security": N_("the customer reports fraud or a security problem"),
    "account_action": N_("the customer asks for a refund, compensation or another action"),
}
PROFILE_ORDERS = 5


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


def _earlier(db: Session, group: list[int], exclude: int | None) -> list[EarlierOut]:
    """Every channel's conversations of the person (all their linked records), newest first."""
    convs = sorted(
        (
            c
            for customer_id in group
            for c in conversations.list_customer_conversations(db, customer_id, exclude_id=exclude)
        ),
        key=lambda c: c.created_at,
        reverse=True,
    )[:20]
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


LINK_REASONS = {
    "same_email": N_("the same e-mail"),
    "same_phone": N_("the same phone number"),
    "verified_phone": N_("a phone number verified by the channel"),
}


def _proposals(db: Session, customer_id: int) -> list[LinkProposalOut]:
    found = links.proposals_for(db, customer_id)
    others = {(p.other_id if p.customer_id == customer_id else p.customer_id) for p in found}
    names = service.customer_names(db, others)
    out = []
    for p in found:
        other = p.other_id if p.customer_id == customer_id else p.customer_id
        out.append(
            LinkProposalOut(
                id=p.id,
                other_id=other,
                other_name=names.get(other, "") or f"#{other}",
                reason=p.reason,
                reason_label=gettext(LINK_REASONS.get(p.reason, p.reason)),
            )
        )
    return out


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
    # the person's records on every channel (confirmed links), shown and audited together
    group = links.group_of(db, customer.id)
    identities = [i for member in group for i in service.list_identities(db, member)]
    contacts = [i.external_id for i in identities]
    if raw and personal_data.shows_contacts(customer.email, customer.phone, contacts):
        personal_data.audit_contacts(
            db, user, customer.id, place="console", conversation_id=conversation_id
        )

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
            since=orders.customer_since(db, customer.id),
        ),
        identities=[
            IdentityOut(
                channel=i.channel, external_id=contact(i.external_id) or "", verified=i.verified
            )
            for i in identities
        ],
        linked_ids=[m for m in group if m != customer.id],
        proposals=_proposals(db, customer.id),
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
        conversations=_earlier(db, group, conv.id if conv else None),
        calm=calm.calm,
        quiet_reasons=calm.reasons,
        offers=[OfferOut(item=o.item, reason=o.reason, confidence=o.confidence) for o in offers],
    )
