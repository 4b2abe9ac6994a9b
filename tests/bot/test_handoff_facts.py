"""The handoff card's facts: an order or ad number holds digits; words after «заказ» are not."""

from __future__ import annotations

import pytest

from wowdesk.bot.handoff_card import collect_facts


@pytest.mark.parametrize(
    "text",
    [
        "Сколько дней заказ хранится в пункте выдачи?",
        "заказ пришел не тот, что делать",
        "Где мой заказ??? жду уже неделю",
        "объявление висит на проверке, заказов нет",
        "my order never arrived",
    ],
)
def test_no_number_no_order_fact(text: str) -> None:
    assert [f for f in collect_facts([text]) if f["kind"] in ("order", "ad")] == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Заказ 7734521 не пришёл", "order", "7734521"),
        ("заказ №A-20391 отменили без причины", "order", "A-20391"),
        ("номер заказа: заказ#88123 оплачен дважды", "order", "88123"),
        ("Order 55-1234 is late", "order", "55-1234"),
        ("объявление 40012345 отклонили", "ad", "40012345"),
    ],
)
def test_numbers_with_digits_are_facts(text: str, kind: str, value: str) -> None:
    assert {"kind": kind, "value": value} in collect_facts([text])
