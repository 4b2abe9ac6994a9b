"""A bot over a small knowledge base with a topic model that reads keywords, so a test knows
which topic each question gets."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from wowdesk.bot import service as bot
from wowdesk.bot.engine import BotEngine
from wowdesk.bot.topic_model import Prediction
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation
from wowdesk.kb import service as kb
from wowdesk.kb.knowledge import Knowledge

DELIVERY = "Доставка и пункты выдачи"
LOYALTY = "Программа лояльности"
STORAGE = "Сколько хранится заказ в пункте выдачи"
ARTICLES = [
    (
        STORAGE,
        "Заказ хранится в пункте выдачи 7 дней со дня поступления. Срок можно продлить "
        "один раз на 3 дня в приложении: Заказы → Продлить хранение.",
    ),
    (
        "Как работает программа лояльности",
        "Когда сумма ваших заказов превышает 100 000 ₽, на все следующие покупки действует "
        "скидка 2,5 %. Учитываются только полученные заказы.",
    ),
]
STORAGE_Q = "сколько дней заказ лежит в пункте выдачи?"
LOYALTY_Q = "какая скидка по программе лояльности?"


class KeywordTopics:
    """Loyalty questions are about loyalty, everything else about delivery."""

    def predict_one(self, text: str) -> Prediction:
        label = LOYALTY if "лояльн" in text.lower() else DELIVERY
        return Prediction(label, 0.9, [(label, 0.9)])


@pytest.fixture
def engine_bot(db: Session) -> BotEngine:
    for name in (DELIVERY, LOYALTY):
        topics.do_create_topic(db, name)
    for title, body in ARTICLES:
        kb.do_create_article(db, title=title, body=body, author=None, publish=True)
    db.flush()
    return BotEngine(Knowledge(), topic_model=KeywordTopics(), public_url="http://help.test")  # type: ignore[arg-type]


def ask(
    db: Session, engine: BotEngine, text: str, channel: str = "web", conv_id: int | None = None
) -> Conversation:
    if conv_id is None:
        conv, _token, msg = conversations.do_start(
            db,
            identity=uuid.uuid4().hex,
            channel=channel,
            client_id=uuid.uuid4().hex,
            text=text,
            limit=4000,
            first_line=True,
            secret="test-secret",
        )
    else:
        conv = conversations.get_conversation(db, conv_id)
        msg, _created = conversations.do_customer_message(
            db, conv, client_id=uuid.uuid4().hex, text=text, limit=4000
        )
    bot.handle_message(db, engine, conv.id, msg.id)
    return conversations.get_conversation(db, conv.id)


def texts(db: Session, conv: Conversation, kind: str) -> list[str]:
    return [m.text for m in conversations.list_messages(db, conv) if m.author_kind == kind]
