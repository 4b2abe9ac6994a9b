"""The supervisors' page for reply templates: by category, with variables and a preview,
and how operators used what the assistant suggested."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.assist import service
from wowdesk.assist.models import Category, Template
from wowdesk.assist.variables import VARIABLES, render_template
from wowdesk.errors import WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.http.forms import form_error
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.i18n import N_, gettext
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])

# how a preview fills the variables: a made-up customer, so supervisors see the phrase whole
SAMPLE = {
    "customer.first_name": "Мария",
    "customer.name": "Мария Кузнецова",
    "operator.first_name": "Анна",
    "operator.name": "Анна Смирнова",
    "conversation.id": "1024",
    "conversation.topic": "Доставка и пункты выдачи",
    "loyalty.total": "95\u00a0000\u00a0₽",
    "loyalty.threshold": "100\u00a0000\u00a0₽",
    "loyalty.remaining": "5\u00a0000\u00a0₽",
    "loyalty.percent": "2,5\u00a0%",
}

SOURCES = {
    "kb": N_("Knowledge base"),
    "template": N_("Template"),
    "colleague": N_("Colleague's answer"),
    "case": N_("From the case library"),
    "none": N_("Own reply"),
}


def _page(
    request: Request,
    db: DbSession,
    editing: Template | None,
    status_code: int = 200,
    **ctx: object,
) -> Response:
    templates = service.list_templates(db)
    return render(
        request,
        "assist/templates.html",
        status_code=status_code,
        groups=[
            (c.value, service.category_label(c), [t for t in templates if t.category == c])
            for c in Category
        ],
        categories=[(c.value, service.category_label(c)) for c in Category],
        variables=[(name, gettext(meaning)) for name, meaning in VARIABLES.items()],
        editing=editing,
        preview=render_template(editing.text, SAMPLE).text if editing else "",
        stats=[(gettext(SOURCES.get(k, k)), v) for k, v in service.outcome_counts(db).items()],
        **ctx,
    )


@supervisors.get("/assist/templates")
def templates_page(request: Request, db: DbSession, saved: int = 0) -> Response:
    return _page(request, db, None, saved=bool(saved))


@supervisors.get("/assist/templates/{template_id}")
def template_page(request: Request, template_id: int, db: DbSession, saved: int = 0) -> Response:
    return _page(request, db, service.get_template(db, template_id), saved=bool(saved))


def _error(request: Request, db: DbSession, exc: WowdeskError, template_id: int | None) -> Response:
    db.rollback()  # before reading the template again
    editing = service.get_template(db, template_id) if template_id else None
    return form_error(db, exc, partial(_page, request, db, editing))


@supervisors.post("/assist/templates")
def create_template(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    title: Annotated[str, Form(max_length=200)],
    category: Annotated[str, Form(max_length=32)],
    text: Annotated[str, Form(max_length=4000)],
    language: Annotated[str, Form(max_length=8)] = "ru",
) -> Response:
    try:
        template = service.do_create_template(
            db, user, title=title, category=category, text=text, language=language
        )
    except WowdeskError as exc:
        return _error(request, db, exc, None)
    return RedirectResponse(f"/assist/templates/{template.id}?saved=1", status_code=303)


@supervisors.post("/assist/templates/{template_id}")
def update_template(
    request: Request,
    template_id: int,
    user: CurrentUser,
    db: DbSession,
    title: Annotated[str, Form(max_length=200)],
    category: Annotated[str, Form(max_length=32)],
    text: Annotated[str, Form(max_length=4000)],
    language: Annotated[str, Form(max_length=8)] = "ru",
    active: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.do_update_template(
            db,
            service.get_template(db, template_id),
            user,
            title=title,
            category=category,
            text=text,
            language=language,
            active=bool(active),
        )
    except WowdeskError as exc:
        return _error(request, db, exc, template_id)
    return RedirectResponse(f"/assist/templates/{template_id}?saved=1", status_code=303)


@supervisors.post("/assist/templates/{template_id}/delete")
def delete_template(template_id: int, db: DbSession) -> Response:
    service.do_delete_template(db, service.get_template(db, template_id))
    return RedirectResponse("/assist/templates?saved=1", status_code=303)


routes = Routes(supervisors=(supervisors,))
