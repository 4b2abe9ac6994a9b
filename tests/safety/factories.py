"""Bot answers to flag: a conversation the bot answered, with its decision and sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tests.helpers import new_conversation
from wowdesk.bot.models import BotDecision
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Message
from wowdesk.kb import service as kb
from wowdesk.kb.models import Article
from wowdesk.quality.service import Options

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
GIF = b"GIF89a" + bytes(200)
HTML = b"<html><script>alert(document.cookie)</script></html>"


def article(db: Session, title: str = "Сроки хранения заказа") -> Article:
    return kb.do_create_article(
        db, title=title, body=f"{title}: заказ хранится 7 дней.", author=None, publish=True
    )


def bot_answer(
    db: Session,
    *,
    article_id: int | None = None,
    topic: str = "Доставка",
    question: str = "Сколько дней хранится заказ?",
    text: str = "Заказ хранится 30 дней.",
) -> Message:
    """The bot's answer to the customer's first message, as `bot.service` records it."""
    conv = new_conversation(db, question, first_line=True)
    asked = conversations.list_messages(db, conv)[0]
    db.add(
        BotDecision(
            conversation_id=conv.id,
            message_id=asked.id,
            action="answer",
            topic=topic,
            article_id=article_id,
        )
    )
    meta: dict[str, Any] = {"kind": "answer"}
    if article_id is not None:
        meta |= {
            "article_id": article_id,
            "sources": [{"article_id": article_id, "start": 0, "end": 40}],
            "confidence": 0.8,
            "grounded": True,
        }
    return conversations.do_bot_message(db, conv, text, meta, reply_to=asked.id)


def options(tmp_path: Path, **kwargs: Any) -> Options:
    return Options(screenshot_dir=tmp_path / "var" / "screenshots", **kwargs)
