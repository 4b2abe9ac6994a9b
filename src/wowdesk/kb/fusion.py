"""How retrieval's scores become one probability: a logistic model over KB-independent scores.

The features (per article, for the question part of a message and for the whole message):
the idf-weighted share of the query's stems in the best passage and in the best question
row, the character n-gram cosine with the best question row, and the sentence encoder's
cosine with the best question row and the best passage. None of them depends on the size
or wording of a knowledge base, so the fitted probability means the same everywhere: a
threshold of 0.35 is «right about a third of the time or better» in any KB.

The weights were fitted by `benchmarks/retrieval_fit.py` on the dev part of the noisy
question set (`benchmarks/data/kb_queries_noisy_ru.csv`): every article that any score put
in the top 10 is a row, the article that answers is the positive one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURES = (
    "question.passage_coverage",
    "question.question_coverage",
    "question.question_chars",
    "question.question_cosine",
    "question.passage_cosine",
    "message.passage_coverage",
    "message.question_coverage",
    "message.question_chars",
    "message.question_cosine",
    "message.passage_cosine",
)

# fitted by benchmarks/retrieval_fit.py (see the module docstring)
WEIGHTS = np.asarray(
    [1.317, -1.403, 2.738, 3.606, 1.594, 2.001, -0.355, 2.453, 1.812, 1.551], np.float32
)
BIAS = -6.581
# P(the first hit is the right article) from its score and its lead over the second
MAX_LEAD = 1.0
CONFIDENCE = np.asarray([0.402, 2.111], np.float32)
CONFIDENCE_BIAS = -0.458
# A knowledge base of one or two articles has no real runner-up, and an absent one must not
# read as a clear lead (a lone unrelated article would answer «привет»): the lead is taken
# over at least the logit an unrelated article usually reaches - the 10th percentile of the
# runner-ups' logits on the dev set, so larger knowledge bases keep their fitted behaviour.
RUNNER_UP_FLOOR = -3.6


@dataclass(frozen=True)
class Weights:
    """One fusion: the article score's weights and bias, and the confidence's. The shipped
    ones, or ones learned from a contact center's own verdicts (`kb.fusion_learning`)."""

    weights: np.ndarray
    bias: float
    confidence: np.ndarray  # over (logit, lead)
    confidence_bias: float

    def as_lists(self) -> tuple[list[float], list[float]]:
        return (
            [*map(float, self.weights), float(self.bias)],
            [*map(float, self.confidence), float(self.confidence_bias)],
        )

    @classmethod
    def from_lists(cls, score: list[float], confidence: list[float]) -> Weights:
        if len(score) != len(FEATURES) + 1 or len(confidence) != 3:
            raise ValueError("fusion weights of the wrong shape")
        return cls(
            np.asarray(score[:-1], np.float32),
            float(score[-1]),
            np.asarray(confidence[:2], np.float32),
            float(confidence[2]),
        )


SHIPPED = Weights(WEIGHTS, BIAS, CONFIDENCE, CONFIDENCE_BIAS)


def score(features: np.ndarray, fused: Weights = SHIPPED) -> np.ndarray:
    """The fused score (a logit) of each row of features (articles × FEATURES)."""
    return np.asarray(features @ fused.weights + fused.bias, np.float32)


def probability(features: np.ndarray, fused: Weights = SHIPPED) -> np.ndarray:
    """P(the article answers) for each row of features, judged alone."""
    return np.asarray(1.0 / (1.0 + np.exp(-score(features, fused))), np.float32)


def lead(logit: float, runner_up: float) -> float:
    """The first hit's lead, capped: in a small KB every lead is large, and the probability
    must not depend on the KB's size."""
    return min(logit - max(runner_up, RUNNER_UP_FLOOR), MAX_LEAD)


def confidence(logit: float, runner_up: float, fused: Weights = SHIPPED) -> float:
    """P(this hit is right) given the next hit's logit: a clear lead means more than a high
    score among several equally high ones."""
    z = fused.confidence[0] * logit + fused.confidence[1] * lead(logit, runner_up)
    return float(1.0 / (1.0 + np.exp(-(z + fused.confidence_bias))))
