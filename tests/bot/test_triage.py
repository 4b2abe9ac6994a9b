"""Triage flags say why a message goes to a human, with the words that triggered them."""

from __future__ import annotations

import pytest

from wowdesk.bot.triage import says_helped, says_not_helped, triage


@pytest.mark.parametrize(
    ("text", "flag", "evidence"),
    [
        ("Позовите оператора, пожалуйста", "asks_human", "оператор"),
        ("мне нужен живой человек", "asks_human", "живой человек"),
        ("I want to talk to an agent", "asks_human", "agent"),
        ("Это просто ужас, безобразие какое-то", "negative_emotion", "ужас"),
        ("Мне звонил мошенник и просил код из смс", "fraud_security", "мошен"),
        ("Я подам в суд на вашу компанию", "legal_threat", "суд"),
        ("Верните деньги за продвижение", "account_action", "верните"),
        ("Разблокируйте мой аккаунт", "account_action", "разблок"),
        ("Отмените мой заказ 4471203", "account_action", "отмените"),
        ("Прошу вернуть деньги за заказ 123456", "account_action", "прошу вернуть"),
        ("хочу вернуть деньги за мой заказ", "account_action", "хочу вернуть"),
        ("Please cancel my order 123", "account_action", "cancel my"),
        ("I want a refund", "account_action", "refund"),
    ],
)
def test_flags_come_with_their_evidence(text: str, flag: str, evidence: str) -> None:
    result = triage(text, "", 0.0)
    found = {f.code: f.evidence.lower() for f in result.flags}
    assert flag in found, result.flags
    assert evidence in found[flag]
    assert result.complex


def test_several_questions_at_once() -> None:
    text = "Где мой заказ? И почему списали деньги дважды? И как сменить пароль?"
    assert "multiple_questions" in triage(text, "", 0.0).codes()


def test_a_simple_question_has_no_flags() -> None:
    result = triage("Сколько хранится заказ в пункте выдачи?", "Доставка", 0.9)
    assert result.flags == () and not result.complex


def test_helped_or_not() -> None:
    assert says_helped("да, спасибо!") and not says_not_helped("да, спасибо!")
    assert says_not_helped("нет, не помогло") and not says_helped("нет, не помогло")
    assert says_not_helped("это не то, что я спрашивал")


@pytest.mark.parametrize(
    "text",
    [
        "Как вернуть товар?",
        "Сколько идёт возврат денег на карту?",
        "подскажите как оформить возврат",
        "хочу вернуть товар, не подошёл размер",
        "когда вернут деньги за отменённый заказ",
        "можно отменить платную услугу и вернуть деньги",
        "Скажите, где мой заказ",
        "How do I cancel my order?",
        "возврат денег",
    ],
)
def test_questions_about_returns_are_not_requests_to_act(text: str) -> None:
    """The KB answers these: asking how is not asking us to do it."""
    assert "account_action" not in triage(text, "Оплата и возвраты", 0.9).codes()


def test_the_topic_names_what_the_request_is_about() -> None:
    flags = triage("Верните деньги за заказ 7734521", "Оплата и возвраты", 0.8).flags
    assert [f.evidence for f in flags if f.code == "account_action"] == [
        "верните (Оплата и возвраты)"
    ]
