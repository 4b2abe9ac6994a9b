"""REST routes for the knowledge base (supervisors edit; operators read and search)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.kb import drafts, fusion_learning, service, verdicts
from wowdesk.kb.models import Article, ArticleStatus, VerdictSource
from wowdesk.kb.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    DraftOut,
    FitOut,
    FusionOut,
    PassageOut,
    VerdictIn,
    VerdictOut,
    VersionOut,
)
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role

staff = APIRouter(
    prefix="/api/v1/kb", tags=["knowledge base"], dependencies=[Depends(require(Role.operator))]
)
supervisors = APIRouter(
    prefix="/api/v1/kb", tags=["knowledge base"], dependencies=[Depends(require(Role.supervisor))]
)


def article_out(db: DbSession, articles: list[Article]) -> list[ArticleOut]:
    names = service.topic_names(db)
    out = []
    for a in articles:
        item = ArticleOut.model_validate(a)
        item.topic_name = names.get(a.topic_id, "") if a.topic_id else ""
        out.append(item)
    return out


@staff.get("/articles")
def list_articles(
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str | None, Query(pattern="^(draft|published)$")] = None,
    topic_id: int | None = None,
) -> list[ArticleOut]:
    return article_out(db, service.list_articles(db, q, status, topic_id))


@staff.get("/articles/{article_id}")
def get_article(article_id: int, db: DbSession) -> ArticleOut:
    return article_out(db, [service.get_article(db, article_id)])[0]


@staff.get("/articles/{article_id}/versions")
def versions(article_id: int, db: DbSession) -> list[VersionOut]:
    article = service.get_article(db, article_id)
    return [VersionOut.model_validate(v) for v in service.list_versions(db, article)]


@staff.get("/search")
def search(
    request: Request,
    db: DbSession,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[PassageOut]:
    """What the bot would retrieve for this question: the same index, the same ranking."""
    hits = request.app.state.knowledge.search(db, q, k)
    return [PassageOut.model_validate(h, from_attributes=True) for h in hits]


@supervisors.post("/articles", status_code=201)
def create_article(body: ArticleIn, user: CurrentUser, db: DbSession) -> ArticleOut:
    article = service.do_create_article(
        db,
        title=body.title,
        body=body.body,
        author=user,
        topic_id=body.topic_id,
        tags=body.tags,
        slug=body.slug,
        publish=body.publish,
        questions=body.questions,
    )
    return article_out(db, [article])[0]


@supervisors.patch("/articles/{article_id}")
def update_article(
    article_id: int, body: ArticlePatch, user: CurrentUser, db: DbSession
) -> ArticleOut:
    article = service.do_update_article(
        db, service.get_article(db, article_id), author=user, **body.model_dump()
    )
    return article_out(db, [article])[0]


@supervisors.get("/drafts")
def drafts_queue(db: DbSession) -> list[DraftOut]:
    """The drafts queue: draft articles, those with the most questions behind them first."""
    queued = drafts.queue(db)
    articles = article_out(db, [d.article for d in queued])
    out = []
    for d, article in zip(queued, articles, strict=True):
        p = d.provenance
        out.append(
            DraftOut(
                article=article,
                origin=p.origin if p else "",
                size=d.size,
                question=p.question if p else "",
                conversation_ids=p.conversation_ids if p else [],
                made_at=p.made_at if p else None,
            )
        )
    return out


@supervisors.post("/articles/{article_id}/publish")
def publish(article_id: int, user: CurrentUser, db: DbSession) -> ArticleOut:
    article = service.do_set_status(
        db, service.get_article(db, article_id), ArticleStatus.published, user
    )
    return article_out(db, [article])[0]


@supervisors.post("/articles/{article_id}/unpublish")
def unpublish(article_id: int, user: CurrentUser, db: DbSession) -> ArticleOut:
    article = service.do_set_status(
        db, service.get_article(db, article_id), ArticleStatus.draft, user
    )
    return article_out(db, [article])[0]


# --- verdicts on searches, and the fusion learned from them ---------------------------------


@supervisors.post("/verdicts", status_code=201)
def record_verdict(body: VerdictIn, user: CurrentUser, db: DbSession) -> VerdictOut:
    """Which article answers this question (null: none of them): what the search learns."""
    return VerdictOut.model_validate(
        verdicts.do_record_verdict(
            db, user, body.query, body.article_id, add_example=body.add_example
        )
    )


@supervisors.get("/verdicts")
def list_verdicts(
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    source: VerdictSource | None = None,
    user_id: Annotated[int | None, Query(ge=1)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> list[VerdictOut]:
    """Newest first; `before` (a verdict's id) pages back, `user_id` keeps one person's."""
    given = verdicts.list_verdicts(db, limit, source, user_id=user_id, before=before)
    return [VerdictOut.model_validate(v) for v in given]


@supervisors.delete("/verdicts/by-operator/{user_id}")
def delete_operators_verdicts(user_id: int, db: DbSession) -> dict[str, int]:
    """Deletes the verdicts one operator's answers gave (a supervisor's stay)."""
    return {"deleted": verdicts.do_delete_operators_verdicts(db, user_id)}


@supervisors.delete("/verdicts/{verdict_id}", status_code=204)
def delete_verdict(verdict_id: int, db: DbSession) -> Response:
    verdicts.do_delete_verdict(db, verdict_id)
    return Response(status_code=204)


@supervisors.get("/fusion")
def fusion_state(db: DbSession) -> FusionOut:
    """How many verdicts there are, and the refit in force (none: the shipped weights)."""
    total, named = verdicts.count_verdicts(db)
    in_force, latest = verdicts.fit_in_force(db), verdicts.latest_fit(db)
    return FusionOut(
        verdicts=total,
        named=named,
        needed=fusion_learning.MIN_VERDICTS,
        in_force=FitOut.model_validate(in_force) if in_force else None,
        latest=FitOut.model_validate(latest) if latest else None,
    )


@supervisors.post("/fusion/learn", status_code=201)
def learn(request: Request, user: CurrentUser, db: DbSession) -> FitOut:
    """Refits the fusion on the verdicts now; in force if it does at least as well."""
    index = request.app.state.knowledge.current(db)
    return FitOut.model_validate(verdicts.do_learn(db, index, user))


routes = Routes(staff=(staff,), supervisors=(supervisors,))
