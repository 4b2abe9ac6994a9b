"""REST routes for internal notes (@mentions) and follow-up reminders, for staff."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from wowdesk.conversations import notes, service
from wowdesk.conversations.models import Note
from wowdesk.conversations.schemas import (
    ColleagueOut,
    FollowUpIn,
    FollowUpOut,
    MentionOut,
    NoteIn,
    NoteOut,
)
from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role

staff_router = APIRouter(
    prefix="/api/v1", tags=["notes and reminders"], dependencies=[Depends(require(Role.operator))]
)


def _notes_out(db: DbSession, items: list[Note]) -> list[NoteOut]:
    ids = {n.author_id for n in items} | {m for n in items for m in n.mentions or []}
    names = operators.user_names(db, ids)
    return [
        NoteOut(
            id=n.id,
            conversation_id=n.conversation_id,
            author_id=n.author_id,
            author_name=names.get(n.author_id, ""),
            text=n.text,
            mentions=list(n.mentions or []),
            mention_names=[names.get(m, "") for m in n.mentions or []],
            created_at=n.created_at,
        )
        for n in items
    ]


@staff_router.get("/conversations/{conversation_id}/notes")
def list_notes(conversation_id: int, user: CurrentUser, db: DbSession) -> list[NoteOut]:
    conv = service.access_conversation(db, user, conversation_id)
    return _notes_out(db, notes.list_notes(db, conv))


@staff_router.post("/conversations/{conversation_id}/notes", status_code=201)
def add_note(conversation_id: int, body: NoteIn, user: CurrentUser, db: DbSession) -> NoteOut:
    conv = service.access_conversation(db, user, conversation_id)
    return _notes_out(db, [notes.do_add_note(db, user, conv, body.text)])[0]


@staff_router.get("/me/mentions")
def my_mentions(user: CurrentUser, db: DbSession) -> list[MentionOut]:
    """Colleagues' questions to me not answered in their thread yet."""
    pairs = notes.open_mentions(db, user)
    outs = _notes_out(db, [n for n, _c in pairs])
    views = {c.id: c for c in service.conversation_out(db, [c for _n, c in pairs])}
    return [
        MentionOut(
            note=o,
            conversation_subject=conv.subject,
            customer_name=views[conv.id].customer_name,
        )
        for o, (_n, conv) in zip(outs, pairs, strict=True)
    ]


@staff_router.get("/colleagues")
def colleagues(user: CurrentUser, db: DbSession) -> list[ColleagueOut]:
    """Who can be @mentioned: active staff but oneself."""
    return [
        ColleagueOut(id=u.id, username=u.username, display_name=u.display_name, role=u.role)
        for u in operators.list_users(db)
        if u.is_active and u.id != user.id
    ]


@staff_router.post("/conversations/{conversation_id}/follow-ups", status_code=201)
def add_follow_up(
    conversation_id: int, body: FollowUpIn, user: CurrentUser, db: DbSession
) -> FollowUpOut:
    conv = service.access_conversation(db, user, conversation_id)
    return FollowUpOut.model_validate(
        notes.do_add_follow_up(db, user, conv, body.due_at, body.note)
    )


@staff_router.get("/me/follow-ups")
def my_follow_ups(user: CurrentUser, db: DbSession) -> list[FollowUpOut]:
    return [FollowUpOut.model_validate(f) for f in notes.list_follow_ups(db, user)]


@staff_router.post("/follow-ups/{follow_up_id}/done")
def finish_follow_up(follow_up_id: int, user: CurrentUser, db: DbSession) -> FollowUpOut:
    return FollowUpOut.model_validate(notes.do_finish_follow_up(db, user, follow_up_id))


routes = Routes(staff=(staff_router,))
