"""Manual mode in the service layer: scopes, the bot's gate, handover, requests, audit and
re-enable gated by the regression cases."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.helpers import capture_events, make_user
from tests.safety.conftest import DELIVERY, LOYALTY, LOYALTY_Q, STORAGE_Q, ask, texts
from wowdesk.bot import gate, switch
from wowdesk.bot import service as bot
from wowdesk.bot.engine import BotEngine
from wowdesk.conversations.models import Status
from wowdesk.errors import Conflict, Forbidden, Invalid
from wowdesk.quality import regression

GREETING = "Здравствуйте! Вам ответит оператор, он уже видит ваш вопрос."


def _off(db: Session, kind: str, value: str = "", reason: str = "неверные ответы") -> None:
    supervisor = make_user(db, "supervisor")
    switch.do_switch_off(db, supervisor, scope_kind=kind, scope_value=value, reason=reason)


def _assert_manual(db: Session, conv_id: int) -> None:
    conv = bot.conversations.get_conversation(db, conv_id)
    assert conv.status == Status.queued
    assert texts(db, conv, "bot") == [], "the bot must not answer while it is off"
    assert texts(db, conv, "system")[-1] == GREETING
    card = bot.latest_card(db, conv.id)
    assert card is not None and "ручной режим" in card.reasons[0].lower()
    assert card.summary  # the operator still reads the request in the customer's words


def test_scopes_are_validated(db: Session, engine_bot: BotEngine) -> None:
    supervisor = make_user(db, "supervisor")
    operator = make_user(db, "operator")
    cases = [
        (dict(scope_kind="topic", scope_value="Нет такой темы"), Invalid, "unknown_topic"),
        (dict(scope_kind="channel", scope_value="pigeon"), Invalid, "unknown_channel"),
        (dict(scope_kind="planet", scope_value=""), Invalid, "invalid_scope"),
    ]
    for scope, error, code in cases:
        with pytest.raises(error) as caught:
            switch.do_switch_off(db, supervisor, reason="x", **scope)  # type: ignore[arg-type]
        assert caught.value.code == code
    with pytest.raises(Invalid) as caught:
        switch.do_switch_off(db, supervisor, scope_kind="global", scope_value="", reason="  ")
    assert caught.value.code == "reason_required"
    with pytest.raises(Forbidden):
        switch.do_switch_off(db, operator, scope_kind="global", scope_value="", reason="x")
    switch.do_switch_off(db, supervisor, scope_kind="global", scope_value="ignored", reason="x")
    assert switch.get_switch(db, "global", "") is not None
    with pytest.raises(Conflict):
        switch.do_switch_off(db, supervisor, scope_kind="global", scope_value="", reason="x")


def test_bot_off_scope_finds_the_widest_switch(db: Session, engine_bot: BotEngine) -> None:
    assert gate.bot_off_scope(db, topic=DELIVERY, channel="web") is None
    _off(db, "topic", DELIVERY)
    found = gate.bot_off_scope(db, topic=DELIVERY, channel="web")
    assert found is not None and found.scope_kind == "topic"
    assert gate.bot_off_scope(db, topic=LOYALTY, channel="web") is None
    assert gate.bot_off_scope(db, topic="", channel="web") is None
    _off(db, "channel", "telegram")
    found = gate.bot_off_scope(db, topic=DELIVERY, channel="telegram")
    assert found is not None and found.scope_kind == "channel"
    _off(db, "global")
    found = gate.bot_off_scope(db, topic=LOYALTY, channel="web")
    assert found is not None and found.scope_kind == "global"


def test_bot_off_globally_hands_off_with_a_greeting_and_a_card(
    db: Session, engine_bot: BotEngine
) -> None:
    _off(db, "global")
    conv = ask(db, engine_bot, STORAGE_Q)
    _assert_manual(db, conv.id)
    decision = bot.list_decisions(db, conv.id)[-1]
    assert decision.action == "handoff" and decision.reasons == ["manual_mode"]
    assert decision.topic == DELIVERY  # classified first: the queue knows the topic


def test_bot_off_for_a_topic_answers_the_other_topics(db: Session, engine_bot: BotEngine) -> None:
    _off(db, "topic", DELIVERY)
    _assert_manual(db, ask(db, engine_bot, STORAGE_Q).id)
    other = ask(db, engine_bot, LOYALTY_Q)
    assert other.status == Status.bot
    assert "2,5 %" in texts(db, other, "bot")[-1]


def test_bot_off_for_a_channel_answers_the_other_channels(
    db: Session, engine_bot: BotEngine
) -> None:
    _off(db, "channel", "telegram")
    _assert_manual(db, ask(db, engine_bot, STORAGE_Q, channel="telegram").id)
    web = ask(db, engine_bot, STORAGE_Q, channel="web")
    assert web.status == Status.bot and texts(db, web, "bot")


def test_switching_off_hands_over_what_the_bot_holds_in_the_scope(
    db: Session, engine_bot: BotEngine
) -> None:
    delivery = ask(db, engine_bot, STORAGE_Q)
    loyalty = ask(db, engine_bot, LOYALTY_Q)
    assert delivery.status == loyalty.status == Status.bot
    supervisor = make_user(db, "supervisor")
    change = switch.do_switch_off(
        db, supervisor, scope_kind="topic", scope_value=DELIVERY, reason="неверный срок"
    )
    assert change.handed_over == 1
    delivery = bot.conversations.get_conversation(db, delivery.id)
    assert delivery.status == Status.queued
    assert texts(db, delivery, "system")[-1] == GREETING
    card = bot.latest_card(db, delivery.id)
    assert card is not None and card.bot_answers  # what the bot said goes along
    assert bot.conversations.get_conversation(db, loyalty.id).status == Status.bot
    # a further customer message in the handed-over conversation is not the bot's any more
    again = ask(db, engine_bot, "а можно продлить?", conv_id=delivery.id)
    assert len(texts(db, again, "bot")) == 1


def test_changes_are_published_only_after_commit(db: Session, engine_bot: BotEngine) -> None:
    bus = capture_events(db)
    _off(db, "global")
    assert "safety" not in bus.types()
    db.commit()
    assert "safety" in bus.types()
    payload = next(p for _c, p in bus.published if p["type"] == "safety")
    assert payload["op"] == "switch" and payload["action"] == "off"


def test_a_request_approved_switches_off_with_who_asked_and_who_approved(
    db: Session, engine_bot: BotEngine
) -> None:
    operator = make_user(db, "operator", name="Анна")
    supervisor = make_user(db, "supervisor", name="Ольга")
    request = switch.do_request(
        db, operator, scope_kind="topic", scope_value=DELIVERY, reason="бот путает сроки"
    )
    assert request.status == "pending"
    same = switch.do_request(
        db, operator, scope_kind="topic", scope_value=DELIVERY, reason="ещё раз"
    )
    assert same.id == request.id
    with pytest.raises(Forbidden):
        switch.do_decide(db, operator, request.id, True, "")
    switch.do_decide(db, supervisor, request.id, True, "согласна")
    assert request.status == "approved" and request.decided_by == supervisor.id
    assert request.decided_at is not None and request.decision_note == "согласна"
    change = switch.list_changes(db)[0]
    assert change.action == "off" and change.request_id == request.id
    assert (change.changed_by, change.changed_by_name) == (operator.id, "Анна")
    assert (change.approved_by, change.approved_by_name) == (supervisor.id, "Ольга")
    assert "бот путает сроки" in change.reason
    assert gate.bot_off_scope(db, topic=DELIVERY, channel="web") is not None
    with pytest.raises(Conflict):
        switch.do_decide(db, supervisor, request.id, False, "")


def test_a_declined_request_changes_nothing_and_keeps_the_decision(
    db: Session, engine_bot: BotEngine
) -> None:
    operator = make_user(db, "operator")
    supervisor = make_user(db, "supervisor")
    request = switch.do_request(
        db, operator, scope_kind="channel", scope_value="web", reason="много жалоб"
    )
    switch.do_decide(db, supervisor, request.id, False, "ошибки единичные")
    assert request.status == "declined" and request.decided_by == supervisor.id
    assert request.decision_note == "ошибки единичные"
    assert switch.list_changes(db) == []
    assert gate.bot_off_scope(db, topic="", channel="web") is None
    assert switch.list_requests(db, requested_by=operator.id)[0].id == request.id


def test_re_enable_is_refused_while_cases_fail_and_allowed_with_an_audited_override(
    db: Session, engine_bot: BotEngine
) -> None:
    conv = ask(db, engine_bot, STORAGE_Q)
    answer = bot.conversations.list_messages(db, conv)[-1]
    assert answer.author_kind == "bot"
    supervisor = make_user(db, "supervisor")
    regression.do_add_case(db, question="", message_id=answer.id, created_by=supervisor.id)
    switch.do_switch_off(db, supervisor, scope_kind="global", scope_value="", reason="ошибка")
    with pytest.raises(Conflict) as refused:
        regression.do_switch_on(
            db,
            supervisor,
            scope_kind="global",
            scope_value="",
            reason="исправили",
            engine=engine_bot,
        )
    assert refused.value.code == "regression_failed"
    report = refused.value.extra["regression"]
    assert report["failed"] == 1 and report["results"][0]["status"] == "fail"
    assert gate.bot_off_scope(db, topic=DELIVERY, channel="web") is not None

    change, result = regression.do_switch_on(
        db,
        supervisor,
        scope_kind="global",
        scope_value="",
        reason="срочно нужен бот",
        override=True,
        engine=engine_bot,
    )
    assert result.failed == 1
    assert change.action == "on" and change.override is True
    assert change.regression["failed"] == 1 and change.regression["failed_ids"]
    assert gate.bot_off_scope(db, topic=DELIVERY, channel="web") is None
    with pytest.raises(Conflict) as not_off:
        regression.do_switch_on(
            db, supervisor, scope_kind="global", scope_value="", reason="x", engine=engine_bot
        )
    assert not_off.value.code == "not_off"


def test_re_enable_without_failing_cases_needs_no_override(
    db: Session, engine_bot: BotEngine
) -> None:
    supervisor = make_user(db, "supervisor")
    regression.do_add_case(db, question=LOYALTY_Q, topic=LOYALTY, bad_answer="скидка 10 %")
    switch.do_switch_off(db, supervisor, scope_kind="topic", scope_value=LOYALTY, reason="x")
    change, report = regression.do_switch_on(
        db,
        supervisor,
        scope_kind="topic",
        scope_value=LOYALTY,
        reason="проверили",
        engine=engine_bot,
    )
    assert report.cases == 1 and report.failed == 0
    assert change.override is False and change.regression["passed"] == 1
