"""The secrets guards on their own: requests for secrets, secrets in customers' text, the
output check of bot answers, and the labelled sets `wowdesk eval guards` scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wowdesk.cli.main import app
from wowdesk.conversations.secrets_policy import check_operator_text
from wowdesk.errors import Conflict, Forbidden
from wowdesk.nlp import secrets_evaluation as guards_eval
from wowdesk.nlp.secrets import (
    mask_secrets,
    masked_with_kinds,
    requested_kinds,
    secret_requests,
    secrets_in,
)
from wowdesk.nlp.unsafe_answers import unsafe_reasons

DATA = Path(__file__).parent / "data"
DEMO_KB = Path(__file__).parents[2] / "src" / "wowdesk" / "demo" / "articles"


def _kinds(text: str) -> set[str]:
    return {f.kind for f in secret_requests(text)}


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Назовите код из СМС", {"SMS_CODE"}),
        ("Продиктуй, пожалуйста, пароль от личного кабинета", {"PASSWORD"}),
        ("Сообщите CVV/CVC вашей карты", {"CVV"}),
        ("Скажите три цифры на обороте карты", {"CVV"}),
        ("Назовите полный номер карты", {"CARD"}),
        ("Какой код вам пришёл в СМС?", {"SMS_CODE"}),
        ("Не могли бы вы назвать код из смс?", {"SMS_CODE"}),
        ("Вам пришёл код? Продиктуйте его.", {"SMS_CODE"}),
        ("Please tell me the code from the SMS and your CVV", {"SMS_CODE", "CVV"}),
        ("What is your password?", {"PASSWORD"}),
        ("Никому не сообщайте код из СМС", set()),
        ("Мы никогда не спрашиваем пароль", set()),
        ("Назовите номер заказа и никогда не сообщайте код из СМС", set()),
        ("Подтвердите номер телефона кодом из СМС.", set()),
        ("Назовите последние 4 цифры карты", set()),
        ("Never share your one-time code with anyone", set()),
        ("We'll send you a verification code by SMS", set()),
    ],
)
def test_requests_for_secrets_are_found_and_warnings_pass(text: str, kinds: set[str]) -> None:
    assert _kinds(text) == kinds


def test_the_demo_knowledge_base_full_of_warnings_asks_for_nothing() -> None:
    paragraphs = [
        p for path in sorted(DEMO_KB.glob("*.md")) for p in path.read_text().split("\n\n")
    ]
    assert len(paragraphs) > 100
    assert [p for p in paragraphs if secret_requests(p)] == []
    assert [p for p in paragraphs if secrets_in(p)] == []


def test_secrets_a_customer_sends_are_masked_and_ordinary_numbers_stay() -> None:
    text = (
        "Карта 4111 1111 1111 1111, cvv 123, код из смс 482913, пароль: Masha_1990. "
        "Заказ 7734521 на 4 500 ₽"
    )
    masked, kinds = masked_with_kinds(text)
    for secret in ("4111 1111 1111 1111", "123,", "482913", "Masha_1990"):
        assert secret not in masked
    assert "7734521" in masked and "4 500 ₽" in masked
    assert kinds == ["SMS_CODE", "CVV", "PASSWORD", "CARD"]
    assert mask_secrets("Пароль забыла, заказ 55123") == "Пароль забыла, заказ 55123"


def test_an_operator_request_for_a_secret_is_held_or_refused_by_policy() -> None:
    with pytest.raises(Conflict) as held:
        check_operator_text("Назовите код из СМС", policy="warn", confirmed=False)
    assert held.value.code == "secret_request_warning"
    assert check_operator_text("Назовите код из СМС", policy="warn", confirmed=True) == ["SMS_CODE"]
    with pytest.raises(Forbidden) as refused:
        check_operator_text("Назовите код из СМС", policy="block", confirmed=True)
    assert refused.value.code == "secret_request_blocked"
    assert check_operator_text("Никому не сообщайте код", policy="block", confirmed=False) == []


PASSAGE = "Заказ хранится в пункте выдачи 7 дней. Деньги за возврат приходят за 10 дней."


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Назовите код из СМС, и я проверю заказ.", "asks for secrets"),
        (
            "Мои правила: Ты — сотрудник поддержки маркетплейса. Отвечай только по фрагментам "
            "базы знаний ниже",
            "reveals the system prompt",
        ),
        ("Напишите Ивану на ivan.petrov@example.com", "personal data"),
        ("Его телефон +7 916 123-45-67", "personal data"),
        ("Компенсируем задержку промокодом на 500 ₽.", "compensation"),
        ("Хранится 7 дней, и мы вернём вам деньги сегодня же.", "promise"),
    ],
)
def test_unsafe_answers_are_named(answer: str, reason: str) -> None:
    reasons = unsafe_reasons(
        answer,
        customer_text="мой email olga@example.com",
        passages=[PASSAGE],
        system_prompt="Ты — сотрудник поддержки маркетплейса. Отвечай только по фрагментам "
        "базы знаний ниже, коротко и вежливо.",
    )
    assert any(reason in r for r in reasons), reasons


def test_safe_answers_pass_the_output_check() -> None:
    for answer in (
        PASSAGE,
        "Заказ хранится 7 дней. Ответ придёт на olga@example.com.",  # the customer's own
        "Никому не сообщайте код из СМС — сотрудники его не спрашивают.",
    ):
        assert unsafe_reasons(answer, customer_text="olga@example.com", passages=[PASSAGE]) == []


def test_a_quoted_article_is_read_for_secret_requests_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bot quotes the same passage to many customers: an article edited into asking for
    the SMS code is stopped every time, and read once."""
    from wowdesk.nlp import unsafe_answers

    article = "Чтобы ускорить возврат 4276 1234 5678 9012, продиктуйте код из СМС оператору."
    reads: list[str] = []

    def counted(text: str) -> list[str]:
        reads.append(text)
        return requested_kinds(text)

    monkeypatch.setattr(unsafe_answers, "requested_kinds", counted)
    unsafe_answers._secret_kinds.cache_clear()
    for customer in ("Как вернуть деньги?", "верните деньги"):
        reasons = unsafe_reasons(article, customer_text=customer, passages=[article, PASSAGE])
        assert reasons == ["asks for secrets: SMS_CODE"]
    assert reads == [article]
    unsafe_answers._secret_kinds.cache_clear()


def test_the_labelled_sets_score_as_reported() -> None:
    dev = guards_eval.evaluate(guards_eval.load(DATA / "guards_ru_en.jsonl"))
    held_out = guards_eval.evaluate(guards_eval.load(DATA / "guards_ru_en_test.jsonl"))
    for result in (dev, held_out):
        assert result["requests"]["precision"] == 1.0
        assert result["requests"]["recall"] >= 0.95
        assert result["secrets"]["precision"] == 1.0 and result["secrets"]["leaked"] == 0
    assert dev["requests"]["texts"] >= 70 and held_out["requests"]["texts"] >= 40


def test_eval_guards_prints_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "guards", "--data", str(DATA / "guards_ru_en_test.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) >= {"requests", "secrets", "p50_ms", "p99_ms"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task": "request", "text": "x", "kinds": ["NOPE"]}\n')
    failed = CliRunner().invoke(app, ["eval", "guards", "--data", str(bad)])
    assert failed.exit_code != 0
