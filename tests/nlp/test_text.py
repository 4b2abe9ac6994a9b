from wowdesk.nlp.text import lemmas, terms


def test_lemmas_join_word_forms_the_stemmer_leaves_apart() -> None:
    # suppletive forms: no stem is shared, the dictionary form is
    assert lemmas("Я шёл к людям") == ["я", "идти", "к", "человек"]
    assert lemmas("иду")[0] == lemmas("шла")[0]
    assert terms("иду") != terms("шла")


def test_lemmas_keep_latin_words_and_fold_yo() -> None:
    assert lemmas("Refund my card") == ["refund", "my", "card"]
    assert lemmas("Ёлка") == ["елка"]
