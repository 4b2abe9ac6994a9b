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


def test_a_first_build_prepares_articles_in_chunks_and_loses_none(
    db: Session, tmp_path: Path
) -> None:
    """A first build prepares CHUNK articles at a time and encodes their texts together;
    every published article is indexed once, a draft is not, the progress bar sees each."""
    from wowdesk.kb.knowledge import CHUNK

    published = set()
    for n in range(2 * CHUNK + 5):
        article = kb.do_create_article(
            db, title=f"Пункт выдачи {n}", body=f"Заказ хранится {n} дней.", author=None,
            publish=n != 7,
        )  # fmt: skip
        if n != 7:
            published.add(article.id)
    db.flush()
    encoder = CountingEncoder()
    knowledge = Knowledge(Index(encoder, VectorStore(tmp_path / "v.sqlite", encoder, "fake")))
    tracked: list[int] = []

    def track(articles):  # type: ignore[no-untyped-def]
        for article in articles:
            tracked.append(article.id)
            yield article

    assert knowledge.refresh(db, track) == 2 * CHUNK + 5
    assert len(tracked) == 2 * CHUNK + 5 and len(knowledge.index) == 2 * CHUNK + 4
    assert sorted(encoder.seen) == sorted(set(encoder.seen))  # no text encoded twice
    assert {a.doc.article_id for a in knowledge.index._build().articles} == published
