"""REST routes for staff accounts and teams (admin), and `me` for any logged-in user."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from wowdesk.operators import service, throttle
from wowdesk.operators.auth import CurrentUser, csrf_token_of, login_session_id, require
from wowdesk.operators.models import Role
from wowdesk.operators.schemas import (
    LoginEventOut,
    MeOut,
    PasswordChangeIn,
    TeamIn,
    TeamOut,
    UserIn,
    UserOut,
    UserPatch,
)
from wowdesk.web.deps import DbSession

staff_router = APIRouter(
    prefix="/api/v1", tags=["users"], dependencies=[Depends(require(Role.operator))]
)
admin_router = APIRouter(
    prefix="/api/v1", tags=["users"], dependencies=[Depends(require(Role.admin))]
)


@staff_router.get("/me")
def me(user: CurrentUser, request: Request) -> MeOut:
    return MeOut(**UserOut.model_validate(user).model_dump(), csrf_token=csrf_token_of(request))


@admin_router.get("/users")
def list_users(db: DbSession) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in service.list_users(db)]


@admin_router.post("/users", status_code=201)
def create_user(body: UserIn, db: DbSession) -> UserOut:
    user = service.do_create_user(db, **body.model_dump())
    return UserOut.model_validate(user)


@staff_router.post("/me/password")
def change_my_password(
    body: PasswordChangeIn, user: CurrentUser, db: DbSession, request: Request
) -> UserOut:
    """Ends the user's other sessions; this one stays."""
    changed = service.do_change_own_password(
        db, user, body.current_password, body.new_password, login_session_id(request)
    )
    return UserOut.model_validate(changed)


@admin_router.patch("/users/{user_id}")
def update_user(
    user_id: int, body: UserPatch, db: DbSession, actor: CurrentUser, request: Request
) -> UserOut:
    user = service.do_update_user(
        db,
        service.get_user(db, user_id),
        **body.model_dump(),
        actor=actor,
        keep_session_id=login_session_id(request) if actor.id == user_id else None,
    )
    return UserOut.model_validate(user)


@admin_router.post("/users/{user_id}/unlock")
def unlock_user(user_id: int, db: DbSession, actor: CurrentUser) -> UserOut:
    """Clears the failed logins of a locked-out account (audited)."""
    user = service.get_user(db, user_id)
    throttle.do_unlock(db, user, actor)
    return UserOut.model_validate(user)


@admin_router.get("/login-events")
def login_events(db: DbSession) -> list[LoginEventOut]:
    """Failed logins, lockouts, refusals while locked and unlocks, newest first."""
    return [LoginEventOut.model_validate(e) for e in throttle.list_events(db)]


@admin_router.get("/teams")
def list_teams(db: DbSession) -> list[TeamOut]:
    return [TeamOut.model_validate(t) for t in service.list_teams(db)]


@admin_router.post("/teams", status_code=201)
def create_team(body: TeamIn, db: DbSession) -> TeamOut:
    return TeamOut.model_validate(service.do_create_team(db, body.name))
