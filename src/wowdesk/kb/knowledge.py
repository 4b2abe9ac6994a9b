"""The process's retrieval index over published articles, kept in step with the table.

Publishing in this process marks the index dirty (an event after commit); articles changed by
another process (`wowdesk kb import`, a second app server) are picked up by a cheap check on
the next search at most REFRESH_SECONDS later. Either way, no restart is needed.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from wowdesk.kb import service
from wowdesk.kb.models import ArticleStatus
from wowdesk.kb.retrieval import Document, Hit, Index

REFRESH_SECONDS = 2.0
# Transactions may commit out of timestamp order; re-reading a short window behind the
# watermark (and comparing versions) catches the late ones.
OVERLAP = timedelta(minutes=2)


class Knowledge:
    def __init__(self, index: Index | None = None) -> None:
        self.index = index or Index()
        self._versions: dict[int, int] = {}
        self._watermark: datetime | None = None
        self._checked = 0.0
        self._dirty = True
        self._lock = threading.Lock()

    def mark_dirty(self) -> None:
        self._dirty = True

    def refresh(self, db: Session) -> int:
        """Applies every change since the last refresh; returns how many articles changed."""
        with self._lock:
            since = self._watermark - OVERLAP if self._watermark else None
            names = service.topic_names(db)
            applied = 0
            for article in service.changed_since(db, since):
                if self._versions.get(article.id) == article.version:
                    continue
                self._versions[article.id] = article.version
                applied += 1
                if article.status == ArticleStatus.published:
                    topic = names.get(article.topic_id) if article.topic_id else None
                    self.index.replace(Document(article.id, article.title, article.body, topic))
                else:
                    self.index.remove(article.id)
                if self._watermark is None or article.updated_at > self._watermark:
                    self._watermark = article.updated_at
            self._dirty = False
            self._checked = time.monotonic()
            return applied

    def search(self, db: Session, query: str, k: int = 5, topic: str | None = None) -> list[Hit]:
        if self._dirty or time.monotonic() - self._checked > REFRESH_SECONDS:
            self.refresh(db)
        return self.index.search(query, k=k, topic=topic)
