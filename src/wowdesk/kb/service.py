"""Knowledge-base articles: every edit is a new version; only published text reaches the bot."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations import topics
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Invalid, NotFound, WowdeskError
from wowdesk.i18n import gettext
from wowdesk.kb.models import Article, ArticleStatus, ArticleVersion, FusionFit
from wowdesk.kb.schemas import ArticleChanged
from wowdesk.operators.models import User

KB_CHANNEL = "kb"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f h ts ch sh sch - y - e yu ya".split(),  # noqa: SIM905
        strict=True,
    )
)


def slugify(title: str) -> str:
    """Readable latin slugs from Russian titles; a hash suffix keeps them unique enough."""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in title.lower())
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "article"
    digest = hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:6]
    return f"{text}-{digest}"


def check_article(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise Invalid("Title must not be empty")
    if not body:
        raise Invalid("Article text must not be empty")
    if len(title) > 300:
        raise Invalid("Title is too long")
    return title, body


def _clean_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))[:30]


MAX_QUESTIONS = 20
MAX_QUESTION = 300


def clean_questions(questions: list[str]) -> list[str]:
    """Example questions: trimmed, each once, at most 20 of at most 300 characters."""
    out = list(dict.fromkeys(" ".join(q.split()) for q in questions if q.strip()))
    if len(out) > MAX_QUESTIONS or any(len(q) > MAX_QUESTION for q in out):
        raise Invalid("At most 20 example questions of at most 300 characters each")
    return out


def _snapshot(db: Session, article: Article, author: User | None) -> None:
    db.add(
        ArticleVersion(
            article_id=article.id,
            version=article.version,
            title=article.title,
            body=article.body,
            topic_id=article.topic_id,
            tags=article.tags,
            questions=article.questions,
            status=article.status,
            author_id=author.id if author else None,
            author_name=author.display_name if author else "",
        )
    )


def _changed(db: Session, article: Article, op: str) -> None:
    events.publish_on_commit(db, [KB_CHANNEL], ArticleChanged(op=op, id=article.id))


def get_article(db: Session, article_id: int) -> Article:
    article = db.get(Article, article_id)
    if article is None:
        raise NotFound("Article not found")
    return article


def get_published(db: Session, article_id: int) -> Article:
    article = db.get(Article, article_id)
    if article is None or article.status != ArticleStatus.published:
        raise NotFound("Article not found")
    return article


def find_by_slug(db: Session, slug: str) -> Article | None:
    return db.scalar(select(Article).where(Article.slug == slug))


def do_create_article(
    db: Session,
    *,
    title: str,
    body: str,
    author: User | None,
    topic_id: int | None = None,
    tags: list[str] | None = None,
    slug: str | None = None,
    publish: bool = False,
    questions: list[str] | None = None,
) -> Article:
    title, body = check_article(title, body)
    if topic_id is not None:
        topics.get_topic(db, topic_id)
    slug = slug or slugify(title)
    if not SLUG.match(slug):
        raise Invalid("Slug must be latin letters, digits and dashes")
    if find_by_slug(db, slug) is not None:
        raise Conflict("An article with the slug {slug} already exists", slug=slug)
    now = utcnow()
    article = Article(
        slug=slug,
        title=title,
        body=body,
        topic_id=topic_id,
        tags=_clean_tags(tags or []),
        questions=clean_questions(questions or []),
        status=ArticleStatus.published if publish else ArticleStatus.draft,
        version=1,
        created_at=now,
        updated_at=now,
        published_at=now if publish else None,
    )
    db.add(article)
    db.flush()
    _snapshot(db, article, author)
    _changed(db, article, "created")
    return article


def do_update_article(
    db: Session,
    article: Article,
    *,
    author: User | None,
    title: str | None = None,
    body: str | None = None,
    topic_id: int | None = None,
    tags: list[str] | None = None,
    questions: list[str] | None = None,
) -> Article:
    """Saves a new version; a published article stays published with the new text."""
    new_title, new_body = check_article(title or article.title, body or article.body)
    if topic_id is not None:
        topics.get_topic(db, topic_id)
    new_tags = _clean_tags(tags) if tags is not None else article.tags
    new_topic = topic_id if topic_id is not None else article.topic_id
    new_questions = clean_questions(questions) if questions is not None else article.questions
    if (new_title, new_body, new_topic, new_tags, new_questions) == (
        article.title,
        article.body,
        article.topic_id,
        article.tags,
        article.questions,
    ):
        return article
    article.title, article.body, article.topic_id, article.tags = (
        new_title,
        new_body,
        new_topic,
        new_tags,
    )
    article.questions = new_questions
    article.version += 1
    article.updated_at = utcnow()
    db.flush()
    _snapshot(db, article, author)
    _changed(db, article, "updated")
    return article


def do_set_status(
    db: Session, article: Article, status: ArticleStatus, author: User | None
) -> Article:
    if article.status == status:
        return article
    article.status = status
    article.updated_at = utcnow()
    if status == ArticleStatus.published:
        article.published_at = article.updated_at
    article.version += 1
    db.flush()
    _snapshot(db, article, author)
    _changed(db, article, status.value)
    return article


def titles(db: Session, article_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    rows = db.execute(select(Article.id, Article.title).where(Article.id.in_(ids)))
    return {article_id: title for article_id, title in rows}


def published_titles(db: Session, limit: int = 5000) -> dict[int, str]:
    """The published articles' titles by number, alphabetically: what a supervisor picks
    «another article answers it» from by a word of its title, not by a number to look up."""
    rows = db.execute(
        select(Article.id, Article.title)
        .where(Article.status == ArticleStatus.published)
        .order_by(Article.title)
        .limit(limit)
    )
    return {article_id: title for article_id, title in rows}


def list_articles(
    db: Session,
    query: str = "",
    status: str | None = None,
    topic_id: int | None = None,
    limit: int = 200,
) -> list[Article]:
    stmt = select(Article).order_by(Article.updated_at.desc()).limit(limit)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Article.title.ilike(like), Article.body.ilike(like)))
    if status:
        stmt = stmt.where(Article.status == status)
    if topic_id:
        stmt = stmt.where(Article.topic_id == topic_id)
    return list(db.scalars(stmt))


def list_versions(db: Session, article: Article) -> list[ArticleVersion]:
    return list(
        db.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article.id)
            .order_by(ArticleVersion.version.desc())
        )
    )


def changed_since(db: Session, since: datetime | None) -> list[Article]:
    """What a retrieval index must apply: every article touched after its watermark."""
    stmt = select(Article).order_by(Article.updated_at)
    if since is not None:
        stmt = stmt.where(Article.updated_at > since)
    return list(db.scalars(stmt))


def revision(db: Session) -> tuple[object, ...]:
    """Changes whenever any article is added, edited, published or unpublished, and when the
    search's fusion is refitted on the verdicts (`kb.verdicts`).

    Every change writes an insert-only version row, so the highest version id and the
    number of versions together move on every commit, even when transactions commit out of
    id order.  Each is its own subquery: asked together in one SELECT, SQLite reads every
    version's row (0.9 ms a search at 10 000 articles, growing with the base); apart, the
    maximum is one primary-key lookup and the count a scan of the smallest index.
    """
    latest = select(func.max(ArticleVersion.id)).scalar_subquery()
    count = select(func.count()).select_from(ArticleVersion).scalar_subquery()
    fused = select(func.max(FusionFit.id)).scalar_subquery()  # a refit of the search's fusion
    return tuple(db.execute(select(latest, count, fused)).one())


def topic_names(db: Session) -> dict[int, str]:
    return {t.id: t.name for t in topics.list_topics(db)}


@dataclass
class ImportItem:
    """One article from a file, with where it came from for error messages."""

    slug: str
    title: str
    body: str
    topic: str = ""
    tags: list[str] = field(default_factory=list)
    line: int = 0
    questions: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def do_import_item(
    db: Session, item: ImportItem, report: ImportReport, author: User | None, publish: bool
) -> None:
    """Matching by slug makes a re-import update the article instead of duplicating it."""
    topic_id = None
    if item.topic.strip():
        known = {t.name.lower(): t.id for t in topics.list_topics(db)}
        topic_id = known.get(item.topic.strip().lower())
        if topic_id is None:
            topic_id = topics.do_create_topic(db, item.topic.strip()).id
    existing = find_by_slug(db, item.slug)
    if existing is None:
        do_create_article(
            db,
            title=item.title,
            body=item.body,
            author=author,
            topic_id=topic_id,
            tags=item.tags,
            slug=item.slug,
            publish=publish,
            questions=item.questions,
        )
        report.created += 1
        return
    before = existing.version
    do_update_article(
        db,
        existing,
        author=author,
        title=item.title,
        body=item.body,
        topic_id=topic_id,
        tags=item.tags,
        questions=item.questions,
    )
    if publish:
        do_set_status(db, existing, ArticleStatus.published, author)
    if existing.version == before:
        report.unchanged += 1
    else:
        report.updated += 1


def do_import(
    db: Session,
    items: list[ImportItem],
    errors: list[str],
    *,
    author: User | None,
    publish: bool,
    advance: Callable[[], None] | None = None,
) -> ImportReport:
    """Each item in its own savepoint: a bad one is reported and skipped, the rest land."""
    report = ImportReport(errors=list(errors))
    for item in items:
        try:
            with db.begin_nested():
                do_import_item(db, item, report, author=author, publish=publish)
        except WowdeskError as exc:
            report.errors.append(f"{item.slug}: {gettext(exc.message, **exc.params)}")
        if advance is not None:
            advance()
    return report
