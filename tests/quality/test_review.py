"""Auto-QA in the database, the review queue, overrides and disputes with their audit."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.quality.factories import dialogue
from wowdesk.conversations import service as conversations
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.quality import autoqa, review, scorecards

GOOD = [
    ("customer", "Заказ 123456 не пришёл, это ужасно!"),
    ("operator", "Здравствуйте! Меня зовут Анна. Понимаю ваше недовольство, сейчас разберёмся."),
    ("operator", "Заказ будет доставлен завтра до 18:00. Всего доброго!"),
]
BAD = [
    ("customer", "Не могу войти в личный кабинет"),
    ("operator", "Продиктуйте код из СМС"),
]


def test_every_closed_conversation_is_scored_once_with_evidence(db: Session) -> None:
    good = dialogue(db, GOOD)
    bad = dialogue(db, BAD)
    scorer = autoqa.Scorer()
    assert autoqa.do_score_pending(db, scorer) == 2
    assert autoqa.do_score_pending(db, scorer) == 0  # never twice
    g = autoqa.auto_score(db, good.id)
    b = autoqa.auto_score(db, bad.id)
    assert g is not None and b is not None
    assert g.total > 70 and not g.critical_failed
    assert b.critical_failed and b.total == 0.0
    secret = next(r for r in b.results if r["key"] == "no_secret_request")
    assert secret["value"] == 0 and "СМС" in secret["evidence"][0]["phrase"]
    said = {m.seq: m.text for m in conversations.list_messages(db, bad)}
    assert said[secret["evidence"][0]["seq"]] == "Продиктуйте код из СМС"
    version = scorecards.get_version(db, b.version_id)
    assert version.version == 1  # the score records the version it used
    # the failed one is first in the review queue, for its critical error
    queue = review.review_queue(db, 10)
    assert queue[0].score.id == b.id and "critical" in queue[0].score.risk_reasons


def test_override_is_audited_and_recomputes(db: Session) -> None:
    conv = dialogue(db, BAD)
    score = autoqa.do_score(db, autoqa.Scorer(), conv)
    supervisor = make_user(db, "supervisor")
    with pytest.raises(Invalid):
        review.do_override(db, supervisor, score, "no_secret_request", 1, "  ")
    change = review.do_override(
        db, supervisor, score, "no_secret_request", 1, "код из push, не из СМС"
    )
    assert score.total > 0 and not score.critical_failed and score.reviewed
    assert (change.old_value, change.new_value, change.user_id) == (0, 1, supervisor.id)
    assert change.old_total == 0.0 and change.new_total == score.total
    assert [c.id for c in review.list_changes(db, score.id)] == [change.id]
    with pytest.raises(Conflict):
        review.do_override(db, supervisor, score, "no_secret_request", 1, "again")


def test_dispute_goes_to_a_reviewer_and_accepting_overrides(db: Session) -> None:
    operator = make_user(db, "operator")
    conv = dialogue(db, GOOD[:2], operator=operator)
    score = autoqa.do_score(db, autoqa.Scorer(), conv)
    assert next(r for r in score.results if r["key"] == "closing")["value"] == 0
    stranger = make_user(db, "operator")
    with pytest.raises(Forbidden):
        review.do_dispute(db, stranger, score, "closing", "не моё")
    dispute = review.do_dispute(db, operator, score, "closing", "Я попрощалась в следующем чате")
    with pytest.raises(Conflict):
        review.do_dispute(db, operator, score, "closing", "ещё раз")
    assert [d.id for d in review.list_disputes(db)] == [dispute.id]
    reviewer = make_user(db, "supervisor")
    before = score.total
    review.do_resolve(db, reviewer, dispute, accept=True, comment="Согласна")
    assert dispute.status == "accepted" and dispute.reviewer_id == reviewer.id
    assert score.total > before
    change = review.list_changes(db, score.id)[0]
    assert change.dispute_id == dispute.id and change.new_value == 1
    with pytest.raises(Conflict):
        review.do_resolve(db, reviewer, dispute, accept=False, comment="передумала")


def test_rejected_dispute_leaves_the_score(db: Session) -> None:
    operator = make_user(db, "operator")
    conv = dialogue(db, BAD, operator=operator)
    score = autoqa.do_score(db, autoqa.Scorer(), conv)
    dispute = review.do_dispute(db, operator, score, "no_secret_request", "клиент сам предложил")
    review.do_resolve(
        db, make_user(db, "supervisor"), dispute, accept=False, comment="Нельзя просить код"
    )
    assert dispute.status == "rejected" and score.total == 0.0
    assert review.list_changes(db, score.id) == []


def test_manual_score_uses_the_same_form(db: Session) -> None:
    conv = dialogue(db, GOOD)
    auto = autoqa.do_score(db, autoqa.Scorer(), conv)
    reviewer = make_user(db, "supervisor")
    with pytest.raises(Invalid):
        review.do_manual_score(db, reviewer, conv.id, {"nonsense": 1})
    manual = review.do_manual_score(
        db, reviewer, conv.id, {"greeting": 1, "tone": 0, "no_disclosure": 0}
    )
    assert manual.version_id == auto.version_id and manual.source == "manual"
    assert manual.critical_failed and manual.total == 0.0
    assert auto.reviewed


def test_scorecard_edit_makes_a_version_and_checks_input(db: Session) -> None:
    scorecards.do_ensure_defaults(db)
    card = next(c for c in scorecards.list_scorecards(db) if c.kind == "operator")
    supervisor = make_user(db, "supervisor")
    definition = scorecards.current_version(db, card).definition
    edited = {
        "sections": [
            *definition["sections"],
            {
                "title": "Продажи",
                "criteria": [
                    {"key": "upsell", "title": "Предложил", "weight": 5, "mode": "manual"}
                ],
            },
        ]
    }
    version = scorecards.do_new_version(db, supervisor, card.id, edited)
    assert version.version == 2 and card.current_version == 2
    with pytest.raises(Invalid):
        scorecards.do_new_version(
            db,
            supervisor,
            card.id,
            {
                "sections": [
                    {
                        "title": "x",
                        "criteria": [{"key": "a", "title": "A", "mode": "auto", "rule": "no_such"}],
                    }
                ]
            },
        )
    with pytest.raises(Conflict):
        scorecards.do_new_version(db, supervisor, card.id, edited)


def test_a_colleagues_scores_are_not_shown_and_are_no_error(db: Session) -> None:
    """The console asks for the scores of whatever conversation it opens: a colleague's
    answered 404, an error in the operator's browser on every such click."""
    anna = make_user(db, "operator")
    score = autoqa.do_score(db, autoqa.Scorer(), dialogue(db, GOOD, operator=anna))
    assert [s.id for s in review.scores_of(db, anna, score.conversation_id)] == [score.id]
    assert [
        s.id for s in review.scores_of(db, make_user(db, "supervisor"), score.conversation_id)
    ] == [score.id]
    colleague = make_user(db, "operator")
    assert review.visible_scores(db, colleague, score.conversation_id) is None
    with pytest.raises(NotFound):  # the QA page of a colleague's conversation
        review.scores_of(db, colleague, score.conversation_id)
    with pytest.raises(NotFound):
        review.visible_scores(db, anna, 999_999)
