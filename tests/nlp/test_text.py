"""Tokens (the piecewise cache gives razdel's tokens of the whole text) and lemmas."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.nlp import text
from wowdesk.nlp.text import lemmas, terms

# letters, digits, every kind of gap, and the characters razdel's rules join on (dashes,
# «_», «.», «,», slashes) or glue into smileys
PARTS = [
    *"абвёжЯZzxy09",
    *" \t\n\u00a0\u2009",
    *"-‑–—−_.,/\\?!:;()«»%№…",
    "🙂",
    "Δσ",
    "yahoo",
    ":)",
    ";-)",
    "1.5",
    "3,14",
    "1/2",
]


@settings(max_examples=2000)
@given(st.lists(st.sampled_from(PARTS), max_size=40).map("".join))
def test_words_piece_by_piece_are_razdels_words_of_the_whole_text(sample: str) -> None:
    """A gap razdel may look across («a -1», «1 .5», «a- b») keeps its pieces together."""
    assert text.words(sample) == text._words(sample)


def test_a_turn_tokenises_as_one_text() -> None:
    """The customer's messages joined: pieces seen in an earlier turn come from the cache."""
    first = "Заказ должен был прийти вчера, но статус не меняется. [a1b2c3-17-1]"
    turn = f"{first} Подскажите, как вернуть товар - 2 шт., 1.5 кг/3 дня? [a1b2c3-17-2]"
    assert text.words(first) == text._words(first)
    assert text.words(turn) == text._words(turn)
    assert text.words("a -1 b- 2 1 .5 x_ y") == text._words("a -1 b- 2 1 .5 x_ y")


def test_lemmas_join_word_forms_the_stemmer_leaves_apart() -> None:
    # suppletive forms: no stem is shared, the dictionary form is
    assert lemmas("Я шёл к людям") == ["я", "идти", "к", "человек"]
    assert lemmas("иду")[0] == lemmas("шла")[0]
    assert terms("иду") != terms("шла")


def test_lemmas_keep_latin_words_and_fold_yo() -> None:
    assert lemmas("Refund my card") == ["refund", "my", "card"]
    assert lemmas("Ёлка") == ["елка"]
