"""A classifier of sentences that ask the reader for a secret (SMS code, CVV, PIN, password,
full card number), for the phrasings the rules cannot enumerate: bare «cvv?», «Код из смс?»,
«Диктуйте код.», «Пришлите цифры, которые пришли вам в сообщении».

Logistic regression (one per kind) over character n-grams of the normalised sentence
(`deobfuscate.normalise`, so «к0д из с.м.с» reads as «код из смс») and word n-grams, learnt
from the development set shipped in `nlp/data/secret_requests.jsonl` (written by
`scripts/secret_requests_data.py`: thousands of Russian and English requests next to warnings,
instructions to type a code into the app and codes that are no secret).

Trained with scikit-learn by `nlp.secret_model_training` and shipped as plain arrays
(`nlp/data/secret_model.npz`, a few hundred KB) that this module reads with numpy alone:
every message of every process passes this check, and importing scikit-learn brings scipy's
statistics and pandas along, about 120 MB in each app process. The n-grams are cut exactly as
scikit-learn's `TfidfVectorizer` cuts them; `tests/nlp/test_secret_model.py` retrains from
the development set and checks that the shipped arrays give the same probabilities.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from wowdesk.nlp.deobfuscate import normalise

DATA = Path(__file__).parent / "data" / "secret_requests.jsonl"
MODEL = Path(__file__).parent / "data" / "secret_model.npz"
KINDS = ("SMS_CODE", "CVV", "PIN", "PASSWORD", "CARD")
# a sentence that names no secret at all is never a request for one
SECRET_WORDS = re.compile(
    r"парол|код|смс|sms|cvv|cvc|cvp|свв|цвв|карт|card|pin|пин|passw|passcode|otp|цифр|digit"
    r"|реквизит|одноразов|сообщени|message|text",
)
THRESHOLD = 0.5
WORD_PATTERN = r"(?u)\b\w+\b"  # one-letter words count: «и», «в»
CHAR_GRAMS = (2, 5)
WORD_GRAMS = (1, 2)
_WORD = re.compile(WORD_PATTERN)
_SPACES = re.compile(r"\s\s+")


def char_grams(text: str, low: int = CHAR_GRAMS[0], high: int = CHAR_GRAMS[1]) -> list[str]:
    """scikit-learn's `analyzer="char_wb"`: n-grams inside each space-padded word, a word
    shorter than n counted once."""
    grams = []
    for word in _SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


def word_grams(text: str, low: int = WORD_GRAMS[0], high: int = WORD_GRAMS[1]) -> list[str]:
    """scikit-learn's `analyzer="word"` with the pattern above: words and pairs of words."""
    tokens = _WORD.findall(text.lower())
    grams: list[str] = []
    for n in range(low, min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass(frozen=True)
class _Vectorizer:
    """Sublinear TF times IDF, L2-normalised: a fitted `TfidfVectorizer` as plain data."""

    columns: dict[str, int]
    idf: np.ndarray

    def row(self, grams: list[str]) -> np.ndarray:
        out = np.zeros(len(self.idf))
        for gram, count in Counter(g for g in grams if g in self.columns).items():
            col = self.columns[gram]
            out[col] = (1.0 + math.log(count)) * self.idf[col]
        norm = float(np.sqrt(out @ out))
        return out / norm if norm else out


@dataclass(frozen=True)
class SecretRequestModel:
    chars: _Vectorizer
    words: _Vectorizer
    labels: tuple[str, ...]
    coef: np.ndarray  # one row per label over the char columns, then the word columns
    intercept: np.ndarray

    def probabilities(self, sentences: list[str]) -> list[dict[str, float]]:
        out = []
        for sentence in sentences:
            text = normalise(sentence).text
            x = np.concatenate([self.chars.row(char_grams(text)), self.words.row(word_grams(text))])
            p = 1.0 / (1.0 + np.exp(-(self.coef @ x + self.intercept)))
            out.append({k: float(v) for k, v in zip(self.labels, p, strict=True)})
        return out

    def kinds(self, sentence: str) -> list[str]:
        """The kinds of secret the sentence asks for, by the model alone."""
        if not SECRET_WORDS.search(normalise(sentence).text):
            return []
        probs = self.probabilities([sentence])[0]
        return [k for k in KINDS if probs.get(k, 0.0) >= THRESHOLD]

    def save(self, path: Path = MODEL) -> None:
        np.savez_compressed(
            path,
            char_terms=np.array(sorted(self.chars.columns, key=self.chars.columns.__getitem__)),
            char_idf=self.chars.idf,
            word_terms=np.array(sorted(self.words.columns, key=self.words.columns.__getitem__)),
            word_idf=self.words.idf,
            labels=np.array(self.labels),
            coef=self.coef,
            intercept=self.intercept,
        )


def load(path: Path = MODEL) -> SecretRequestModel:
    with np.load(path, allow_pickle=False) as f:
        return SecretRequestModel(
            _Vectorizer({str(t): i for i, t in enumerate(f["char_terms"])}, f["char_idf"]),
            _Vectorizer({str(t): i for i, t in enumerate(f["word_terms"])}, f["word_idf"]),
            tuple(str(label) for label in f["labels"]),
            f["coef"],
            f["intercept"],
        )


def load_examples(path: Path = DATA) -> list[tuple[str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((str(row["text"]), [str(k) for k in row["kinds"]]))
    return rows


@cache
def default_model() -> SecretRequestModel:
    """The shipped model, read once per process."""
    return load()
