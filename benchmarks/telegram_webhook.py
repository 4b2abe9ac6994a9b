"""Telegram updates through the webhook: updates stored per second by a real `wowdesk serve`
(embedded default: SQLite, the bot on) as Telegram would POST them, with the secret header.

Run: python benchmarks/telegram_webhook.py [--updates 1000] [--chats 200] [--concurrency 20]
        [--json]

Each update is a customer's text in one of `--chats` private chats (the first opens a
conversation, the bot answers it, the rest join it). The figure: updates acknowledged per
second (a 200 means stored: the webhook commits before it answers) and p50/p99 of one POST;
then that every update was stored exactly once. The floor is the same number of POSTs to the
same route with a wrong secret (refused before the body is read): the HTTP round trip alone.
A fake Bot API server on loopback takes the bot's answers (tests/telegram_fake.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers import free_port
from tests.telegram_fake import fake_telegram

from wowdesk.conversations.models import Message
from wowdesk.db import make_engine

SECRET = "bench-secret"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


async def post_all(
    url: str, updates: list[dict[str, object]], secret: str, concurrency: int
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    ok = 0
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    for update in updates:
        queue.put_nowait(update)
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with httpx.AsyncClient(timeout=60) as client:

        async def worker() -> None:
            nonlocal ok
            while not queue.empty():
                update = queue.get_nowait()
                began = time.perf_counter()
                response = await client.post(url, json=update, headers=headers)
                latencies.append(time.perf_counter() - began)
                ok += response.status_code == 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, fake_telegram() as fake:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "WOWDESK_VAR_DIR": tmp,
            "WOWDESK_DATABASE_URL": "",
            "WOWDESK_PUBLIC_URL": base,
            "WOWDESK_TELEGRAM_TOKEN": fake.token,
            "WOWDESK_TELEGRAM_API_URL": fake.url,
            "WOWDESK_TELEGRAM_MODE": "webhook",
            "WOWDESK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
        cli = str(Path(sys.executable).parent / "wowdesk")
        subprocess.run([cli, "db", "upgrade"], env=env, check=True, capture_output=True)
        log = (Path(tmp) / "server.log").open("wb")
        server = subprocess.Popen(
            [cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while not fake.webhook_url:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((Path(tmp) / "server.log").read_text())
                time.sleep(0.2)
            url = fake.webhook_url
            updates = [
                fake.text(7_000_000 + i % args.chats, f"Вопрос {i}: где мой заказ {10000 + i}?")
                for i in range(args.updates)
            ]
            floor_s, _floor_lat, refused = asyncio.run(
                post_all(url, updates, "wrong", args.concurrency)
            )
            took, latencies, ok = asyncio.run(post_all(url, updates, SECRET, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        engine = make_engine(f"sqlite:///{tmp}/wowdesk.db")
        with engine.connect() as conn:
            stored = conn.scalar(
                select(func.count()).select_from(Message).where(Message.author_kind == "customer")
            )
        engine.dispose()
    result = {
        "updates": args.updates,
        "acknowledged": ok,
        "stored_once": stored == args.updates,
        "updates_per_second": round(args.updates / took, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "floor_refused_per_second": round(args.updates / floor_s, 1),
        "floor_refused": refused == 0,
        "target_per_second": 100,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['updates_per_second']} updates/s through the webhook "
        f"(p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms), {ok}/{args.updates} "
        f"acknowledged, stored once: {result['stored_once']}; target ≥ 100/s"
    )
    print(
        f"floor: the same POSTs refused by the secret check: "
        f"{result['floor_refused_per_second']} requests/s"
    )


if __name__ == "__main__":
    main()
