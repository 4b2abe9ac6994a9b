"""A classifier of sentences that ask the reader for a secret (SMS code, CVV, PIN, password,
full card number), for the phrasings the rules cannot enumerate: bare «cvv?», «Код из смс?»,
«Диктуйте код.», «Пришлите цифры, которые пришли вам в сообщении».

Logistic regression (one per kind) over character n-grams of the normalised sentence
(`deobfuscate.normalise`, so «к0д из с.м.с» reads as «код из смс») and word n-grams. It
learns from the development set shipped in `nlp/data/secret_requests.jsonl` (written by
`scripts/secret_requests_data.py`: thousands of Russian and English requests next to warnings,
instructions to type a code into the app and codes that are no secret). Training takes about
a second and happens on first use in each process: nothing is downloaded, and no pickled
model goes stale against the installed scikit-learn.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from wowdesk.nlp.deobfuscate import normalise

DATA = Path(__file__).parent / "data" / "secret_requests.jsonl"
KINDS = ("SMS_CODE", "CVV", "PIN", "PASSWORD", "CARD")
# a sentence that names no secret at all is never a request for one
SECRET_WORDS = re.compile(
    r"парол|код|смс|sms|cvv|cvc|cvp|свв|цвв|карт|card|pin|пин|passw|passcode|otp|цифр|digit"
    r"|реквизит|одноразов|сообщени|message|text",
)
THRESHOLD = 0.5
WORD_PATTERN = r"(?u)\b\w+\b"  # one-letter words count: «и», «в»


@dataclass
class SecretRequestModel:
    chars: TfidfVectorizer
    words: TfidfVectorizer
    heads: dict[str, LogisticRegression]

    def probabilities(self, sentences: list[str]) -> list[dict[str, float]]:
        texts = [normalise(s).text for s in sentences]
        features = hstack([self.chars.transform(texts), self.words.transform(texts)]).tocsr()
        columns = {k: head.predict_proba(features)[:, 1] for k, head in self.heads.items()}
        return [{k: float(columns[k][i]) for k in self.heads} for i in range(len(texts))]

    def kinds(self, sentence: str) -> list[str]:
        """The kinds of secret the sentence asks for, by the model alone."""
        if not SECRET_WORDS.search(normalise(sentence).text):
            return []
        probs = self.probabilities([sentence])[0]
        return [k for k in KINDS if probs.get(k, 0.0) >= THRESHOLD]


def load_examples(path: Path = DATA) -> list[tuple[str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((str(row["text"]), [str(k) for k in row["kinds"]]))
    return rows


def train(examples: list[tuple[str, list[str]]]) -> SecretRequestModel:
    texts = [normalise(t).text for t, _k in examples]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=WORD_PATTERN, sublinear_tf=True
    )
    features = hstack([chars.fit_transform(texts), words.fit_transform(texts)]).tocsr()
    heads = {}
    for kind in KINDS:
        labels = np.array([kind in k for _t, k in examples], dtype=int)
        if labels.sum() == 0:
            continue
        head = LogisticRegression(C=8.0, solver="liblinear", class_weight="balanced")
        head.fit(features, labels)
        heads[kind] = head
    return SecretRequestModel(chars, words, heads)


@cache
def default_model() -> SecretRequestModel:
    """Trained once per process from the shipped development set."""
    return train(load_examples())
