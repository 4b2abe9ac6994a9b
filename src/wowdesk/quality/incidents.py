"""Wrong bot answers flagged by operators, grouped into incidents a supervisor follows from
the first flag to a verified fix.

A flag keeps copies of the answer, its sources and the question (masked), so the evidence
outlives later edits of the article. Flags about the same article (else the same topic)
within `incident_window_minutes` of an incident's last flag join that incident; a verified
incident is closed and a later flag starts a new one. Supervisors may move flags by hand.

Status flow: open → sent (only by a report that reached technical support) → fixed →
verified. An incident may also go open → fixed (a supervisor fixed the article herself),
sent → open (technical support sent it back; a note says why) and fixed → open (the fix
did not hold; a note says why). Verified is final.

The report to technical support is `incident_report.py`; the shapes the API and the pages
show are `incident_views.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.bot import service as bot
from wowdesk.config import Settings, get_settings
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import AuthorKind, Conversation
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.i18n import N_, gettext
from wowdesk.kb import service as kb
from wowdesk.mail import Smtp
from wowdesk.operators import broadcasts
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality import regression, screenshots
from wowdesk.quality.models import (
    Flag,
    FlagReason,
    Incident,
    IncidentChange,
    IncidentDelivery,
    IncidentStatus,
)

REASON_LABELS = {
    FlagReason.wrong_fact: N_("Wrong fact"),
    FlagReason.wrong_action: N_("Wrong action"),
    FlagReason.outdated: N_("Outdated"),
    FlagReason.other: N_("Other"),
}
STATUS_LABELS = {
    IncidentStatus.open: N_("Open"),
    IncidentStatus.sent: N_("Sent to technical support"),
    IncidentStatus.fixed: N_("Fixed"),
    IncidentStatus.verified: N_("Verified"),
}
# by hand; open -> sent happens only when a report was delivered
TRANSITIONS = {
    IncidentStatus.open: (IncidentStatus.fixed,),
    IncidentStatus.sent: (IncidentStatus.fixed, IncidentStatus.open),
    IncidentStatus.fixed: (IncidentStatus.verified, IncidentStatus.open),
    IncidentStatus.verified: (),
}
SENDABLE = (IncidentStatus.open, IncidentStatus.sent)
MAX_COMMENT = 2000

# the broadcast a new incident sends to every operator
INCIDENT_WARNING = N_(
    "The bot may be answering wrongly: «{title}». Check its answers on this subject "
    "before you rely on them; the incident is with the supervisors."
)


@dataclass(frozen=True)
class Options:
    """The settings incidents need, so services and tests do not read the environment."""

    window_minutes: float = 60.0
    screenshot_dir: Path = Path("var/screenshots")
    screenshot_max_bytes: int = 5 * 1024 * 1024
    webhook_url: str = ""
    webhook_timeout: float = 10.0
    emails: tuple[str, ...] = ()
    smtp: Smtp | None = None
    public_url: str = ""


def options_from(settings: Settings) -> Options:
    return Options(
        window_minutes=settings.incident_window_minutes,
        screenshot_dir=settings.var_dir / "screenshots",
        screenshot_max_bytes=settings.screenshot_max_bytes,
        webhook_url=settings.incident_webhook_url.strip(),
        webhook_timeout=settings.incident_webhook_timeout_seconds,
        emails=tuple(a.strip() for a in settings.incident_email.split(",") if a.strip()),
        smtp=settings.smtp(),
        public_url=settings.public_url.rstrip("/"),
    )


# --- checks ----------------------------------------------------------------------------


def check_reason(reason: str) -> FlagReason:
    try:
        return FlagReason(reason)
    except ValueError:
        raise Invalid(
            "Unknown reason {reason}: wrong_fact, wrong_action, outdated or other",
            code="invalid_reason",
            reason=reason,
        ) from None


def check_comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid("The comment is too long: at most {limit} characters", limit=MAX_COMMENT)
    return comment


def check_supervisor(user: User) -> None:
    if not operators.has_role(user, Role.supervisor):
        raise Forbidden("Only a supervisor may manage incidents", code="role")


# --- reading ---------------------------------------------------------------------------


def get_incident(db: Session, incident_id: int) -> Incident:
    incident = db.get(Incident, incident_id)
    if incident is None:
        raise NotFound("Incident not found")
    return incident


def get_flag(db: Session, flag_id: int) -> Flag:
    flag = db.get(Flag, flag_id)
    if flag is None:
        raise NotFound("Flag not found")
    return flag


def list_flags(db: Session, incident_id: int) -> list[Flag]:
    return list(db.scalars(select(Flag).where(Flag.incident_id == incident_id).order_by(Flag.id)))


def flagged_by_me(db: Session, user: User, conversation_id: int) -> list[int]:
    """The messages of a conversation this user already flagged (the console marks them)."""
    conv = conversations.access_conversation(db, user, conversation_id)
    return list(
        db.scalars(
            select(Flag.message_id).where(
                Flag.conversation_id == conv.id, Flag.flagged_by == user.id
            )
        )
    )


def list_incidents(
    db: Session, status: str | None = None, limit: int = 200
) -> list[tuple[Incident, int, int]]:
    """(incident, flags, distinct conversations), the newest activity first."""
    counts = (
        select(
            Flag.incident_id,
            func.count(Flag.id).label("flags"),
            func.count(func.distinct(Flag.conversation_id)).label("conversations"),
        )
        .group_by(Flag.incident_id)
        .subquery()
    )
    stmt = (
        select(Incident, counts.c.flags, counts.c.conversations)
        .outerjoin(counts, counts.c.incident_id == Incident.id)
        .order_by(Incident.last_flag_at.desc(), Incident.id.desc())
        .limit(limit)
    )
    if status:
        if status not in IncidentStatus.__members__:
            raise Invalid("Unknown incident status {status}", status=status)
        stmt = stmt.where(Incident.status == status)
    return [(i, int(f or 0), int(c or 0)) for i, f, c in db.execute(stmt)]


def list_history(db: Session, incident_id: int) -> list[IncidentChange]:
    return list(
        db.scalars(
            select(IncidentChange)
            .where(IncidentChange.incident_id == incident_id)
            .order_by(IncidentChange.id)
        )
    )


def list_deliveries(db: Session, incident_id: int) -> list[IncidentDelivery]:
    return list(
        db.scalars(
            select(IncidentDelivery)
            .where(IncidentDelivery.incident_id == incident_id)
            .order_by(IncidentDelivery.id)
        )
    )


def duration(incident: Incident, now: datetime | None = None) -> timedelta:
    """From the first flag until fixed, or until now while it is not."""
    end = incident.resolved_at or now or utcnow()
    return max(end - incident.began_at, timedelta(0))


def next_statuses(incident: Incident) -> list[str]:
    return [s.value for s in TRANSITIONS[IncidentStatus(incident.status)]]


def article_titles(db: Session, article_ids: set[int]) -> dict[int, str]:
    titles = {}
    for article_id in article_ids:
        try:
            titles[article_id] = kb.get_article(db, article_id).title
        except NotFound:  # deleted since: the id stays in the evidence
            continue
    return titles


def reason_label(code: str) -> str:
    label = REASON_LABELS.get(FlagReason(code)) if code in FlagReason.__members__ else None
    return gettext(label) if label else code


def status_label(code: str) -> str:
    label = STATUS_LABELS.get(IncidentStatus(code)) if code in IncidentStatus.__members__ else None
    return gettext(label) if label else code


# --- flagging --------------------------------------------------------------------------


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


def audit(
    db: Session,
    incident: Incident,
    user: User | None,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> None:
    db.add(
        IncidentChange(
            incident_id=incident.id,
            action=action,
            user_id=user.id if user else None,
            user_name=user.display_name if user else "",
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )


def _new_incident(
    db: Session,
    user: User,
    *,
    title: str,
    topic: str,
    article_id: int | None,
    at: datetime,
    by_hand: bool,
) -> Incident:
    if article_id is not None and not article_titles(db, {article_id}):
        article_id = None  # the article was deleted: the incident still opens
    incident = Incident(
        title=title[:300],
        topic=topic,
        article_id=article_id,
        status=IncidentStatus.open,
        began_at=at,
        last_flag_at=at,
        created_by_hand=by_hand,
        created_by=user.id,
    )
    db.add(incident)
    db.flush()
    audit(db, incident, user, "created", to_status=IncidentStatus.open)
    return incident


def find_open_incident(
    db: Session, *, article_id: int | None, topic: str, now: datetime, window_minutes: float
) -> Incident | None:
    """The not-verified incident about the same article, else the same topic, whose last
    flag is within the window; the most recently flagged one when several are."""
    recent = (
        select(Incident)
        .where(
            Incident.status != IncidentStatus.verified,
            Incident.last_flag_at >= now - timedelta(minutes=window_minutes),
        )
        .order_by(Incident.last_flag_at.desc(), Incident.id.desc())
        .limit(1)
    )
    if article_id is not None:
        found = db.scalar(recent.where(Incident.article_id == article_id))
        if found is not None:
            return found
    if topic:
        return db.scalar(recent.where(Incident.topic == topic))
    return None


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
    message = conversations.get_message(db, message_id)
    conv = conversations.access_conversation(db, user, message.conversation_id)
    if message.author_kind != AuthorKind.bot:
        raise Invalid("Only the bot's answers can be flagged", code="not_a_bot_message")
    already = select(Flag.id).where(Flag.flagged_by == user.id, Flag.message_id == message.id)
    if db.scalar(already) is not None:
        raise Conflict("You have already flagged this answer", code="already_flagged")
    kind = ""
    if screenshot is not None:
        kind = screenshots.check_screenshot(
            screenshot[0], screenshot[1], options.screenshot_max_bytes
        )
        screenshots.check_folder(options.screenshot_dir)

    evidence = _evidence(db, conv, message)
    now = utcnow()
    incident = find_open_incident(
        db,
        article_id=evidence.article_id,
        topic=evidence.topic,
        now=now,
        window_minutes=options.window_minutes,
    )
    created = incident is None
    if incident is None:
        incident = _new_incident(
            db,
            user,
            title=_title(db, evidence, conv),
            topic=evidence.topic,
            article_id=evidence.article_id,
            at=now,
            by_hand=False,
        )
    incident.last_flag_at = max(incident.last_flag_at, now)

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
    # the flagged question joins the regression set the bot must pass before it comes back
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
        # every colleague hears at once that the bot is wrong about this, not one by one
        broadcasts.do_broadcast(
            db,
            author_id=None,
            text=gettext(INCIDENT_WARNING, title=incident.title),
            level="warning",
            incident_id=incident.id,
        )
    return flag, incident, created


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


# --- supervisors' hands ----------------------------------------------------------------


def _refresh_times(db: Session, incident: Incident) -> None:
    """An incident began with its first flag and lasts from there, whatever was moved."""
    first, last = db.execute(
        select(func.min(Flag.created_at), func.max(Flag.created_at)).where(
            Flag.incident_id == incident.id
        )
    ).one()
    if first is not None:
        incident.began_at = first
        incident.last_flag_at = last


def _check_target(incident: Incident) -> None:
    if incident.status == IncidentStatus.verified:
        raise Conflict(
            "A verified incident is closed: move the flag to another incident or a new one",
            code="incident_closed",
        )


def do_move_flag(
    db: Session, user: User, flag_id: int, *, incident_id: int | None, title: str = ""
) -> Incident:
    """Moves a flag to another incident, or (`incident_id` None) to a new one by hand."""
    check_supervisor(user)
    flag = get_flag(db, flag_id)
    source = get_incident(db, flag.incident_id)
    if incident_id is None:
        target = _new_incident(
            db,
            user,
            title=title.strip() or source.title,
            topic=flag.topic,
            article_id=flag.article_id,
            at=flag.created_at,
            by_hand=True,
        )
    else:
        target = get_incident(db, incident_id)
        if target.id == source.id:
            return target
        _check_target(target)
    _move(db, user, flag, source, target)
    return target


def _move(db: Session, user: User, flag: Flag, source: Incident, target: Incident) -> None:
    flag.incident_id = target.id
    db.flush()
    _refresh_times(db, source)
    _refresh_times(db, target)
    note = f"#{flag.id}: #{source.id} → #{target.id}"
    audit(db, source, user, "flag_moved", note=note)
    audit(db, target, user, "flag_moved", note=note)
    db.flush()


def do_create_incident(db: Session, user: User, *, flag_ids: list[int], title: str) -> Incident:
    """A new incident by hand from the given flags (taken from wherever they were)."""
    check_supervisor(user)
    flags = [get_flag(db, fid) for fid in dict.fromkeys(flag_ids)]
    if not flags:
        raise Invalid("Choose at least one flag")
    first = min(flags, key=lambda f: f.created_at)
    target = _new_incident(
        db,
        user,
        title=title.strip() or get_incident(db, first.incident_id).title,
        topic=first.topic,
        article_id=first.article_id,
        at=first.created_at,
        by_hand=True,
    )
    for flag in flags:
        _move(db, user, flag, get_incident(db, flag.incident_id), target)
    return target


def do_set_status(
    db: Session, user: User, incident_id: int, status: str, note: str = ""
) -> Incident:
    check_supervisor(user)
    incident = get_incident(db, incident_id)
    try:
        wanted = IncidentStatus(status)
    except ValueError:
        raise Invalid("Unknown incident status {status}", status=status) from None
    note = check_comment(note)
    if wanted == IncidentStatus.sent:
        raise Conflict(
            "An incident is sent when its report reaches technical support: send the report",
            code="send_the_report",
        )
    current = IncidentStatus(incident.status)
    if wanted not in TRANSITIONS[current]:
        raise Conflict(
            "An incident cannot go from «{old}» to «{new}»",
            code="invalid_transition",
            old=status_label(current),
            new=status_label(wanted),
        )
    if wanted == IncidentStatus.open and not note:
        raise Invalid("Say why the incident is reopened", code="note_required")
    incident.status = wanted
    if wanted == IncidentStatus.fixed:
        incident.resolved_at = utcnow()
    elif wanted == IncidentStatus.open:
        incident.resolved_at = None
    audit(db, incident, user, "status", from_status=current, to_status=wanted, note=note)
    db.flush()
    return incident
