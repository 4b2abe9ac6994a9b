"""The daily retention job: each kind of personal data is kept only as long as its setting
says (0 keeps it forever).

- raw text (`retention_raw_text_days`): messages keep only their masked copy; so do those
  conversations' notes, follow-up reminders, subjects, the assistant's log and the bot's
  rejected answers; handoff cards lose their quotes and facts; sent mails lose address
  and raw body;
- attachments (`retention_attachments_days`): screenshots attached to flags and files
  customers sent through a channel are deleted;
- recordings (`retention_recordings_days`): calls lose their recording's link;
- contacts (`retention_contacts_days`): a customer silent that long loses name, contacts,
  identities and links (as in an erasure), and every domain's way to reach them goes:
  tickets' and the outbox's addresses, Telegram chat ids, mail threads' addresses and mails'
  senders, callers' numbers, files, verification addresses;
- audit (`retention_audit_days`): raw-text views and data-access records are deleted.

What KPIs and quality reviews need (timestamps, topics, scores, masked text) stays. The
job is idempotent: two processes running it at once, or a run repeated, change nothing more.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from wowdesk.assist import personal_data as assist_data
from wowdesk.bot import personal_data as bot_data
from wowdesk.channels import attachments
from wowdesk.channels import personal_data as channel_data
from wowdesk.config import Settings
from wowdesk.conversations import personal_data as conversation_data
from wowdesk.customers import personal_data as customer_data
from wowdesk.db import utcnow
from wowdesk.privacy.service import erase_contacts, remove_after_commit
from wowdesk.quality import personal_data as quality_data
from wowdesk.safety import personal_data as safety_data


@dataclass(frozen=True)
class Policy:
    raw_text_days: int
    attachments_days: int
    contacts_days: int
    audit_days: int
    recordings_days: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            raw_text_days=settings.retention_raw_text_days,
            attachments_days=settings.retention_attachments_days,
            contacts_days=settings.retention_contacts_days,
            audit_days=settings.retention_audit_days,
            recordings_days=settings.retention_recordings_days,
        )


@dataclass
class Report:
    """What the job did (or, in a dry run, would do), per kind of data."""

    dry_run: bool
    raw_text_messages: int = 0
    raw_text_cards: int = 0
    raw_text_mails: int = 0
    raw_text_notes: int = 0
    attachments: int = 0
    attachment_files: int = 0
    recordings: int = 0
    contacts_customers: int = 0
    audit_records: int = 0

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "dry_run"}


def _cutoff(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days > 0 else None


def run(
    db: Session,
    policy: Policy,
    var_dir: Path,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Report:
    now = now or utcnow()
    report = Report(dry_run=dry_run)
    before = _cutoff(now, policy.raw_text_days)
    if before is not None:
        convs = conversation_data.conversations_with_raw_text_before(db, before)
        # notes and the like of the conversations whose raw text expires now (masked once,
        # with the messages: a masked message is the mark that its conversation is done)
        report.raw_text_notes = conversation_data.do_mask_notes(db, convs, dry_run=dry_run)
        if dry_run:
            report.raw_text_messages = conversation_data.count_raw_text_before(db, before)
            report.raw_text_mails = conversation_data.do_expire_mail(db, before, dry_run=True)
        else:
            report.raw_text_messages = conversation_data.do_expire_raw_text(db, before)
            report.raw_text_cards = bot_data.do_erase_conversation_data(db, convs)
            assist_data.do_erase_conversation_data(db, convs)
            report.raw_text_mails = conversation_data.do_expire_mail(db, before)
    before = _cutoff(now, policy.attachments_days)
    if before is not None:
        if dry_run:
            report.attachments = quality_data.screenshots_before(db, before)
            report.attachment_files = channel_data.attachments_before(db, before)
        else:
            names = quality_data.do_expire_screenshots(db, before)
            remove_after_commit(db, var_dir / "screenshots", names)
            report.attachments = len(names)
            files = channel_data.do_expire_attachments(db, before)
            remove_after_commit(db, var_dir / "attachments", files, attachments.remove)
            report.attachment_files = len(files)
    before = _cutoff(now, policy.recordings_days)
    if before is not None:
        report.recordings = channel_data.do_expire_recordings(db, before, dry_run=dry_run)
    before = _cutoff(now, policy.contacts_days)
    if before is not None:
        candidates = customer_data.with_contacts_created_before(db, before)
        active = conversation_data.active_customers(db, candidates, before)
        silent = [c for c in candidates if c not in active]
        report.contacts_customers = len(silent)
        if not dry_run:
            for customer_id in silent:
                ids = conversation_data.customer_conversation_ids(db, customer_id)
                erase_contacts(db, customer_id, ids, var_dir)
    before = _cutoff(now, policy.audit_days)
    if before is not None:
        report.audit_records = safety_data.do_expire_view_audit(
            db, before, dry_run=dry_run
        ) + customer_data.do_expire_access_audit(db, before, dry_run=dry_run)
    db.flush()
    return report
