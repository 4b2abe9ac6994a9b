"""The normaliser undoes what real writing does to a question, and finds the question."""

from __future__ import annotations

from wowdesk.nlp.normalize import looks_transliterated, normalize, question_parts


def test_invisible_characters_links_emoji_and_shouting_go() -> None:
    text = (
        "ГДЕ\u200c\u200c\u200c\u200c МОЙ ЗАКАЗ??? https://shop.example.ru/o/1?utm=x 😡😡"
        " ПИШИТЕ НА a.b@mail.ru"
    )
    clean = normalize(text)
    assert "\u200c" not in clean and "😡" not in clean and "https" not in clean
    assert clean.startswith("где мой заказ?") and "URL" in clean and "EMAIL" in clean
    assert "???" not in clean


def test_look_alike_latin_letters_inside_russian_words() -> None:
    assert normalize("дocтaвкa платная?") == "доставка платная?"
    assert normalize("Ёлка") == "Елка"
    assert normalize("iPhone 15 не включается") == "iPhone 15 не включается"  # a Latin word stays


def test_transliterated_russian_back_to_cyrillic_but_english_stays() -> None:
    assert looks_transliterated("kak vernut tovar")
    assert normalize("kak vernut tovar") == "как вернут товар"
    assert not looks_transliterated("how do I return my order")
    assert normalize("how do I return my order") == "how do I return my order"


def test_the_question_is_told_from_greeting_context_and_thanks() -> None:
    question, context = question_parts(
        normalize("Здравствуйте! Я заказывала для мамы. Сколько хранится заказ? Заранее спасибо!")
    )
    assert question == "Сколько хранится заказ?"
    assert context == "Я заказывала для мамы."
    # no punctuation at all: the whole message is the question
    assert question_parts("скока дней хранится посылка")[0] == "скока дней хранится посылка"
    # «почему?» alone asks about the sentence before it
    assert question_parts(normalize("меня забанили на сайте. почему"))[0] == (
        "меня забанили на сайте. почему"
    )
    assert question_parts(normalize("Спасибо!")) == ("", "")
