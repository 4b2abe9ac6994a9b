"""REST routes for supervisors' control of the AI and operators' part in it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)


# --- guards: verification helpers and the guards' audit -----------------------------------

from dataclasses import asdict  # noqa: E402
from typing import Annotated  # noqa: E402

from fastapi import Query  # noqa: E402

from wowdesk.conversations import service as conversations  # noqa: E402
from wowdesk.operators.auth import CurrentUser  # noqa: E402
from wowdesk.safety import guards, verification  # noqa: E402
from wowdesk.safety.schemas import (  # noqa: E402
    GuardEventOut,
    PreviousContactOut,
    PurchaseOut,
    VerificationOut,
    VerificationSentOut,
)
from wowdesk.web.deps import DbSession  # noqa: E402

OPERATOR = [Depends(require(Role.operator))]


@staff.get("/conversations/{conversation_id}/verification", dependencies=OPERATOR)
def verification_facts(conversation_id: int, user: CurrentUser, db: DbSession) -> VerificationOut:
    """Facts only the company knows about this customer, and the last confirmation sent."""
    conv = conversations.access_conversation(db, user, conversation_id)
    facts = verification.verification_facts(db, conv)
    return VerificationOut(
        previous_contact=PreviousContactOut(**asdict(facts.previous)) if facts.previous else None,
        last_purchase=PurchaseOut(**asdict(facts.purchase)) if facts.purchase else None,
        registered_address=facts.address,
        last_sent=VerificationSentOut.model_validate(facts.last_sent) if facts.last_sent else None,
    )


@staff.post("/conversations/{conversation_id}/verification", status_code=201, dependencies=OPERATOR)
def send_confirmation(
    conversation_id: int, user: CurrentUser, db: DbSession
) -> VerificationSentOut:
    """Mails the customer a confirmation code through their registered e-mail (409
    `no_registered_channel`, `verification_rate_limited`, `not_assigned`)."""
    conv = conversations.access_conversation(db, user, conversation_id)
    return VerificationSentOut.model_validate(verification.do_send_confirmation(db, conv, user))


@supervisors.get("/guard-events")
def guard_events(
    db: DbSession,
    conversation_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[GuardEventOut]:
    """The guards' audit: requests for secrets sent anyway, secrets hidden, answers stopped."""
    return [
        GuardEventOut.model_validate(e)
        for e in guards.list_events(db, conversation_id=conversation_id, limit=limit)
    ]
