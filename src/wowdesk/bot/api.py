"""REST routes for the bot: the handoff card and decisions (operators), policies (supervisors)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from wowdesk.bot import service
from wowdesk.bot.schemas import HandoffOut, PolicyIn, PolicyOut, RejectedOut
from wowdesk.conversations import service as conversations
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.web.deps import DbSession

staff = APIRouter(prefix="/api/v1", tags=["bot"], dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(
    prefix="/api/v1/bot", tags=["bot"], dependencies=[Depends(require(Role.supervisor))]
)


@staff.get("/conversations/{conversation_id}/handoff")
def handoff(conversation_id: int, user: CurrentUser, db: DbSession) -> HandoffOut:
    """Why the bot passed the conversation and what the customer already said: in their own
    words for the operator serving it, PII-masked for everyone else."""
    conv = conversations.access_conversation(db, user, conversation_id)
    return service.handoff_out(db, conv.id, raw=conversations.serves(conv, user))


@supervisors.get("/policies")
def policies(db: DbSession) -> list[PolicyOut]:
    return [PolicyOut.model_validate(p) for p in service.list_policies(db)]


@supervisors.put("/policies")
def set_policy(body: PolicyIn, db: DbSession) -> PolicyOut:
    return PolicyOut.model_validate(service.do_set_policy(db, **body.model_dump()))


@supervisors.get("/rejected")
def rejected(db: DbSession) -> list[RejectedOut]:
    """Caught hallucinations: generated answers that were never sent."""
    return [RejectedOut.model_validate(r) for r in service.list_rejected(db)]
