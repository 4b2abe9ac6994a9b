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


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Hi, my SSN is 460-89-9847, the refund is late", ["460", "89", "9847"]),
        ("Мой СНИЛС 112-233-445 95, пенсия не пришла", ["112", "233", "445", "95"]),
        ("карта 4276 3800 1234 5679 списали дважды", ["4276", "3800", "1234", "5679"]),
    ],
)
def test_pieces_of_personal_numbers_are_no_facts(text: str, hidden: list[str]) -> None:
    """The supervisor's card masks each fact alone: a piece of an SSN, SNILS or card number
    is no personal data by itself, so the card showed the whole number in pieces."""
    values = {f["value"] for f in collect_facts([text])}
    assert not values & set(hidden)


def test_a_whole_personal_number_named_as_an_order_stays_one_fact() -> None:
    assert {"kind": "order", "value": "123-45-6789"} in collect_facts(["order 123-45-6789 is late"])
