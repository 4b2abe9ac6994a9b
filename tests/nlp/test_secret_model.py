"""The shipped secret-request arrays against scikit-learn: the same n-grams, the same
probabilities, and no scikit-learn in an app process."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scipy.sparse import hstack

from wowdesk.nlp import secret_model, secret_model_training
from wowdesk.nlp.deobfuscate import normalise

EXTRA = ["cvv?", "Диктуйте код.", "Назовите к0д из с.м.с", "  two   spaces\tand a tab ", "a", ""]


@pytest.fixture(scope="module")
def fitted() -> tuple:  # type: ignore[type-arg]
    return secret_model_training.fit(secret_model.load_examples())


def test_the_ngrams_are_cut_as_scikit_learn_cuts_them(fitted: tuple) -> None:  # type: ignore[type-arg]
    chars, words, _heads = fitted
    texts = [normalise(t).text for t, _k in secret_model.load_examples()] + EXTRA
    by_chars, by_words = chars.build_analyzer(), words.build_analyzer()
    for text in texts:
        assert sorted(secret_model.char_grams(text)) == sorted(by_chars(text)), text
        assert sorted(secret_model.word_grams(text)) == sorted(by_words(text)), text


def test_the_shipped_arrays_answer_as_a_model_trained_now(fitted: tuple) -> None:  # type: ignore[type-arg]
    """Fails when the development set changed and `python -m
    wowdesk.nlp.secret_model_training` was not run."""
    chars, words, heads = fitted
    texts = [t for t, _k in secret_model.load_examples()] + EXTRA
    norm = [normalise(t).text for t in texts]
    features = hstack([chars.transform(norm), words.transform(norm)]).tocsr()
    shipped = secret_model.load().probabilities(texts)
    assert set(shipped[0]) == set(heads)
    for kind, head in heads.items():
        expected = head.predict_proba(features)[:, 1]
        got = [p[kind] for p in shipped]
        assert got == pytest.approx(list(expected), abs=1e-6), kind


def test_the_model_finds_requests_and_leaves_warnings() -> None:
    model = secret_model.default_model()
    assert model.kinds("Диктуйте код.") == ["SMS_CODE"]
    assert model.kinds("cvv?") == ["CVV"]
    assert model.kinds("Никому не сообщайте код из СМС.") == []


def test_an_app_process_does_not_import_scikit_learn() -> None:
    """scikit-learn brings scipy.stats and pandas along, ~120 MB of every idle process."""
    code = "import sys, wowdesk.app, wowdesk.cli; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
