"""The process's retrieval index over published articles, kept in step with the table.

Every search first asks the table for its revision (one aggregate query): when anything
changed, in this process or another (`wowdesk kb import`, a second app server), the changed
articles are applied before searching. A published article is found by the very next
question, and no restart is ever needed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from wowdesk.kb import service, verdicts
from wowdesk.kb.models import Article, ArticleStatus
from wowdesk.kb.retrieval import Document, Hit, Index

Track = Callable[[Sequence[Article]], Iterable[Article]]

# Transactions may commit out of timestamp order; re-reading a short window behind the
# watermark (and comparing versions) catches the late ones.
OVERLAP = timedelta(minutes=2)
# articles prepared together, their new texts encoded in one call split over the cores
# (`encoder.encode_side_by_side`); few enough that a progress bar moves
CHUNK = 32


class Knowledge:
    def __init__(self, index: Index | None = None) -> None:
        self.index = index if index is not None else Index()  # an empty index is falsy
        self._versions: dict[int, int] = {}
        self._watermark: datetime | None = None
        self._revision: tuple[object, ...] | None = None
        self._lock = threading.Lock()

    def refresh(self, db: Session, track: Track | None = None) -> int:
        """Applies every change since the last refresh; returns how many articles changed.
        `track` wraps the changed articles (a progress bar: a first build encodes them all)."""
        with self._lock:
            since = self._watermark - OVERLAP if self._watermark else None
            names = service.topic_names(db)
            applied = 0
            pending: list[Document] = []
            changed = service.changed_since(db, since)
            for article in track(changed) if track is not None else changed:
                if self._versions.get(article.id) == article.version:
                    continue
                self._versions[article.id] = article.version
                applied += 1
                if article.status == ArticleStatus.published:
                    topic = names.get(article.topic_id) if article.topic_id else None
                    pending.append(
                        Document(
                            article.id,
                            article.title,
                            article.body,
                            topic,
                            tuple(str(q) for q in article.questions or ()),
                        )
                    )
                    if len(pending) >= CHUNK:
                        self.index.replace_many(pending)
                        pending = []
                else:
                    self.index.remove(article.id)
                if self._watermark is None or article.updated_at > self._watermark:
                    self._watermark = article.updated_at
            self.index.replace_many(pending)
            return applied

    def current(self, db: Session) -> Index:
        """The index with every change to the articles and to the fusion applied."""
        revision = service.revision(db)
        if revision != self._revision:
            self.refresh(db)
            self.index.fused = verdicts.fusion_in_force(db)
            self._revision = revision
        return self.index

    def search(self, db: Session, query: str, k: int = 5, topic: str | None = None) -> list[Hit]:
        return self.current(db).search(query, k=k, topic=topic)
