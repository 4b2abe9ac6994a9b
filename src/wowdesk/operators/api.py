"""REST routes for staff accounts and teams (admin), and `me` for any logged-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from wowdesk.http.deps import DbSession, csrf_token_of
from wowdesk.http.routes import Routes
from wowdesk.operators import broadcasts, service, throttle
from wowdesk.operators.auth import CurrentUser, login_session_id, require
from wowdesk.operators.models import Role
from wowdesk.operators.schemas import (
    AckOut,
    BroadcastDetail,
    BroadcastIn,
    BroadcastOut,
    LoginEventOut,
    MeOut,
    PasswordChangeIn,
    TeamIn,
    TeamOut,
    UserIn,
    UserOut,
    UserPatch,
)

staff = APIRouter(prefix="/api/v1", tags=["users"], dependencies=[Depends(require(Role.operator))])
admin = APIRouter(prefix="/api/v1", tags=["users"], dependencies=[Depends(require(Role.admin))])


@staff.get("/me")
def me(user: CurrentUser, request: Request) -> MeOut:
    return MeOut(**UserOut.model_validate(user).model_dump(), csrf_token=csrf_token_of(request))


@admin.get("/users")
def list_users(db: DbSession) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in service.list_users(db)]


@admin.post("/users", status_code=201)
def create_user(body: UserIn, db: DbSession) -> UserOut:
    user = service.do_create_user(db, **body.model_dump())
    return UserOut.model_validate(user)


@staff.post("/me/password")
def change_my_password(
    body: PasswordChangeIn, user: CurrentUser, db: DbSession, request: Request
) -> UserOut:
    """Ends the user's other sessions; this one stays."""
    changed = service.do_change_own_password(
        db, user, body.current_password, body.new_password, login_session_id(request)
    )
    return UserOut.model_validate(changed)


@admin.patch("/users/{user_id}")
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


@admin.post("/users/{user_id}/unlock")
def unlock_user(user_id: int, db: DbSession, actor: CurrentUser) -> UserOut:
    """Clears the failed logins of a locked-out account (audited)."""
    user = service.get_user(db, user_id)
    throttle.do_unlock(db, user, actor)
    return UserOut.model_validate(user)


@admin.get("/login-events")
def login_events(db: DbSession) -> list[LoginEventOut]:
    """Failed logins, lockouts, refusals while locked and unlocks, newest first."""
    return [LoginEventOut.model_validate(e) for e in throttle.list_events(db)]


@admin.get("/teams")
def list_teams(db: DbSession) -> list[TeamOut]:
    return [TeamOut.model_validate(t) for t in service.list_teams(db)]


@admin.post("/teams", status_code=201)
def create_team(body: TeamIn, db: DbSession) -> TeamOut:
    return TeamOut.model_validate(service.do_create_team(db, body.name))


# broadcasts: warnings to every operator or a team, with acknowledgements
broadcast_staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
broadcast_supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)

# the staff router carries no role of its own: each staff route here names it
AnyStaff = [Depends(require(Role.operator))]


def _detail(db: DbSession, broadcast_id: int) -> BroadcastDetail:
    acks = broadcasts.acknowledgements(db, broadcast_id)
    return BroadcastDetail(
        broadcast=broadcasts.broadcast_out(db, [acks.broadcast])[0],
        acknowledged=[AckOut(**vars(a)) for a in acks.acknowledged],
        not_acknowledged=[AckOut(**vars(a)) for a in acks.not_acknowledged],
    )


@broadcast_supervisors.post("/broadcasts", status_code=201)
def send_broadcast(body: BroadcastIn, user: CurrentUser, db: DbSession) -> BroadcastOut:
    """Warns every operator and supervisor, or one team; their consoles show it at once."""
    sent = broadcasts.do_broadcast(
        db, author_id=user.id, text=body.text, team_id=body.team_id, level=body.level
    )
    return broadcasts.broadcast_out(db, [sent])[0]


@broadcast_supervisors.get("/broadcasts")
def list_broadcasts(
    db: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[BroadcastOut]:
    return broadcasts.broadcast_out(db, broadcasts.list_broadcasts(db, limit))


@broadcast_staff.get("/broadcasts/pending", dependencies=AnyStaff)
def pending_broadcasts(user: CurrentUser, db: DbSession) -> list[BroadcastOut]:
    """The banners this user has not acknowledged yet."""
    return broadcasts.broadcast_out(db, broadcasts.pending_for(db, user))


@broadcast_supervisors.get("/broadcasts/{broadcast_id}")
def broadcast_detail(broadcast_id: int, db: DbSession) -> BroadcastDetail:
    """Who has acknowledged (with the time) and who has not."""
    return _detail(db, broadcast_id)


@broadcast_staff.post("/broadcasts/{broadcast_id}/ack", dependencies=AnyStaff)
def acknowledge(broadcast_id: int, user: CurrentUser, db: DbSession) -> AckOut:
    row = broadcasts.do_acknowledge(db, user, broadcast_id)
    return AckOut(user_id=user.id, name=user.display_name, acknowledged_at=row.acknowledged_at)


@broadcast_supervisors.post("/broadcasts/{broadcast_id}/close")
def close_broadcast(broadcast_id: int, db: DbSession) -> BroadcastOut:
    return broadcasts.broadcast_out(db, [broadcasts.do_close(db, broadcast_id)])[0]


routes = Routes(
    staff=(staff, broadcast_staff), supervisors=(broadcast_supervisors,), admin=(admin,)
)
