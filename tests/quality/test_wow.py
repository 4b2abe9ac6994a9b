"""WOW candidates, confirmation (a positive broadcast, a case), the case library, proposals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.helpers import capture_events, make_user
from tests.quality.factories import dialogue
from wowdesk.db import local_today
from wowdesk.errors import Conflict, Forbidden, Invalid
from wowdesk.operators import broadcasts
from wowdesk.quality import autoqa, cases, proposals, wow

WOW = [
    ("customer", "Это безобразие, третий раз пишу, позовите руководителя!"),
    ("operator", "Здравствуйте! Меня зовут Анна. Понимаю вас, сейчас разберёмся."),
    ("operator", "Я оформила возврат, деньги придут в течение 3 дней. Всего доброго!"),
    ("customer", "Спасибо огромное, вы очень помогли, всё понятно!"),
]
PLAIN = [
    ("customer", "Подскажите часы работы"),
    ("operator", "Здравствуйте! Меня зовут Анна. С 9 до 21. Всего доброго!"),
    ("customer", "Спасибо"),
]
TZ = "Europe/Moscow"


def test_the_day_s_candidates_have_reasons(db: Session) -> None:
    star = dialogue(db, WOW, csat=5)
    plain = dialogue(db, PLAIN, csat=5)
    low = dialogue(db, WOW, csat=3)
    for conv in (star, plain, low):
        autoqa.do_score(db, autoqa.Scorer(), conv)
    today = local_today(TZ)
    found = wow.do_find(db, today, TZ)
    assert [c.conversation_id for c in found] == [star.id]
    assert {"rated_thanked", "high_qa", "hard_start", "escalation_avoided"} <= set(found[0].reasons)
    assert wow.do_find(db, today - timedelta(days=1), TZ) == []
    wow.do_find(db, today, TZ)  # the job again: no second row
    assert len(wow.list_wows(db)) == 1
    # the card quotes the customer's thanks, and says nothing where there were none
    thanks = wow.thanks_of(db, [star.id, plain.id, low.id])
    assert thanks[star.id] == "Спасибо огромное, вы очень помогли, всё понятно!"
    assert thanks[plain.id] == "Спасибо" and wow.thanks_of(db, [999_999]) == {}


def test_confirmed_wow_is_announced_and_enters_the_library(db: Session) -> None:
    operator = make_user(db, "operator", name="Анна")
    colleague = make_user(db, "operator")
    supervisor = make_user(db, "supervisor")
    conv = dialogue(db, WOW, operator=operator, csat=5)
    autoqa.do_score(db, autoqa.Scorer(), conv)
    wow.do_find(db, local_today(TZ), TZ)
    candidate = wow.list_wows(db, "candidate")[0]
    bus = capture_events(db)
    wow.do_decide(db, supervisor, candidate.id, confirm=True, tags=["Раздражённый клиент"])
    db.commit()
    assert candidate.status == "confirmed" and wow.count_confirmed(db, operator.id) == 1
    announced = broadcasts.pending_for(db, colleague)
    assert len(announced) == 1 and announced[0].level == "positive"
    assert "Анна" in announced[0].text
    assert any(f"op:{colleague.id}" in ch for ch, _e in bus.published)
    case = cases.access_case(db, colleague, candidate.case_id or 0)
    assert case.source == "wow" and "раздражённый клиент" in case.tags
    assert all(
        "Анна" not in line["text"] or line["author"] != "customer" for line in case.transcript
    )
    assert [c.id for c in cases.search_cases(db, colleague, "руководителя")] == [case.id]
    assert cases.search_cases(db, colleague, "", tag="раздражённый клиент")[0].id == case.id
    with pytest.raises(Conflict):
        wow.do_decide(db, supervisor, candidate.id, confirm=False)


def test_operator_saved_case_is_private_with_a_follow_up(db: Session) -> None:
    operator = make_user(db, "operator")
    other = make_user(db, "operator")
    conv = dialogue(db, PLAIN, operator=operator)
    case = cases.do_create_from_conversation(
        db,
        operator,
        conv,
        source="operator",
        title="Сомневался, что пишет банк",
        tags=["сомневается, что звонит банк"],
        follow_up_due=local_today(TZ),
    )
    assert cases.search_cases(db, other, "банк") == []
    assert [c.id for c in cases.search_cases(db, operator, "банк")] == [case.id]
    assert [c.id for c in cases.due_follow_ups(db, operator, local_today(TZ))] == [case.id]
    with pytest.raises(Forbidden):
        cases.do_update(db, other, case, follow_up="x")
    cases.do_update(db, operator, case, follow_up="Перезвонил сам, всё хорошо")
    assert cases.due_follow_ups(db, operator, local_today(TZ)) == []
    with pytest.raises(Forbidden):
        cases.check_source(operator, "mentor")


def test_proposal_queue_and_the_proposer_is_told(db: Session) -> None:
    operator = make_user(db, "operator")
    supervisor = make_user(db, "supervisor")
    with pytest.raises(Invalid):
        proposals.do_propose(db, operator, target="article", comment=" ")
    proposal = proposals.do_propose(
        db, operator, target="article", target_ref="Возвраты", comment="Нет срока возврата на карту"
    )
    proposals.do_set_status(db, supervisor, proposal, "in_review")
    bus = capture_events(db)
    proposals.do_set_status(db, supervisor, proposal, "accepted", "Добавили")
    db.commit()
    assert proposal.status == "accepted" and proposal.decided_by == supervisor.id
    assert any(
        e.get("type") == "qa_proposal" and f"op:{operator.id}" in ch for ch, e in bus.published
    )
    with pytest.raises(Conflict):
        proposals.do_set_status(db, supervisor, proposal, "rejected")
