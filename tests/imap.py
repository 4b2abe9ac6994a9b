"""The real IMAP server of the tests (Dovecot on loopback, started by scripts/test-imap as
`scripts/with-test-servers` does) and a fresh folder per test, filled by IMAP APPEND as a
mail server delivering to the mailbox would."""

from __future__ import annotations

import imaplib
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from wowdesk.channels.imap import Mailbox, parse_mailbox

ROOT = Path(__file__).resolve().parents[1]


def imap_url() -> str:
    """WOWDESK_TEST_IMAP_URL, or a server started now by the same script."""
    url = os.environ.get("WOWDESK_TEST_IMAP_URL", "")
    if not url:
        url = subprocess.run(
            [str(ROOT / "scripts" / "test-imap")], check=True, capture_output=True, text=True
        ).stdout.strip()
        os.environ["WOWDESK_TEST_IMAP_URL"] = url
    return url


@contextmanager
def fresh_folder() -> Iterator[tuple[str, imaplib.IMAP4]]:
    """(the folder's mailbox URL, a logged-in client to APPEND with); removed afterwards."""
    base = imap_url()
    parts = urlsplit(base)
    folder = f"t{uuid.uuid4().hex[:12]}"
    box: Mailbox = parse_mailbox(base)
    client = imaplib.IMAP4(box.host, box.port)
    client.login(box.user, box.password)
    client.create(folder)
    try:
        yield f"{parts.scheme}://{parts.netloc}/{folder}", client
    finally:
        client.delete(folder)
        client.logout()


def append(client: imaplib.IMAP4, url: str, mail: EmailMessage) -> None:
    folder = urlsplit(url).path.lstrip("/")
    status, _data = client.append(
        folder, "", imaplib.Time2Internaldate(time.time()), mail.as_bytes()
    )
    assert status == "OK"


def mail(
    sender: str,
    subject: str,
    body: str,
    *,
    in_reply_to: str = "",
    references: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@shop.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(__import__("datetime").datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain="customer.example")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, mime, data in attachments or []:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg
