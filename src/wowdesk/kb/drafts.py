"""The drafts queue of /kb (`/kb?view=drafts`): draft articles waiting for a supervisor to
edit and publish, each with where it came from when a layer above made it (quality mines
drafts from the questions the bot passed to people: their size and source conversations).

kb sits below quality and cannot import it: a layer registers a `DraftSource` here at
start-up (`register`, called by `create_app`) that tells, for draft article ids, where each
came from, and optionally an action that makes more drafts (mining, on its own page).
Without a registration the queue still lists the draft articles, with no provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from wowdesk.kb import service
from wowdesk.kb.models import Article, ArticleStatus

MAX_QUEUE = 200


@dataclass(frozen=True)
class Provenance:
    article_id: int
    origin: str  # where the draft came from, translated: «Knowledge gaps»
    size: int  # the questions behind it
    conversation_ids: list[int] = field(default_factory=list)
    conversation_url: str = ""  # "/quality/conversations/{id}": where a source is read
    question: str = ""  # the most representative question
    made_at: datetime | None = None


@dataclass(frozen=True)
class Action:
    """A form on the queue that makes more drafts: POST to `url` (a route of the layer)."""

    url: str
    label: str  # a msgid: translated when shown


DraftSource = Callable[[Session, list[int]], list[Provenance]]


@dataclass(frozen=True)
class _Registered:
    source: DraftSource
    action: Action | None


_sources: dict[str, _Registered] = {}


def register(key: str, source: DraftSource, action: Action | None = None) -> None:
    """Idempotent by key: every `create_app` registers again."""
    _sources[key] = _Registered(source, action)


def unregister(key: str) -> None:
    _sources.pop(key, None)


def registered() -> list[str]:
    return sorted(_sources)


def actions() -> list[Action]:
    return [r.action for _key, r in sorted(_sources.items()) if r.action is not None]


@dataclass(frozen=True)
class QueuedDraft:
    article: Article
    provenance: Provenance | None = None

    @property
    def size(self) -> int:
        return self.provenance.size if self.provenance else 0


def queue(db: Session, limit: int = MAX_QUEUE) -> list[QueuedDraft]:
    """Draft articles, those with the most questions behind them first, then the newest."""
    articles = service.list_articles(db, status=ArticleStatus.draft, limit=limit)
    ids = [a.id for a in articles]
    known: dict[int, Provenance] = {}
    for registered_source in list(_sources.values()):
        for p in registered_source.source(db, ids) if ids else []:
            known.setdefault(p.article_id, p)
    drafts = [QueuedDraft(a, known.get(a.id)) for a in articles]
    # list_articles gives the newest first; a stable sort keeps that order among equals
    return sorted(drafts, key=lambda d: -d.size)
