"""`wowdesk eval learning`: does mining past answers teach the bot?

The bot's knowledge base is built from KB.csv; every query of Q.csv is answered the way the
bot answers (retrieval, the topic-policy confidence floor, the extractive reply); then the
history H.csv is mined into drafts exactly as `wowdesk kb gaps --history` does, every draft
is approved, and the queries are answered again.

A query is *correct* when the bot answered and its reply contains at least half of the
content-word stems (Snowball, stop words removed) of the gold answer.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from wowdesk.bot import answer
from wowdesk.kb.retrieval import Document, Encoder, Index
from wowdesk.kb.retrieval_evaluation import rows_of
from wowdesk.nlp.text import terms
from wowdesk.quality import gaps

# the bot's default floor (bot.models.TopicPolicy.min_retrieval_confidence)
MIN_CONFIDENCE = 0.35


def is_correct(reply: str | None, gold: str) -> bool:
    if reply is None:
        return False
    wanted = set(terms(gold))
    if not wanted:
        return False
    have = set(terms(reply))
    return len(wanted & have) * 2 >= len(wanted)


def bot_reply(index: Index, query: str, min_confidence: float = MIN_CONFIDENCE) -> str | None:
    hits = index.search(query, k=3)
    if not hits or hits[0].confidence < min_confidence:
        return None
    top = hits[0]
    return answer.extractive(top.text, top.title, f"/help/{top.article_id}")


def evaluate_learning(
    kb_csv: Path, history_csv: Path, queries_csv: Path, encoder: Encoder | None = None
) -> dict[str, float | int]:
    articles = rows_of(kb_csv, {"id", "question", "answer"})
    queries = rows_of(queries_csv, {"query", "answer"})
    history = gaps.read_history(history_csv)
    index = Index(encoder)
    for n, row in enumerate(articles, start=1):
        index.add(Document(n, row["question"], row["answer"]))
    index.search("прогрев")  # builds the matrices outside the timing
    latencies: list[float] = []

    def run() -> tuple[int, int]:
        answered = correct = 0
        for row in queries:
            started = time.perf_counter()
            reply = bot_reply(index, row["query"])
            latencies.append((time.perf_counter() - started) * 1000)
            answered += reply is not None
            correct += is_correct(reply, row["answer"])
        return answered, correct

    answered_before, correct_before = run()
    drafts = gaps.drafts_from(history)
    for n, draft in enumerate(drafts, start=len(articles) + 1):
        index.add(Document(n, draft.title, draft.body))
    index.search("прогрев")
    answered_after, correct_after = run()
    total = len(queries)
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]
    return {
        "drafts": len(drafts),
        "answered_before": round(answered_before / total, 4),
        "answered_after": round(answered_after / total, 4),
        "correct_before": round(correct_before / total, 4),
        "correct_after": round(correct_after / total, 4),
        "p99_ms": round(p99, 3),
    }
