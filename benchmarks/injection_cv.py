"""Cross-validated figures of the prompt-injection detector (`wowdesk.nlp.injection`).

Run: python benchmarks/injection_cv.py [--data FILE.csv] [--folds 5]

Without --data: the shipped training data (deepset's English/German set plus the Russian
examples), stratified folds; each fold's model is trained only on the other folds. Prints
accuracy, precision, recall, F1 per fold and their mean, the same per language, and the
floor: the same folds with a bare TF-IDF word model (what a keyword list would learn).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold

from wowdesk.nlp.injection import InjectionDetector, read_examples, shipped_examples


def scores(truth: list[int], predicted: list[int]) -> dict[str, float]:
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "precision": round(float(precision_score(truth, predicted, zero_division=0)), 4),
        "recall": round(float(recall_score(truth, predicted, zero_division=0)), 4),
        "f1": round(float(f1_score(truth, predicted, zero_division=0)), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    texts, labels = read_examples(args.data) if args.data else shipped_examples()
    y = np.asarray(labels)
    predicted = np.zeros(len(texts), int)
    floor = np.zeros(len(texts), int)
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    for n, (train, test) in enumerate(folds.split(texts, labels), start=1):
        model = InjectionDetector().fit([texts[i] for i in train], [labels[i] for i in train])
        predicted[test] = [int(model.check(texts[i]).injection) for i in test]
        words = TfidfVectorizer().fit([texts[i] for i in train])
        base = LogisticRegression(max_iter=2000).fit(
            words.transform([texts[i] for i in train]), y[train]
        )
        floor[test] = base.predict(words.transform([texts[i] for i in test]))
        print(f"fold {n}: {scores(list(y[test]), list(predicted[test]))}", flush=True)
    print(f"{args.folds}-fold detector: {scores(list(y), list(predicted))}")
    print(f"{args.folds}-fold floor (TF-IDF words, logistic): {scores(list(y), list(floor))}")
    russian = np.asarray([bool(re.search("[а-яё]", t, re.I)) for t in texts])
    for name, mask in (("russian", russian), ("english/german", ~russian)):
        print(f"  {name} ({int(mask.sum())}): {scores(list(y[mask]), list(predicted[mask]))}")


if __name__ == "__main__":
    main()
