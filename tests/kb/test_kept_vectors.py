"""The knowledge base's index over the database, with its vectors kept between restarts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tests.nlp.test_vector_store import CountingEncoder
from wowdesk.kb import service as kb
from wowdesk.kb.knowledge import Knowledge
from wowdesk.kb.retrieval import Index
from wowdesk.nlp.vector_store import VectorStore


def test_the_index_it_is_given_is_the_one_it_uses() -> None:
    """An empty index is falsy: `index or Index()` threw away the configured encoder and
    store and built a default one."""
    index = Index(CountingEncoder())
    assert Knowledge(index).index is index


def test_a_restarted_process_encodes_only_the_question(db: Session, tmp_path: Path) -> None:
    for title, body in [
        ("Сколько хранится заказ", "Заказ хранится в пункте выдачи 7 дней."),
        ("Как вернуть товар", "Вернуть товар можно в течение 14 дней."),
    ]:
        kb.do_create_article(db, title=title, body=body, author=None, publish=True)
    db.flush()
    path = tmp_path / "vectors.sqlite"
    first = CountingEncoder()
    Knowledge(Index(first, VectorStore(path, first, "fake"))).search(db, "вернуть товар")
    assert len(first.seen) > 2
    again = CountingEncoder()
    hits = Knowledge(Index(again, VectorStore(path, again, "fake"))).search(db, "вернуть товар")
    assert hits and all("вернуть товар" in text.lower() for text in again.seen)
