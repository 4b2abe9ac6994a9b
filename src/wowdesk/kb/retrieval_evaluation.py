"""`wowdesk eval retrieval`: how often search puts the right article first, or in the top 5."""

from __future__ import annotations

import csv
import re
import statistics
import time
from pathlib import Path

from wowdesk.errors import Invalid
from wowdesk.kb.retrieval import Document, Encoder, Index


def rows_of(path: Path, columns: set[str]) -> list[dict[str, str]]:
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


THRESHOLD = 0.35  # the bot's default minimum retrieval confidence


def split_questions(value: str) -> tuple[str, ...]:
    """Example questions in one cell or field: one per line, or separated by «|»."""
    return tuple(q.strip() for q in re.split(r"[\n|]", value) if q.strip())


def kb_documents(
    kb_csv: Path, with_questions: bool = True
) -> tuple[list[Document], dict[str, int]]:
    """Articles of an evaluation CSV (id,question,answer[,questions]), numbered from 1."""
    articles = rows_of(kb_csv, {"id", "question", "answer"})
    number = {row["id"]: n for n, row in enumerate(articles, start=1)}
    docs = [
        Document(
            number[row["id"]],
            row["question"],
            row["answer"],
            questions=split_questions(row.get("questions", "")) if with_questions else (),
        )
        for row in articles
    ]
    return docs, number


def evaluate_retrieval(
    kb_csv: Path, queries_csv: Path, encoder: Encoder | None = None
) -> dict[str, float | int]:
    docs, number = kb_documents(kb_csv)
    queries = rows_of(queries_csv, {"query", "id"})
    index = Index(encoder)
    for doc in docs:
        index.add(doc)
    for line, row in enumerate(queries, start=2):
        if row["id"] and row["id"] not in number:
            raise Invalid(
                "{path}:{line}: unknown article id {id}",
                path=str(queries_csv),
                line=line,
                id=row["id"],
            )
    index.search("прогрев")  # builds the matrices outside the timing
    ranks: list[int | None] = []
    latencies: list[float] = []
    confident_on_unanswerable: list[bool] = []
    for row in queries:
        started = time.perf_counter()
        hits = index.search(row["query"], k=5)
        latencies.append((time.perf_counter() - started) * 1000)
        if not row["id"]:  # no article answers it: the bot should hand it over
            confident_on_unanswerable.append(bool(hits) and hits[0].confidence >= THRESHOLD)
            continue
        found = [h.article_id for h in hits]
        want = number[row["id"]]
        ranks.append(found.index(want) + 1 if want in found else None)
    n = len(ranks)
    if not n:
        raise Invalid("{path}: no query names an article", path=str(queries_csv))
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    unanswerable = len(confident_on_unanswerable)
    extra: dict[str, float | int] = {}
    if unanswerable:
        extra = {
            "n_unanswerable": unanswerable,
            "answered_unanswerable": round(sum(confident_on_unanswerable) / unanswerable, 4),
        }
    return {
        "hit_at_1": round(sum(r == 1 for r in ranks) / n, 4),
        "hit_at_5": round(sum(r is not None for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        "p50_ms": round(quantiles[49], 4),
        "p99_ms": round(quantiles[98], 4),
        "n_queries": n,
        **extra,
    }
