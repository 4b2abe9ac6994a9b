"""Cross-validated figures of the embedded topic model on a labelled CSV (text,label).

Run: python benchmarks/triage_cv.py --data ../shared/data/banking77_train.csv [--folds 5]
Prints one line per fold and the mean of the keys `wowdesk eval triage` prints.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from wowdesk.bot.topic_model import evaluate, read_labelled_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    texts, labels = read_labelled_csv(args.data)
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    results = []
    for n, (train, test) in enumerate(folds.split(texts, labels), start=1):
        result = evaluate(
            [texts[i] for i in train],
            [labels[i] for i in train],
            [texts[i] for i in test],
            [labels[i] for i in test],
        )
        results.append(result)
        print(f"fold {n}: {json.dumps(result)}", flush=True)
    mean = {key: round(statistics.mean(float(r[key]) for r in results), 4) for key in results[0]}
    print(f"{args.data.name} {args.folds}-fold mean: {json.dumps(mean)}")


if __name__ == "__main__":
    main()
