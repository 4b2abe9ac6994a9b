"""The supervisor's bot page: per-topic thresholds, recent decisions with their reasons,
and the generated answers the grounding check stopped."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.bot import service
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.errors import WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.http.forms import form_error
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators import service as operators
from wowdesk.operators.auth import require
from wowdesk.operators.models import Role

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


def _page(request: Request, db: DbSession, status_code: int = 200, **ctx: object) -> Response:
    policies = {p.topic: p for p in service.list_policies(db)}
    rejected = service.list_rejected(db, 20)
    decisions = service.recent_decisions(db)
    viewer = getattr(request.state, "viewer", None)
    roles = request.app.state.settings.raw_text_role_set()
    return render(
        request,
        "bot/supervisor.html",
        status_code=status_code,
        topics=[t.name for t in topics.list_topics(db)],
        policies=policies,
        default=service.Policy(),
        decisions=decisions,
        asked=conversations.masked_texts(db, [d.message_id for d in decisions]),
        rejected=rejected,
        questions=service.rejected_questions(db, rejected),
        raw_allowed=viewer is not None and operators.may_see_raw(viewer.role, roles),
        rejected_count=service.count_rejected(db),
        label=service.reason_label,
        **ctx,
    )


@supervisors.get("/bot")
def bot_page(request: Request, db: DbSession, saved: int = 0) -> Response:
    return _page(request, db, saved=bool(saved))


@supervisors.post("/bot/policies")
def save_policy(
    request: Request,
    db: DbSession,
    topic: Annotated[str, Form(max_length=100)],
    min_topic_confidence: Annotated[float, Form()],
    min_retrieval_confidence: Annotated[float, Form()],
    bot_allowed: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.do_set_policy(
            db,
            topic,
            bot_allowed=bool(bot_allowed),
            min_topic_confidence=min_topic_confidence,
            min_retrieval_confidence=min_retrieval_confidence,
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return RedirectResponse("/bot?saved=1", status_code=303)


routes = Routes(supervisors=(supervisors,))
