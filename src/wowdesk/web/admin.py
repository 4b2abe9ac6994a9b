"""The admin page: staff accounts, teams and topics, as plain forms (POST, then redirect)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.conversations import topics
from wowdesk.errors import WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.http.forms import form_error
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, login_session_id, require
from wowdesk.operators.models import Role

admin = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.admin))])


def _page(request: Request, db: DbSession, status_code: int = 200, **ctx: object) -> Response:
    return render(
        request,
        "admin/admin.html",
        status_code=status_code,
        users=operators.list_users(db),
        teams=operators.list_teams(db),
        topics=topics.list_topics(db),
        roles=[r.value for r in Role],
        **ctx,
    )


@admin.get("/admin")
def admin_page(request: Request, db: DbSession, done: str = "") -> Response:
    return _page(request, db, done=done)


def _after(action: str) -> RedirectResponse:
    return RedirectResponse(f"/admin?done={action}", status_code=303)


@admin.post("/admin/users")
def add_user(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=120)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=256)],
    team_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        operators.do_create_user(
            db,
            username=username.strip(),
            display_name=display_name,
            role=role,
            password=password,
            team_id=int(team_id) if team_id.isdigit() else None,
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return _after("user")


@admin.post("/admin/users/{user_id}")
def edit_user(
    request: Request,
    user_id: int,
    db: DbSession,
    actor: CurrentUser,
    role: Annotated[str, Form()],
    team_id: Annotated[str, Form()] = "",
    is_active: Annotated[str, Form()] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        operators.do_update_user(
            db,
            operators.get_user(db, user_id),
            role=role,
            team_id=int(team_id) if team_id.isdigit() else 0,
            is_active=bool(is_active),
            password=password or None,
            actor=actor,
            keep_session_id=login_session_id(request) if actor.id == user_id else None,
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return _after("user")


@admin.post("/admin/teams")
def add_team(
    request: Request, db: DbSession, name: Annotated[str, Form(max_length=100)]
) -> Response:
    try:
        operators.do_create_team(db, name)
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return _after("team")


@admin.post("/admin/topics")
def add_topic(
    request: Request, db: DbSession, name: Annotated[str, Form(max_length=100)]
) -> Response:
    try:
        topics.do_create_topic(db, name)
    except WowdeskError as exc:
        return form_error(db, exc, partial(_page, request, db))
    return _after("topic")


routes = Routes(admin=(admin,))
