"""Fusion weights learned from a contact center's own verdicts on what the search found.

The shipped weights (`kb.fusion`) were fitted on this project's noisy dev questions; a
contact center's customers write otherwise and its articles are laid out otherwise. Each
verdict (a supervisor's in `/kb`, «this article answers the question» or «none of them
does», or an operator's answer from an article, `kb.verdicts`) is a labelled search: the
right article against the others the search ranked near it. The weights are refitted by a
logistic regression pulled toward the shipped ones (an L2 penalty on the difference), so a
few dozen verdicts move them a little and thousands as far as the data says. They are put
in use only when, out of fold, they rank the right article first at least as often as the
weights in use do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wowdesk.kb.fusion import SHIPPED, Weights, lead, score

MIN_VERDICTS = 30  # with an article named: fewer say too little to move seven weights
CANDIDATES = 10  # the articles a verdict's right one is set against, per score
FOLDS = 5
# the penalty's weight, in verdicts' worth of evidence: chosen on benchmarks/fusion_feedback.py
PRIOR_STRENGTH = 1.0


@dataclass(frozen=True)
class Verdict:
    """One search and its answer: each article's fusion features (articles × FEATURES) and
    the row of the article that answers, or None when none does."""

    features: np.ndarray
    right: int | None


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))))


def penalised_logistic(
    x: np.ndarray, y: np.ndarray, prior: np.ndarray, strength: float, iterations: int = 50
) -> np.ndarray:
    """Weights and bias (last) of a logistic regression minimising the log-loss plus
    `strength`/2 × the squared distance from `prior`: Newton's method, each step halved
    until the objective falls (a full step overshoots on nearly separable verdicts)."""
    rows = np.hstack([np.asarray(x, np.float64), np.ones((len(x), 1))])
    target = np.asarray(y, np.float64)
    centre = np.asarray(prior, np.float64)

    def objective(w: np.ndarray) -> float:
        z = rows @ w
        loss = np.logaddexp(0.0, z) - target * z  # -log-likelihood, without overflow
        return float(loss.sum() + 0.5 * strength * np.square(w - centre).sum())

    w = centre.copy()
    eye = np.eye(len(w))
    current = objective(w)
    for _ in range(iterations):
        p = _sigmoid(rows @ w)
        gradient = rows.T @ (p - target) + strength * (w - centre)
        hessian = rows.T @ (rows * (p * (1 - p))[:, None]) + strength * eye
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4 and objective(w - size * step) > current:
            size /= 2
        w = w - size * step
        moved, current = current - objective(w), objective(w)
        if moved < 1e-9 * max(1.0, abs(current)):
            break
    return w


def candidate_rows(
    features: np.ndarray, right: int, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The right article's row and those of the articles the fused score or any of the
    question part's scores puts in its top ten: the ones a search has to tell apart (all
    articles would drown it in easy negatives). `benchmarks/retrieval_fit.py` fitted the
    shipped weights on the same rows."""
    kept = set(np.argsort(-scores)[:CANDIDATES].tolist()) | {right}
    for column in range(features.shape[1] // 2):  # the question part's; the message's follow
        kept |= set(np.argsort(-features[:, column])[:CANDIDATES].tolist())
    rows = sorted(kept)
    return features[rows], np.asarray([int(r == right) for r in rows])


def _first_two(scores: np.ndarray) -> tuple[float, float]:
    order = np.argsort(-scores)
    second = float(scores[order[1]]) if len(order) > 1 else float("-inf")
    return float(scores[order[0]]), second


def fit(
    verdicts: Sequence[Verdict], prior: Weights = SHIPPED, strength: float = PRIOR_STRENGTH
) -> Weights:
    """The article score on the verdicts that name an article, then the confidence on every
    verdict: is the new first hit the right one (never, when none answers)."""
    x, y = [], []
    for v in verdicts:
        if v.right is not None:
            rows, labels = candidate_rows(v.features, v.right, score(v.features, prior))
            x.append(rows)
            y.append(labels)
    score_prior = np.append(prior.weights.astype(np.float64), prior.bias)
    w = penalised_logistic(np.vstack(x), np.concatenate(y), score_prior, strength)
    fused = Weights(
        w[:-1].astype(np.float32), float(w[-1]), prior.confidence, prior.confidence_bias
    )
    cx, cy = [], []
    for v in verdicts:
        scores = score(v.features, fused)
        first, second = _first_two(scores)
        cx.append([first, lead(first, second)])
        cy.append(int(v.right is not None and int(np.argmax(scores)) == v.right))
    confidence_prior = np.append(prior.confidence.astype(np.float64), prior.confidence_bias)
    c = penalised_logistic(np.asarray(cx), np.asarray(cy), confidence_prior, strength)
    return Weights(fused.weights, fused.bias, c[:-1].astype(np.float32), float(c[-1]))


def _ranked_first(v: Verdict, fused: Weights) -> bool:
    return int(np.argmax(score(v.features, fused))) == v.right


def hit_at_1(verdicts: Sequence[Verdict], fused: Weights) -> float:
    """The share of verdicts naming an article whose article the fusion ranks first."""
    named = [v for v in verdicts if v.right is not None]
    if not named:
        return 0.0
    return sum(_ranked_first(v, fused) for v in named) / len(named)


@dataclass(frozen=True)
class Trial:
    """Refitting judged out of fold: hit@1 of the weights in use and of refitted ones."""

    verdicts: int
    named: int
    in_use_hit: float
    learned_hit: float


def cross_validated(
    verdicts: Sequence[Verdict],
    in_use: Weights,
    prior: Weights = SHIPPED,
    folds: int = FOLDS,
    strength: float = PRIOR_STRENGTH,
) -> Trial:
    """Each fold's verdicts ranked by weights fitted on the other folds; verdicts are dealt
    to folds in turn (they come in time order: each fold spans the whole period)."""
    named = [v for v in verdicts if v.right is not None]
    right = 0
    for fold in range(folds):
        train = [v for i, v in enumerate(verdicts) if i % folds != fold]
        test = [v for i, v in enumerate(verdicts) if i % folds == fold and v.right is not None]
        if not test or not any(v.right is not None for v in train):
            continue
        learned = fit(train, prior, strength)
        right += sum(_ranked_first(v, learned) for v in test)
    return Trial(
        verdicts=len(verdicts),
        named=len(named),
        in_use_hit=round(hit_at_1(verdicts, in_use), 4),
        learned_hit=round(right / len(named), 4) if named else 0.0,
    )
