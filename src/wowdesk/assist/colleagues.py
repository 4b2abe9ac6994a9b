"""What colleagues answered to similar questions in conversations customers rated well.

An in-memory index of (customer question → operator answer) pairs, kept in step with the
ratings by a background refresh that reads only what was rated since the last one (a
ratings watermark, as the knowledge index keeps one for articles), never a scan of all
conversations per request. Similarity is the knowledge base's recipe in small: tf-idf over
Snowball stems (scikit-learn's hashing vectorizer, so new pairs need no refit) blended with
navec sentence vectors, which bridge synonyms.

Only masked text is indexed: a colleague's answer never carries another customer's data.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from scipy import sparse
from sqlalchemy.orm import Session

from wowdesk.conversations import threads
from wowdesk.nlp.text import fold, terms
from wowdesk.nlp.vectors import NavecEncoder

# ratings may commit out of timestamp order: re-read a short window behind the watermark
OVERLAP = timedelta(minutes=5)
GOOD_CSAT = 4
FIRST_LOAD = 20_000  # the newest well-rated conversations read at start
BATCH = 5_000  # at most this many per refresh; the next refresh goes on from there
MIN_ANSWER_TERMS = 5  # shorter operator lines are greetings and «one moment»
LEXICAL_WEIGHT = 0.55


@dataclass(frozen=True)
class Pair:
    conversation_id: int
    question: str
    answer: str
    csat: int


@dataclass(frozen=True)
class Match:
    pair: Pair
    similarity: float
    # well-rated conversations in which colleagues gave this same answer
    count: int


def pairs_of(thread: threads.RatedThread) -> list[Pair]:
    """Each substantial operator reply with the customer's words since the previous one."""
    out: list[Pair] = []
    asked: list[str] = []
    for kind, text in thread.messages:
        if kind == "customer":
            asked.append(text)
        elif asked and len(terms(text)) >= MIN_ANSWER_TERMS:
            out.append(Pair(thread.conversation_id, " ".join(asked), text, thread.csat))
            asked = []
    return out


def _normalize(rows: sparse.csr_matrix) -> sparse.csr_matrix:
    from sklearn.preprocessing import normalize

    normalized: sparse.csr_matrix = normalize(rows)
    return normalized


@dataclass
class _Built:
    pairs: list[Pair] = field(default_factory=list)
    lexical: sparse.csr_matrix | None = None
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    dense: np.ndarray = field(default_factory=lambda: np.zeros((0, 300), np.float32))


class ColleagueIndex:
    def __init__(self, n_features: int = 1 << 18) -> None:
        self._n_features = n_features
        self._hasher_made: Any = None
        self._encoder = NavecEncoder()
        self._pairs: list[Pair] = []
        self._rows: list[sparse.csr_matrix] = []
        self._vectors: list[np.ndarray] = []
        self._keys: set[tuple[str, str]] = set()
        self._answer_counts: dict[str, int] = {}
        self._seen: dict[int, datetime] = {}  # rated conversations inside the overlap window
        self._watermark: datetime | None = None
        self._loaded = False
        self._built: _Built | None = None
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()

    def __len__(self) -> int:
        return len(self._pairs)

    @property
    def _hasher(self) -> Any:
        """scikit-learn's hasher, imported on first use: an idle process does without it."""
        if self._hasher_made is None:
            from sklearn.feature_extraction.text import HashingVectorizer

            self._hasher_made = HashingVectorizer(
                analyzer=terms, n_features=self._n_features, alternate_sign=False, norm=None
            )
        return self._hasher_made

    @property
    def loaded(self) -> bool:
        """Whether the first refresh has run (an empty index may simply have no ratings)."""
        return self._loaded

    def add(self, new: list[Pair]) -> int:
        """Adds pairs not seen before (the same question and answer count once)."""
        fresh: list[Pair] = []
        with self._lock:
            for pair in new:
                answer_key = fold(" ".join(pair.answer.split()))
                key = (fold(" ".join(pair.question.split())), answer_key)
                self._answer_counts[answer_key] = self._answer_counts.get(answer_key, 0) + 1
                if key in self._keys:
                    continue
                self._keys.add(key)
                fresh.append(pair)
        if not fresh:
            return 0
        rows = self._hasher.transform([p.question for p in fresh]).tocsr()
        vectors = self._encoder.encode([p.question for p in fresh])
        with self._lock:
            self._pairs.extend(fresh)
            self._rows.append(rows)
            self._vectors.append(vectors)
            self._built = None
        return len(fresh)

    def refresh(self, db: Session) -> int:
        """Reads what was rated since the last refresh; returns how many pairs it added."""
        if not self._refreshing.acquire(blocking=False):
            return 0  # another thread is at it
        try:
            since = self._watermark - OVERLAP if self._watermark else None
            limit = BATCH if since else FIRST_LOAD
            found = threads.rated_threads(db, min_csat=GOOD_CSAT, since=since, limit=limit)
            new: list[Pair] = []
            for thread in found:
                if thread.conversation_id in self._seen:
                    continue
                self._seen[thread.conversation_id] = thread.rated_at
                new.extend(pairs_of(thread))
            if found:
                newest = max(t.rated_at for t in found)
                if self._watermark is None or newest > self._watermark:
                    self._watermark = newest
                cutoff = self._watermark - OVERLAP
                self._seen = {c: at for c, at in self._seen.items() if at >= cutoff}
            self._loaded = True
            return self.add(new)
        finally:
            self._refreshing.release()

    def _build(self) -> _Built:
        with self._lock:
            if self._built is not None:
                return self._built
            built = _Built(pairs=list(self._pairs))
            if self._pairs:
                counts = sparse.vstack(self._rows).tocsr()
                n = counts.shape[0]
                df = np.bincount(counts.indices, minlength=counts.shape[1])
                built.idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
                weighted = counts.multiply(built.idf).tocsr()
                weighted.data = np.log1p(weighted.data)  # sublinear: one word said twice
                built.lexical = _normalize(weighted).tocsr()
                built.dense = np.vstack(self._vectors)
            self._built = built
            return built

    def search(self, question: str, k: int = 3, min_similarity: float = 0.0) -> list[Match]:
        """The best matches with distinct answers, most similar first."""
        built = self._build()
        if built.lexical is None or not question.strip():
            return []
        q = self._hasher.transform([question]).tocsr()
        q.data = np.log1p(q.data * built.idf[q.indices])
        norm = float(np.sqrt(q.data @ q.data))
        if norm:  # by hand as `_normalize` does the rows: its checks cost a millisecond
            q.data /= norm
        lexical = np.asarray((built.lexical @ q.T).todense()).ravel()
        cosine = built.dense @ self._encoder.encode([question])[0]
        semantic = np.clip((cosine - 0.35) / 0.5, 0.0, 1.0)
        score = LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * semantic
        order = np.argsort(-score, kind="stable")[: max(k * 10, 30)]
        out: list[Match] = []
        answers: set[str] = set()
        for row in order:
            similarity = float(score[row])
            if similarity <= min_similarity or len(out) >= k:
                break
            pair = built.pairs[int(row)]
            key = fold(" ".join(pair.answer.split()))
            if key in answers:
                continue
            answers.add(key)
            out.append(Match(pair, round(similarity, 4), self._answer_counts.get(key, 1)))
        return out
