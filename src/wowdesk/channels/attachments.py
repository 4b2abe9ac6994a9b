"""Files customers send through a channel (Telegram photos and documents, mail attachments),
kept the way flag screenshots are: the type is decided by the file's own first bytes (a
script renamed to .pdf is refused), the size is limited, the file is written under the var
dir with a random name readable by the server's user only, and staff get it through an
authenticated route with its own content type. The customer's file name is only shown."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.channels.models import Attachment
from wowdesk.errors import Invalid, NotFound, WowdeskError
from wowdesk.i18n import N_
from wowdesk.quality.screenshots import check_folder

# content type -> (first bytes, stored extension); text is checked as UTF-8 instead
MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "application/pdf": (b"%PDF-", ".pdf"),
    "text/plain": (b"", ".txt"),
}
IMAGES = {"image/jpeg", "image/png"}
STORED = re.compile(r"^[0-9a-f]{32}\.(jpg|png|pdf|txt)$")
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


class TooLarge(WowdeskError):
    status = 413
    code = "attachment_too_large"


def sniff(data: bytes) -> str | None:
    """The content type the bytes prove, or None: never the client's word for it."""
    for kind, (magic, _ext) in MAGIC.items():
        if magic and data.startswith(magic):
            return kind
    try:
        text = data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if "\x00" not in text else None


def check_attachment(data: bytes, max_bytes: int) -> str:
    if not data:
        raise Invalid("The file is empty", code="attachment_empty")
    if len(data) > max_bytes:
        raise TooLarge(N_("The file is too large: at most {limit} KB"), limit=max_bytes // 1024)
    kind = sniff(data)
    if kind is None:
        raise Invalid(
            "Only JPEG and PNG images, PDF and plain text files are accepted",
            code="attachment_type",
        )
    return kind


def clean_name(name: str) -> str:
    return UNSAFE_NAME.sub("_", name).strip()[:200]


@dataclass(frozen=True)
class Stored:
    name: str
    content_type: str
    size: int


def write_file(folder: Path, data: bytes, max_bytes: int) -> Stored:
    """Checked, then written under a new random name (before any database work: the
    download that brought it must not hold a connection)."""
    content_type = check_attachment(data, max_bytes)
    folder = check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16) + MAGIC[content_type][1]
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return Stored(name, content_type, len(data))


def do_record(
    db: Session,
    stored: Stored,
    *,
    channel: str,
    kind: str,
    file_name: str,
    conversation_id: int | None = None,
) -> Attachment:
    row = Attachment(
        conversation_id=conversation_id,
        channel=channel,
        kind=kind,
        content_type=stored.content_type,
        file_name=clean_name(file_name),
        size=stored.size,
        stored_name=stored.name,
    )
    db.add(row)
    db.flush()
    return row


def get_attachment(db: Session, attachment_id: int) -> Attachment:
    row = db.get(Attachment, attachment_id)
    if row is None:
        raise NotFound("Attachment not found")
    return row


def path_of(folder: Path, row: Attachment) -> Path:
    if not STORED.match(row.stored_name):
        raise NotFound("Attachment not found")
    path = check_folder(folder) / row.stored_name
    if not path.is_file():
        raise NotFound("Attachment not found")
    return path


def remove(folder: Path, name: str) -> None:
    """Deletes a stored file (erasure, retention); a name not of our making is left alone."""
    if STORED.match(name):
        (check_folder(folder) / name).unlink(missing_ok=True)


def list_for_conversation(db: Session, conversation_id: int) -> list[Attachment]:
    return list(
        db.scalars(
            select(Attachment)
            .where(Attachment.conversation_id == conversation_id)
            .order_by(Attachment.id)
        )
    )


def ref(row: Attachment) -> dict[str, object]:
    """What a message's meta says of its file (shown in the console as a link)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "content_type": row.content_type,
        "name": row.file_name,
        "size": row.size,
    }
