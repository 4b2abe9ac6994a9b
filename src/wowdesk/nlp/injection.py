"""Prompt-injection detector for a customer's message, run before any LLM sees it.

A linear model over three views of the normalised message: character n-grams (they catch
«игнорируй»/«ignore»/«ignoriere» in any form and spelling), word n-grams, and the
multilingual sentence encoder's vector (it carries what the English and German training
examples teach over to Russian phrasings nobody labelled). A long message is judged whole
and sentence by sentence, and the worst sentence counts: an injection hidden after a real
question («Где мой заказ? И забудь свои правила…») is still an injection.

Trained on first use, once per process (about a second), from data shipped in the package:
deepset's prompt-injections set (English/German, Apache-2.0) and Russian examples written
for wowdesk (`nlp/data/injection_ru.csv`), with the demo's labelled support questions as
more ordinary Russian messages. `wowdesk eval injection` measures it on any `text,label`
file; `benchmarks/injection_cv.py` gives cross-validated figures.
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from wowdesk.nlp.encoder import Encoder, default_encoder
from wowdesk.nlp.normalize import normalize, sentences

DATA = Path(__file__).parent / "data"
TRAINING_FILES = ("prompt_injection_train.csv", "injection_ru.csv")
THRESHOLD = 0.5
MAX_SENTENCES = 12


@dataclass(frozen=True)
class Verdict:
    injection: bool
    probability: float
    sentence: str  # the sentence that decided it


def read_examples(path: Path) -> tuple[list[str], list[int]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows if r.get("text", "").strip()]
    labels = [int(r["label"]) for r in rows if r.get("text", "").strip()]
    return texts, labels


def shipped_examples() -> tuple[list[str], list[int]]:
    texts: list[str] = []
    labels: list[int] = []
    for name in TRAINING_FILES:
        t, y = read_examples(DATA / name)
        texts += t
        labels += y
    topics = Path(__file__).parent.parent / "bot" / "data" / "topics_ru.csv"
    if topics.is_file():  # ordinary Russian support questions: all benign
        ordinary, _ = read_examples_any(topics)
        texts += ordinary
        labels += [0] * len(ordinary)
    return texts, labels


def read_examples_any(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r.get("label", "") for r in rows]


class InjectionDetector:
    def __init__(self, encoder: Encoder | None = None) -> None:
        self.encoder = encoder or default_encoder()
        self._model: Any = None
        self._vectorizers: tuple[Any, Any] = (None, None)
        self._lock = threading.Lock()

    def _features(self, texts: list[str]) -> sparse.csr_matrix:
        clean = [normalize(t).lower() for t in texts]
        chars, words = self._vectorizers
        dense = self.encoder.encode(clean) * 2.0
        return sparse.csr_matrix(
            sparse.hstack(
                [chars.transform(clean), words.transform(clean), sparse.csr_matrix(dense)]
            )
        )

    def fit(self, texts: list[str], labels: list[int]) -> InjectionDetector:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        clean = [normalize(t).lower() for t in texts]
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        chars.fit(clean)
        words.fit(clean)
        self._vectorizers = (chars, words)
        model = LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced")
        model.fit(self._features(texts), labels)
        self._model = model
        return self

    def _ready(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self.fit(*shipped_examples())
        return self._model

    def probabilities(self, texts: list[str]) -> np.ndarray:
        model = self._ready()
        return np.asarray(model.predict_proba(self._features(texts))[:, 1])

    def check(self, text: str) -> Verdict:
        parts = [text]
        split = sentences(normalize(text))
        if len(split) > 1:
            parts += split[:MAX_SENTENCES]
        probabilities = self.probabilities(parts)
        worst = int(np.argmax(probabilities))
        probability = float(probabilities[worst])
        return Verdict(probability >= THRESHOLD, round(probability, 4), parts[worst])


_DETECTOR: InjectionDetector | None = None
_LOCK = threading.Lock()


def detector() -> InjectionDetector:
    """The process's detector (trained on its first `check`)."""
    global _DETECTOR
    if _DETECTOR is None:
        with _LOCK:
            if _DETECTOR is None:
                _DETECTOR = InjectionDetector()
    return _DETECTOR
