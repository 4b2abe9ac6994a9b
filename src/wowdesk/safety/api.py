"""REST routes for supervisors' control of the AI and operators' part in it."""

from __future__ import annotations

import functools
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from wowdesk.conversations import secrets_policy
from wowdesk.conversations import service as conversations
from wowdesk.db import run_unit
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.i18n import N_
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require, require_briefly
from wowdesk.operators.models import Role, User
from wowdesk.safety import code_delivery, verification
from wowdesk.safety import service as rawtext
from wowdesk.safety.schemas import (
    GuardEventOut,
    PreviousContactOut,
    PurchaseOut,
    RawTextAccessOut,
    RawTextOut,
    RawTextViewOut,
    VerificationOut,
    VerificationSentOut,
)

staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)


# the staff router carries no role of its own: each staff route here names it
STAFF = [Depends(require(Role.operator))]


# --- raw message text -------------------------------------------------------------------


@staff.get("/raw-text/access", dependencies=STAFF)
def raw_text_access(user: CurrentUser, settings: AppSettings) -> RawTextAccessOut:
    """Whether this user's role may reveal masked message text (pages show the control)."""
    return RawTextAccessOut(allowed=operators.may_see_raw(user.role, settings.raw_text_role_set()))


@staff.get("/messages/{message_id}/raw", dependencies=STAFF)
def raw_text(
    message_id: int,
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    place: Annotated[str, Query(max_length=40)] = "api",
    reason: Annotated[str, Query(max_length=500)] = "",
) -> RawTextOut:
    """A message as written, for roles in WOWDESK_RAW_TEXT_ROLES; every call is audited."""
    return rawtext.do_view_raw_text(
        db, user, message_id, roles=settings.raw_text_role_set(), place=place, reason=reason
    )


@supervisors.get("/raw-text/views")
def raw_text_views(
    db: DbSession,
    user_id: int | None = None,
    conversation_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[RawTextViewOut]:
    """The audit of raw-text views, newest first."""
    views = rawtext.list_views(db, user_id=user_id, conversation_id=conversation_id, limit=limit)
    return [RawTextViewOut.model_validate(v) for v in views]


# --- guards: verification helpers and the guards' audit -----------------------------------


@staff.get("/conversations/{conversation_id}/verification", dependencies=STAFF)
def verification_facts(
    conversation_id: int, user: CurrentUser, db: DbSession, settings: AppSettings
) -> VerificationOut:
    """Facts only the company knows about this customer, and the last confirmation sent."""
    conv = conversations.access_conversation(db, user, conversation_id)
    facts = verification.verification_facts(db, conv)
    phone = code_delivery.target(db, conv.customer_id, "sms") if settings.sms_webhook_url else ""
    return VerificationOut(
        sms_address=code_delivery.mask_phone(phone) if phone else "",
        push=bool(settings.push_webhook_url and code_delivery.target(db, conv.customer_id, "push")),
        previous_contact=PreviousContactOut(**asdict(facts.previous)) if facts.previous else None,
        last_purchase=PurchaseOut(**asdict(facts.purchase)) if facts.purchase else None,
        registered_address=facts.address,
        last_sent=VerificationSentOut.model_validate(facts.last_sent) if facts.last_sent else None,
    )


@staff.post("/conversations/{conversation_id}/verification", status_code=201, dependencies=STAFF)
def send_confirmation(
    conversation_id: int, user: CurrentUser, db: DbSession
) -> VerificationSentOut:
    """Mails the customer a confirmation code through their registered e-mail (409
    `no_registered_channel`, `verification_rate_limited`, `not_assigned`)."""
    conv = conversations.access_conversation(db, user, conversation_id)
    return VerificationSentOut.model_validate(verification.do_send_confirmation(db, conv, user))


@staff.post(
    "/conversations/{conversation_id}/verification/{channel}", status_code=201, responses={502: {}}
)
async def send_confirmation_by(
    conversation_id: int,
    channel: Literal["sms", "push"],
    request: Request,
    user: Annotated[User, Depends(require_briefly(Role.operator))],
    settings: AppSettings,
) -> VerificationSentOut:
    """The code by SMS or push through the provider's webhook (409 `no_provider`,
    `no_registered_channel`, `verification_rate_limited`; 502 when the provider refused)."""
    state = request.app.state
    url = settings.sms_webhook_url if channel == "sms" else settings.push_webhook_url
    prepare = functools.partial(
        code_delivery.prepare, conversation_id=conversation_id, user=user, channel=channel, url=url
    )
    pending = await run_unit(state.sessionmaker, state.db_executor, prepare)
    error = await run_in_threadpool(code_delivery.post, pending, settings.provider_timeout_seconds)
    record = functools.partial(code_delivery.do_record, pending=pending, error=error)
    row = await run_unit(state.sessionmaker, state.db_executor, record)
    if row is None:
        raise code_delivery.NotDelivered(
            N_("The provider did not take the code: {error}"), error=error
        )
    return VerificationSentOut.model_validate(row)


@supervisors.get("/guard-events")
def guard_events(
    db: DbSession,
    conversation_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[GuardEventOut]:
    """The guards' audit: requests for secrets sent anyway, secrets hidden, answers stopped."""
    return [
        GuardEventOut.model_validate(e)
        for e in secrets_policy.list_events(db, conversation_id=conversation_id, limit=limit)
    ]


routes = Routes(staff=(staff,), supervisors=(supervisors,))
