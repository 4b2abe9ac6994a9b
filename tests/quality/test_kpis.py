"""QA KPIs reach the analytics rows (and so /analytics and `wowdesk report`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.quality.factories import dialogue
from wowdesk.analytics import service as analytics
from wowdesk.db import local_today
from wowdesk.quality import autoqa

GOOD = [
    ("customer", "где заказ 123456"),
    ("operator", "Здравствуйте! Меня зовут Анна. Заказ будет доставлен завтра. Всего доброго!"),
]
BAD = [
    ("customer", "Мой заказ 123456 не пришёл"),
    ("operator", "Назовите номер заказа и код из СМС?"),
]


def test_qa_score_critical_and_repeat_rates_per_operator(db: Session) -> None:
    anna = make_user(db, "operator", name="Анна")
    boris = make_user(db, "operator", name="Борис")
    dialogue(db, GOOD, operator=anna)
    dialogue(db, GOOD, operator=anna)
    dialogue(db, BAD, operator=boris)
    autoqa.do_score_pending(db, autoqa.Scorer())
    today = local_today("Europe/Moscow")
    rows = {r.label: r.values for r in analytics.summarize(db, today, today, group="operator")}
    assert rows["Анна"]["critical_error_rate"] == 0.0 and rows["Анна"]["repeat_rate"] == 0.0
    assert rows["Анна"]["qa_score"] is not None and rows["Анна"]["qa_score"] > 0.8
    assert rows["Борис"]["critical_error_rate"] == 1.0
    assert rows["Борис"]["repeat_rate"] == 1.0
    assert rows["Борис"]["qa_score"] == 0.0
    total = analytics.summarize(db, today, today, group="total")[0].values
    assert abs((total["critical_error_rate"] or 0) - 1 / 3) < 1e-9
