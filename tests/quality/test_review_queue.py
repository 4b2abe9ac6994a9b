"""The review queue's order, its pages (service, page and API alike) and whose
conversations it shows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import add_user, assert_json_error, login
from tests.quality.factories import dialogue
from wowdesk.db import utcnow
from wowdesk.quality import autoqa, review
from wowdesk.quality.models import Score

TURNS = [
    ("customer", "Где мой заказ 123456?"),
    ("operator", "Здравствуйте! Меня зовут Анна. Заказ будет завтра. Всего доброго!"),
]


def queued(
    db: Session, risk: float, hours_ago: float, sample: float = 1.0, bot: bool = False
) -> Score:
    """A scored conversation with the queue's keys set: its risk, its sample key, when it
    closed, and whether no operator took it."""
    score = autoqa.do_score(db, autoqa.Scorer(), dialogue(db, TURNS))
    score.risk, score.risk_reasons = risk, (["low_csat"] if risk > 0 else [])
    score.sample = sample
    score.closed_at = utcnow() - timedelta(hours=hours_ago)
    if bot:
        score.operator_id = None
    db.flush()
    return score


def scene(db: Session) -> dict[str, Score]:
    """Two of equal risk where the later closed is the older score, a lesser risk, two in
    the sample (the later closed with the larger sample key), one neither risky nor
    sampled, and a bot's conversation."""
    later = queued(db, 3.0, hours_ago=1)
    earlier = queued(db, 3.0, hours_ago=2)
    return {
        "later": later,
        "earlier": earlier,
        "lesser": queued(db, 1.5, hours_ago=0.5),
        "bot": queued(db, 2.0, hours_ago=3, bot=True),
        "sample_old": queued(db, 0.0, hours_ago=5, sample=0.01),
        "sample_new": queued(db, 0.0, hours_ago=4, sample=0.04),
        "unsampled": queued(db, 0.0, hours_ago=0.1, sample=0.5),
    }


def ids(items: list[review.QueueItem]) -> list[int]:
    return [i.score.id for i in items]


def test_highest_risk_first_then_the_sample_equal_ones_latest_closed_first(db: Session) -> None:
    s = scene(db)
    queue = review.review_queue(db)
    expected = ["later", "earlier", "bot", "lesser", "sample_new", "sample_old"]
    assert ids(queue) == [s[k].id for k in expected]
    assert [i.why for i in queue] == ["risk"] * 4 + ["sample"] * 2
    assert review.count_queue(db) == 6  # what the pages hold, the sample too


def test_pages_go_through_both_parts_without_repeating(db: Session) -> None:
    s = scene(db)
    pages = [review.review_queue(db, 2, offset) for offset in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 2, 0]
    assert [i for p in pages for i in ids(p)] == ids(review.review_queue(db))
    # a page that starts past the risky ones: the sample goes on, not over again
    assert ids(review.review_queue(db, 1, 5)) == [s["sample_old"].id]
    assert review.count_queue(db, cap=3) == 3


def test_the_filter_by_who_handled(db: Session) -> None:
    s = scene(db)
    bots = review.review_queue(db, who=review.Handler.bot)
    assert ids(bots) == [s["bot"].id]
    people = review.review_queue(db, who=review.Handler.operators)
    assert s["bot"].id not in ids(people) and len(people) == 5
    assert review.count_queue(db, review.Handler.operators) == 5
    assert review.count_queue(db, review.Handler.bot) == 1


def rows(html: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(
            r'data-testid="qa-queue-row">\s*<td><a href="/quality/conversations/(\d+)"', html
        )
    ]


def test_the_page_says_its_order_and_pages_with_links(
    client: TestClient, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with factory() as db:
        s = scene(db)
        db.commit()
        conv = {k: v.conversation_id for k, v in s.items()}
    monkeypatch.setattr(review, "QUEUE_PAGE", 4)
    login(client, add_user(client, "supervisor"))
    first = client.get("/quality/review")
    assert first.status_code == 200
    assert "Сначала — наибольший риск" in first.text
    assert 'data-testid="qa-waiting">6<' in first.text
    assert rows(first.text) == [conv[k] for k in ("later", "earlier", "bot", "lesser")]
    assert "Показаны 1–4 из 6" in first.text and 'data-testid="qa-queue-back"' not in first.text
    further = re.search(r'<a href="([^"]+)" data-testid="qa-queue-further"', first.text)
    assert further and further.group(1) == "/quality/review?page=2"
    second = client.get(further.group(1))
    assert rows(second.text) == [conv["sample_new"], conv["sample_old"]]
    assert "Показаны 5–6 из 6" in second.text and "случайная выборка" in second.text
    assert 'href="/quality/review" data-testid="qa-queue-back"' in second.text
    assert 'data-testid="qa-queue-further"' not in second.text
    # operators only: the bot's conversation is gone, and the count with it
    people = client.get("/quality/review?who=operators")
    assert conv["bot"] not in rows(people.text)
    assert 'data-testid="qa-waiting">5<' in people.text
    assert 'href="/quality/review?who=operators&amp;page=2"' in people.text
    bots = client.get("/quality/review?who=bot")
    assert rows(bots.text) == [conv["bot"]]
    # a mistyped address shows the first page of all, as /kb does
    assert rows(client.get("/quality/review?who=robots&page=x").text) == rows(first.text)


def test_the_api_pages_and_filters_the_same_and_refuses_a_bad_filter(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with factory() as db:
        s = scene(db)
        db.commit()
        score = {k: v.id for k, v in s.items()}
    login(client, add_user(client, "supervisor"))
    url = "/api/v1/quality/review-queue"

    def got(**params: object) -> list[int]:
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        return [i["score"]["id"] for i in response.json()]

    assert got(limit=2, offset=4) == [score["sample_new"], score["sample_old"]]
    assert got(who="bot") == [score["bot"]]
    assert score["bot"] not in got(who="operators", limit=50)
    error = assert_json_error(client.get(url, params={"who": "robots"}), 422, "invalid")
    assert "who" in error["message"]
    assert_json_error(client.get(url, params={"offset": -1}), 422, "invalid")
