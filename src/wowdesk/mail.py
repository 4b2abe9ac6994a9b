"""Sending mail over SMTP: the server settings and one connection per send. Every domain that
mails (the outbox, incident reports) goes through here."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "wowdesk@localhost"
    timeout: float = 20.0


def send_now(smtp: Smtp, message: EmailMessage) -> None:
    """One mail at once, for a caller that must know whether the server took it (a report a
    supervisor is waiting for); mail to customers goes through the outbox instead. Raises
    `smtplib.SMTPException` or `OSError` when it was not accepted."""
    if not message["From"]:
        message["From"] = smtp.sender
    with connect(smtp) as client:
        client.send_message(message)


def connect(smtp: Smtp) -> smtplib.SMTP:
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(smtp.username, smtp.password)
    except BaseException:
        client.close()
        raise
    return client
