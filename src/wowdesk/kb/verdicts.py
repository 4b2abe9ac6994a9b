"""Verdicts on what the search found, and the fusion refitted on them.

In `/kb` a supervisor checks what the bot would find for a customer's question and says
which article answers it, or that none does. An operator who sends a knowledge-base
suggestion says the same without a word: that article answers the customer's words the
suggestion was searched for (`do_note_use`). When enough verdicts name an article
(`fusion_learning.MIN_VERDICTS`), the fusion's weights are refitted on them: on request, and
by the app itself as new ones come in (`refit_due`). A refit is put in force only
when, out of fold, it ranks the verdicts' articles first at least as often as the fusion in
force; every refit is kept with its figures, so `/kb` shows what learning did.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from wowdesk.db import insert_missing, utcnow
from wowdesk.errors import Invalid, NotFound
from wowdesk.kb import fusion, fusion_learning, service
from wowdesk.kb.models import FusionFit, SearchVerdict, VerdictSource
from wowdesk.kb.retrieval import Index
from wowdesk.nlp.pii import mask_text
from wowdesk.operators.models import User

MAX_QUERY = 500
RELEARN_EVERY = 20  # new verdicts naming an article before the app refits by itself
# the newest verdicts a refit reads: each costs a search's features (about 10 ms at
# 10 000 articles), and old ones speak of articles as they were
MAX_VERDICTS = 2000
SPACES = re.compile(r"\s+")


def masked_question(query: str) -> str:
    """The question as verdicts are kept and found: spaces collapsed, masked as customers'
    text is (a mask may lengthen it: cut to the column's size)."""
    text = SPACES.sub(" ", query).strip()
    if not text:
        raise Invalid("The question is empty")
    if len(text) > MAX_QUERY:
        raise Invalid("The question is longer than {n} characters", n=MAX_QUERY)
    return mask_text(text)[:MAX_QUERY]


def do_record_verdict(
    db: Session,
    user: User | None,
    query: str,
    article_id: int | None,
    *,
    add_example: bool = False,
) -> SearchVerdict:
    """The article that answers `query` (None: none does), masked as customers' text is;
    a verdict on the same question replaces the earlier one. With `add_example` the question
    also becomes one of the article's example questions, which the search reads with its
    title at once (the weights learn only from many verdicts)."""
    text = masked_question(query)
    if article_id is not None:
        try:
            article = service.get_published(db, article_id)
        except NotFound:
            raise Invalid(
                "Article {id} is not published: the bot cannot answer from it", id=article_id
            ) from None
        example = text[: service.MAX_QUESTION]
        if add_example and example not in article.questions:
            service.do_update_article(
                db, article, author=user, questions=[*article.questions, example]
            )
    return _store(db, text, article_id, user, VerdictSource.supervisor)


def _store(
    db: Session, text: str, article_id: int | None, user: User | None, source: VerdictSource
) -> SearchVerdict:
    """One row per question, the later verdict in it; an operator's use leaves a
    supervisor's verdict as it is."""
    # two verdicts on the same question at once: one row, the later verdict in it
    insert_missing(
        db,
        cast(Table, SearchVerdict.__table__),
        [{"query": text, "source": source, "created_at": utcnow()}],
        ["query"],
    )
    verdict = db.scalars(
        select(SearchVerdict).where(SearchVerdict.query == text).with_for_update()
    ).one()
    if source == VerdictSource.operator and verdict.source == VerdictSource.supervisor:
        return verdict
    verdict.article_id = article_id
    verdict.user_id = user.id if user else None
    verdict.source = source
    verdict.created_at = utcnow()
    db.flush()
    return verdict


def do_note_use(db: Session, user: User, query: str, article_id: int) -> SearchVerdict | None:
    """An operator sent (as it was or edited) the suggestion of this article for the
    customer's words the knowledge base was searched with: the article answers them. Many
    such verdicts come in without anyone's extra work; a supervisor's verdict on the same
    question stands. None when the words cannot be a verdict (too long) or the article is
    no longer published: a reply must never fail for the search's sake."""
    try:
        text = masked_question(query)
    except Invalid:
        return None
    try:
        service.get_published(db, article_id)
    except NotFound:
        return None
    return _store(db, text, article_id, user, VerdictSource.operator)


def verdict_on(db: Session, query: str) -> SearchVerdict | None:
    """The verdict already given on this question, if any."""
    try:
        text = masked_question(query)
    except Invalid:
        return None
    return db.scalar(select(SearchVerdict).where(SearchVerdict.query == text))


def do_delete_verdict(db: Session, verdict_id: int) -> None:
    verdict = db.get(SearchVerdict, verdict_id)
    if verdict is None:
        raise NotFound("Verdict not found")
    db.delete(verdict)
    db.flush()


def list_verdicts(
    db: Session,
    limit: int = 50,
    source: VerdictSource | None = None,
    *,
    user_id: int | None = None,
    before: int | None = None,
) -> list[SearchVerdict]:
    """The newest verdicts, or only a supervisor's, only operators' (theirs are many and
    noisier: what a supervisor reviews) or one person's; `before` (a verdict's id) pages
    back to older ones."""
    stmt = select(SearchVerdict).order_by(SearchVerdict.id.desc()).limit(limit)
    if source is not None:
        stmt = stmt.where(SearchVerdict.source == source)
    if user_id is not None:
        stmt = stmt.where(SearchVerdict.user_id == user_id)
    if before is not None:
        stmt = stmt.where(SearchVerdict.id < before)
    return list(db.scalars(stmt))


def operators_verdicts(db: Session) -> list[tuple[int, int]]:
    """(operator's id, how many verdicts their answers gave), most first: where a
    supervisor starts reviewing, since one operator who answers from the wrong articles
    teaches the search more noise than all the others."""
    rows = db.execute(
        select(SearchVerdict.user_id, func.count(SearchVerdict.id))
        .where(SearchVerdict.source == VerdictSource.operator, SearchVerdict.user_id.is_not(None))
        .group_by(SearchVerdict.user_id)
        .order_by(func.count(SearchVerdict.id).desc(), SearchVerdict.user_id)
    ).all()
    return [(int(user_id or 0), int(n)) for user_id, n in rows]


def do_delete_operators_verdicts(db: Session, user_id: int) -> int:
    """Deletes the verdicts this operator's answers gave (a supervisor's own stay), and
    says how many: for an operator who answered from the wrong articles for a while."""
    return int(
        db.execute(
            delete(SearchVerdict).where(
                SearchVerdict.user_id == user_id, SearchVerdict.source == VerdictSource.operator
            )
        ).rowcount  # type: ignore[attr-defined]
    )


def count_verdicts(db: Session) -> tuple[int, int]:
    """All verdicts, and those that name an article."""
    total, named = db.execute(
        select(func.count(SearchVerdict.id), func.count(SearchVerdict.article_id))
    ).one()
    return int(total), int(named)


def latest_fit(db: Session) -> FusionFit | None:
    return db.scalar(select(FusionFit).order_by(FusionFit.id.desc()).limit(1))


def fit_in_force(db: Session) -> FusionFit | None:
    return db.scalar(
        select(FusionFit).where(FusionFit.used.is_(True)).order_by(FusionFit.id.desc()).limit(1)
    )


def fusion_in_force(db: Session) -> fusion.Weights:
    """The newest refit put in force, else the shipped weights."""
    fit = fit_in_force(db)
    if fit is None:
        return fusion.SHIPPED
    return fusion.Weights.from_lists(list(fit.score_weights), list(fit.confidence_weights))


def _labelled(db: Session, index: Index) -> list[fusion_learning.Verdict]:
    """The newest verdicts as searches: an article no longer published (or not yet in the
    index) leaves its verdict out."""
    rows = list(
        db.scalars(select(SearchVerdict).order_by(SearchVerdict.id.desc()).limit(MAX_VERDICTS))
    )
    out = []
    for row in reversed(rows):  # time order: the folds deal them out in turn
        features, ids = index.features_by_article(row.query)
        if row.article_id is None:
            out.append(fusion_learning.Verdict(features, None))
        elif row.article_id in ids:
            out.append(fusion_learning.Verdict(features, ids.index(row.article_id)))
    return out


def do_learn(db: Session, index: Index, user: User | None = None) -> FusionFit:
    """Refits the fusion on the verdicts and keeps the result with its figures; in force
    when it does at least as well out of fold as the fusion in force."""
    total, named = count_verdicts(db)
    if named < fusion_learning.MIN_VERDICTS:
        raise Invalid(
            "Too few verdicts to learn from: {named} name an article, {needed} are needed",
            named=named,
            needed=fusion_learning.MIN_VERDICTS,
        )
    labelled = _labelled(db, index)
    published = sum(v.right is not None for v in labelled)
    if published < fusion_learning.MIN_VERDICTS:
        raise Invalid(
            "Too few verdicts name a published article: {named} of {needed}",
            named=published,
            needed=fusion_learning.MIN_VERDICTS,
        )
    trial = fusion_learning.cross_validated(labelled, fusion_in_force(db))
    score, confidence = fusion_learning.fit(labelled).as_lists()
    fit = FusionFit(
        score_weights=score,
        confidence_weights=confidence,
        verdicts=total,
        named=named,
        in_use_hit=trial.in_use_hit,
        learned_hit=trial.learned_hit,
        used=trial.learned_hit >= trial.in_use_hit,
        user_id=user.id if user else None,
    )
    db.add(fit)
    db.flush()
    return fit


def refit_due(named: int, last_named: int | None) -> bool:
    """Once enough verdicts name an article, then after `RELEARN_EVERY` new ones or a tenth
    more, whichever is larger: operators' verdicts come in all day, and a refit reads up to
    `MAX_VERDICTS` searches again (about 20 s at 10 000 articles), for a change a few new
    verdicts among thousands hardly make."""
    if named < fusion_learning.MIN_VERDICTS:
        return False
    return last_named is None or named - last_named >= max(RELEARN_EVERY, last_named // 10)


def do_learn_if_due(db: Session, current: Callable[[Session], Index]) -> FusionFit | None:
    """The app's own refit, when `refit_due`; `current` gives the index (built only when a
    refit is due)."""
    _total, named = count_verdicts(db)
    last = latest_fit(db)
    if not refit_due(named, last.named if last else None):
        return None
    try:
        return do_learn(db, current(db))
    except Invalid:  # the named articles are no longer published: nothing to learn yet
        return None
