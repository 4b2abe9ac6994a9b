"""The phone search skips texts with too few digits, or with no run of them joined by
phone punctuation: this checks the premises it rests on, that libphonenumber finds no valid
number in such a text, whatever its punctuation, script of digits or surrounding words."""

from __future__ import annotations

import re

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.nlp import pii
from wowdesk.nlp.pii import MIN_PHONE_DIGITS, PHONE_RUN, find_pii

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


# the matcher's own marks (dashes, fullwidth brackets and slash, «x», «ー», a soft hyphen, a
# zero-width space, an ideographic space) and others; numbers it finds, cut into groups
marks = st.sampled_from([*"-‐–—−ー－（）／xX.()[]/~ \u00a0\u00ad\u200b\u3000,:№аб"])
numbers = st.sampled_from(["+79161234567", "89161234567", "2125550143", "+6834002", "+4312345"])


@st.composite
def spelled_numbers(draw: st.DrawFn) -> str:
    """A valid number written with one to four marks between its digit groups."""
    number = draw(numbers)
    out = ""
    for ch in number:
        if out and out[-1].isdigit() and draw(st.booleans()):
            out += "".join(draw(st.lists(marks, min_size=1, max_size=4)))
        out += ch
    return out


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(digits, marks, others, spelled_numbers()), max_size=12))
def test_no_valid_number_lies_outside_a_run_of_digits(parts: list[str]) -> None:
    text = " ".join(parts)
    if PHONE_RUN.search(text):
        return
    for region in ("RU", "US"):
        assert not list(
            phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
        ), text


def test_digits_scattered_among_words_skip_the_phone_search() -> None:
    for text in ("заказ 123, 2 шт., 15 числа", "ticket a1b2c3d4e5f6", "[3f2a1b-123-4]"):
        assert not PHONE_RUN.search(text), text
    for text in ("+7 916 123-45-67", "8(916)1234567", "+683 4002", "тел 12 34 56"):
        assert PHONE_RUN.search(text), text


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
        "права 99 00 123456",
        "DL A1234567",
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
    counted, runs = pii._digit_count, pii.PHONE_RUN
    pii._digit_count = lambda _text: 10**6  # every pattern runs
    pii.PHONE_RUN = re.compile("")
    try:
        assert find_pii(text, names=False) == fast
    finally:
        pii._digit_count, pii.PHONE_RUN = counted, runs


# street types and fragments of addresses as customers type them, among ordinary words
street_parts = st.sampled_from(
    ["ул", "УЛ", "ул.", "Ул.", "пр-т", "ПР-КТ", "просп.", "пер", "б-р", "наб.", "мкр", "пр.",
     "ш.", "пл.", "улице", "Улица", "проспекте", "ПРОСПЕКТ", "переулок", "шоссе", "бульваре",
     "набережной", "площади", "проезд", "микрорайоне", "тупик", "аллея", "линии", "тракт",
     "Ленина", "ленина", "МИРА", "Маршала", "жукова", "8", "Марта", "2-я", "Тверская",
     "невский", "Ленинский", "д.", "д", "дом", "5", "12а", "10к2", "28/2", "3-15", "кв", "кв.",
     "12", "корп.", "стр", "оф.", "г.", "Москва", ",", "доставьте", "на", "живу", "привет",
     "пришёл", "проблема", "улыбка", "пересчёт", "площадка", "шт", "пр", "ул-ул"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(street_parts, max_size=12), st.sampled_from([" ", "", "  ", ", "]))
def test_no_street_is_found_where_no_street_type_word_is(parts: list[str], sep: str) -> None:
    """The two street patterns run only on texts where STREET_HINT finds a type word: no
    text without one holds anything either pattern matches."""
    text = sep.join(parts)
    if pii.STREET_HINT.search(text) is None:
        assert pii.RU_ADDRESS.search(text) is None, text
        assert pii.RU_ADDRESS_NAME_FIRST.search(text) is None, text
