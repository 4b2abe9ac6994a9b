"""The name a customer gives for themselves: what a nameless web customer is called."""

from __future__ import annotations

import pytest

from wowdesk.nlp.introduced import INTRODUCTION_MESSAGES, introduced_name


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("Здравствуйте! Меня зовут Ольга Соколова. Заказ 123456 не пришёл", "Ольга Соколова"),
        ("привет, я ольга, заказ не пришёл", "Ольга"),
        ("МЕНЯ ЗОВУТ ИВАНОВА АННА", "Иванова Анна"),
        # «это Оля» where the message, a sentence or a greeting opens with it (these failed)
        ("Добрый день, это Оля. Где мой заказ?", "Оля"),
        ("Здравствуйте! Это Ольга Петровна, заказ 12345", "Ольга Петровна"),
        ("это маша", "Маша"),
        ("Hi, this is Emma Brown. Where is my parcel?", "Emma Brown"),
        ("My name is John Smith", "John Smith"),
        # someone else's name is not theirs
        ("Курьер Иван нахамил мне", ""),
        ("Курьер сказал, что это Иван принёс", ""),
        ("Заказ оформлен на имя Петрова Сергея", ""),
        ("Где мой заказ?", ""),
    ],
)
def test_the_name_a_customer_gave_for_themselves(said: str, name: str) -> None:
    assert introduced_name([said]) == name


def test_a_name_is_read_from_the_first_messages_only() -> None:
    early = ["Добрый день"] * (INTRODUCTION_MESSAGES - 1)
    assert introduced_name([*early, "Меня зовут Пётр"]) == "Пётр"
    assert introduced_name([*early, "Где заказ?", "Меня зовут Пётр"]) == ""
    assert introduced_name(["Я Анна", "Меня зовут Пётр"]) == "Анна"  # the first one given
