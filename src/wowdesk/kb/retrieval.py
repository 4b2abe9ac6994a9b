"""Search over knowledge-base articles that survives the way customers really write.

An article is indexed three ways: its title and example questions ("question rows": what
customers ask), its passages (Markdown paragraphs, with the title: what the article says),
and a sentence encoder's vectors of both. A message is normalised first (invisible
characters, links, emoji, look-alike letters, transliteration: `nlp.normalize`) and split
into its question and its context; both the question alone and the whole message are
searched, so a greeting and three sentences of context do not outvote the question.

Each article gets a few scores that mean the same in any knowledge base: the idf-weighted
share of the query's stems found in its best passage and in its best question row (BM25
needs no calibration here: coverage does), the character n-gram cosine with its best
question row (typos and endings), and the encoder's cosines. A logistic model over these
scores (`kb.fusion`) turns them into the probability that the article answers; that
probability is the hit's confidence, so one hand-off threshold means the same for every KB.
Query words the index does not know are first mapped to the nearest known stem by
character trigrams («проаерку» → «проверк»), so a typo costs little.

Each article's rows and vectors are computed once when it is added; a change only
re-stacks the matrices on the next search.
"""

from __future__ import annotations

import math
import re
import threading
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

import numpy as np
from razdel import sentenize
from scipy import sparse

from wowdesk.kb import fusion
from wowdesk.nlp.encoder import (
    Encoder,
    SentenceTransformerEncoder,
    configured_encoder,
    encode_side_by_side,
)
from wowdesk.nlp.normalize import normalize, question_parts
from wowdesk.nlp.text import STOP_WORDS, fold, stem, words
from wowdesk.nlp.vector_store import VectorStore

__all__ = [
    "Document",
    "Encoder",
    "Hit",
    "Index",
    "SentenceTransformerEncoder",
    "configured_encoder",
    "split_passages",
]

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2  # title terms count twice in every passage of the article
MAX_PASSAGE_WORDS = 90
MAX_QUESTIONS = 20
CHAR_FEATURES = 2**20
TRIGRAM_FEATURES = 2**18
TYPO_SIMILARITY = 0.55
MAX_CORRECTIONS = 50_000


@dataclass(frozen=True)
class Document:
    article_id: int
    title: str
    body: str
    topic: str | None = None
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    article_id: int
    title: str
    text: str
    score: float
    start: int
    end: int
    confidence: float


def query_texts(query: str) -> list[str]:
    """What a search reads of a message: its question part, then the whole message when
    there is context around the question (the bot encodes them with triage's text)."""
    clean = normalize(query)
    question, context = question_parts(clean)
    whole = f"{question} {context}".strip() or clean
    return [question, whole] if context else [question or whole]


def split_passages(body: str) -> list[tuple[int, int]]:
    """Paragraph spans of the body; a long paragraph is cut at sentence ends."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"\S(?:.*?)(?=\n[ \t]*\n|\Z)", body, re.S):
        start, end = m.start(), m.end()
        text = body[start:end]
        if len(text.split()) <= MAX_PASSAGE_WORDS:
            spans.append((start, end))
            continue
        chunk_start, count = start, 0
        for sent in sentenize(text):
            n = len(sent.text.split())
            if count and count + n > MAX_PASSAGE_WORDS:
                spans.append((chunk_start, start + sent.start))
                chunk_start, count = start + sent.start, 0
            count += n
        spans.append((chunk_start, end))
    cleaned = []
    for start, end in spans:
        while end > start and body[end - 1].isspace():
            end -= 1
        if end > start:
            cleaned.append((start, end))
    return cleaned or [(0, len(body))]


def _grams(text: str, sizes: tuple[int, ...]) -> list[str]:
    """Character n-grams of each word padded with spaces (sklearn's char_wb)."""
    out: list[str] = []
    for word in text.split():
        padded = f" {word} "
        for n in sizes:
            out.extend(padded[i : i + n] for i in range(max(len(padded) - n + 1, 1)))
    return out


@lru_cache(maxsize=8_192)
def _word_hashes(word: str, sizes: tuple[int, ...], n_features: int) -> tuple[int, ...]:
    """One word's hashed n-grams in `_grams`' order, kept per word: a question's words
    come back in question after question, and hashing their n-grams afresh was a
    millisecond of every suggestion (measured)."""
    return tuple(zlib.crc32(g.encode()) % n_features for g in _grams(word, sizes))


def _hashed(texts: list[str], sizes: tuple[int, ...], n_features: int) -> sparse.csr_matrix:
    """Counts of hashed character n-grams, one row per text. CRC-32, not `hash()`: Python
    salts string hashes per process, so collisions (and `wowdesk eval retrieval`'s figures)
    changed from run to run. sklearn's HashingVectorizer costs ~3 ms a call in validation
    alone."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in texts:
        counts = Counter(
            chain.from_iterable(_word_hashes(w, sizes, n_features) for w in text.split())
        )
        indices.extend(counts.keys())
        data.extend(counts.values())
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int64), np.asarray(indptr)),
        shape=(len(texts), n_features),
    )


def _terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


@dataclass
class _Article:
    doc: Document
    spans: list[tuple[int, int]]
    passage_counts: list[Counter[str]]
    question_counts: list[Counter[str]]
    question_texts: list[str]
    passage_terms: list[frozenset[str]]
    passage_vectors: np.ndarray
    question_vectors: np.ndarray


@dataclass
class _Lexical:
    """BM25 weights and idf-weighted presence over one kind of row."""

    bm25: sparse.csc_matrix
    present: sparse.csc_matrix


@dataclass
class _Matrices:
    articles: list[_Article] = field(default_factory=list)
    vocab: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    max_idf: float = 1.0
    passage_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    passage_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    question_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    question_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    passages: _Lexical | None = None
    questions: _Lexical | None = None
    chars: sparse.csc_matrix | None = None
    char_idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # the encoder's vectors as dimensions × rows: a vector times this layout reads the
    # 60 MB of 30 000 passages ~35 % faster than rows × dimensions (measured, OpenBLAS)
    passage_dense: np.ndarray = field(default_factory=lambda: np.zeros((1, 0), np.float32))
    question_dense: np.ndarray = field(default_factory=lambda: np.zeros((1, 0), np.float32))
    vocab_terms: list[str] = field(default_factory=list)
    vocab_trigrams: sparse.csr_matrix | None = None
    # unknown stem -> its correction against this vocabulary (itself when none is near)
    corrections: dict[str, str] = field(default_factory=dict)


def _lexical(
    rows: list[Counter[str]], vocab: dict[str, int], idf: np.ndarray, n_cols: int
) -> _Lexical:
    r: list[int] = []
    c: list[int] = []
    tf: list[float] = []
    lengths = np.asarray([sum(counts.values()) for counts in rows], np.float32)
    for row, counts in enumerate(rows):
        for term, n in counts.items():
            r.append(row)
            c.append(vocab[term])
            tf.append(n)
    rr, cc, tt = np.asarray(r, np.int64), np.asarray(c, np.int64), np.asarray(tf, np.float32)
    avg = float(lengths.mean()) if len(lengths) and lengths.mean() else 1.0
    weight = idf[cc] * tt * (K1 + 1) / (tt + K1 * (1 - B + B * lengths[rr] / avg))
    shape = (len(rows), n_cols)
    return _Lexical(
        sparse.csc_matrix((weight, (rr, cc)), shape=shape),
        sparse.csc_matrix((idf[cc], (rr, cc)), shape=shape),
    )


def _starts(owner: np.ndarray) -> np.ndarray:
    """First row of each article (rows are stacked article by article)."""
    if not len(owner):
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])


def _per_article(scores: np.ndarray, starts: np.ndarray, n: int, owner: np.ndarray) -> np.ndarray:
    """The best row's score of each article (-1 for an article without such rows)."""
    out = np.full(n, -1.0, np.float32)
    if len(scores):
        out[owner[starts]] = np.maximum.reduceat(scores, starts)
    return out


def top(scores: np.ndarray, n: int) -> np.ndarray:
    """The first `n` of a stable descending sort (ties keep their order) without sorting
    every article: a partition finds the n-th score, only those at or above it are sorted."""
    if n <= 0:
        return np.zeros(0, np.int64)
    if len(scores) <= n:
        return np.argsort(-scores, kind="stable")
    nth = np.partition(scores, len(scores) - n)[len(scores) - n]
    kept = np.flatnonzero(scores >= nth)
    return kept[np.argsort(-scores[kept], kind="stable")][:n]


class Index:
    def __init__(self, encoder: Encoder | None = None, store: VectorStore | None = None) -> None:
        self._encoder = encoder
        self._store = store  # the passages' vectors kept between restarts
        self._articles: dict[int, _Article] = {}
        self._built: _Matrices | None = None
        self._lock = threading.Lock()
        # the shipped fusion, or one learned from this contact center's verdicts
        self.fused: fusion.Weights = fusion.SHIPPED

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = configured_encoder("")
        return self._encoder

    def __len__(self) -> int:
        return len(self._articles)

    def _prepare(self, doc: Document) -> tuple[_Article, list[str]]:
        """The article without its vectors, and the texts to encode for them."""
        spans = split_passages(doc.body)
        title_terms = _terms(doc.title) * TITLE_WEIGHT
        body_terms = [_terms(doc.body[s:e]) for s, e in spans]  # tokenising is half the cost
        passage_counts = [Counter(title_terms + t) for t in body_terms]
        questions = [doc.title, *[q for q in doc.questions if q.strip()][:MAX_QUESTIONS]]
        question_texts = [fold(normalize(q)) for q in questions]
        question_counts = [Counter(_terms(q)) for q in question_texts]
        passages = [f"{doc.title}. {doc.body[s:e]}" for s, e in spans]
        no_vectors = np.zeros((0, 0), np.float32)
        article = _Article(
            doc,
            spans,
            passage_counts,
            question_counts,
            question_texts,
            [frozenset(t) for t in body_terms],
            no_vectors,
            no_vectors,
        )
        return article, passages + question_texts

    def add(self, doc: Document) -> None:
        self.replace(doc)

    def replace(self, doc: Document) -> None:
        self.replace_many([doc])

    def replace_many(self, docs: Sequence[Document]) -> None:
        """Prepares the articles, encodes all their new texts in one call (split over the
        cores: `encode_side_by_side`), then swaps them in at once."""
        if not docs:
            return
        prepared = [self._prepare(doc) for doc in docs]
        texts = [text for _article, article_texts in prepared for text in article_texts]
        if self._store is not None:
            vectors = self._store.encode(texts)
        else:
            vectors = encode_side_by_side(self.encoder, texts)
        start = 0
        with self._lock:
            for article, article_texts in prepared:
                n_passages = len(article.spans)
                article.passage_vectors = vectors[start : start + n_passages]
                article.question_vectors = vectors[start + n_passages : start + len(article_texts)]
                start += len(article_texts)
                self._articles[article.doc.article_id] = article
            self._built = None

    def remove(self, article_id: int) -> None:
        with self._lock:
            if self._articles.pop(article_id, None) is not None:
                self._built = None

    def _build(self) -> _Matrices:
        with self._lock:
            if self._built is not None:
                return self._built
            articles = list(self._articles.values())
            m = _Matrices(articles=articles)
            passage_rows: list[Counter[str]] = []
            question_rows: list[Counter[str]] = []
            question_texts: list[str] = []
            p_owner: list[int] = []
            q_owner: list[int] = []
            df: Counter[str] = Counter()
            for index, article in enumerate(articles):
                for counts in article.passage_counts:
                    passage_rows.append(counts)
                    p_owner.append(index)
                    df.update(counts.keys())
                for counts, text in zip(
                    article.question_counts, article.question_texts, strict=True
                ):
                    question_rows.append(counts)
                    question_texts.append(text)
                    q_owner.append(index)
                    df.update(counts.keys())
                    m.vocab.update((t, 0) for t in counts if t not in m.vocab)
                m.vocab.update((t, 0) for c in article.passage_counts for t in c)
            if not articles:
                self._built = m
                return m
            m.vocab = {term: col for col, term in enumerate(m.vocab)}
            m.vocab_terms = list(m.vocab)
            n = len(passage_rows) + len(question_rows)
            m.idf = np.zeros(len(m.vocab), np.float32)
            for term, col in m.vocab.items():
                m.idf[col] = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            m.max_idf = float(m.idf.max()) if len(m.idf) else 1.0
            m.passage_owner = np.asarray(p_owner, np.int64)
            m.question_owner = np.asarray(q_owner, np.int64)
            m.passage_starts = _starts(m.passage_owner)
            m.question_starts = _starts(m.question_owner)
            m.passages = _lexical(passage_rows, m.vocab, m.idf, len(m.vocab))
            m.questions = _lexical(question_rows, m.vocab, m.idf, len(m.vocab))
            chars = _hashed(question_texts, (3, 4, 5), CHAR_FEATURES)
            char_df = np.bincount(chars.indices, minlength=chars.shape[1]).astype(np.float32)
            m.char_idf = np.log((1 + len(question_texts)) / (1 + char_df)) + 1
            chars = chars.multiply(m.char_idf).tocsr()
            norms = np.sqrt(np.asarray(chars.multiply(chars).sum(axis=1)).ravel())
            m.chars = sparse.csc_matrix(sparse.diags(1 / np.where(norms > 0, norms, 1)) @ chars)
            m.passage_dense = np.vstack([a.passage_vectors for a in articles]).T.copy()
            m.question_dense = np.vstack([a.question_vectors for a in articles]).T.copy()
            self._built = m
            return m

    def _correct(self, m: _Matrices, query_terms: list[str]) -> list[str]:
        """Unknown stems replaced by the nearest known one, when one is near enough."""
        unknown = [
            t
            for t in dict.fromkeys(query_terms)
            if t not in m.vocab and t not in m.corrections and len(t) >= 4 and t.isalpha()
        ]
        if unknown:
            m.corrections.update(self._nearest(m, unknown))
        return [m.corrections.get(t, t) for t in query_terms]

    @staticmethod
    def _nearest(m: _Matrices, unknown: list[str]) -> dict[str, str]:
        """Each unknown stem's nearest known one by character trigrams, or itself. Kept per
        vocabulary: the same misspellings and foreign words come back, and the sparse
        products cost a millisecond a message."""
        if len(m.corrections) > MAX_CORRECTIONS:
            m.corrections.clear()
        if m.vocab_trigrams is None:
            grams = _hashed(m.vocab_terms, (3,), TRIGRAM_FEATURES)
            norms = np.sqrt(np.asarray(grams.multiply(grams).sum(axis=1)).ravel())
            m.vocab_trigrams = sparse.csr_matrix((sparse.diags(1 / norms) @ grams).T)
        asked = _hashed(unknown, (3,), TRIGRAM_FEATURES)
        asked = sparse.csr_matrix(
            sparse.diags(1 / np.sqrt(np.asarray(asked.multiply(asked).sum(axis=1)).ravel())) @ asked
        )
        similar = (asked @ m.vocab_trigrams).toarray()
        fixed = {}
        for row, term in enumerate(unknown):
            best = int(similar[row].argmax())
            fixed[term] = m.vocab_terms[best] if similar[row, best] >= TYPO_SIMILARITY else term
        return fixed

    def _features(
        self, m: _Matrices, text: str, vector: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per article: passage coverage, question coverage, char cosine, question and
        passage dense cosines (one row each); plus the passage-level coverage."""
        n = len(m.articles)
        wanted = list(dict.fromkeys(self._correct(m, _terms(text))))
        cols = [m.vocab[t] for t in wanted if t in m.vocab]
        mass = sum(float(m.idf[m.vocab[t]]) if t in m.vocab else m.max_idf for t in wanted)
        assert m.passages is not None and m.questions is not None and m.chars is not None
        if cols and mass:
            p_cover = np.asarray(m.passages.present[:, cols].sum(axis=1)).ravel() / mass
            q_cover = np.asarray(m.questions.present[:, cols].sum(axis=1)).ravel() / mass
        else:
            p_cover = np.zeros(len(m.passage_owner), np.float32)
            q_cover = np.zeros(len(m.question_owner), np.float32)
        q_chars = _hashed([fold(text)], (3, 4, 5), CHAR_FEATURES)
        weights = q_chars.data * m.char_idf[q_chars.indices]
        norm = math.sqrt(float(weights @ weights)) or 1.0
        char_cos = np.asarray(m.chars[:, q_chars.indices] @ (weights / norm)).ravel()
        p_dense = vector @ m.passage_dense
        q_dense = vector @ m.question_dense
        features = np.stack(
            [
                _per_article(p_cover.astype(np.float32), m.passage_starts, n, m.passage_owner),
                _per_article(q_cover.astype(np.float32), m.question_starts, n, m.question_owner),
                _per_article(char_cos.astype(np.float32), m.question_starts, n, m.question_owner),
                _per_article(q_dense, m.question_starts, n, m.question_owner),
                _per_article(p_dense, m.passage_starts, n, m.passage_owner),
            ],
            axis=1,
        )
        # the passage to quote: lexical match first, the encoder breaks ties
        return np.clip(features, 0.0, 1.0), p_dense

    def features(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """All articles' fusion features for a raw message (question part, whole message)
        and the passage scores; public so `kb.fusion` can be fitted on a dev set."""
        return self._all_features(self._build(), query)

    def features_by_article(self, query: str) -> tuple[np.ndarray, list[int]]:
        """The fusion features and, row by row, the article each belongs to (what a verdict
        on a search is learned from: `kb.verdicts`)."""
        m = self._build()
        return self._all_features(m, query)[0], [a.doc.article_id for a in m.articles]

    def _all_features(self, m: _Matrices, query: str) -> tuple[np.ndarray, np.ndarray]:
        texts = query_texts(query)
        vectors = self.encoder.encode(texts)  # one forward pass for both
        q_features, q_passages = self._features(m, texts[0], vectors[0])
        if len(texts) == 1:
            return np.hstack([q_features, q_features]), q_passages
        w_features, w_passages = self._features(m, texts[1], vectors[1])
        return np.hstack([q_features, w_features]), q_passages + 0.5 * w_passages

    @staticmethod
    def _best_passage(m: _Matrices, article: _Article, wanted: set[str], dense: np.ndarray) -> int:
        """The passage to quote: the most of the question's stems in its own text (the
        title, shared by all passages, left out), the encoder breaking ties."""

        def idf(term: str) -> float:
            return float(m.idf[m.vocab[term]]) if term in m.vocab else 0.0

        mass = sum(idf(t) for t in wanted) or 1.0
        cover = [sum(idf(t) for t in wanted & terms) / mass for terms in article.passage_terms]
        return int(np.argmax(np.asarray(cover) + 0.5 * dense))

    def search(self, query: str, k: int = 5, topic: str | None = None) -> list[Hit]:
        m = self._build()
        if not m.articles or not normalize(query).strip():
            return []
        features, passage_score = self._all_features(m, query)
        clean = normalize(query)
        wanted = set(self._correct(m, _terms(question_parts(clean)[0] or clean)))
        fused = self.fused
        logit = fusion.score(features, fused)
        if topic is not None:
            allowed = np.asarray([a.doc.topic == topic for a in m.articles])
            logit = np.where(allowed, logit, -np.inf)
        order = top(logit, k + 1)
        order = order[np.isfinite(logit[order])]
        hits: list[Hit] = []
        for rank, owner in enumerate(order[:k]):
            runner_up = float(logit[order[rank + 1]]) if rank + 1 < len(order) else fused.bias
            confidence = fusion.confidence(float(logit[owner]), runner_up, fused)
            article = m.articles[int(owner)]
            first = int(m.passage_starts[owner])
            dense = passage_score[first : first + len(article.spans)]
            start, end = article.spans[self._best_passage(m, article, wanted, dense)]
            hits.append(
                Hit(
                    article_id=article.doc.article_id,
                    title=article.doc.title,
                    text=article.doc.body[start:end],
                    score=round(float(logit[owner]), 6),
                    start=start,
                    end=end,
                    confidence=round(confidence, 4),
                )
            )
        return hits
