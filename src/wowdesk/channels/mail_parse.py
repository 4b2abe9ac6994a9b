"""An inbound e-mail into what a conversation needs: who wrote, the thread it answers, the
new words only (quoted history and signature cut), text from HTML without running or
fetching anything, the attachments, and whether it is a machine's answer (an auto-reply or
a bounce) that must never be answered. Pure functions: no database, no network."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html import unescape
from html.parser import HTMLParser

MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
# where the quoted history begins: «On Mon, … wrote:», «… пишет:», Outlook's blocks
QUOTE_HEADER = re.compile(
    r"^\s*(?:on\s.{0,200}\swrote:|.{0,200}\s(?:пишет|написал[аи]?)\s*:|"
    r"-{2,}\s*(?:original message|исходное сообщение|пересылаемое сообщение|forwarded message)"
    r"\s*-{2,}|(?:from|от|отправлено|sent)\s*:\s.+)\s*$",
    re.IGNORECASE,
)
SIGNATURE = re.compile(
    r"^\s*(?:--\s*|_{3,}|с уважением,?.*|с наилучшими пожеланиями,?.*|best regards,?.*|"
    r"kind regards,?.*|regards,?|отправлено с (?:iphone|android|моего .*)|sent from my .*)\s*$",
    re.IGNORECASE,
)
BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
    "ul", "ol", "section", "article", "header", "footer", "hr", "pre",
}  # fmt: skip
SKIPPED_TAGS = {"script", "style", "head", "title", "template", "noscript", "svg", "object"}
AUTO_SUBMITTED = re.compile(r"^\s*auto-(?:replied|generated|notified)", re.IGNORECASE)
BOUNCE_SENDERS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    file_name: str
    content_type: str  # as declared; the bytes decide what is accepted
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the address, lower case
    sender_name: str
    subject: str
    text: str  # the new words only
    full_text: str  # the whole body as text, quotes and all
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[Part] = field(default_factory=list)
    automatic: str = ""  # "" | auto_reply | bounce


class _Text(HTMLParser):
    """Visible text only: scripts, styles and the head are dropped, nothing is loaded,
    links keep their address in brackets so the operator sees where they point."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skip += 1
        elif tag == "blockquote":
            self.quote += 1
        if tag in BLOCK_TAGS:
            self.out.append("\n")
        if tag == "a":
            self.href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self.skip:
            self.skip -= 1
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
        if tag in BLOCK_TAGS:
            self.out.append("\n")
        if tag == "a" and getattr(self, "href", "").startswith(("http://", "https://")):
            self.out.append(f" ({self.href})")
            self.href = ""

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.quote:  # quoted history in HTML mails: marked as a quote for stripping
            lines = data.splitlines() or [data]
            self.out.append("\n".join("> " + line for line in lines))
            return
        self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = unescape("".join(parser.out)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def new_words(text: str) -> str:
    """The reply without the history it quotes and without the signature."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith(">") or QUOTE_HEADER.match(line):
            if line.lstrip().startswith(">") and not kept:
                continue  # a quote at the top: the answer may follow it
            break
        if SIGNATURE.match(line) and kept:
            break
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _ids(value: str | None) -> list[str]:
    return MESSAGE_ID.findall(value or "")


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset: read what can be read
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_type() == "text/html" else content


def _attachments(msg: EmailMessage) -> list[Part]:
    found = []
    for part in msg.iter_attachments():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        name = part.get_filename() or ""
        found.append(Part(name, part.get_content_type(), data))
    return found


def automatic_kind(msg: EmailMessage, sender: str) -> str:
    """RFC 3834 `Auto-Submitted`, the de-facto headers of vacation responders and lists,
    and RFC 3464 delivery reports: mail no person wrote, never answered."""
    content_type = msg.get_content_type()
    report = str(msg.get_param("report-type", "", header="content-type") or "").lower()
    if content_type == "multipart/report" or report == "delivery-status":
        return "bounce"
    if BOUNCE_SENDERS.match(sender) or msg.get("Return-Path", "").strip() == "<>":
        return "bounce"
    if AUTO_SUBMITTED.match(str(msg.get("Auto-Submitted", ""))):
        return "auto_reply"
    if any(msg.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")):
        return "auto_reply"
    if str(msg.get("Precedence", "")).strip().lower() in ("auto_reply", "bulk", "junk", "list"):
        return "auto_reply"
    if msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return "auto_reply"
    return ""


def parse_mail(raw: bytes) -> ParsedMail:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    name, address = parseaddr(str(msg.get("From", "")))
    if not address:
        pairs = getaddresses([str(msg.get("Sender", ""))])
        name, address = pairs[0] if pairs else ("", "")
    sender = address.strip().lower()
    ids = _ids(str(msg.get("Message-ID", "")))
    full = _body(msg).replace("\r\n", "\n")
    return ParsedMail(
        message_id=ids[0] if ids else "",
        sender=sender,
        sender_name=name.strip()[:200],
        subject=" ".join(str(msg.get("Subject", "")).split())[:300],
        text=new_words(full),
        full_text=full.strip(),
        in_reply_to=_ids(str(msg.get("In-Reply-To", ""))),
        references=_ids(str(msg.get("References", ""))),
        attachments=_attachments(msg),
        automatic=automatic_kind(msg, sender),
    )
