"""The bot's turn end to end in the service layer: answer from the KB, or hand off with a card."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from tests.bot.fake_llm import FakeLLM
from wowdesk.bot import service
from wowdesk.bot.engine import BotEngine
from wowdesk.bot.llm import LLMConfig
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Status
from wowdesk.customers import personal_data
from wowdesk.customers import service as customers
from wowdesk.errors import Conflict
from wowdesk.kb import service as kb
from wowdesk.kb.knowledge import Knowledge

LIMIT = 4000

ARTICLES = [
    (
        "Сколько хранится заказ в пункте выдачи",
        "Заказ хранится в пункте выдачи 7 дней со дня поступления. Срок можно продлить "
        "один раз на 3 дня в приложении: Заказы → Продлить хранение.\n\n"
        "Если заказ не забрали, он возвращается продавцу, а деньги приходят на карту "
        "в течение 10 рабочих дней.",
    ),
    (
        "Как работает программа лояльности",
        "Когда сумма ваших заказов превышает 100 000 ₽, на все следующие покупки действует "
        "скидка 2,5 %. Учитываются только полученные заказы.\n\n"
        "Статус программы виден в профиле в разделе «Моя выгода».",
    ),
]


@pytest.fixture
def bot(db: Session) -> BotEngine:
    for title, body in ARTICLES:
        kb.do_create_article(db, title=title, body=body, author=None, publish=True)
    db.flush()
    return BotEngine(Knowledge(), public_url="http://help.test")


def _ask(db: Session, bot: BotEngine, text: str, conv_id: int | None = None) -> int:
    if conv_id is None:
        conv, _token, msg = conversations.do_start(
            db,
            identity=uuid.uuid4().hex,
            channel="web",
            client_id=uuid.uuid4().hex,
            text=text,
            limit=LIMIT,
            first_line=True,
            secret="test-secret",
        )
    else:
        conv = conversations.get_conversation(db, conv_id)
        msg, _created = conversations.do_customer_message(
            db, conv, client_id=uuid.uuid4().hex, text=text, limit=LIMIT
        )
    service.handle_message(db, bot, conv.id, msg.id)
    return conv.id


def _texts(db: Session, conv_id: int, kind: str) -> list[str]:
    conv = conversations.get_conversation(db, conv_id)
    return [m.text for m in conversations.list_messages(db, conv) if m.author_kind == kind]


def test_a_question_the_kb_answers_gets_the_passage_and_its_link(
    db: Session, bot: BotEngine
) -> None:
    conv_id = _ask(db, bot, "сколько дней посылка лежит в пункте выдачи?")
    reply = _texts(db, conv_id, "bot")[-1]
    assert "хранится в пункте выдачи 7 дней" in reply
    assert "http://help.test/help/" in reply
    assert conversations.get_conversation(db, conv_id).status == Status.bot
    decision = service.list_decisions(db, conv_id)[-1]
    assert decision.action == "answer" and decision.article_id is not None


def test_asking_for_a_human_hands_off_with_the_reason_and_a_card(
    db: Session, bot: BotEngine
) -> None:
    text = "Позовите оператора! Заказ 7734521 не пришёл, я жду с 12 марта, заплатил 4 500 ₽"
    conv_id = _ask(db, bot, text)
    conv = conversations.get_conversation(db, conv_id)
    assert conv.status == Status.queued
    decision = service.list_decisions(db, conv_id)[-1]
    assert decision.action == "handoff"
    assert any(f["code"] == "asks_human" for f in decision.flags)
    card = service.latest_card(db, conv_id)
    assert card is not None
    assert "7734521" in card.summary
    values = {f["value"] for f in card.facts}
    assert "7734521" in values
    assert any("4 500" in v or "4500" in v for v in values)
    notice = _texts(db, conv_id, "system")[-1]
    assert "не нужно" in notice or "не придётся" in notice


def test_a_nameless_customer_who_gave_their_name_is_called_by_it_after_the_handoff(
    db: Session, bot: BotEngine
) -> None:
    """A web chat's customer is anonymous: the inbox and Customer 360 showed «#3007» while
    the card said «Ольга Соколова»."""

    def name_after(*said: str) -> str:
        conv_id = _ask(db, bot, said[0])
        for text in said[1:]:
            _ask(db, bot, text, conv_id)
        conv = conversations.get_conversation(db, conv_id)
        assert conv.status == Status.queued
        return customers.get_customer(db, conv.customer_id).display_name

    assert name_after("Здравствуйте! Меня зовут Ольга Соколова.", "Позовите оператора") == (
        "Ольга Соколова"
    )
    assert name_after("привет, я ольга", "оператора позовите пожалуйста") == "Ольга"
    # someone else's name is not theirs, nor is one given after the conversation's start
    assert name_after("Курьер Иван нахамил мне, позовите оператора") == ""
    # a name the channel gave stays, and an erased customer is never named again
    named = conversations.get_conversation(db, _ask(db, bot, "Добрый день"))
    customers.get_customer(db, named.customer_id).display_name = "Мария Кузнецова"
    _ask(db, bot, "Меня зовут Маша, позовите оператора", named.id)
    assert customers.get_customer(db, named.customer_id).display_name == "Мария Кузнецова"
    erased = conversations.get_conversation(db, _ask(db, bot, "Добрый день"))
    personal_data.do_erase(db, erased.customer_id)
    assert not customers.do_take_given_name(db, erased.customer_id, "Ольга")
    with pytest.raises(Conflict):
        customers.do_set_name(db, erased.customer_id, "Ольга")
    assert customers.get_customer(db, erased.customer_id).display_name == ""


def test_a_question_outside_the_kb_goes_to_a_human(db: Session, bot: BotEngine) -> None:
    conv_id = _ask(db, bot, "какая погода будет завтра в Париже")
    assert conversations.get_conversation(db, conv_id).status == Status.queued
    assert "no_answer" in service.list_decisions(db, conv_id)[-1].reasons


def test_not_helped_hands_off_and_yes_closes(db: Session, bot: BotEngine) -> None:
    conv_id = _ask(db, bot, "сколько хранится заказ в пункте выдачи")
    _ask(db, bot, "нет, не помогло", conv_id)
    assert conversations.get_conversation(db, conv_id).status == Status.queued
    assert "did_not_help" in service.list_decisions(db, conv_id)[-1].reasons

    other = _ask(db, bot, "какая скидка по программе лояльности?")
    _ask(db, bot, "да, спасибо", other)
    assert conversations.get_conversation(db, other).status in (Status.wrapup, Status.closed)


def test_the_same_message_handled_twice_gets_one_reply(db: Session, bot: BotEngine) -> None:
    conv_id = _ask(db, bot, "сколько хранится заказ в пункте выдачи")
    conv = conversations.get_conversation(db, conv_id)
    first = conversations.list_messages(db, conv)[0]
    service.handle_message(db, bot, conv_id, first.id)
    assert len(_texts(db, conv_id, "bot")) == 1
    assert len(service.list_decisions(db, conv_id)) == 1


def test_a_topic_switched_off_by_the_supervisor_goes_to_humans(db: Session) -> None:
    class Fixed:
        def predict_one(self, text: str) -> object:
            from wowdesk.bot.topic_model import Prediction

            return Prediction("Доставка и пункты выдачи", 0.9, [("Доставка и пункты выдачи", 0.9)])

    for title, body in ARTICLES:
        kb.do_create_article(db, title=title, body=body, author=None, publish=True)
    bot = BotEngine(Knowledge(), topic_model=Fixed())  # type: ignore[arg-type]
    service.do_set_policy(
        db,
        "Доставка и пункты выдачи",
        bot_allowed=False,
        min_topic_confidence=0.0,
        min_retrieval_confidence=0.35,
    )
    conv_id = _ask(db, bot, "сколько хранится заказ в пункте выдачи")
    decision = service.list_decisions(db, conv_id)[-1]
    assert decision.action == "handoff" and "topic_off" in decision.reasons
    assert decision.topic == "Доставка и пункты выдачи"


def test_an_ungrounded_llm_answer_is_never_sent_and_is_kept(db: Session) -> None:
    for title, body in ARTICLES:
        kb.do_create_article(db, title=title, body=body, author=None, publish=True)
    with FakeLLM() as fake:
        fake.script(["Заказ хранится в пункте выдачи 14 дней, потом его можно забрать в офисе."])
        bot = BotEngine(Knowledge(), llm=LLMConfig(url=fake.url, model="fake"))
        conv_id = _ask(db, bot, "сколько хранится заказ в пункте выдачи")
    assert conversations.get_conversation(db, conv_id).status == Status.queued
    assert not any("14 дней" in t for t in _texts(db, conv_id, "bot"))
    assert "hallucination" in service.list_decisions(db, conv_id)[-1].reasons
    rejected = service.list_rejected(db)[0]
    assert "14 дней" in rejected.text
    assert service.count_rejected(db) == 1


def test_a_grounded_llm_answer_is_sent(db: Session) -> None:
    for title, body in ARTICLES:
        kb.do_create_article(db, title=title, body=body, author=None, publish=True)
    with FakeLLM() as fake:
        fake.script(["Заказ хранится в пункте выдачи 7 дней со дня поступления."])
        bot = BotEngine(Knowledge(), llm=LLMConfig(url=fake.url, model="fake"))
        conv_id = _ask(db, bot, "сколько хранится заказ в пункте выдачи")
        prompt = str(fake.requests[-1])
    assert (
        "Заказ хранится в пункте выдачи 7 дней со дня поступления."
        in _texts(db, conv_id, "bot")[-1]
    )
    assert "7 дней" in prompt


def test_llm_down_hands_off(db: Session) -> None:
    for title, body in ARTICLES:
        kb.do_create_article(db, title=title, body=body, author=None, publish=True)
    bot = BotEngine(
        Knowledge(), llm=LLMConfig(url="http://127.0.0.1:9/v1", model="x", timeout_seconds=1)
    )
    conv_id = _ask(db, bot, "сколько хранится заказ в пункте выдачи")
    assert "llm_down" in service.list_decisions(db, conv_id)[-1].reasons
    assert conversations.get_conversation(db, conv_id).status == Status.queued
