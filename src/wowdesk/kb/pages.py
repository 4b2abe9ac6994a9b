"""Supervisor pages for the knowledge base: search, edit with preview, versions, publish."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.conversations import topics
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.http.forms import form_error
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.kb import drafts, fusion_learning, service, verdicts
from wowdesk.kb.markdown import to_html
from wowdesk.kb.models import Article, ArticleStatus, VerdictSource
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, MaybeUser, require
from wowdesk.operators.models import Role

supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])
public = APIRouter(include_in_schema=False)


@public.get("/help/{article_id}")
def help_article(request: Request, article_id: int, db: DbSession, _user: MaybeUser) -> Response:
    """The article the bot links to: customers see published articles only."""
    article = service.get_published(db, article_id)
    return render(request, "kb/article.html", article=article, body=to_html(article.body))


@supervisors.get("/kb")
def kb_list(
    request: Request,
    db: DbSession,
    q: str = "",
    status: str = "",
    test: str = "",
    view: str = "",
    done: str = "",
    source: str = "",
    user: str = "",
    before: str = "",
) -> Response:
    if view == "drafts":
        return render(
            request,
            "kb/drafts.html",
            queue=drafts.queue(db),
            actions=drafts.actions(),
            done=done[:32],
        )
    if view == "search":
        return _search_page(request, db, _VerdictView.read(source, user, before), done=done[:32])
    test = test[: verdicts.MAX_QUERY]
    checked = bool(test.strip())
    hits = request.app.state.knowledge.search(db, test, 5) if checked else []
    verdict = verdicts.verdict_on(db, test) if checked else None
    return render(
        request,
        "kb/list.html",
        articles=service.list_articles(db, q, status or None),
        topic_names=service.topic_names(db),
        q=q,
        status=status,
        test=test,
        hits=hits,
        verdict=verdict,
        titles=service.titles(db, [verdict.article_id] if verdict and verdict.article_id else []),
        published=service.published_titles(db) if checked else {},
        saved=done == "verdict",
    )


@dataclass(frozen=True)
class _VerdictView:
    """Which verdicts «Обучение поиска» lists: by whom, and from which one back. Read from
    the address leniently (a link mistyped shows all), as the source filter always was."""

    source: VerdictSource | None = None
    user_id: int | None = None
    before: int | None = None

    @classmethod
    def read(cls, source: str, user: str, before: str) -> _VerdictView:
        def number(text: str) -> int | None:
            return int(text) if text.isdigit() and 0 < len(text) < 10 else None

        known = VerdictSource(source) if source in set(VerdictSource) else None
        return cls(known, number(user), number(before))

    def url(self, *, before: int | None = None, **extra: str) -> str:
        """This view's address, `before` another verdict (none: the newest)."""
        query = {
            "view": "search",
            "source": self.source.value if self.source else "",
            "user": str(self.user_id or ""),
            "before": str(before or ""),
            **extra,
        }
        return "/kb?" + urlencode({k: v for k, v in query.items() if v})


VERDICTS_PAGE = 50


def _search_page(
    request: Request,
    db: DbSession,
    shown: _VerdictView | None = None,
    status_code: int = 200,
    **ctx: object,
) -> Response:
    """What the search learned from the verdicts, and the verdicts themselves (all, a
    supervisor's, operators' or one operator's), fifty at a time, newest first."""
    shown = shown or _VerdictView()
    total, named = verdicts.count_verdicts(db)
    given = verdicts.list_verdicts(
        db, VERDICTS_PAGE + 1, shown.source, user_id=shown.user_id, before=shown.before
    )
    older = shown.url(before=given[VERDICTS_PAGE - 1].id) if len(given) > VERDICTS_PAGE else ""
    given = given[:VERDICTS_PAGE]
    by_operator = verdicts.operators_verdicts(db)
    people = {v.user_id for v in given if v.user_id} | {user_id for user_id, _n in by_operator}
    if shown.user_id:
        people.add(shown.user_id)
    return render(
        request,
        "kb/search.html",
        status_code=status_code,
        total=total,
        named=named,
        needed=fusion_learning.MIN_VERDICTS,
        in_force=verdicts.fit_in_force(db),
        latest=verdicts.latest_fit(db),
        verdicts=given,
        shown=shown,
        older=older,
        by_operator=by_operator,
        names=operators.user_names(db, people),
        titles=service.titles(db, [v.article_id for v in given if v.article_id]),
        **ctx,
    )


@supervisors.post("/kb/verdicts")
def kb_verdict(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    query: Annotated[str, Form(max_length=2000)],
    article_id: Annotated[str, Form()] = "",
    add_example: Annotated[str, Form()] = "",
) -> Response:
    """«This article answers the question» (or, without one, «none of them does»)."""
    number = article_id.strip()
    try:
        if number and not number.isdigit():  # «12а» must not be read as «none of them»
            raise Invalid("An article's number is digits only: {value}", value=number[:20])
        verdicts.do_record_verdict(
            db, user, query, int(number) if number else None, add_example=bool(add_example)
        )
    except WowdeskError as exc:
        return form_error(db, exc, partial(_search_page, request, db))
    return RedirectResponse(
        f"/kb?test={quote(query[: verdicts.MAX_QUERY])}&done=verdict", status_code=303
    )


@supervisors.post("/kb/verdicts/{verdict_id}/delete")
def kb_delete_verdict(
    verdict_id: int,
    db: DbSession,
    source: Annotated[str, Form(max_length=16)] = "",
    user: Annotated[str, Form(max_length=16)] = "",
    before: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Deletes one verdict and goes back to the list as it was shown."""
    verdicts.do_delete_verdict(db, verdict_id)
    back = _VerdictView.read(source, user, before)
    return RedirectResponse(back.url(before=back.before, done="deleted"), status_code=303)


@supervisors.post("/kb/verdicts/by-operator/{user_id}/delete")
def kb_delete_operators_verdicts(user_id: int, db: DbSession) -> Response:
    """Deletes every verdict one operator's answers gave (a supervisor's stay)."""
    verdicts.do_delete_operators_verdicts(db, user_id)
    back = _VerdictView(VerdictSource.operator)
    return RedirectResponse(back.url(done="operators_deleted"), status_code=303)


@supervisors.post("/kb/learn")
def kb_learn(request: Request, user: CurrentUser, db: DbSession) -> Response:
    """Refits the search's fusion on the verdicts now."""
    try:
        verdicts.do_learn(db, request.app.state.knowledge.current(db), user)
    except WowdeskError as exc:
        return form_error(db, exc, partial(_search_page, request, db))
    return RedirectResponse("/kb?view=search&done=learned", status_code=303)


def _edit_page(
    request: Request, db: DbSession, article: Article | None, status_code: int = 200, **ctx: object
) -> Response:
    """The editor, empty for a new article, with the versions and a preview otherwise."""
    return render(
        request,
        "kb/edit.html",
        status_code=status_code,
        article=article,
        topics=topics.list_topics(db),
        versions=service.list_versions(db, article) if article else [],
        preview=to_html(article.body) if article else None,
        **ctx,
    )


@supervisors.get("/kb/new")
def kb_new(request: Request, db: DbSession) -> Response:
    return _edit_page(request, db, None)


def _form_error(
    request: Request, db: DbSession, exc: WowdeskError, article_id: int | None
) -> Response:
    db.rollback()  # before reading the article again
    article = service.get_article(db, article_id) if article_id else None
    return form_error(db, exc, partial(_edit_page, request, db, article))


@supervisors.post("/kb/new")
def kb_create(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    title: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=50_000)],
    topic_id: Annotated[str, Form()] = "",
    tags: Annotated[str, Form(max_length=500)] = "",
    publish: Annotated[str, Form()] = "",
    questions: Annotated[str, Form(max_length=7000)] = "",
) -> Response:
    try:
        article = service.do_create_article(
            db,
            title=title,
            body=body,
            author=user,
            topic_id=int(topic_id) if topic_id.isdigit() else None,
            tags=tags.split(","),
            publish=bool(publish),
            questions=questions.splitlines(),
        )
    except WowdeskError as exc:
        return _form_error(request, db, exc, None)
    return RedirectResponse(f"/kb/{article.id}?saved=1", status_code=303)


@supervisors.get("/kb/{article_id}")
def kb_edit(request: Request, article_id: int, db: DbSession, saved: int = 0) -> Response:
    return _edit_page(request, db, service.get_article(db, article_id), saved=bool(saved))


@supervisors.post("/kb/{article_id}")
def kb_update(
    request: Request,
    article_id: int,
    user: CurrentUser,
    db: DbSession,
    title: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=50_000)],
    topic_id: Annotated[str, Form()] = "",
    tags: Annotated[str, Form(max_length=500)] = "",
    questions: Annotated[str, Form(max_length=7000)] = "",
) -> Response:
    try:
        service.do_update_article(
            db,
            service.get_article(db, article_id),
            author=user,
            title=title,
            body=body,
            topic_id=int(topic_id) if topic_id.isdigit() else None,
            tags=tags.split(","),
            questions=questions.splitlines(),
        )
    except WowdeskError as exc:
        return _form_error(request, db, exc, article_id)
    return RedirectResponse(f"/kb/{article_id}?saved=1", status_code=303)


@supervisors.post("/kb/{article_id}/{action}")
def kb_status(
    request: Request,
    article_id: int,
    action: str,
    user: CurrentUser,
    db: DbSession,
    back: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Publish or unpublish; `back=drafts` returns to the drafts queue it was done from."""
    statuses = {"publish": ArticleStatus.published, "unpublish": ArticleStatus.draft}
    if action not in statuses:
        raise WowdeskError("Unknown action", code="unknown_action")
    service.do_set_status(db, service.get_article(db, article_id), statuses[action], user)
    if back == "drafts":
        return RedirectResponse(f"/kb?view=drafts&done={action}", status_code=303)
    return RedirectResponse(f"/kb/{article_id}?saved=1", status_code=303)


routes = Routes(public=(public,), supervisors=(supervisors,))
