"""Knowledge gaps: questions the bot passed to people, clustered, each cluster turned into a
draft article from the best human answer.

Clustering is a leader pass over TF-IDF vectors of Snowball stems: each question joins the
most similar existing cluster (cosine of its vector with the cluster's centroid) when the
similarity passes a threshold, else starts one. Candidate clusters come from an inverted
index on each question's rarest stems, so a pass over 100 000 questions stays linear.

A draft is masked text only: the title is the cluster's most central question, the body
the answer of the best-rated conversation among the most representative ones, with the
greeting, the sign-off and personal specifics (names, numbers of one order, contacts)
taken out. The supervisor edits and publishes it on /kb; the bot finds it with the next
question.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from razdel import sentenize
from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.bot import service as bot
from wowdesk.bot.triage import says_not_helped
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import AuthorKind
from wowdesk.db import utcnow
from wowdesk.errors import Invalid
from wowdesk.i18n import gettext as _
from wowdesk.kb import service as kb
from wowdesk.nlp.pii import MASKED, mask_text
from wowdesk.nlp.text import terms
from wowdesk.quality import autoqa
from wowdesk.quality.criteria import CLOSING, GREETING
from wowdesk.quality.models import GapDraft

THRESHOLD = 0.35
# with answers: sqrt(0.35) and sqrt(0.65), so the joined vector keeps unit length
QUESTION_WEIGHT = 0.5916
ANSWER_WEIGHT = 0.8062
MIN_SIZE = 2
# a large cluster's most central member is judged against its first members only
CENTRALITY_SAMPLE = 100
CANDIDATE_TERMS = 8
MAX_CANDIDATES = 60
ONE_ORDER = re.compile(r"(?<![\d.,])\d{5,}(?!\d)")


@dataclass(frozen=True)
class Item:
    question: str
    answer: str
    conversation_id: int | None = None
    quality: float = 0.0  # the answer's QA score and rating, higher is better
    masked: bool = False  # texts from conversations are masked already; an import is not


@dataclass
class Cluster:
    members: list[int] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    size: int
    signature: str
    conversation_ids: list[int]
    questions: list[str]


def features(text: str) -> dict[str, float]:
    """Stems, and 4-letter pieces of each word: customers misspell and inflect freely, so
    «стоимость» still meets «стоит» and «дaставка» meets «доставка»."""
    bag: dict[str, float] = defaultdict(float)
    for word in terms(text):
        bag[word] += 1.0
        padded = f"<{word}>"
        for i in range(max(1, len(padded) - 3)):
            bag["#" + padded[i : i + 4]] += 0.5
    return bag


def _vectors(texts: list[str]) -> tuple[list[dict[str, float]], dict[str, float]]:
    """L2-normalised TF-IDF vectors and the IDF of each feature; a feature of a single text
    gets no IDF entry, it cannot link two texts."""
    bags = [features(t) for t in texts]
    df = Counter(term for bag in bags for term in bag)
    n = len(bags)
    weight = {term: math.log((1 + n) / (1 + c)) + 1.0 for term, c in df.items()}
    vectors = []
    for bag in bags:
        v = {term: (1.0 + math.log(tf)) * weight[term] for term, tf in bag.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({term: x / norm for term, x in v.items()})
    return vectors, {term: w for term, w in weight.items() if df[term] > 1}


def _cosine(v: dict[str, float], centroid: dict[str, float], norm: float) -> float:
    return sum(x * centroid.get(term, 0.0) for term, x in v.items()) / (norm or 1.0)


Vectors = tuple[list[dict[str, float]], dict[str, float]]


def _joined(questions: Vectors, answers: Vectors | None) -> Vectors:
    """Question vectors, or, with answers, question and answer vectors side by side: people
    ask the same thing in many words, operators answer it in much the same words."""
    vectors, idf = questions
    if answers is None:
        return vectors, idf
    answer_vectors, answer_idf = answers
    joined = []
    for q, a in zip(vectors, answer_vectors, strict=True):
        v = {term: x * QUESTION_WEIGHT for term, x in q.items()}
        v.update({"a:" + term: x * ANSWER_WEIGHT for term, x in a.items()})
        joined.append(v)
    return joined, idf | {"a:" + term: w for term, w in answer_idf.items()}


def _leader(
    vectors: list[dict[str, float]], idf: dict[str, float], threshold: float
) -> list[Cluster]:
    """One pass: each vector joins the closest cluster centroid above `threshold`."""
    clusters: list[Cluster] = []
    norms: list[float] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(vectors):
        if not v:
            continue
        shared = [term for term in v if term in idf]
        rare = sorted(shared, key=lambda term: -idf[term])[:CANDIDATE_TERMS]
        candidates: set[int] = set()
        for term in rare:
            candidates.update(postings[term][-MAX_CANDIDATES:])
        best, best_sim = -1, threshold
        for c in candidates:
            sim = _cosine(v, clusters[c].centroid, norms[c])
            if sim >= best_sim:
                best, best_sim = c, sim
        if best < 0:
            clusters.append(Cluster())
            norms.append(0.0)
            best = len(clusters) - 1
        target = clusters[best]
        target.members.append(i)
        for term, x in v.items():
            if term not in target.centroid:
                postings[term].append(best)
            target.centroid[term] = target.centroid.get(term, 0.0) + x
        norms[best] = math.sqrt(sum(x * x for x in target.centroid.values()))
    return clusters


def cluster(
    texts: list[str], threshold: float = THRESHOLD, answers: list[str] | None = None
) -> list[list[int]]:
    """Groups of indexes of `texts`, largest first."""
    return _cluster(*_joined(_vectors(texts), _vectors(answers) if answers else None), threshold)


def _cluster(
    vectors: list[dict[str, float]], idf: dict[str, float], threshold: float
) -> list[list[int]]:
    """A second pass merges clusters whose centroids are as close as a text to a cluster
    must be: the first pass depends on the order the texts come in, the second takes most
    of that back."""
    first = _leader(vectors, idf, threshold)
    centroids = []
    for c in first:
        norm = math.sqrt(sum(x * x for x in c.centroid.values())) or 1.0
        centroids.append({term: x / norm for term, x in c.centroid.items()})
    merged = _leader(centroids, idf, threshold)
    groups = [sorted(i for c in m.members for i in first[c].members) for m in merged]
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def clean_answer(text: str, masked: bool = False) -> str:
    """The answer as an article: no greeting or sign-off sentence, no personal specifics."""
    kept = []
    for sentence in sentenize(text if masked else mask_text(text)):
        s = sentence.text.strip()
        if not s:
            continue
        short = len(terms(s)) <= 3
        if short and (GREETING.search(s.lower()) or CLOSING.search(s.lower())):
            continue
        if MASKED.search(s):  # a sentence about this customer's own data
            continue
        kept.append(ONE_ORDER.sub(_("<order number>"), s))
    return " ".join(kept).strip()


def _title(question: str, masked: bool = False) -> str:
    title = MASKED.sub("", question if masked else mask_text(question)).strip(" ,.!?")
    title = re.sub(r"\s{2,}", " ", ONE_ORDER.sub("…", title))
    return (title[:1].upper() + title[1:])[:200] + "?"


def drafts_from(items: list[Item], min_size: int = MIN_SIZE) -> list[Draft]:
    """One draft per cluster of at least `min_size` questions."""
    questions = _vectors([it.question for it in items])
    answered = _vectors([it.answer for it in items])
    groups = _cluster(*_joined(questions, answered), THRESHOLD)
    vectors, answer_vectors = questions[0], answered[0]
    drafts = []
    for group in groups:
        if len(group) < min_size:
            continue
        central = _most_central(group, vectors)
        # the most representative answers (closest to the others), the best rated among them
        sample = group[:CENTRALITY_SAMPLE]
        closeness = {i: _centrality(i, sample, answer_vectors) for i in sample}
        ranked = sorted(sample, key=lambda i: -closeness[i])
        top = ranked[: max(1, math.ceil(len(ranked) / 2))]
        best = sorted(top, key=lambda i: (-items[i].quality, -closeness[i]))
        body = next(
            (text for i in best[:5] if (text := clean_answer(items[i].answer, items[i].masked))),
            "",
        )
        if not body:
            continue
        signature = " ".join(sorted(set(terms(items[central].question)))[:12])[:300]
        drafts.append(
            Draft(
                title=_title(items[central].question, items[central].masked),
                body=body,
                size=len(group),
                signature=signature,
                conversation_ids=[
                    cid for i in group if (cid := items[i].conversation_id) is not None
                ],
                questions=[items[i].question for i in group[:20]],
            )
        )
    return drafts


def _centrality(i: int, group: list[int], vectors: list[dict[str, float]]) -> float:
    v = vectors[i]
    return sum(sum(x * vectors[j].get(t, 0.0) for t, x in v.items()) for j in group if j != i)


def _most_central(group: list[int], vectors: list[dict[str, float]]) -> int:
    group = group[:CENTRALITY_SAMPLE]
    return max(group, key=lambda i: _centrality(i, group, vectors))


# --- sources -----------------------------------------------------------------------------


def read_history(path: Path) -> list[Item]:
    """A past helpdesk's export: `question,answer` per line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
            if not {"question", "answer"} <= fields:
                raise Invalid("{path}: the header must have question,answer", path=str(path))
            rows = [
                {(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in reader
            ]
    except FileNotFoundError as exc:
        raise Invalid("{path}: no such file", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise Invalid("{path}: the file is not UTF-8", path=str(path)) from exc
    return [Item(r["question"], r["answer"]) for r in rows if r["question"] and r["answer"]]


def gap_items(db: Session, since_days: float) -> list[Item]:
    """Questions the bot passed to people, each with the operator's fullest answer."""
    since = utcnow() - timedelta(days=since_days)
    handoffs = bot.list_gap_handoffs(db, since)
    ids = list(dict.fromkeys(cid for cid, _ in handoffs))
    scores = autoqa.totals(db, ids)
    found = conversations.messages_of(db, ids)
    items = []
    seen: set[int] = set()
    for conversation_id, message_id in handoffs:
        if conversation_id in seen or conversation_id not in found:
            continue
        seen.add(conversation_id)
        conv, messages = found[conversation_id]
        question = _question(messages, message_id)
        answers = [m.masked_text for m in messages if m.author_kind == AuthorKind.operator]
        if not question or not answers:
            continue
        best = max(answers, key=len)
        quality = scores.get(conversation_id, 50.0) + 10.0 * (conv.csat or 3)
        items.append(Item(question, best, conversation_id, quality, masked=True))
    return items


def _question(messages: list[Any], message_id: int) -> str:
    """The customer's question behind a handoff: the message the bot gave up on, or, when
    that was «не помогло», the question before it."""
    asked = [m for m in messages if m.author_kind == AuthorKind.customer and m.id <= message_id]
    for m in reversed(asked):
        if not says_not_helped(m.masked_text) and len(terms(m.masked_text)) >= 2:
            return str(m.masked_text)
    return ""


def _known(db: Session, signatures: Iterable[str]) -> set[str]:
    return set(
        db.scalars(select(GapDraft.signature).where(GapDraft.signature.in_(list(signatures))))
    )


def do_store(db: Session, drafts: list[Draft]) -> list[GapDraft]:
    """Drafts not mined before become draft articles in the /kb queue."""
    known = _known(db, [d.signature for d in drafts])
    stored = []
    for d in drafts:
        if d.signature in known:
            continue
        known.add(d.signature)
        slug = "gap-" + hashlib.sha256(d.signature.encode()).hexdigest()[:16]
        article = kb.do_create_article(
            db, title=d.title, body=d.body, author=None, tags=["gap"], slug=slug
        )
        row = GapDraft(
            signature=d.signature,
            article_id=article.id,
            question=d.title,
            size=d.size,
            conversation_ids=d.conversation_ids[:200],
        )
        db.add(row)
        stored.append(row)
    db.flush()
    return stored


def do_mine(db: Session, since_days: float = 1.0, min_size: int = MIN_SIZE) -> list[Draft]:
    """The daily job: cluster the gaps, store the new drafts; returns every cluster's draft."""
    drafts = drafts_from(gap_items(db, since_days), min_size)
    do_store(db, drafts)
    return drafts


def list_drafts(db: Session, limit: int = 200) -> list[GapDraft]:
    return list(db.scalars(select(GapDraft).order_by(GapDraft.id.desc()).limit(limit)))


def draft_for_article(db: Session, article_id: int) -> GapDraft | None:
    return db.scalar(select(GapDraft).where(GapDraft.article_id == article_id))
