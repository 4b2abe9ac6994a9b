"""Inbound e-mail: 1 000 mails read from a real IMAP server (Dovecot on loopback, started by
scripts/test-imap), parsed, threaded and stored as conversations on the embedded default
(a fresh SQLite file), through the same `MailChannel.poll` the app runs.

Run: python benchmarks/mail_ingest.py [--mails 1000] [--per-thread 3] [--json]

The mails are threads of `--per-thread` mails from one customer each: the first opens a
conversation, the next answer it by In-Reply-To/References with the history quoted and a
signature. The figure: seconds from the first FETCH to the last mail stored (target
≤ 60 s), mails/s, and that every thread is one conversation with its mails in order. The
floor: the same mails fetched over IMAP and parsed, with nothing stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.imap import fresh_folder, mail

from wowdesk import migrate
from wowdesk.channels import imap
from wowdesk.channels.mail_parse import parse_mail
from wowdesk.config import Settings
from wowdesk.conversations.models import Conversation, Message
from wowdesk.db import make_engine, make_sessionmaker, writer_executor


def build(mails: int, per_thread: int) -> list[bytes]:
    out = []
    for t in range(0, mails, per_thread):
        sender = f"Клиент {t} <customer{t}@example.ru>"
        first = mail(
            sender,
            f"Заказ {100000 + t} не пришёл",
            f"Здравствуйте! Заказ {100000 + t} не пришёл.\n-- \nКлиент",
        )
        out.append(first.as_bytes())
        refs = [first["Message-ID"]]
        for k in range(1, min(per_thread, mails - t)):
            body = (
                f"Ответ {k}: всё ещё жду.\n\nС уважением,\nКлиент\n\n"
                "> Здравствуйте!\n> Заказ не пришёл"
            )
            reply = mail(sender, f"Re: Заказ {100000 + t} не пришёл", body,
                         in_reply_to=refs[-1], references=" ".join(refs))  # fmt: skip
            refs.append(reply["Message-ID"])
            out.append(reply.as_bytes())
    return out


def floor(box: imap.Mailbox) -> float:
    began = time.perf_counter()
    client = imap.connect(box)
    last, validity = 0, 0
    while True:
        validity, batch = imap.fetch_new(client, box.folder, last, validity)
        if not batch:
            break
        for uid, raw in batch:
            parse_mail(raw)
            last = uid
    client.logout()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--per-thread", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    raws = build(args.mails, args.per_thread)
    with tempfile.TemporaryDirectory() as tmp, fresh_folder() as (url, client):
        for raw in raws:
            status, _ = client.append(url.rsplit("/", 1)[1], "", None, raw)
            assert status == "OK"
        db_url = f"sqlite:///{tmp}/wowdesk.db"
        migrate.upgrade(db_url)
        factory = make_sessionmaker(make_engine(db_url))
        settings = Settings(
            var_dir=Path(tmp), database_url=db_url, secret_key="bench", imap_mailboxes=url
        )
        channel = imap.MailChannel(settings, factory)
        floor_s = floor(channel.boxes[0])

        async def run() -> tuple[float, int]:
            channel.executor = writer_executor(factory)
            began = time.perf_counter()
            stored = await channel.poll(channel.boxes[0])
            took = time.perf_counter() - began
            if channel.executor is not None:
                channel.executor.shutdown()
            return took, stored

        took, stored = asyncio.run(run())
        with factory() as db:
            conversations = db.scalar(select(func.count()).select_from(Conversation)) or 0
            per_conv = Counter(
                db.scalars(select(Message.conversation_id).where(Message.author_kind == "customer"))
            )
    threads = -(-args.mails // args.per_thread)
    result = {
        "mails": args.mails,
        "stored": stored,
        "seconds": round(took, 2),
        "mails_per_second": round(args.mails / took, 1),
        "conversations": conversations,
        "threads": threads,
        "threaded_right": conversations == threads and sum(per_conv.values()) == args.mails,
        "floor_fetch_and_parse_seconds": round(floor_s, 2),
        "target_seconds": 60,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{args.mails} mails ingested and threaded in {result['seconds']} s "
        f"({result['mails_per_second']} mails/s; target ≤ 60 s): {conversations} conversations "
        f"for {threads} threads, threaded right: {result['threaded_right']}"
    )
    print(
        "floor: the same mails fetched over IMAP and parsed, nothing stored: "
        f"{result['floor_fetch_and_parse_seconds']} s"
    )


if __name__ == "__main__":
    main()
