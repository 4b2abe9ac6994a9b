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

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.config import Settings
from wowdesk.conversations import service as conversations
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.i18n import N_, gettext
from wowdesk.kb import service as kb
from wowdesk.mail import Smtp
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
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


def new_incident(
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
        target = new_incident(
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
    target = new_incident(
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
