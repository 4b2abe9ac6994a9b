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


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("Номер накладной 12-34-56, где посылка?", [("number", "12-34-56")]),
        ("Заказ 4521-7788 не доставлен", [("order", "4521-7788")]),
        (
            "код товара 55-10-2031 не найден, заказ 778899",
            [("order", "778899"), ("number", "55-10-2031")],
        ),
        ("звоните 8-912-345-67-89", [("phone", "8-912-345-67-89")]),
    ],
)
def test_a_number_written_in_groups_is_one_fact(text: str, facts: list[tuple[str, str]]) -> None:
    """«12», «34», «56» under a waybill number told the operator nothing: the card shows the
    number as the customer wrote it, once (an order's pieces were shown beside the order)."""
    assert [(f["kind"], f["value"]) for f in collect_facts([text])] == facts


def test_a_range_stays_its_numbers() -> None:
    assert [f["value"] for f in collect_facts(["Доставка 3-5 дней, а прошло 10-15"])] == [
        "3",
        "5",
        "10",
        "15",
    ]
