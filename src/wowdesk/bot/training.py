"""What the topic model learns from: labelled customer messages plus the knowledge base.

Every published article teaches its topic with its title and its first paragraph, so a
topic the knowledge base covers is recognised even before anyone has labelled messages
for it, and a supervisor's new article improves triage at the next training.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from wowdesk.kb import service as kb

if TYPE_CHECKING:  # scikit-learn is imported when a model is trained, not at start
    from wowdesk.bot.topic_model import TopicModel

DEMO_EXAMPLES = Path(__file__).parent / "data" / "topics_ru.csv"


def knowledge_examples(db: Session) -> tuple[list[str], list[str]]:
    names = kb.topic_names(db)
    texts: list[str] = []
    labels: list[str] = []
    for article in kb.list_articles(db, status="published", limit=100_000):
        topic = names.get(article.topic_id) if article.topic_id else None
        if not topic:
            continue
        first = article.body.strip().split("\n\n", 1)[0]
        texts += [article.title, f"{article.title}. {first}"]
        labels += [topic, topic]
    return texts, labels


def training_set(db: Session, data: Path | None) -> tuple[list[str], list[str]]:
    from wowdesk.bot.topic_model import read_labelled_csv

    texts, labels = read_labelled_csv(data) if data is not None else ([], [])
    kb_texts, kb_labels = knowledge_examples(db)
    return texts + kb_texts, labels + kb_labels


def train(db: Session, data: Path | None, out: Path) -> TopicModel:
    from wowdesk.bot.topic_model import TopicModel

    texts, labels = training_set(db, data)
    model = TopicModel.fit(texts, labels)
    model.save(out)
    return model
