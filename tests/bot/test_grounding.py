"""The grounding check never lets an invented fact through."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.bot.grounding import check
from wowdesk.nlp.facts import extract_facts

PASSAGES = [
    "Заказ хранится в пункте выдачи 7 дней со дня поступления. Срок можно продлить один раз "
    "на 3 дня в приложении.",
    "Когда сумма ваших заказов превышает 100 000 ₽, на все следующие покупки действует "
    "скидка 2,5 %. Подробности на https://help.example.ru/loyalty",
]


def test_facts_of_a_russian_message() -> None:
    facts = {
        (f.kind, f.value)
        for f in extract_facts(
            "Заказ 7734521 жду с 12.03.2025, заплатил 4 500 ₽, скидка 2,5 %, "
            "телефон +7 912 345-67-89, пишу из Москвы"
        )
    }
    assert ("number", "7734521") in facts
    assert ("date", "2025-03-12") in facts
    assert ("amount", "4500 rub") in facts
    assert ("percent", "2.5") in facts
    assert ("phone", "+79123456789") in facts
    assert any(kind == "location" for kind, _v in facts)


def test_a_faithful_paraphrase_passes() -> None:
    result = check("Заказ хранится в пункте выдачи 7 дней, срок можно продлить на 3 дня.", PASSAGES)
    assert result.ok, result.reasons
    assert check("Скидка 2.5% действует, когда сумма заказов превышает 100000 ₽.", PASSAGES).ok


def test_changed_numbers_and_invented_contacts_are_caught() -> None:
    assert not check("Заказ хранится в пункте выдачи 14 дней.", PASSAGES).ok
    changed = check("Когда сумма заказов превышает 100 000 ₽, действует скидка 3 %.", PASSAGES)
    assert not changed.ok and changed.unsupported_facts == ["3 %"]
    phone = check("Срок хранения заказа продлят по телефону +7 495 123-45-67.", PASSAGES)
    assert not phone.ok and any("phone" in r for r in phone.reasons)
    link = check("Скидка 2,5 % описана на https://evil.example.com/promo", PASSAGES)
    assert not link.ok
    person = check("Заказ хранится 7 дней, так сказал Иван Петров.", PASSAGES)
    assert not person.ok
    assert not check("Курьер привезёт мебель бесплатно в любой город страны.", PASSAGES).ok


@settings(max_examples=60, deadline=None)
@given(
    number=st.integers(min_value=0, max_value=10**7).filter(
        lambda n: str(n) not in {"7", "3", "100000", "2.5", "2", "5", "1"}
    ),
    words=st.lists(
        st.sampled_from(
            ["заказ", "хранится", "пункте", "выдачи", "дней", "срок", "продлить", "скидка", "сумма"]
        ),
        min_size=3,
        max_size=8,
    ),
)
def test_a_sentence_with_a_number_not_in_the_sources_is_always_rejected(
    number: int, words: list[str]
) -> None:
    known = {f.value for f in extract_facts(" ".join(PASSAGES), entities=False)}
    if str(number) in known:
        return
    sentence = " ".join([*words[:2], str(number), *words[2:]]).capitalize() + "."
    result = check(sentence, PASSAGES)
    assert not result.ok
    assert any(str(number) in r.replace(" ", "") for r in result.reasons)
