"""REST routes for supervisors' control of the AI and operators' part in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.safety import broadcasts, rawtext
from wowdesk.safety.schemas import (
    AckOut,
    BroadcastDetail,
    BroadcastIn,
    BroadcastOut,
    RawTextAccessOut,
    RawTextOut,
    RawTextViewOut,
)
from wowdesk.web.deps import AppSettings, DbSession

staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)


# --- broadcasts (part "broadcasts") ------------------------------------------------------

# the staff router carries no role of its own: each staff route here names it
AnyStaff = [Depends(require(Role.operator))]


def _detail(db: DbSession, broadcast_id: int) -> BroadcastDetail:
    acks = broadcasts.acknowledgements(db, broadcast_id)
    return BroadcastDetail(
        broadcast=broadcasts.broadcast_out(db, [acks.broadcast])[0],
        acknowledged=[AckOut(**vars(a)) for a in acks.acknowledged],
        not_acknowledged=[AckOut(**vars(a)) for a in acks.not_acknowledged],
    )


@supervisors.post("/broadcasts", status_code=201)
def send_broadcast(body: BroadcastIn, user: CurrentUser, db: DbSession) -> BroadcastOut:
    """Warns every operator and supervisor, or one team; their consoles show it at once."""
    sent = broadcasts.do_broadcast(
        db, author_id=user.id, text=body.text, team_id=body.team_id, level=body.level
    )
    return broadcasts.broadcast_out(db, [sent])[0]


@supervisors.get("/broadcasts")
def list_broadcasts(
    db: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[BroadcastOut]:
    return broadcasts.broadcast_out(db, broadcasts.list_broadcasts(db, limit))


@staff.get("/broadcasts/pending", dependencies=AnyStaff)
def pending_broadcasts(user: CurrentUser, db: DbSession) -> list[BroadcastOut]:
    """The banners this user has not acknowledged yet."""
    return broadcasts.broadcast_out(db, broadcasts.pending_for(db, user))


@supervisors.get("/broadcasts/{broadcast_id}")
def broadcast_detail(broadcast_id: int, db: DbSession) -> BroadcastDetail:
    """Who has acknowledged (with the time) and who has not."""
    return _detail(db, broadcast_id)


@staff.post("/broadcasts/{broadcast_id}/ack", dependencies=AnyStaff)
def acknowledge(broadcast_id: int, user: CurrentUser, db: DbSession) -> AckOut:
    row = broadcasts.do_acknowledge(db, user, broadcast_id)
    return AckOut(user_id=user.id, name=user.display_name, acknowledged_at=row.acknowledged_at)


@supervisors.post("/broadcasts/{broadcast_id}/close")
def close_broadcast(broadcast_id: int, db: DbSession) -> BroadcastOut:
    return broadcasts.broadcast_out(db, [broadcasts.do_close(db, broadcast_id)])[0]


# --- raw message text (part "broadcasts") ------------------------------------------------


@staff.get("/raw-text/access", dependencies=AnyStaff)
def raw_text_access(user: CurrentUser, settings: AppSettings) -> RawTextAccessOut:
    """Whether this user's role may reveal masked message text (pages show the control)."""
    return RawTextAccessOut(allowed=rawtext.may_see_raw(user.role, settings.raw_text_role_set()))


@staff.get("/messages/{message_id}/raw", dependencies=AnyStaff)
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
