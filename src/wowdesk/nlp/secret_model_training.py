"""Trains the secret-request model with scikit-learn and writes the arrays `nlp.secret_model`
reads. Run after changing the development set (`scripts/secret_requests_data.py`):

    python -m wowdesk.nlp.secret_model_training

Only this module imports scikit-learn; app processes read the shipped arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from wowdesk.nlp.deobfuscate import normalise
from wowdesk.nlp.secret_model import (
    CHAR_GRAMS,
    KINDS,
    MODEL,
    WORD_GRAMS,
    WORD_PATTERN,
    SecretRequestModel,
    _Vectorizer,
    load_examples,
)


def fit(
    examples: list[tuple[str, list[str]]],
) -> tuple[TfidfVectorizer, TfidfVectorizer, dict[str, LogisticRegression]]:
    texts = [normalise(t).text for t, _k in examples]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_GRAMS, min_df=2, sublinear_tf=True)
    words = TfidfVectorizer(
        analyzer="word", ngram_range=WORD_GRAMS, token_pattern=WORD_PATTERN, sublinear_tf=True
    )
    features = hstack([chars.fit_transform(texts), words.fit_transform(texts)]).tocsr()
    heads = {}
    for kind in KINDS:
        labels = np.array([kind in k for _t, k in examples], dtype=int)
        if labels.sum() == 0:
            continue
        head = LogisticRegression(
            C=8.0, solver="liblinear", class_weight="balanced", random_state=0
        )
        head.fit(features, labels)
        heads[kind] = head
    return chars, words, heads


def as_arrays(
    chars: TfidfVectorizer, words: TfidfVectorizer, heads: dict[str, LogisticRegression]
) -> SecretRequestModel:
    def plain(v: Any) -> _Vectorizer:
        return _Vectorizer({str(t): int(i) for t, i in v.vocabulary_.items()}, v.idf_.copy())

    labels = tuple(heads)
    return SecretRequestModel(
        plain(chars),
        plain(words),
        labels,
        np.vstack([heads[k].coef_[0] for k in labels]),
        np.array([heads[k].intercept_[0] for k in labels]),
    )


def train(examples: list[tuple[str, list[str]]]) -> SecretRequestModel:
    return as_arrays(*fit(examples))


if __name__ == "__main__":
    train(load_examples()).save(MODEL)
    print(f"wrote {MODEL}")
