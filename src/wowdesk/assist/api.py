"""REST routes for operator assist: template search and suggestions for the console
(operators), template management (supervisors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from wowdesk.assist import customer_360, service
from wowdesk.assist.indexes import Assistant
from wowdesk.assist.schemas import (
    ChoiceIn,
    ChoiceOut,
    RenderedTemplateOut,
    SuggestionOut,
    SuggestionsOut,
    TemplateIn,
    TemplateOut,
)
from wowdesk.assist.variables import placeholders
from wowdesk.conversations import service as conversations
from wowdesk.conversations.schemas import ConversationOut
from wowdesk.customers import loyalty
from wowdesk.customers.schemas import ProfileOut
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.routing.schemas import EscalateIn, TransferIn

staff = APIRouter(
    prefix="/api/v1/assist", tags=["assist"], dependencies=[Depends(require(Role.operator))]
)
supervisors = APIRouter(
    prefix="/api/v1/assist", tags=["assist"], dependencies=[Depends(require(Role.supervisor))]
)


def _assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


AssistantDep = Annotated[Assistant, Depends(_assistant)]


@staff.get("/templates")
def search_templates(
    user: CurrentUser,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    conversation_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> list[RenderedTemplateOut]:
    """What `/` in the reply box finds, filled in for the conversation when one is given."""
    if conversation_id is not None:
        conversations.access_conversation(db, user, conversation_id)
    out = []
    for t in service.search_templates(db, q, limit):
        if conversation_id is not None:
            rendered = service.render_for(db, t, conversation_id, user)
            text, missing = rendered.text, rendered.missing
        else:
            text, missing = t.text, placeholders(t.text)
        out.append(
            RenderedTemplateOut(
                id=t.id,
                title=t.title,
                category=t.category,
                category_label=service.category_label(t.category),
                text=text,
                missing=missing,
            )
        )
    return out


@staff.get("/conversations/{conversation_id}/suggestions")
def suggestions(
    conversation_id: int, user: CurrentUser, db: DbSession, assistant: AssistantDep
) -> SuggestionsOut:
    """Up to three replies for the customer's latest message, each with its source."""
    log = service.access_suggestions(db, assistant, user, conversation_id)
    if log is None:
        return SuggestionsOut(conversation_id=conversation_id)
    return SuggestionsOut(
        conversation_id=conversation_id,
        log_id=log.id,
        message_id=log.message_id,
        suggestions=[SuggestionOut.model_validate(s) for s in log.suggestions],
    )


@staff.post("/conversations/{conversation_id}/choice")
def choice(conversation_id: int, body: ChoiceIn, user: CurrentUser, db: DbSession) -> ChoiceOut:
    """Reported by the console after a reply is stored: used, edited or ignored."""
    log = service.do_record_choice(db, user, conversation_id, **body.model_dump())
    return ChoiceOut.model_validate(log)


@supervisors.get("/templates/all")
def all_templates(db: DbSession) -> list[TemplateOut]:
    return [TemplateOut.model_validate(t) for t in service.list_templates(db)]


@supervisors.post("/templates", status_code=201)
def create_template(body: TemplateIn, user: CurrentUser, db: DbSession) -> TemplateOut:
    return TemplateOut.model_validate(service.do_create_template(db, user, **body.model_dump()))


@supervisors.put("/templates/{template_id:int}")
def update_template(
    template_id: int, body: TemplateIn, user: CurrentUser, db: DbSession
) -> TemplateOut:
    template = service.get_template(db, template_id)
    return TemplateOut.model_validate(
        service.do_update_template(db, template, user, **body.model_dump())
    )


@supervisors.delete("/templates/{template_id:int}", status_code=204)
def delete_template(template_id: int, db: DbSession) -> Response:
    service.do_delete_template(db, service.get_template(db, template_id))
    return Response(status_code=204)


@supervisors.get("/stats")
def stats(
    db: DbSession, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> dict[str, dict[str, Any]]:
    """Per source: how often operators used, edited or ignored what was suggested."""
    return service.outcome_counts(db, days)


# the 360 panel keeps its address under the customers' API
customers_staff = APIRouter(
    prefix="/api/v1", tags=["customers"], dependencies=[Depends(require(Role.operator))]
)


@customers_staff.get("/customers/{customer_id}/profile")
def customer_profile(
    customer_id: int,
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    conversation_id: Annotated[int | None, Query(ge=1)] = None,
) -> ProfileOut:
    """The console's customer panel; contacts are masked for roles without raw access."""
    return customer_360.profile(
        db,
        user,
        customer_id,
        conversation_id=conversation_id,
        programme=loyalty.Programme.from_settings(settings),
        complaint_topics=settings.complaint_topic_names(),
        raw_roles=settings.raw_text_role_set(),
    )


# transfers and escalations keep their addresses under the conversations' API; each writes
# the card the receiving colleague reads
transfers = APIRouter(
    prefix="/api/v1", tags=["routing"], dependencies=[Depends(require(Role.operator))]
)


@transfers.post("/conversations/{conversation_id}/transfer")
def transfer(
    conversation_id: int, body: TransferIn, user: CurrentUser, db: DbSession
) -> ConversationOut:
    conv = conversations.access_conversation(db, user, conversation_id)
    if body.to_user_id is not None:
        service.do_transfer_to_operator(db, conv, user, body.to_user_id, body.note)
    else:
        service.do_transfer_to_queue(db, conv, user, body.queue or "", body.note)
    return conversations.conversation_out(db, [conv])[0]


@transfers.post("/conversations/{conversation_id}/escalate")
def escalate(
    conversation_id: int, body: EscalateIn, user: CurrentUser, db: DbSession
) -> ConversationOut:
    conv = conversations.access_conversation(db, user, conversation_id)
    service.do_escalate(db, conv, user, body.note)
    return conversations.conversation_out(db, [conv])[0]


routes = Routes(staff=(staff, customers_staff, transfers), supervisors=(supervisors,))
