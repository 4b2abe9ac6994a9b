"""Two real `wowdesk serve` processes and a `wowdesk worker` on PostgreSQL and Redis: a
customer on one process and an operator on the other talk live; the bot answers through the
job queue exactly once although both processes hear the customer's message."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection

from tests.distributed.cluster import (
    Cluster,
    client,
    login,
    make_cluster,
    open_chat,
    open_console,
    require_servers,
    start_conversation,
    wowdesk,
)
from wowdesk.bot.models import BotDecision
from wowdesk.conversations.models import Message
from wowdesk.db import make_engine, make_sessionmaker

pytestmark = pytest.mark.timeout(180)

Event = dict[str, Any]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_servers()
    c = make_cluster(tmp_path_factory.mktemp("cluster"), 2, bot_enabled="true")
    # the demo: operators, knowledge base, trained topic model, all in the shared database
    demo = wowdesk("demo", "--no-serve", "--conversations", "0")  # no generated history needed
    subprocess.run(demo, env=c.env, check=True, capture_output=True)
    with c.running(worker=True):
        yield c


async def wait_for(ws: ClientConnection, match: Callable[[Event], bool], seconds: float) -> Event:
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the awaited event never came")
        event: Event = json.loads(await asyncio.wait_for(ws.recv(), left))
        if match(event):
            return event


def _message_from(kind: str, text: str = "") -> Callable[[Event], bool]:
    def match(e: Event) -> bool:
        m = e.get("message") if e.get("type") == "message" else None
        return bool(m and m["author_kind"] == kind and text in m["text"])

    return match


def test_a_customer_on_one_process_and_an_operator_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.apps

    ours: list[int] = []  # the demo's history has bot messages of its own

    async def scenario() -> None:
        # the bot: the question enters through process A, the worker answers it once
        conv_id, token = await start_conversation(
            a.url, "two-proc-bot", "Сколько дней заказ лежит в пункте выдачи?"
        )
        ours.append(conv_id)
        chat = await open_chat(a.url, conv_id, token)
        answer = await wait_for(chat, _message_from("bot"), 30)
        assert "/help/" in answer["message"]["text"]
        await chat.close()

        # the human: the customer is on B, the operator on A
        conv_id, token = await start_conversation(
            b.url, "two-proc-human", "Позовите живого человека, заказ 555123 пришёл разбитым"
        )
        ours.append(conv_id)
        chat = await open_chat(b.url, conv_id, token)
        async with client(a.url) as http:
            await login(http, "anna", "operator-demo-1")  # online: routing gives her work
            console = await open_console(a.url, http)
            await wait_for(
                console,
                lambda e: (
                    e.get("type") == "conversation"
                    and e["conversation"]["id"] == conv_id
                    and e["conversation"]["status"] == "assigned"
                ),
                20,
            )
            await chat.send(json.dumps({"type": "send", "client_id": "c-1", "text": "Жду вас"}))
            await wait_for(console, _message_from("customer", "Жду вас"), 10)
            await console.send(
                json.dumps(
                    {
                        "type": "send",
                        "conversation_id": conv_id,
                        "client_id": "o-1",
                        "text": "Анна на связи, оформляю возврат",
                    }
                )
            )
            await wait_for(chat, _message_from("operator", "оформляю возврат"), 10)
            await console.close()
        await chat.close()

    asyncio.run(scenario())

    factory = make_sessionmaker(make_engine(cluster.env["WOWDESK_DATABASE_URL"]))
    with factory() as db:
        # both processes heard the first question; the job id let the bot answer it once
        bot_messages = db.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.author_kind == "bot", Message.conversation_id.in_(ours))
        )
        decisions = db.scalar(
            select(func.count())
            .select_from(BotDecision)
            .where(BotDecision.conversation_id.in_(ours))
        )
    assert bot_messages == 1
    assert decisions == 2  # one answer, one handoff


def test_several_processes_need_postgresql_and_redis(tmp_path: Path) -> None:
    env = {"WOWDESK_VAR_DIR": str(tmp_path), "WOWDESK_DATABASE_URL": "", "WOWDESK_REDIS_URL": ""}
    done = subprocess.run(
        wowdesk("serve", "--workers", "2"),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Redis" in done.stderr
    worker = subprocess.run(
        wowdesk("worker"), env={**os.environ, **env}, capture_output=True, text=True
    )
    assert worker.returncode == 2
    assert "WOWDESK_REDIS_URL" in worker.stderr
