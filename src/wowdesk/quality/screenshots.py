"""Screenshots attached to flags: PNG or JPEG only, checked by the declared type and by the
file's own first bytes, stored under the var dir with a random name and served only through
an authenticated route. Nothing a client uploads ever lands where the web server serves
files by itself, and its file name is never used."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from wowdesk.errors import Invalid, NotFound, WowdeskError
from wowdesk.i18n import N_

# declared type -> (the first bytes every such file starts with, the extension we store)
IMAGE_TYPES = {
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg)$")
STATIC = (Path(__file__).resolve().parents[1] / "web" / "static").resolve()


class TooLarge(WowdeskError):
    status = 413
    code = "screenshot_too_large"


def check_screenshot(data: bytes, content_type: str, max_bytes: int) -> str:
    """The normalised content type of an acceptable image; a GIF, an HTML page or a script
    renamed to .png is refused whatever the client declared."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in IMAGE_TYPES:
        raise Invalid("A screenshot must be a PNG or JPEG image", code="screenshot_type")
    if not data:
        raise Invalid("The screenshot file is empty", code="screenshot_empty")
    if len(data) > max_bytes:
        raise TooLarge(
            N_("The screenshot is too large: at most {limit} KB"),
            limit=max_bytes // 1024,
        )
    magic, _ext = IMAGE_TYPES[kind]
    if not data.startswith(magic):
        raise Invalid(
            "The file is not a real {kind} image", code="screenshot_type", kind=kind.split("/")[1]
        )
    return kind


def check_folder(folder: Path) -> Path:
    """A var dir set up inside the package's static folder would publish every upload."""
    resolved = folder.resolve()
    if resolved == STATIC or STATIC in resolved.parents:
        raise Invalid("Screenshots must not be stored under the web server's static files")
    return resolved


def store(folder: Path, data: bytes, kind: str) -> str:
    """Writes a new file readable by the server's user only; returns its random name."""
    folder = check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16) + IMAGE_TYPES[kind][1]
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name


def path_of(folder: Path, name: str) -> Path:
    """Only names this module made are looked up, so a stored name cannot point elsewhere."""
    if not STORED_NAME.match(name):
        raise NotFound("Screenshot not found")
    path = check_folder(folder) / name
    if not path.is_file():
        raise NotFound("Screenshot not found")
    return path


def remove(folder: Path, name: str) -> None:
    if STORED_NAME.match(name):
        (folder / name).unlink(missing_ok=True)
