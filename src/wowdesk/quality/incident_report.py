"""The report to technical support: built from an incident (texts masked), delivered by
webhook and/or e-mail outside any transaction, every attempt recorded. The incident is «sent»
once any way accepted the report."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wowdesk.config import get_settings
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, WowdeskError
from wowdesk.i18n import N_, gettext
from wowdesk.nlp.pii import mask_text
from wowdesk.operators import service as operators
from wowdesk.operators.models import User
from wowdesk.quality import delivery
from wowdesk.quality import service as incidents
from wowdesk.quality.delivery import Delivery
from wowdesk.quality.models import Incident, IncidentDelivery, IncidentStatus


class DeliveryFailed(WowdeskError):
    status = 502
    code = "report_not_delivered"


def check_can_send(incident: Incident, options: incidents.Options) -> None:
    if not options.webhook_url and not options.emails:
        raise Conflict(
            "Nowhere to send the report: set WOWDESK_INCIDENT_WEBHOOK_URL "
            "or WOWDESK_INCIDENT_EMAIL",
            code="report_not_configured",
        )
    if incident.status not in incidents.SENDABLE:
        raise Conflict(
            "A «{status}» incident is not sent to technical support",
            code="invalid_transition",
            status=incidents.status_label(incident.status),
        )


def build_report(db: Session, incident_id: int, *, base_url: str) -> dict[str, Any]:
    """The report as technical support reads it: texts masked (questions, answers and
    comments go to another team and system), links back for those with a login."""
    incident = incidents.get_incident(db, incident_id)
    flags = incidents.list_flags(db, incident.id)
    names = operators.user_names(db, {f.flagged_by for f in flags if f.flagged_by})
    ids = {f.article_id for f in flags if f.article_id is not None}
    ids |= {s["article_id"] for f in flags for s in f.sources}
    if incident.article_id is not None:
        ids.add(incident.article_id)
    titles = incidents.article_titles(db, ids)
    base = base_url.rstrip("/")

    def article(article_id: int | None) -> dict[str, Any] | None:
        if article_id is None:
            return None
        return {
            "id": article_id,
            "title": titles.get(article_id, ""),
            "url": f"{base}/help/{article_id}",
        }

    reasons: dict[str, int] = {}
    for f in flags:
        reasons[f.reason] = reasons.get(f.reason, 0) + 1
    now = utcnow()
    return {
        "type": "wowdesk.incident_report",
        "version": 1,
        "generated_at": now.isoformat(),
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "status": incident.status,
            "topic": incident.topic,
            "article": article(incident.article_id),
            "began_at": incident.began_at.isoformat(),
            "last_flag_at": incident.last_flag_at.isoformat(),
            "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
            "duration_seconds": int(incidents.duration(incident, now).total_seconds()),
            "created_by_hand": incident.created_by_hand,
            "url": f"{base}/safety/incidents/{incident.id}",
        },
        "counts": {
            "flags": len(flags),
            "answers": len({f.message_id for f in flags}),
            "conversations": len({f.conversation_id for f in flags}),
            "screenshots": sum(1 for f in flags if f.screenshot_name),
        },
        "reasons": reasons,
        "conversation_ids": sorted({f.conversation_id for f in flags}),
        "flags": [
            {
                "id": f.id,
                "reason": f.reason,
                "comment": mask_text(f.comment) if f.comment else "",
                "flagged_at": f.created_at.isoformat(),
                "flagged_by": names.get(f.flagged_by, "") if f.flagged_by else "",
                "conversation_id": f.conversation_id,
                "message_id": f.message_id,
                "channel": f.channel,
                "topic": f.topic,
                "question": f.question_masked,
                "answer": f.answer_masked,
                "article": article(f.article_id),
                "sources": [article(s["article_id"]) for s in f.sources],
                "screenshot": (
                    f"{base}/api/v1/safety/flags/{f.id}/screenshot" if f.screenshot_name else None
                ),
            }
            for f in flags
        ],
    }


def report_mail(report: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of the mail: a summary a person reads; the JSON is attached."""
    inc, counts = report["incident"], report["counts"]
    subject = gettext("Incident #{id}: {title}", id=inc["id"], title=inc["title"])
    lines = [
        subject,
        gettext("Began: {at}", at=inc["began_at"]),
        gettext("Lasting: {minutes} min", minutes=inc["duration_seconds"] // 60),
        gettext("Flagged answers: {n}", n=counts["flags"]),
        gettext("Conversations: {ids}", ids=", ".join(map(str, report["conversation_ids"]))),
        inc["url"],
        "",
    ]
    for f in report["flags"]:
        lines.append(f"— {incidents.reason_label(f['reason'])}: {f['comment']}".rstrip(": "))
        lines.append(gettext("Question: {text}", text=f["question"]))
        lines.append(gettext("Answer: {text}", text=f["answer"]))
        sources = [s["title"] or f"#{s['id']}" for s in f["sources"] if s]
        if sources:
            lines.append(gettext("Sources: {titles}", titles="; ".join(sources)))
        lines.append("")
    return subject, "\n".join(lines)


def deliver_report(report: dict[str, Any], options: incidents.Options) -> list[Delivery]:
    """The network part: no database, call it outside any transaction."""
    subject, body = report_mail(report)
    return delivery.deliver(
        report,
        webhook_url=options.webhook_url,
        webhook_timeout=options.webhook_timeout,
        emails=options.emails,
        smtp=options.smtp,
        subject=subject,
        body=body,
    )


def do_record_delivery(
    db: Session, user: User, incident_id: int, deliveries: list[Delivery]
) -> Incident:
    """Keeps every attempt; the incident is «sent» once any way accepted the report (unless a
    supervisor moved it on meanwhile)."""
    incident = incidents.get_incident(db, incident_id)
    for d in deliveries:
        db.add(
            IncidentDelivery(
                incident_id=incident.id,
                channel=d.channel,
                target=d.target[:500],
                ok=d.ok,
                error=d.error,
                user_id=user.id,
            )
        )
    accepted = [d for d in deliveries if d.ok]
    if accepted and incident.status == IncidentStatus.open:
        incident.status = IncidentStatus.sent
        note = ", ".join(f"{d.channel}: {d.target}" for d in accepted)
        incidents.audit(
            db,
            incident,
            user,
            "status",
            from_status=IncidentStatus.open,
            to_status=IncidentStatus.sent,
            note=note,
        )
    db.flush()
    return incident


def check_delivered(deliveries: list[Delivery]) -> None:
    if not any(d.ok for d in deliveries):
        raise DeliveryFailed(
            N_("Technical support did not receive the report: {errors}"),
            errors="; ".join(f"{d.channel} {d.target}: {d.error}" for d in deliveries),
        )


def prepare_report(
    db: Session, user: User, incident_id: int, *, options: incidents.Options, base_url: str
) -> dict[str, Any]:
    """The checks and the report, before anything goes over the network."""
    incidents.check_supervisor(user)
    check_can_send(incidents.get_incident(db, incident_id), options)
    return build_report(db, incident_id, base_url=base_url or options.public_url)


def do_send_report(
    db: Session,
    user: User,
    incident_id: int,
    *,
    options: incidents.Options | None = None,
    base_url: str = "",
) -> tuple[Incident, list[Delivery]]:
    """Prepare, deliver, record, in one call, for callers that may hold their transaction
    through the network calls (the CLI, tests). The web route runs the three steps in
    separate units of work so that a slow receiver holds no database connection. The
    attempts are recorded whatever happened; `check_delivered` then says whether any way
    accepted the report (502 when none did: commit the attempts before raising it)."""
    options = options or incidents.options_from(get_settings())
    report = prepare_report(db, user, incident_id, options=options, base_url=base_url)
    deliveries = deliver_report(report, options)
    return do_record_delivery(db, user, incident_id, deliveries), deliveries
