"""An operator flags a bot answer as wrong: the evidence (question, sources, article) is kept,
the flag joins the open incident about the same article or topic (or opens one), the
question joins the regression set, and a new incident warns every colleague."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.bot import service as bot
from wowdesk.config import get_settings
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import AuthorKind, Conversation
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.i18n import N_, gettext
from wowdesk.operators import broadcasts
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality import regression, screenshots
from wowdesk.quality.models import (
    Flag,
    Incident,
)
from wowdesk.quality.service import (
    Options,
    article_titles,
    check_comment,
    check_reason,
    find_open_incident,
    get_flag,
    new_incident,
    options_from,
    reason_label,
)

# the broadcast a new incident sends to every operator
INCIDENT_WARNING = N_(
    "The bot may be answering wrongly: «{title}». Check its answers on this subject "
    "before you rely on them; the incident is with the supervisors."
)


@dataclass(frozen=True)
class Evidence:
    """What the flag copies from the conversation at the moment it is made."""

    question_id: int | None
    question_masked: str
    topic: str
    article_id: int | None
    sources: list[dict[str, Any]] = field(default_factory=list)


def _question(db: Session, conv: Conversation, answer_seq: int, client_id: str) -> Any:
    """The customer message the answer replied to: the bot names it in its client id
    (`bot-<message id>`); else the last customer message before the answer."""
    if client_id.startswith("bot-") and client_id[4:].isdigit():
        try:
            msg = conversations.get_message(db, int(client_id[4:]))
        except NotFound:
            msg = None
        if msg is not None and msg.conversation_id == conv.id and msg.author_kind == "customer":
            return msg
    earlier = [
        m
        for m in conversations.list_messages(db, conv, limit=10_000)
        if m.seq < answer_seq and m.author_kind == AuthorKind.customer
    ]
    return earlier[-1] if earlier else None


def _topic(db: Session, conv: Conversation, question_id: int | None) -> str:
    """The topic the bot gave the question; else the one the operator chose at wrap-up."""
    decisions = bot.list_decisions(db, conv.id)
    exact = [d for d in decisions if d.message_id == question_id and d.topic]
    before = [
        d for d in decisions if d.topic and (question_id is None or d.message_id < question_id)
    ]
    for decision in exact or before[::-1]:
        return decision.topic
    if conv.topic_id is not None:
        return topics.get_topic(db, conv.topic_id).name
    return ""


def _evidence(db: Session, conv: Conversation, message: Any) -> Evidence:
    question = _question(db, conv, message.seq, message.client_id)
    question_id = question.id if question is not None else None
    meta = message.meta if isinstance(message.meta, dict) else {}
    raw_article = meta.get("article_id")
    article_id = int(raw_article) if isinstance(raw_article, int) else None
    sources = [
        {k: s[k] for k in ("article_id", "start", "end") if k in s}
        for s in meta.get("sources", [])
        if isinstance(s, dict) and isinstance(s.get("article_id"), int)
    ]
    return Evidence(
        question_id=question_id,
        question_masked=question.masked_text if question is not None else "",
        topic=_topic(db, conv, question_id),
        article_id=article_id,
        sources=sources,
    )


def _title(db: Session, evidence: Evidence, conv: Conversation) -> str:
    if evidence.article_id is not None:
        title = article_titles(db, {evidence.article_id}).get(evidence.article_id)
        if title:
            return title
    if evidence.topic:
        return evidence.topic
    return gettext("Bot answer in conversation #{id}", id=conv.id)


def do_flag(
    db: Session,
    user: User,
    *,
    message_id: int,
    reason: str,
    comment: str = "",
    screenshot: tuple[bytes, str] | None = None,
    options: Options | None = None,
) -> tuple[Flag, Incident, bool]:
    """Flags a bot answer as wrong; returns the flag, its incident and whether that incident
    is new. `screenshot` is (file bytes, declared content type)."""
    options = options or options_from(get_settings())
    reason_code = check_reason(reason)
    comment = check_comment(comment)
    message, conv = _check_flaggable(db, user, message_id)
    kind = ""
    if screenshot is not None:
        kind = screenshots.check_screenshot(
            screenshot[0], screenshot[1], options.screenshot_max_bytes
        )
        screenshots.check_folder(options.screenshot_dir)
    evidence = _evidence(db, conv, message)
    now = utcnow()
    incident, created = _incident_for(db, user, evidence, conv, now, options.window_minutes)
    name = ""
    if screenshot is not None:
        name = screenshots.store(options.screenshot_dir, screenshot[0], kind)
    flag = Flag(
        message_id=message.id,
        conversation_id=conv.id,
        flagged_by=user.id,
        reason=reason_code,
        comment=comment,
        screenshot_name=name,
        screenshot_type=kind,
        screenshot_bytes=len(screenshot[0]) if screenshot is not None else 0,
        answer_text=message.text,
        answer_masked=message.masked_text,
        question_masked=evidence.question_masked,
        sources=evidence.sources,
        article_id=evidence.article_id,
        topic=evidence.topic,
        channel=conv.channel,
        incident_id=incident.id,
        created_at=now,
    )
    db.add(flag)
    try:
        db.flush()
    except BaseException:
        if name:
            screenshots.remove(options.screenshot_dir, name)
        raise
    _learn_from(db, user, flag, incident, created)
    return flag, incident, created


def _check_flaggable(db: Session, user: User, message_id: int) -> tuple[Any, Conversation]:
    message = conversations.get_message(db, message_id)
    conv = conversations.access_conversation(db, user, message.conversation_id)
    if message.author_kind != AuthorKind.bot:
        raise Invalid("Only the bot's answers can be flagged", code="not_a_bot_message")
    already = select(Flag.id).where(Flag.flagged_by == user.id, Flag.message_id == message.id)
    if db.scalar(already) is not None:
        raise Conflict("You have already flagged this answer", code="already_flagged")
    return message, conv


def _incident_for(
    db: Session,
    user: User,
    evidence: Evidence,
    conv: Conversation,
    now: datetime,
    window_minutes: float,
) -> tuple[Incident, bool]:
    """The open incident the flag joins, or a new one (True)."""
    incident = find_open_incident(
        db,
        article_id=evidence.article_id,
        topic=evidence.topic,
        now=now,
        window_minutes=window_minutes,
    )
    created = incident is None
    if incident is None:
        incident = new_incident(
            db,
            user,
            title=_title(db, evidence, conv),
            topic=evidence.topic,
            article_id=evidence.article_id,
            at=now,
            by_hand=False,
        )
    incident.last_flag_at = max(incident.last_flag_at, now)
    return incident, created


def _learn_from(db: Session, user: User, flag: Flag, incident: Incident, created: bool) -> None:
    """The flagged question joins the regression set the bot must pass before it comes back,
    and a new incident warns every colleague at once, not one by one."""
    regression.do_add_case(
        db,
        question=flag.question_masked,
        topic=flag.topic,
        channel=flag.channel,
        bad_answer=flag.answer_text,
        article_id=flag.article_id,
        # the case list is read by people: the reason as the operator saw it, and their words
        reason=": ".join(filter(None, (reason_label(flag.reason), flag.comment))),
        conversation_id=flag.conversation_id,
        message_id=flag.message_id,
        created_by=user.id,
    )
    if created and broadcasts.audience(db, None, None):
        broadcasts.do_broadcast(
            db,
            author_id=None,
            text=gettext(INCIDENT_WARNING, title=incident.title),
            level="warning",
            incident_id=incident.id,
        )


def access_screenshot(
    db: Session, user: User, flag_id: int, options: Options | None = None
) -> tuple[Path, str]:
    """(file, content type) for supervisors and the operator who attached it."""
    options = options or options_from(get_settings())
    flag = get_flag(db, flag_id)
    if flag.flagged_by != user.id and not operators.has_role(user, Role.supervisor):
        raise Forbidden("Only supervisors and its author may see this screenshot")
    if not flag.screenshot_name:
        raise NotFound("Screenshot not found")
    return screenshots.path_of(options.screenshot_dir, flag.screenshot_name), flag.screenshot_type
