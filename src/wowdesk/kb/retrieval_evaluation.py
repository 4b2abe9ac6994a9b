"""`wowdesk eval retrieval`: how often search puts the right article first, or in the top 5."""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path

from wowdesk.errors import Invalid
from wowdesk.kb.retrieval import Document, Encoder, Index


def _rows(path: Path, columns: set[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = {f.strip().lower() for f in reader.fieldnames or []}
            if not columns <= fields:
                raise Invalid(
                    "{path}: the header must have {columns}",
                    path=str(path),
                    columns=",".join(sorted(columns)),
                )
            rows = [
                {(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in reader
            ]
    except FileNotFoundError as exc:
        raise Invalid("{path}: no such file", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise Invalid("{path}: the file is not UTF-8", path=str(path)) from exc
    if not rows:
        raise Invalid("{path}: no rows", path=str(path))
    return rows


def evaluate_retrieval(
    kb_csv: Path, queries_csv: Path, encoder: Encoder | None = None
) -> dict[str, float | int]:
    articles = _rows(kb_csv, {"id", "question", "answer"})
    queries = _rows(queries_csv, {"query", "id"})
    number = {row["id"]: n for n, row in enumerate(articles, start=1)}
    index = Index(encoder)
    for row in articles:
        index.add(Document(number[row["id"]], row["question"], row["answer"]))
    for line, row in enumerate(queries, start=2):
        if row["id"] not in number:
            raise Invalid(
                "{path}:{line}: unknown article id {id}",
                path=str(queries_csv),
                line=line,
                id=row["id"],
            )
    index.search("прогрев")  # builds the matrices outside the timing
    ranks: list[int | None] = []
    latencies: list[float] = []
    for row in queries:
        started = time.perf_counter()
        hits = index.search(row["query"], k=5)
        latencies.append((time.perf_counter() - started) * 1000)
        found = [h.article_id for h in hits]
        want = number[row["id"]]
        ranks.append(found.index(want) + 1 if want in found else None)
    n = len(ranks)
    quantiles = statistics.quantiles(latencies, n=100) if n > 1 else latencies * 99
    return {
        "hit_at_1": round(sum(r == 1 for r in ranks) / n, 4),
        "hit_at_5": round(sum(r is not None for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        "p50_ms": round(quantiles[49], 4),
        "p99_ms": round(quantiles[98], 4),
        "n_queries": n,
    }
