"""The case library: masked dialogues that teach. Confirmed WOW dialogues, a mentor's
picks with the ideal scenario, and an operator's own saved non-standard cases with a
follow-up to learn how they ended.

Search is by stems over the title, tags, profile, what made it good, the ideal scenario
and the dialogue itself (masked), so «должник» finds «клиент-должник в трудной
ситуации». `search_cases` and `get_case` are the API the assistant and training use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.db import utcnow
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.nlp.text import fold, terms
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality.models import LibraryCase

SOURCES = ("wow", "mentor", "operator")
MAX_TAGS = 12
# the tags a contact-center lead starts from; any other may be added
SUGGESTED_TAGS = (
    "клиент-должник в трудной ситуации",
    "сомневается, что звонит банк",
    "премиальная продажа",
    "раздражённый клиент",
    "сложная техническая проблема",
    "возврат и компенсация",
)


def clean_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split()).strip().lower()[:80]
        if tag and tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise Invalid("At most {n} tags", n=MAX_TAGS)
    return out


def _search_text(case: LibraryCase) -> str:
    parts = [case.title, " ".join(case.tags), case.profile, case.what_good, case.ideal_scenario]
    parts += [str(line.get("text", "")) for line in case.transcript]
    return " ".join(sorted(set(terms(" ".join(parts)))))


def masked_transcript(db: Session, conv: Conversation) -> list[dict[str, Any]]:
    return [
        {"seq": m.seq, "author": m.author_kind, "text": m.masked_text}
        for m in conversations.list_messages(db, conv, limit=2000)
        if m.author_kind != "system"
    ]


def do_create_from_conversation(
    db: Session,
    user: User,
    conv: Conversation,
    *,
    source: str,
    title: str,
    tags: list[str] | None = None,
    profile: str = "",
    what_good: str = "",
    ideal_scenario: str = "",
    follow_up_due: date | None = None,
) -> LibraryCase:
    if source not in SOURCES:
        raise Invalid("Unknown case source {source}", source=source)
    title = title.strip()
    if not title:
        raise Invalid("The case needs a title", code="empty_title")
    shared = source != "operator"
    case = LibraryCase(
        conversation_id=conv.id,
        source=source,
        title=title[:300],
        transcript=masked_transcript(db, conv),
        tags=clean_tags(tags or []),
        profile=profile.strip()[:300],
        what_good=what_good.strip()[:4000],
        ideal_scenario=ideal_scenario.strip()[:8000],
        follow_up_due=follow_up_due,
        shared=shared,
        owner_id=user.id,
    )
    case.search_text = _search_text(case)
    db.add(case)
    db.flush()
    return case


def can_edit(user: User, case: LibraryCase) -> bool:
    return case.owner_id == user.id or operators.has_role(user, Role.supervisor)


def access_case(db: Session, user: User, case_id: int) -> LibraryCase:
    """Shared cases for everyone; an operator's own saved case for them and supervisors."""
    case = db.get(LibraryCase, case_id)
    if case is None:
        raise NotFound("Case not found")
    if not case.shared and not can_edit(user, case):
        raise NotFound("Case not found")
    return case


def do_update(
    db: Session,
    user: User,
    case: LibraryCase,
    *,
    title: str | None = None,
    tags: list[str] | None = None,
    profile: str | None = None,
    what_good: str | None = None,
    ideal_scenario: str | None = None,
    follow_up: str | None = None,
    shared: bool | None = None,
) -> LibraryCase:
    """A mentor writes the ideal scenario; an operator writes how their case ended."""
    if not can_edit(user, case):
        raise Forbidden("Only the case's author or a supervisor may edit it")
    if title is not None:
        if not title.strip():
            raise Invalid("The case needs a title", code="empty_title")
        case.title = title.strip()[:300]
    if tags is not None:
        case.tags = clean_tags(tags)
    if profile is not None:
        case.profile = profile.strip()[:300]
    if what_good is not None:
        case.what_good = what_good.strip()[:4000]
    if ideal_scenario is not None:
        case.ideal_scenario = ideal_scenario.strip()[:8000]
    if follow_up is not None:
        case.follow_up = follow_up.strip()[:4000]
    if shared is not None:
        case.shared = shared
    case.search_text = _search_text(case)
    case.updated_at = utcnow()
    db.flush()
    return case


def do_delete(db: Session, user: User, case: LibraryCase) -> None:
    """A supervisor takes a case out of the library: nobody reads it any more and the
    assistant stops suggesting from it."""
    if not operators.has_role(user, Role.supervisor):
        raise Forbidden("Only supervisors remove cases from the library")
    db.delete(case)
    db.flush()


def search_cases(
    db: Session,
    user: User | None,
    query: str = "",
    tag: str = "",
    source: str = "",
    limit: int = 50,
) -> list[LibraryCase]:
    """Cases whose text holds every stem of `query` (shared ones, and the user's own)."""
    stmt = (
        select(LibraryCase)
        .order_by(LibraryCase.created_at.desc(), LibraryCase.id.desc())
        .limit(limit)
    )
    visible: ColumnElement[bool] = LibraryCase.shared.is_(True)
    if user is not None:
        visible = or_(visible, LibraryCase.owner_id == user.id)
    stmt = stmt.where(visible)
    for stem in sorted(set(terms(query)))[:10]:
        stmt = stmt.where(LibraryCase.search_text.contains(stem))
    if source:
        stmt = stmt.where(LibraryCase.source == source)
    cases = list(db.scalars(stmt))
    if tag:
        wanted = fold(tag.strip())
        cases = [c for c in cases if any(fold(t) == wanted for t in c.tags)]
    return cases


def list_mine(db: Session, user: User) -> list[LibraryCase]:
    return list(
        db.scalars(
            select(LibraryCase)
            .where(LibraryCase.owner_id == user.id, LibraryCase.source == "operator")
            .order_by(LibraryCase.created_at.desc())
        )
    )


def due_follow_ups(db: Session, user: User, today: date) -> list[LibraryCase]:
    """The operator's saved cases whose follow-up date came and whose ending is unwritten."""
    return [
        c
        for c in list_mine(db, user)
        if c.follow_up_due and c.follow_up_due <= today and not c.follow_up
    ]


def all_tags(db: Session) -> list[str]:
    seen = set(SUGGESTED_TAGS)
    for tags in db.scalars(
        select(LibraryCase.tags).where(LibraryCase.shared.is_(True)).limit(2000)
    ):
        seen.update(tags or [])
    return sorted(seen)


def check_source(user: User, source: str) -> str:
    """Anyone saves a case for themselves; a case for everyone is a mentor's (supervisor's)."""
    if source == "mentor" and not operators.has_role(user, Role.supervisor):
        raise Forbidden("Only mentors (supervisors) add cases for everyone")
    if source not in ("operator", "mentor"):
        raise Invalid("Unknown case source {source}", source=source)
    return source


def conversation_for(db: Session, user: User, conversation_id: int) -> Conversation:
    return conversations.access_conversation(db, user, conversation_id)
