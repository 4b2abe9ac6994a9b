"""Fits retrieval's fusion weights (`wowdesk.kb.fusion`) on the noisy dev questions.

Run: python benchmarks/retrieval_fit.py [--kb benchmarks/data/kb_ru.csv]
         [--queries benchmarks/data/kb_queries_noisy_ru.csv] [--folds 5]

Prints the weights to paste into fusion.py, and hit@1/hit@5 of the fitted fusion
cross-validated over the dev questions (grouped folds: both noisy variants of one base
question stay in the same fold), next to the shipped weights and the floor (TF-IDF cosine
between the message and the article titles). The held-back file is never read here.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from wowdesk.kb import fusion, fusion_learning
from wowdesk.kb.retrieval import Index
from wowdesk.kb.retrieval_evaluation import kb_documents

DATA = Path(__file__).parent / "data"


def hits(probabilities: list[np.ndarray], truth: list[int]) -> tuple[float, float]:
    ranks = [int((p > p[t]).sum()) for p, t in zip(probabilities, truth, strict=True)]
    return sum(r == 0 for r in ranks) / len(ranks), sum(r < 5 for r in ranks) / len(ranks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=Path, default=DATA / "kb_ru.csv")
    parser.add_argument("--queries", type=Path, default=DATA / "kb_queries_noisy_ru.csv")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-questions", action="store_true", help="index titles only")
    args = parser.parse_args()
    docs, number = kb_documents(args.kb, with_questions=not args.no_questions)
    index = Index()
    for doc in docs:
        index.add(doc)
    with args.queries.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    all_features = [index.features(r["query"])[0] for r in rows]
    groups_all = [i // 2 for i in range(len(rows))]
    answerable = [i for i, r in enumerate(rows) if r["id"]]
    outside = [all_features[i] for i, r in enumerate(rows) if not r["id"]]
    features = [all_features[i] for i in answerable]
    truth = [number[rows[i]["id"]] - 1 for i in answerable]
    groups = [groups_all[i] for i in answerable]
    rows = [rows[i] for i in answerable]
    shipped = [fusion.probability(f) for f in features]
    print("shipped weights: hit@1 {:.4f} hit@5 {:.4f}".format(*hits(shipped, truth)))
    titles = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    matrix = titles.fit_transform([d.title for d in docs])
    floor = [
        np.asarray((matrix @ titles.transform([r["query"]]).T).todense()).ravel() for r in rows
    ]
    print(
        "floor (TF-IDF cosine with titles): hit@1 {:.4f} hit@5 {:.4f}".format(*hits(floor, truth))
    )

    def table(ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        rows = [fusion_learning.candidate_rows(features[i], truth[i], shipped[i]) for i in ids]
        return np.vstack([x for x, _y in rows]), np.concatenate([y for _x, y in rows])

    predicted: list[np.ndarray] = [np.zeros(0)] * len(rows)
    for train, test in GroupKFold(n_splits=args.folds).split(rows, groups=groups):
        x, y = table(list(train))
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
        for i in test:
            predicted[i] = model.decision_function(features[i])
    h1, h5 = hits(predicted, truth)
    print(f"fitted, {args.folds}-fold grouped CV: hit@1 {h1:.4f} hit@5 {h5:.4f}")
    # the confidence of a first hit: is it right, from its logit and its lead (out of fold)
    x, y = table(list(range(len(rows))))
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    outside_scores = [model.decision_function(f) for f in outside]
    top2 = [np.sort(p)[-2:][::-1] for p in predicted + outside_scores]
    cx = np.asarray([[a, min(a - b, fusion.MAX_LEAD)] for a, b in top2])
    cy = np.asarray(
        [int(np.argmax(p) == t) for p, t in zip(predicted, truth, strict=True)]
        + [0] * len(outside_scores)
    )
    calibration = LogisticRegression(max_iter=2000).fit(cx, cy)
    weights = ", ".join(f"{w:.3f}" for w in model.coef_[0])
    print(f"WEIGHTS = np.asarray([{weights}], np.float32)\nBIAS = {model.intercept_[0]:.3f}")
    a, b = calibration.coef_[0]
    print(f"CONFIDENCE = np.asarray([{a:.3f}, {b:.3f}], np.float32)")
    print(f"CONFIDENCE_BIAS = {calibration.intercept_[0]:.3f}")
    p = calibration.predict_proba(cx)[:, 1]
    for low, high in ((0, 0.35), (0.35, 0.6), (0.6, 0.8), (0.8, 1.01)):
        sel = (p >= low) & (p < high)
        if sel.any():
            print(
                f"  confidence {low:.2f}-{high:.2f}: {sel.sum()} questions,"
                f" right {cy[sel].mean():.2f}"
            )


if __name__ == "__main__":
    main()
