"""Hands an incident report to technical support: a JSON POST to a webhook and/or an e-mail
through the SMTP server wowdesk already mails customers with. No database here: callers
run this outside any transaction, so a slow receiver holds no connection."""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from wowdesk import __version__
from wowdesk.i18n import N_
from wowdesk.mail import Smtp, send_now

# how a report went, named on the incident page (`_(channel)`)
WEBHOOK, EMAIL = N_("webhook"), N_("email")
MAX_ERROR = 500


@dataclass(frozen=True)
class Delivery:
    channel: str  # webhook | email
    target: str
    ok: bool
    error: str = ""


def encode(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def post_webhook(url: str, report: dict[str, Any], timeout: float) -> Delivery:
    """Accepted means any 2xx answer; redirects are not followed (a report goes where it
    was configured to go, or nowhere)."""
    try:
        response = httpx.post(
            url,
            content=encode(report),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": f"wowdesk/{__version__}",
                "X-Wowdesk-Event": "incident.report",
            },
            timeout=timeout,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return Delivery(WEBHOOK, url, False, f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
    if not 200 <= response.status_code < 300:
        detail = response.text.strip()[:200]
        return Delivery(WEBHOOK, url, False, f"HTTP {response.status_code} {detail}".strip())
    return Delivery(WEBHOOK, url, True)


def send_mail(
    smtp: Smtp | None, to: tuple[str, ...], report: dict[str, Any], subject: str, body: str
) -> Delivery:
    """The readable summary in the body, the whole report attached as JSON."""
    target = ", ".join(to)
    if smtp is None:
        return Delivery(EMAIL, target, False, "WOWDESK_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = target
    message["Subject"] = subject
    message.set_content(body)
    incident = report.get("incident", {}).get("id", "")
    message.add_attachment(
        encode(report),
        maintype="application",
        subtype="json",
        filename=f"incident-{incident}.json",
    )
    try:
        send_now(smtp, message)
    except (smtplib.SMTPException, OSError) as exc:
        where = f"{smtp.host}:{smtp.port}"
        return Delivery(EMAIL, target, False, f"{where}: {exc}"[:MAX_ERROR])
    return Delivery(EMAIL, target, True)


def deliver(
    report: dict[str, Any],
    *,
    webhook_url: str,
    webhook_timeout: float,
    emails: tuple[str, ...],
    smtp: Smtp | None,
    subject: str,
    body: str,
) -> list[Delivery]:
    """Every configured way is tried, whatever the others did."""
    done = []
    if webhook_url:
        done.append(post_webhook(webhook_url, report, webhook_timeout))
    if emails:
        done.append(send_mail(smtp, emails, report, subject, body))
    return done
