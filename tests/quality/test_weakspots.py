"""Weak spots per topic: the «had to repeat» rate counts the conversations where the agent
asked again for what the customer had already given (auto-QA's no_repeat criterion)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.quality.factories import dialogue
from wowdesk.db import utcnow
from wowdesk.quality import autoqa
from wowdesk.quality.weakspots import weak_spots

ASKED_AGAIN = [
    ("customer", "Где мой заказ 4821937? Обещали вчера."),
    ("operator", "Здравствуйте! Меня зовут Анна. Подскажите номер заказа?"),
    ("customer", "4821937"),
    ("operator", "Заказ в пути, курьер привезёт сегодня. Хорошего дня!"),
]
ANSWERED = [
    ("customer", "Где мой заказ 4821937? Обещали вчера."),
    ("operator", "Здравствуйте! Меня зовут Анна. Заказ в пути, курьер привезёт сегодня."),
]


def test_repeat_rate_counts_questions_the_customer_had_already_answered(db: Session) -> None:
    anna = make_user(db, "operator", name="Анна")
    for turns in (ASKED_AGAIN, ASKED_AGAIN, ANSWERED, ANSWERED):
        dialogue(db, turns, operator=anna)
    autoqa.do_score_pending(db, autoqa.Scorer())
    spots = weak_spots(db, utcnow() - timedelta(days=1))
    scored = sum(s.conversations for s in spots)
    repeated = sum(s.repeat_rate * s.conversations for s in spots)
    assert scored == 4
    assert abs(repeated - 2) < 1e-6
