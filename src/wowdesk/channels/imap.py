"""Mailboxes read over IMAP (stdlib imaplib): each poll fetches the mails whose UID is above
the last one stored, one short transaction per mail stores it and moves the mark, then the
server flags it \\Seen. A crash between the two re-reads a mail whose Message-ID is already
stored: nothing is lost or doubled. Attachments are checked and written to disk before the
transaction, so no database connection waits on the network or the disk."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wowdesk.channels import attachments, mail_answers, mail_inbound
from wowdesk.channels.attachments import Stored
from wowdesk.channels.mail_parse import ParsedMail, Part, parse_mail
from wowdesk.channels.models import MailboxState
from wowdesk.config import Settings
from wowdesk.db import run_unit, utcnow
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.i18n import gettext

log = logging.getLogger(__name__)
FETCH_BATCH = 100
UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
COLLECT_EVERY_SECONDS = 2.0


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    tls: bool = True

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"[:300]


def parse_mailbox(url: str) -> Mailbox:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise Invalid(
            "Not a mailbox URL (imaps://user:password@host/INBOX): {url}", url=parts.hostname or "?"
        )
    tls = parts.scheme == "imaps"
    return Mailbox(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
    )


def connect(box: Mailbox, timeout: float = 30) -> imaplib.IMAP4:
    if box.tls:
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            box.host, box.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        client = imaplib.IMAP4(box.host, box.port, timeout=timeout)
    client.login(box.user, box.password)
    return client


def fetch_new(
    client: imaplib.IMAP4, folder: str, last_uid: int, uidvalidity: int
) -> tuple[int, list[tuple[int, bytes]]]:
    """(the folder's UIDVALIDITY, [(uid, raw mail)] above `last_uid`, at most a batch)."""
    status, _data = client.select(_quote(folder))
    if status != "OK":
        raise Invalid("Cannot open the mailbox folder {folder}", folder=folder)
    _typ, validity = client.response("UIDVALIDITY")
    current = int(validity[0]) if validity and validity[0] else 0
    if current != uidvalidity:
        last_uid = 0  # renumbered: look at everything again, Message-IDs keep it single
    status, data = client.uid("SEARCH", f"UID {last_uid + 1}:*")
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last_uid)[:FETCH_BATCH]
    found = []
    for uid in uids:
        status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
        if status == "OK" and isinstance(raw, bytes):
            found.append((uid, raw))
    return current, found


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _state(db: Session, key: str) -> tuple[int, int]:
    row = db.scalar(select(MailboxState).where(MailboxState.mailbox == key))
    if row is None:
        return 0, 0
    return row.uidvalidity, row.last_uid


def do_mark(db: Session, key: str, uidvalidity: int, uid: int) -> None:
    row = db.scalar(select(MailboxState).where(MailboxState.mailbox == key).with_for_update())
    if row is None:
        row = MailboxState(mailbox=key, uidvalidity=uidvalidity, last_uid=0)
        db.add(row)
    if row.uidvalidity != uidvalidity:
        row.uidvalidity, row.last_uid = uidvalidity, 0
    row.last_uid = max(row.last_uid, uid)
    row.checked_at = utcnow()
    db.flush()


@dataclass
class Prepared:
    mail: ParsedMail
    stored: list[tuple[Part, Stored]]
    refused: list[tuple[Part, str]]


def prepare(raw: bytes, folder: Path, max_bytes: int) -> Prepared:
    mail = parse_mail(raw)
    mail_inbound.check_message_id(mail, raw)
    stored, refused = [], []
    if not mail.automatic:
        for part in mail.attachments:
            try:
                stored.append((part, attachments.write_file(folder, part.data, max_bytes)))
            except WowdeskError as exc:
                refused.append((part, gettext(exc.message, **exc.params)))
    return Prepared(mail, stored, refused)


class MailChannel:
    """The mailboxes of `WOWDESK_IMAP_MAILBOXES`, read in turn, and the collector of
    answers into the outbox."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self.factory = factory
        self.boxes = [parse_mailbox(u) for u in settings.imap_mailboxes.split(",") if u.strip()]
        self.executor: ThreadPoolExecutor | None = None
        self.folder = Path(settings.var_dir) / "attachments"

    async def _unit(self, fn: Callable[[Session], Any]) -> Any:
        return await run_unit(self.factory, self.executor, fn)

    async def poll(self, box: Mailbox) -> int:
        """Reads what is new in one mailbox; returns the mails stored."""
        validity, last = await self._unit(functools.partial(_state, key=box.key))
        client = await asyncio.to_thread(connect, box)
        stored = 0
        try:
            while True:
                current, batch = await asyncio.to_thread(
                    fetch_new, client, box.folder, last, validity
                )
                validity = current
                if not batch:
                    return stored
                for uid, raw in batch:
                    stored += await self._store(box, current, uid, raw)
                    last = uid
                await asyncio.to_thread(_seen, client, [uid for uid, _raw in batch])
        finally:
            await asyncio.to_thread(_logout, client)

    async def _store(self, box: Mailbox, validity: int, uid: int, raw: bytes) -> int:
        limit = self.settings.attachment_max_bytes
        try:
            prepared = await asyncio.to_thread(prepare, raw, self.folder, limit)
        except Exception:  # a mail nobody can parse must not stop the mailbox
            log.exception("mail %s in %s cannot be read; skipped", uid, box.key)
            await self._unit(functools.partial(do_mark, key=box.key, uidvalidity=validity, uid=uid))
            return 0

        def unit(db: Session) -> int:
            try:
                with db.begin_nested():
                    result = mail_inbound.do_ingest(
                        db,
                        prepared.mail,
                        stored=prepared.stored,
                        refused=prepared.refused,
                        mailbox=box.key,
                        limit=self.settings.max_message_chars,
                        secret=self.settings.resolved_secret_key(),
                    )
            except WowdeskError as exc:
                log.warning("mail %s in %s refused: %s", uid, box.key, exc.message)
                result = mail_inbound.Ingested(kind="refused")
            do_mark(db, box.key, validity, uid)
            return 0 if result.duplicate else 1

        return int(await self._unit(unit))

    async def poll_forever(self) -> None:
        while True:
            for box in self.boxes:
                try:
                    await self.poll(box)
                except Exception:
                    log.exception("reading the mailbox %s failed; trying again later", box.key)
            await asyncio.sleep(self.settings.imap_poll_seconds)

    async def collect_forever(self) -> None:
        domain = self.settings.mail_from.rpartition("@")[2] or "wowdesk.local"
        collect = functools.partial(
            mail_answers.do_collect_answers,
            secret=self.settings.resolved_secret_key(),
            domain=domain,
        )
        while True:
            try:
                await self._unit(collect)
            except Exception:
                log.exception("collecting e-mail answers failed")
            await asyncio.sleep(COLLECT_EVERY_SECONDS)

    def start(self, executor: ThreadPoolExecutor | None) -> list[asyncio.Task[None]]:
        self.executor = executor
        tasks = [asyncio.create_task(self.collect_forever())]
        if self.boxes:
            tasks.append(asyncio.create_task(self.poll_forever()))
        return tasks


def _seen(client: imaplib.IMAP4, uids: list[int]) -> None:
    if uids:
        client.uid("STORE", ",".join(map(str, uids)), "+FLAGS", "(\\Seen)")


def _logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        client.logout()
