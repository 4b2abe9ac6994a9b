"""Which expected move a trainee's reply makes: the scripted customer's branch choice.

A move lists example phrasings a mentor wrote. A reply makes the move when it covers
enough of an example's content words (stems from `nlp.text`, so «извините» and
«извиняюсь» meet) or when its navec sentence vector is close to the example's (the same
meaning in other words). Pure functions, no database: the tests call them directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wowdesk.nlp.text import terms
from wowdesk.nlp.vectors import NavecEncoder

# a reply covering this share of an example's stems makes the move
COVERAGE = 0.5
# or a sentence vector this close (cosine) with at least one shared stem
SIMILARITY = 0.75

_encoder = NavecEncoder()


@dataclass(frozen=True)
class Match:
    move: dict[str, Any]
    score: float


def coverage(reply: str, example: str) -> float:
    """The share of the example's content stems the reply contains."""
    want = set(terms(example))
    if not want:
        return 0.0
    return len(want & set(terms(reply))) / len(want)


def similarity(reply: str, example: str) -> float:
    vectors = _encoder.encode([reply, example])
    return float(np.dot(vectors[0], vectors[1]))


def move_score(reply: str, move: dict[str, Any]) -> float:
    """How well the reply makes the move (0–1): its best example by either measure."""
    best = 0.0
    for example in move.get("examples", []):
        cov = coverage(reply, example)
        score = cov if cov >= COVERAGE else 0.0
        if cov > 0 and similarity(reply, example) >= SIMILARITY:
            score = max(score, similarity(reply, example))
        best = max(best, score)
    return best


def choose(reply: str, moves: list[dict[str, Any]]) -> Match | None:
    """The best-made move of the beat, or None when the reply makes none of them."""
    scored = [Match(m, move_score(reply, m)) for m in moves]
    scored = [m for m in scored if m.score > 0]
    if not scored:
        return None
    return max(scored, key=lambda m: m.score)
