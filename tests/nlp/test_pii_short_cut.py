"""The phone search skips texts with too few digits: this checks the premise it rests on,
that libphonenumber finds no valid number in such a text, whatever its punctuation,
script of digits or surrounding words."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.nlp import pii
from wowdesk.nlp.pii import MIN_PHONE_DIGITS, find_pii

digits = st.sampled_from("0123456789٣٤۵")  # ASCII, Arabic-Indic and Persian digits
others = st.sampled_from([*"+-() ./abcxyz", "тел", "phone", "+7", "+1", "+49", "+683"])


@st.composite
def few_digit_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(digits, others), max_size=30))
    text, count = "", 0
    for part in parts:
        n = sum(ch.isdecimal() for ch in part)
        if count + n < MIN_PHONE_DIGITS:
            text, count = text + part, count + n
        elif not any(ch.isdecimal() for ch in part):
            text += part
    return text


@settings(max_examples=400, deadline=None)
@given(few_digit_texts())
def test_no_valid_number_has_fewer_digits(text: str) -> None:
    for region in ("RU", "US"):
        assert not list(
            phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
        ), text


def test_the_shortest_valid_numbers_are_still_found() -> None:
    # Niue and Vienna: seven digits with the country code, just above the cut
    for number in ("+683 4002", "+43 1 2345"):
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
        assert [s.type for s in find_pii(f"звоните {number}", names=False)] == ["PHONE"]
    assert [s.type for s in find_pii("тел. +7 916 123-45-67", names=False)] == ["PHONE"]


fragments = st.sampled_from(
    [
        "карта 4276 3800 1234 5678",
        "4111-1111-1111-1111",
        "СНИЛС 112-233-445 95",
        "ИНН 7707083893",
        "паспорт 45 08 123456",
        "счёт 40817810099910004312",
        "GB82 WEST 1234 5698 7654 32",
        "ул. Ленина, д. 5, кв. 12",
        "221 Baker Street",
        "+7 916 123-45-67",
        "083 564 9312",
        "заказ 12345",
        "a@b.ru",
        "тел.",
        "Иван Петров",
        " ",
        ", ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(fragments, digits, others), max_size=8))
def test_skipping_patterns_by_digit_count_changes_nothing(parts: list[str]) -> None:
    text = "".join(parts)
    fast = find_pii(text, names=False)
    counted = pii._digit_count
    pii._digit_count = lambda _text: 10**6  # every pattern runs
    try:
        assert find_pii(text, names=False) == fast
    finally:
        pii._digit_count = counted
