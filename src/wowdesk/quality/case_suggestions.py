"""The assistant suggests from the case library: when a customer writes something close to
what a customer said in a library case, the operator's good answer in that case is offered
in the console, badged «From the case library» and linked to the case.

Assist sits below quality and cannot import it: `register` puts `suggest` in assist's
source registry at start-up (`create_app`, the worker). Similarity is the colleagues'
index of assist (tf-idf over Snowball stems blended with navec sentence vectors) over
(customer words → operator answer) pairs of the shared cases' masked dialogues, rebuilt
when the library changes (a case added, edited, shared or removed). A removed or unshared
case is never suggested: every match is checked against the library as it is now.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.assist import sources
from wowdesk.assist.colleagues import ColleagueIndex, Pair, pairs_of
from wowdesk.conversations.threads import RatedThread
from wowdesk.i18n import gettext
from wowdesk.quality.models import LibraryCase

KEY = "quality.cases"
SOURCE = "case"
MIN_SIMILARITY = 0.45  # as for colleagues' answers
MAX_WHY = 160
MAX_CASES = 5000  # the newest shared cases indexed


@dataclass
class _Built:
    version: tuple[object, ...]
    index: ColleagueIndex


_built: dict[str, _Built] = {}  # per database: tests and tools may hold several
_lock = threading.Lock()


def _version(db: Session) -> tuple[object, ...]:
    row = db.execute(
        select(
            func.count(LibraryCase.id), func.max(LibraryCase.id), func.max(LibraryCase.updated_at)
        ).where(LibraryCase.shared.is_(True))
    ).one()
    return tuple(row)


def case_pairs(case: LibraryCase) -> list[Pair]:
    """The case's (customer words → substantial operator answer) pairs; `conversation_id`
    of a pair carries the case's id."""
    lines = [
        (str(line.get("author", "")), str(line.get("text", "")))
        for line in case.transcript
        if isinstance(line, dict)
    ]
    return pairs_of(RatedThread(case.id, 5, case.updated_at, lines))


def _index(db: Session) -> ColleagueIndex | None:
    version = _version(db)
    if not version[0]:
        return None
    where = str(db.get_bind().engine.url)
    with _lock:
        built = _built.get(where)
        if built is not None and built.version == version:
            return built.index
        cases = db.scalars(
            select(LibraryCase)
            .where(LibraryCase.shared.is_(True))
            .order_by(LibraryCase.id.desc())
            .limit(MAX_CASES)
        )
        index = ColleagueIndex()
        index.add([pair for case in cases for pair in case_pairs(case)])
        _built[where] = _Built(version, index)
        return index


def _why(case: LibraryCase, similarity: float) -> str:
    why = gettext(
        "A similar situation from the library case «{title}» ({percent}% match)",
        title=case.title,
        percent=round(similarity * 100),
    )
    good = " ".join(case.what_good.split())
    if good:
        if len(good) > MAX_WHY:
            good = good[: MAX_WHY - 1].rsplit(" ", 1)[0] + "…"
        why += " · " + gettext("What made it good: {text}", text=good)
    return why


def suggest(db: Session, query: str, k: int = 2) -> list[sources.Found]:
    """Good answers of the shared library cases most similar to the customer's words."""
    index = _index(db)
    if index is None:
        return []
    out: list[sources.Found] = []
    for match in index.search(query, k=k * 2, min_similarity=MIN_SIMILARITY):
        case = db.get(LibraryCase, match.pair.conversation_id)
        if case is None or not case.shared:  # removed meanwhile
            continue
        out.append(
            sources.Found(
                source=SOURCE,
                ref={"case_id": case.id, "url": f"/quality/cases/{case.id}"},
                title=case.title,
                answer=match.pair.answer,
                why=_why(case, match.similarity),
                similarity=match.similarity,
            )
        )
        if len(out) >= k:
            break
    return out


def register() -> None:
    """At start-up (`create_app`, the worker): idempotent, each app registers again."""
    sources.register(KEY, suggest)
