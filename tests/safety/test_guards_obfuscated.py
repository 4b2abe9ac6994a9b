"""Requests for secrets however they are written (issue 16, item 1): short imperatives,
questions without a verb, look-alike letters and digits, letters spread out with dots or
spaces, a request split over consecutive operator messages, and an LLM that appends such a
line to a grounded answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.bot.fake_llm import FakeLLM
from tests.helpers import make_user, new_conversation
from wowdesk.bot.llm import LLMConfig, answer_with_llm
from wowdesk.conversations import service as conversations
from wowdesk.errors import Conflict
from wowdesk.nlp import secrets_evaluation as guards_eval
from wowdesk.nlp.deobfuscate import normalise
from wowdesk.nlp.secrets import requested_kinds, secret_requests
from wowdesk.routing import service as routing

DATA = Path(__file__).parent / "data"
PASSAGE = "Заказ хранится в пункте выдачи 7 дней со дня поступления."


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Назовите к0д из с.м.с", "назовите код из смс"),
        ("cмc-код", "смс-код"),  # Latin c inside a Cyrillic word
        ("сvv?", "cvv?"),  # Cyrillic с inside a Latin word
        ("Пришлите к о д", "пришлите код"),
        ("па.роль", "пароль"),
        ("p@ssw0rd", "password"),
        ("CVV2 и 3ds", "cvv2 и 3ds"),  # digits that belong to the word stay
        ("Заказ 12345 на 4 500 ₽", "заказ 12345 на 4 500 ₽"),
    ],
)
def test_the_normaliser_undoes_look_alikes_and_spacing(written: str, read: str) -> None:
    normalised = normalise(written)
    assert normalised.text == read
    assert len(normalised.offsets) == len(normalised.text)
    assert all(0 <= o < len(written) for o in normalised.offsets)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Диктуйте код.", "SMS_CODE"),
        ("Код из смс?", "SMS_CODE"),
        ("cvv?", "CVV"),
        ("Пришлите цифры, которые пришли вам в сообщении", "SMS_CODE"),
        ("Назовите к0д из с.м.с", "SMS_CODE"),
        ("Скажите сvv карты", "CVV"),
        ("Пароль?", "PASSWORD"),
        ("What's your PIN?", "PIN"),
    ],
)
def test_the_phrasings_that_got_through_are_caught(text: str, kind: str) -> None:
    assert kind in {f.kind for f in secret_requests(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Никому не диктуйте код из смс.",
        "Введите код из СМС в приложении.",
        "Сообщите код получения сотруднику пункта выдачи.",
        "Какой номер заказа?",
        "Промокод подскажете?",
        "Never share the code with anyone.",
    ],
)
def test_warnings_and_codes_that_are_no_secret_pass(text: str) -> None:
    assert secret_requests(text) == []


def test_a_request_split_over_two_messages_is_one_request() -> None:
    assert requested_kinds("Назовите, пожалуйста,") == []
    assert requested_kinds("код из СМС", previous="Назовите, пожалуйста,") == ["SMS_CODE"]
    # what the previous message asked for on its own was judged then
    assert requested_kinds("Спасибо", previous="Назовите код из СМС") == []
    assert requested_kinds("Сейчас проверю заказ.", previous="Добрый день!") == []


def test_the_operator_service_holds_the_second_half_of_a_split_request(db: Session) -> None:
    user = make_user(db)
    conv = new_conversation(db)
    routing.do_take(db, conv.id, user)
    conversations.do_operator_message(
        db, conv, user, client_id="o-1", text="Назовите, пожалуйста,", limit=4000
    )
    with pytest.raises(Conflict) as held:
        conversations.do_operator_message(
            db, conv, user, client_id="o-2", text="код из СМС", limit=4000
        )
    assert held.value.code == "secret_request_warning"
    # a customer message in between breaks the chain: each half is read alone
    conversations.do_customer_message(db, conv, client_id="c-9", text="Алло?", limit=4000)
    msg, created = conversations.do_operator_message(
        db, conv, user, client_id="o-3", text="Минуту, проверяю.", limit=4000
    )
    assert created and msg.meta in (None, {})


@pytest.mark.parametrize("line", ["Диктуйте код.", "Код из смс?", "cvv?", "Назовите к0д из с.м.с"])
def test_a_grounded_answer_with_a_request_added_is_never_sent(line: str) -> None:
    with FakeLLM() as fake:
        fake.script([f"{PASSAGE} {line}"])
        result = answer_with_llm(
            LLMConfig(url=fake.url, model="m"), [PASSAGE], [], "Сколько хранится заказ?"
        )
    assert result.unsafe and not result.grounded
    assert result.rejected_text and line in result.rejected_text


def test_the_held_out_set_of_obfuscated_phrasings_scores() -> None:
    result = guards_eval.evaluate(guards_eval.load(DATA / "guards_obfuscated_test.jsonl"))
    assert result["requests"]["texts"] >= 60
    assert result["requests"]["recall"] >= 0.95
    assert result["requests"]["precision"] >= 0.95
