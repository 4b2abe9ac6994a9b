"""Screenshot checks, and the report to technical support against a real HTTP receiver and a
real SMTP server on loopback, failures included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.helpers import free_port, make_user
from tests.safety.factories import GIF, HTML, JPEG, PNG, article, bot_answer, options
from tests.smtp import local_smtp
from tests.webhook import local_webhook
from wowdesk.errors import Conflict, Invalid, NotFound
from wowdesk.mail import Smtp
from wowdesk.quality import flags, incident_report, screenshots
from wowdesk.quality import service as incidents
from wowdesk.quality.models import IncidentStatus


def test_png_and_jpeg_pass_and_disguised_files_do_not() -> None:
    assert screenshots.check_screenshot(PNG, "image/png", 10_000) == "image/png"
    assert screenshots.check_screenshot(JPEG, "image/jpeg", 10_000) == "image/jpeg"
    assert screenshots.check_screenshot(PNG, "Image/PNG; charset=binary", 10_000) == "image/png"
    for data, declared in [
        (GIF, "image/gif"),  # not allowed at all
        (GIF, "image/png"),  # a GIF renamed
        (HTML, "image/png"),  # a page with a script posing as a picture
        (PNG, "image/jpeg"),  # the declared type must match the bytes
        (PNG, "text/html"),
        (b"", "image/png"),
    ]:
        with pytest.raises(Invalid):
            screenshots.check_screenshot(data, declared, 10_000)
    with pytest.raises(screenshots.TooLarge) as big:
        screenshots.check_screenshot(PNG + bytes(10_000), "image/png", 10_000)
    assert big.value.status == 413


def test_stored_with_a_random_name_outside_static(tmp_path: Path) -> None:
    name = screenshots.store(tmp_path / "shots", PNG, "image/png")
    assert name.endswith(".png") and len(name) == 36
    assert screenshots.path_of(tmp_path / "shots", name).read_bytes() == PNG
    with pytest.raises(Invalid):
        screenshots.store(screenshots.STATIC / "shots", PNG, "image/png")
    for bad in ("../secret_key", "x.png", name.replace(".png", ".html")):
        with pytest.raises(NotFound):
            screenshots.path_of(tmp_path / "shots", bad)


def _incident(db: Session, tmp_path: Path) -> tuple[int, object]:
    anna = make_user(db, name="Анна Смирнова")
    doc = article(db)
    answer = bot_answer(
        db, article_id=doc.id, question="Мой телефон +7 916 123-45-67, сколько хранится заказ?"
    )
    flag, incident, _n = flags.do_flag(
        db,
        anna,
        message_id=answer.id,
        reason="wrong_fact",
        comment="В статье 7 дней",
        screenshot=(PNG, "image/png"),
        options=options(tmp_path),
    )
    return incident.id, flag


def test_the_report_reaches_the_webhook_and_the_mailbox(db: Session, tmp_path: Path) -> None:
    boss = make_user(db, "supervisor")
    incident_id, _flag = _incident(db, tmp_path)
    with local_webhook() as hook, local_smtp() as (inbox, port):
        opts = options(
            tmp_path,
            webhook_url=hook.url,
            emails=("l2@support.test",),
            smtp=Smtp("127.0.0.1", port, sender="wowdesk@shop.test"),
        )
        incident, deliveries = incident_report.do_send_report(
            db, boss, incident_id, options=opts, base_url="http://desk.test"
        )
    assert [(d.channel, d.ok) for d in deliveries] == [("webhook", True), ("email", True)]
    incident_report.check_delivered(deliveries)
    assert incident.status == IncidentStatus.sent

    [received] = hook.requests
    assert received.path == "/hooks/incidents"
    assert received.headers["Content-Type"].startswith("application/json")
    report = received.json()
    assert report["incident"]["id"] == incident_id and report["counts"]["flags"] == 1
    assert report["incident"]["duration_seconds"] >= 0
    [flag] = report["flags"]
    # the phone's digits, not "916" alone: a timestamp's microseconds may hold those
    dumped = json.dumps(report)
    assert "123-45-67" not in dumped and "9161234567" not in dumped
    assert "[PHONE]" in flag["question"]
    assert flag["answer"] == "Заказ хранится 30 дней." and flag["comment"] == "В статье 7 дней"
    assert flag["sources"][0]["title"] == "Сроки хранения заказа"
    assert flag["screenshot"].startswith("http://desk.test/api/v1/safety/flags/")
    assert flag["flagged_by"] == "Анна Смирнова"

    [mail] = inbox.mails
    assert mail["To"] == "l2@support.test" and str(incident_id) in mail["Subject"]
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/json"
    assert json.loads(attachment.get_content())["incident"]["id"] == incident_id
    kept = incidents.list_deliveries(db, incident_id)
    assert [(d.channel, d.ok) for d in kept] == [("webhook", True), ("email", True)]
    history = incidents.list_history(db, incident_id)
    assert (history[-1].from_status, history[-1].to_status) == ("open", "sent")


def test_a_failed_delivery_is_recorded_and_changes_nothing(db: Session, tmp_path: Path) -> None:
    boss = make_user(db, "supervisor")
    incident_id, _flag = _incident(db, tmp_path)
    with local_webhook() as hook:
        hook.status = 500
        opts = options(tmp_path, webhook_url=hook.url, webhook_timeout=2.0)
        incident, deliveries = incident_report.do_send_report(db, boss, incident_id, options=opts)
    assert incident.status == IncidentStatus.open
    assert not deliveries[0].ok and "HTTP 500" in deliveries[0].error
    with pytest.raises(incident_report.DeliveryFailed) as failed:
        incident_report.check_delivered(deliveries)
    assert failed.value.status == 502

    down = options(
        tmp_path,
        webhook_url=f"http://127.0.0.1:{free_port()}/",
        emails=("l2@support.test",),
        smtp=Smtp("127.0.0.1", free_port(), timeout=2.0),
    )
    incident, deliveries = incident_report.do_send_report(db, boss, incident_id, options=down)
    assert incident.status == IncidentStatus.open
    assert [d.ok for d in deliveries] == [False, False]
    assert all(d.error for d in deliveries)
    assert len(incidents.list_deliveries(db, incident_id)) == 3

    # one way working is enough
    with local_smtp() as (inbox, port):
        half = options(
            tmp_path,
            webhook_url=f"http://127.0.0.1:{free_port()}/",
            emails=("l2@support.test",),
            smtp=Smtp("127.0.0.1", port),
        )
        incident, deliveries = incident_report.do_send_report(db, boss, incident_id, options=half)
    assert incident.status == IncidentStatus.sent and len(inbox.mails) == 1
    incident_report.check_delivered(deliveries)


def test_nothing_configured_or_wrong_state_is_refused(db: Session, tmp_path: Path) -> None:
    boss = make_user(db, "supervisor")
    incident_id, _flag = _incident(db, tmp_path)
    with pytest.raises(Conflict) as unset:
        incident_report.do_send_report(db, boss, incident_id, options=options(tmp_path))
    assert unset.value.code == "report_not_configured"
    no_smtp = options(tmp_path, emails=("l2@support.test",))
    _i, [mail] = incident_report.do_send_report(db, boss, incident_id, options=no_smtp)
    assert not mail.ok and "WOWDESK_SMTP_HOST" in mail.error
    incidents.do_set_status(db, boss, incident_id, "fixed")
    with local_webhook() as hook:
        with pytest.raises(Conflict):
            incident_report.do_send_report(
                db, boss, incident_id, options=options(tmp_path, webhook_url=hook.url)
            )
        assert hook.requests == []
