"""What supervisors' verdicts teach the search: hit@1 of the shipped fusion and of the
fusion refitted on N verdicts (`wowdesk.kb.fusion_learning`), on questions kept apart.

Run: python benchmarks/fusion_feedback.py [--data ../shared/data/banking77_train.csv]
         [--examples 3] [--test 500] [--sizes 30,100,300,1000] [--seed 34] [--strength 1]
         [--from-use]

A contact center other than the one the shipped weights were fitted on: each intent of a
labelled set (`text,label`: BANKING77, Russian HWU64) becomes an article, titled with its
first example question, with the next ones as its example questions and the label's words
as its body; every other question is a customer's, and a verdict names its intent's
article. The verdicts come first to last; the refit on the first N is scored on the same
`--test` questions as the shipped weights (never among the verdicts). Without `--data` the
demo's own questions are used (`benchmarks/data/kb_ru.csv`, `kb_queries_ru.csv`), on which
the shipped weights were fitted: there the refit should change little. With `--from-use`
the verdicts are the operators' (`kb.verdicts.do_note_use`): only the questions whose
article the console would suggest (among three, confident enough to show) give one, so
they teach the order of what the search already finds, not what it misses.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from wowdesk.assist.suggest import MIN_KB_CONFIDENCE
from wowdesk.kb import fusion, fusion_learning
from wowdesk.kb.retrieval import Document, Index
from wowdesk.kb.retrieval_evaluation import kb_documents

DATA = Path(__file__).parent / "data"


def intents_as_kb(
    path: Path, examples: int, seed: int
) -> tuple[list[Document], list[tuple[str, int]]]:
    """Articles made of each label's first questions, and the other questions with theirs."""
    by_label: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_label[row["label"]].append(row["text"].strip())
    rng = random.Random(seed)
    docs, asked = [], []
    for number, (label, texts) in enumerate(sorted(by_label.items()), start=1):
        rng.shuffle(texts)
        title, *questions = texts[:examples]
        body = label.replace("__", " ").replace("_", " ")
        docs.append(Document(number, title, body, questions=tuple(questions)))
        asked += [(t, number) for t in texts[examples:]]
    rng.shuffle(asked)
    return docs, asked


def demo_kb() -> tuple[list[Document], list[tuple[str, int]]]:
    docs, number = kb_documents(DATA / "kb_ru.csv")
    with (DATA / "kb_queries_ru.csv").open(encoding="utf-8") as fh:
        asked = [(r["query"], number[r["id"]]) for r in csv.DictReader(fh) if r["id"]]
    random.Random(34).shuffle(asked)
    return docs, asked


def suggested(index: Index, text: str, article: int) -> bool:
    """Whether the console would offer `article` for `text`: among the knowledge base's
    three hits it asks the search for, confident enough to be shown
    (`assist.suggest.MIN_KB_CONFIDENCE`); only then can an operator send it."""
    return any(
        hit.article_id == article and hit.confidence >= MIN_KB_CONFIDENCE
        for hit in index.search(text, k=3)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, help="a labelled set: text,label")
    parser.add_argument("--examples", type=int, default=3, help="questions per article")
    parser.add_argument("--test", type=int, default=500, help="questions kept apart")
    parser.add_argument("--sizes", default="30,100,300,1000", help="verdict counts to try")
    parser.add_argument("--seed", type=int, default=34)
    parser.add_argument(
        "--strength",
        type=float,
        default=fusion_learning.PRIOR_STRENGTH,
        help="the pull toward the shipped weights",
    )
    parser.add_argument(
        "--from-use",
        action="store_true",
        help="verdicts only where an operator could give one: the right article among the"
        " three suggestions the console shows (confidence at least the assistant's floor)",
    )
    args = parser.parse_args()
    docs, asked = intents_as_kb(args.data, args.examples, args.seed) if args.data else demo_kb()
    test_size = min(args.test, len(asked) // 2)
    test, pool = asked[:test_size], asked[test_size:]
    started = time.perf_counter()
    index = Index()
    index.replace_many(docs)

    def verdicts(pairs: list[tuple[str, int]]) -> list[fusion_learning.Verdict]:
        out = []
        for text, article in pairs:
            features, ids = index.features_by_article(text)
            out.append(fusion_learning.Verdict(features, ids.index(article)))
        return out

    tested = verdicts(test)
    if args.from_use:
        offered = len(pool)
        pool = [pair for pair in pool if suggested(index, *pair)]
        print(f"an operator could answer from the suggested article on {len(pool)} of {offered}")
    sizes = [n for n in map(int, args.sizes.split(",")) if n <= len(pool)] or [len(pool)]
    given = verdicts(pool[: max(sizes)])
    print(
        f"{len(docs)} articles, {len(test)} test questions, up to {len(given)} verdicts"
        f" ({time.perf_counter() - started:.1f} s to index and read them)"
    )
    shipped = fusion_learning.hit_at_1(tested, fusion.SHIPPED)
    print(f"shipped fusion: hit@1 {shipped:.4f}")
    for n in sizes:
        if n < fusion_learning.MIN_VERDICTS:
            continue
        learned = fusion_learning.fit(given[:n], strength=args.strength)
        hit = fusion_learning.hit_at_1(tested, learned)
        trial = fusion_learning.cross_validated(given[:n], fusion.SHIPPED, strength=args.strength)
        verdict = "in force" if trial.learned_hit >= trial.in_use_hit else "kept apart"
        print(
            f"refit on {n:>5} verdicts: hit@1 {hit:.4f} ({hit - shipped:+.4f});"
            f" out of fold on the verdicts themselves {trial.learned_hit:.4f}"
            f" vs shipped {trial.in_use_hit:.4f} -> {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
