"""English names and street addresses are masked; the language is chosen per message."""

from __future__ import annotations

from wowdesk.nlp import pii_en
from wowdesk.nlp.pii import mask_text


def test_english_names_and_addresses_are_masked() -> None:
    text = "Hi, my name is John Smith. Please ship it to 221 Baker Street, Apt. 4B."
    masked = mask_text(text)
    assert "John" not in masked and "Smith" not in masked and "Baker" not in masked
    assert "[PERSON]" in masked and "[ADDRESS]" in masked


def test_a_first_name_alone_and_after_a_cue() -> None:
    assert mask_text("Teresa called about the refund") == "[PERSON] called about the refund"
    assert "Grace" in mask_text("Grace period is 14 days")  # a word before it is a name


def test_language_is_chosen_per_message() -> None:
    assert pii_en.is_english("Where is my order?")
    assert not pii_en.is_english("Где мой заказ? order 123")
    assert pii_en.english_pii("Меня зовут Анна, живу на Тверской") == []
