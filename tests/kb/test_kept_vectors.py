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


def test_the_revision_moves_on_every_change_even_a_late_lower_id(db: Session) -> None:
    """Knowledge.search rebuilds only when `revision` moves: a missed move leaves the bot
    answering from an article as it was before an edit."""
    from wowdesk.kb.models import ArticleStatus, ArticleVersion, FusionFit

    seen = [kb.revision(db)]
    article = kb.do_create_article(db, title="Как вернуть товар", body="За 14 дней.", author=None)
    seen.append(kb.revision(db))
    kb.do_set_status(db, article, ArticleStatus.published, author=None)
    seen.append(kb.revision(db))
    kb.do_update_article(db, article, author=None, body="За 30 дней.")
    seen.append(kb.revision(db))
    assert len(set(seen)) == len(seen)
    latest, count, no_refit = seen[-1]
    assert no_refit is None  # nobody refitted the search's fusion
    assert count == seen[0][1] + 3
    # a transaction that took a lower id commits after a higher one: the count still moves
    db.execute(ArticleVersion.__table__.delete().where(ArticleVersion.id == latest - 1))
    before = kb.revision(db)
    db.add(ArticleVersion(id=latest - 1, article_id=article.id, version=99, title="t", body="b",
                          tags=[], questions=[], status="draft", author_name=""))  # fmt: skip
    db.flush()
    assert before == (latest, count - 1, None)
    assert kb.revision(db) == (latest, count, None)
    # a refit of the fusion moves it too: the index takes the weights in force
    db.add(FusionFit(score_weights=[], confidence_weights=[], verdicts=0, named=0,
                     in_use_hit=0.0, learned_hit=0.0, used=False))  # fmt: skip
    db.flush()
    assert kb.revision(db)[:2] == (latest, count) and kb.revision(db)[2] is not None
