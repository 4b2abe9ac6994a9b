"""Phone calls as transcripts: a call from a telephony or speech-recognition system becomes
a finished conversation in channel `phone`.

The call's own clock gives the KPIs: offered at its start, answered (wait = answer − start,
hence the service level), talk until hang-up, after-call work until `acw_ended_at`; so AHT,
ACW and service level per channel come out of the same rollup as for chats. The caller is a
customer found by phone number (E.164). Secrets a customer reads out (card numbers, codes)
never reach the database, the identification block is masked whole and every other PII span
as in chat; the raw words follow the same role rules as chat messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wowdesk.channels.identification import Utterance, identification_lines
from wowdesk.channels.models import CallRecord
from wowdesk.channels.schemas import CallImportOut, CallIn, CallOut, ImportLineError, SegmentIn
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics, transcripts
from wowdesk.conversations.models import AuthorKind, Conversation
from wowdesk.conversations.transcripts import Line, Timeline
from wowdesk.customers import links
from wowdesk.customers import service as customers
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.i18n import gettext
from wowdesk.nlp import secrets
from wowdesk.nlp.pii import mask_text
from wowdesk.operators import service as operators

CHANNEL = "phone"
IDENTIFICATION = "[IDENTIFICATION]"
Classify = Callable[[str], tuple[str, float]]


@dataclass(frozen=True)
class Imported:
    record: CallRecord
    conversation: Conversation
    created: bool


def _clock(call: CallIn) -> datetime:
    """Where numeric segment times count from: the answer (recordings start there)."""
    return call.answered_at or call.started_at


def _at(value: float | datetime, zero: datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    if value < 0:
        raise Invalid("Segment times must not be negative", code="invalid_segment")
    return zero + timedelta(seconds=float(value))


def _utterances(call: CallIn) -> list[tuple[SegmentIn, datetime, datetime]]:
    zero = _clock(call)
    timed = []
    for seg in call.segments:
        start, end = _at(seg.start, zero), _at(seg.end, zero)
        if end < start:
            raise Invalid("A segment ends before it starts", code="invalid_segment")
        if start < call.started_at or end > call.ended_at + timedelta(seconds=1):
            raise Invalid("A segment lies outside the call", code="invalid_segment")
        timed.append((seg, start, end))
    timed.sort(key=lambda t: (t[1], t[2]))
    return timed


def check_call(call: CallIn) -> None:
    times = [call.started_at, call.answered_at, call.ended_at]
    known = [t for t in times if t is not None]
    if known != sorted(known) or (call.acw_ended_at and call.acw_ended_at < call.ended_at):
        raise Invalid("The call's times are out of order", code="times_out_of_order")
    if call.answered_at is None and call.acw_ended_at is not None:
        raise Invalid("After-call work without an answered call", code="times_out_of_order")


def _lines(call: CallIn, operator_id: int | None) -> tuple[list[Line], int]:
    timed = _utterances(call)
    zero = _clock(call)
    marked = [
        (
            (_at(s.start, zero) - zero).total_seconds(),
            (_at(s.end, zero) - zero).total_seconds(),
        )
        for s in call.identification
    ]
    said = [
        Utterance(seg.speaker, (a - zero).total_seconds(), (b - zero).total_seconds(), seg.text)
        for seg, a, b in timed
    ]
    hidden = identification_lines(said, marked)
    lines = []
    for i, (seg, start, end) in enumerate(timed):
        text = " ".join(seg.text.split())
        if not text:
            continue
        customer = seg.speaker == "customer"
        if customer:
            # a secret read out (card, CVV, SMS code) is not kept, not even as raw text
            text = secrets.mask_secrets(text)
        meta = {
            "kind": "transcript",
            "speaker": seg.speaker,
            "duration": round((end - start).total_seconds(), 3),
        }
        if i in hidden:
            meta["identification"] = True
        lines.append(
            Line(
                author_kind=AuthorKind.customer if customer else AuthorKind.operator,
                author_id=None if customer else operator_id,
                text=text,
                masked_text=IDENTIFICATION if i in hidden else mask_text(text),
                at=start,
                meta=meta,
            )
        )
    return lines, sum(1 for line in lines if line.meta.get("identification"))


def _topic_id(
    db: Session, call: CallIn, lines: list[Line], classify: Classify | None
) -> int | None:
    if call.topic:
        found = topics.find_topic(db, call.topic)
        if found is None:
            raise Invalid("Unknown topic {name}", code="unknown_topic", name=call.topic)
        return found.id
    said = " ".join(line.text for line in lines if line.author_kind == AuthorKind.customer)
    if classify is None or not said:
        return None
    label, _confidence = classify(said)
    found = topics.find_topic(db, label) if label else None
    return found.id if found else None


def find_call(db: Session, call_id: str) -> CallRecord | None:
    return db.scalar(select(CallRecord).where(CallRecord.call_id == call_id))


def call_for_conversation(db: Session, conversation_id: int) -> CallRecord | None:
    return db.scalar(select(CallRecord).where(CallRecord.conversation_id == conversation_id))


def list_calls(db: Session, limit: int = 200) -> list[CallRecord]:
    return list(db.scalars(select(CallRecord).order_by(CallRecord.started_at.desc()).limit(limit)))


def do_import_call(
    db: Session, call: CallIn, *, classify: Classify | None = None, source: str = "api"
) -> Imported:
    """Idempotent by `call_id`: the same call sent twice (a retry, a re-run import, two
    processes at once) is one conversation."""
    existing = find_call(db, call.call_id)
    if existing is not None:
        conv = conversations.get_conversation(db, existing.conversation_id)
        return Imported(existing, conv, False)
    check_call(call)
    phone = customers.normalize_phone(call.caller)
    operator_id = None
    if call.operator:
        user = operators.find_user(db, call.operator)
        if user is None:
            raise Invalid("Unknown operator {login}", code="unknown_operator", login=call.operator)
        operator_id = user.id
    lines, identification = _lines(call, operator_id)
    first_operator = next((x.at for x in lines if x.author_kind == AuthorKind.operator), None)
    timeline = Timeline(
        created_at=call.started_at,
        queued_at=call.started_at,  # a call waits for a person from its first ring
        assigned_at=call.answered_at,
        first_human_reply_at=first_operator or call.answered_at,
        closed_at=call.ended_at,
        wrapup_done_at=call.acw_ended_at,
    )
    topic_id = _topic_id(db, call, lines, classify)
    first_words = next((x.masked_text for x in lines if x.author_kind == AuthorKind.customer), "")
    subject = first_words or gettext("Call from {number}", number=mask_text(phone))
    try:
        with db.begin_nested():
            customer = customers.do_identify(db, channel=CHANNEL, external_id=phone, phone=phone)
            if not customer.phone:
                customers.do_set_contact(db, customer.id, phone=phone)
            # a caller id can be spoofed: another record with this number is only proposed
            links.do_propose_by_contacts(db, customer.id)
            conv = transcripts.do_record_finished(
                db,
                customer_id=customer.id,
                channel=CHANNEL,
                operator_id=operator_id,
                topic_id=topic_id,
                subject=subject,
                timeline=timeline,
                lines=lines,
            )
            record = CallRecord(
                call_id=call.call_id,
                conversation_id=conv.id,
                caller=phone,
                operator_login=call.operator or "",
                started_at=call.started_at,
                answered_at=call.answered_at,
                ended_at=call.ended_at,
                acw_ended_at=call.acw_ended_at,
                recording_url=call.recording_url,
                identification_lines=identification,
                source=source,
            )
            db.add(record)
            db.flush()
    except IntegrityError:
        # the same call imported at the same moment by another process: theirs stands
        found = find_call(db, call.call_id)
        if found is None:
            raise
        return Imported(found, conversations.get_conversation(db, found.conversation_id), False)
    return Imported(record, conv, True)


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else round((a - b).total_seconds(), 3)


def call_out(db: Session, imported: Imported) -> CallOut:
    rec, conv = imported.record, imported.conversation
    topic = topics.get_topic(db, conv.topic_id).name if conv.topic_id else ""
    handle_end = rec.acw_ended_at or rec.ended_at
    return CallOut(
        call_id=rec.call_id,
        conversation_id=conv.id,
        created=imported.created,
        customer_id=conv.customer_id,
        operator=rec.operator_login,
        topic=topic,
        lines=conv.last_seq,
        identification_lines=rec.identification_lines,
        wait_seconds=_seconds(rec.answered_at or rec.ended_at, rec.started_at),
        handle_seconds=_seconds(handle_end, rec.answered_at),
        acw_seconds=_seconds(rec.acw_ended_at, rec.ended_at),
        talk_seconds=_seconds(rec.ended_at, rec.answered_at),
        recording_url=rec.recording_url,
        started_at=rec.started_at,
    )


def out_for(db: Session, record: CallRecord) -> CallOut:
    conv = conversations.get_conversation(db, record.conversation_id)
    return call_out(db, Imported(record, conv, False))


def parse_jsonl(data: bytes) -> Iterable[tuple[int, CallIn | ImportLineError]]:
    """Each non-empty line a call; a bad line is reported with its number, not fatal."""
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield number, CallIn.model_validate(json.loads(raw))
        except UnicodeDecodeError:
            yield number, ImportLineError(line=number, message=gettext("Not UTF-8 text"))
        except json.JSONDecodeError as exc:
            yield (
                number,
                ImportLineError(line=number, message=gettext("Not JSON: {error}", error=exc.msg)),
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            yield number, ImportLineError(line=number, message=problems)


def describe(exc: WowdeskError) -> str:
    return gettext(exc.message, **exc.params)


def do_import_lines(
    db: Session, data: bytes, *, classify: Classify | None = None, source: str = "file"
) -> CallImportOut:
    """Every good line imported (each in its own savepoint), every bad one reported."""
    report = CallImportOut(imported=0, already=0, failed=0, errors=[])
    for number, item in parse_jsonl(data):
        if isinstance(item, ImportLineError):
            report.errors.append(item)
            continue
        try:
            with db.begin_nested():
                imported = do_import_call(db, item, classify=classify, source=source)
        except WowdeskError as exc:
            report.errors.append(ImportLineError(line=number, message=describe(exc)))
            continue
        if imported.created:
            report.imported += 1
        else:
            report.already += 1
    report.failed = len(report.errors)
    return report


def check_any_good(report: CallImportOut) -> CallImportOut:
    """An upload in which not one line is a call is the wrong file, not a partial import:
    the client gets a 422 with every bad line (the CLI keeps printing its report)."""
    if report.errors and not (report.imported or report.already):
        refused = Invalid(
            "Nothing imported: {count} bad lines ({first})",
            code="import_refused",
            count=report.failed,
            first="; ".join(f"{e.line}: {e.message}" for e in report.errors[:5]),
        )
        refused.extra["errors"] = [e.model_dump() for e in report.errors]
        raise refused
    return report


def example_lines(operator: str, yesterday: datetime) -> str:
    """Two calls in the import's format, one answered and one abandoned, by `operator`
    yesterday: what `/calls` offers to download, so a telephony export can be shaped after
    it (built from `CallIn`, so the example is valid by construction)."""
    start = yesterday.replace(hour=9, minute=0, second=0, microsecond=0)
    answered = CallIn(
        call_id=f"example-{start:%Y%m%d}-0001",
        caller="+7 916 123-45-67",
        operator=operator,
        started_at=start,
        answered_at=start + timedelta(seconds=15),
        ended_at=start + timedelta(minutes=2, seconds=15),
        acw_ended_at=start + timedelta(minutes=3),
        recording_url="https://pbx.example/rec/0001.wav",
        segments=[
            SegmentIn(speaker="operator", start=0.5, end=3, text="Служба поддержки, слушаю вас."),
            SegmentIn(
                speaker="customer", start=3.5, end=9, text="Не пришёл заказ, курьер не звонил."
            ),
            SegmentIn(
                speaker="operator", start=9.5, end=14, text="Назовите, пожалуйста, номер заказа."
            ),
            SegmentIn(speaker="customer", start=14.5, end=18, text="Номер 4521-7788."),
            SegmentIn(
                speaker="operator",
                start=19,
                end=30,
                text="Заказ в пути, курьер привезёт его завтра до 18:00.",
            ),
        ],
    )
    abandoned = CallIn(
        call_id=f"example-{start:%Y%m%d}-0002",
        caller="8 (903) 555-12-34",
        started_at=start + timedelta(minutes=5),
        ended_at=start + timedelta(minutes=6, seconds=30),
    )
    return "".join(
        call.model_dump_json(exclude_defaults=True) + "\n" for call in (answered, abandoned)
    )
