"""Writing the schedule: shifts per operator, split shifts, a week copied, 2/2 and 5/2
templates and a CSV import.

A split shift (or a shift with a break) is several `Shift` rows on one day: the gap between
them is the planned break, which is what live adherence compares a break against. Times are
typed in the contact center's local time (`WOWDESK_TIMEZONE`) and stored in UTC."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wowdesk.errors import Invalid, NotFound
from wowdesk.i18n import gettext as _
from wowdesk.operators import schedule as service
from wowdesk.operators import service as operators
from wowdesk.operators.models import Shift

Pattern = Literal["2/2", "5/2"]
PATTERNS: dict[str, tuple[int, int]] = {"2/2": (2, 2), "5/2": (5, 2)}  # days on, days off
MAX_TEMPLATE_DAYS = 92
MAX_IMPORT_ROWS = 20_000
CSV_COLUMNS = ("login", "date", "start", "end")


@dataclass(frozen=True)
class Piece:
    """One stretch of a planned day in local time; `end` at or before `start` runs past
    midnight."""

    start: time
    end: time


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_span(day: date, piece: Piece, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    a = datetime.combine(day, piece.start, zone)
    b = datetime.combine(day, piece.end, zone)
    if b <= a:
        b = datetime.combine(day + timedelta(days=1), piece.end, zone)
    return a, b


def check_no_overlap(db: Session, user_id: int, a: datetime, b: datetime) -> None:
    clash = db.scalar(
        select(Shift.id).where(Shift.user_id == user_id, Shift.starts_at < b, Shift.ends_at > a)
    )
    if clash is not None:
        raise Invalid("The shift overlaps another shift of the same operator", code="shift_overlap")


def do_add_shift(db: Session, user_id: int, starts_at: datetime, ends_at: datetime) -> Shift:
    """A shift for an existing operator that overlaps none of their shifts."""
    operators.get_user(db, user_id)
    if starts_at.tzinfo is not None and ends_at.tzinfo is not None:
        check_no_overlap(db, user_id, starts_at, ends_at)
    return service.do_add_shift(db, user_id, starts_at, ends_at)


def do_delete_shift(db: Session, shift_id: int) -> None:
    shift = db.get(Shift, shift_id)
    if shift is None:
        raise NotFound("No such shift", code="shift_not_found")
    db.delete(shift)
    db.flush()


def week_shifts(db: Session, monday: date, timezone: str) -> list[Shift]:
    low, _ = local_span(monday, Piece(time(0), time(0)), timezone)
    high = low + timedelta(days=7)
    return [s for s in service.list_shifts(db, low, high) if low <= s.starts_at < high]


def do_copy_week(db: Session, source: date, target: date, timezone: str) -> int:
    """The shifts starting in the week of `source` repeated in the week of `target` (same
    weekday and local time). The target week is replaced, so copying twice never doubles
    it; returns the shifts written."""
    src, dst = week_start(source), week_start(target)
    if src == dst:
        raise Invalid("Copy a week to another week", code="same_week")
    zone = ZoneInfo(timezone)
    shifts = week_shifts(db, src, timezone)
    for old in week_shifts(db, dst, timezone):
        db.delete(old)
    db.flush()
    days = (dst - src).days
    for s in shifts:
        a, b = s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)
        # local wall-clock times are kept across a DST change
        na = datetime.combine(a.date() + timedelta(days=days), a.time(), zone)
        nb = datetime.combine(b.date() + timedelta(days=days), b.time(), zone)
        service.do_add_shift(db, s.user_id, na, nb)
    return len(shifts)


def do_apply_template(
    db: Session,
    user_id: int,
    pattern: str,
    first_day: date,
    days: int,
    pieces: list[Piece],
    timezone: str,
) -> int:
    """A 2/2 (two days on, two off) or 5/2 (Monday to Friday from a Monday; otherwise five
    on, two off) rota from `first_day` for `days` days, each working day made of `pieces`
    (two pieces make a split shift or a break). Existing shifts of the operator in the
    period are replaced; returns the shifts written."""
    if pattern not in PATTERNS:
        raise Invalid("Unknown template {pattern}: use 2/2 or 5/2", pattern=pattern)
    if not 1 <= days <= MAX_TEMPLATE_DAYS:
        raise Invalid("A template covers 1 to {n} days", n=MAX_TEMPLATE_DAYS)
    if not pieces:
        raise Invalid("Give the working hours of the template")
    operators.get_user(db, user_id)
    on, off = PATTERNS[pattern]
    spans = [local_span(first_day, p, timezone) for p in pieces]
    spans.sort()
    for (_a1, b1), (a2, _b2) in pairwise(spans):
        if a2 < b1:
            raise Invalid("The parts of a split shift overlap", code="shift_overlap")
    low, _ = local_span(first_day, Piece(time(0), time(0)), timezone)
    high, _ = local_span(first_day + timedelta(days=days), Piece(time(0), time(0)), timezone)
    db.execute(
        delete(Shift).where(
            Shift.user_id == user_id, Shift.starts_at >= low, Shift.starts_at < high
        )
    )
    written = 0
    for i in range(days):
        day = first_day + timedelta(days=i)
        if i % (on + off) >= on:
            continue
        for piece in pieces:
            a, b = local_span(day, piece, timezone)
            check_no_overlap(db, user_id, a, b)
            service.do_add_shift(db, user_id, a, b)
            written += 1
    return written


# --- CSV import ----------------------------------------------------------------------------


def _parse_time(text: str) -> time:
    return time.fromisoformat(text.strip())


def do_import_shifts(db: Session, text: str, timezone: str) -> int:
    """Rows `login,date,start,end` (a header line first; date YYYY-MM-DD or DD.MM.YYYY,
    times HH:MM local, an end at or before the start runs past midnight). All rows are
    written or none: any bad row refuses the file with the line numbers of every error."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows:
        raise Invalid("The file is empty", code="empty_file")
    header = [h.strip().lower() for h in rows[0]]
    if header[:4] != list(CSV_COLUMNS):
        raise Invalid("The first line must be: {columns}", columns=",".join(CSV_COLUMNS))
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise Invalid("At most {n} rows per file", n=MAX_IMPORT_ROWS)
    users = {u.username: u for u in operators.list_users(db)}
    errors: list[str] = []
    planned: list[tuple[int, int, datetime, datetime]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 4:
            errors.append(_("line {line}: 4 columns expected", line=line))
            continue
        login, day_text, start_text, end_text = (c.strip() for c in row[:4])
        user = users.get(login)
        if user is None:
            errors.append(_("line {line}: unknown login {login}", line=line, login=login))
            continue
        try:
            day = (
                datetime.strptime(day_text, "%d.%m.%Y").date()
                if "." in day_text
                else date.fromisoformat(day_text)
            )
            piece = Piece(_parse_time(start_text), _parse_time(end_text))
        except ValueError:
            errors.append(_("line {line}: bad date or time", line=line))
            continue
        a, b = local_span(day, piece, timezone)
        if b - a > service.MAX_SHIFT:
            errors.append(_("line {line}: a shift lasts at most 16 h", line=line))
            continue
        for other_line, uid, x, y in planned:
            if uid == user.id and x < b and a < y:
                errors.append(_("line {line}: overlaps line {other}", line=line, other=other_line))
                break
        else:
            clash = db.scalar(
                select(Shift.id).where(
                    Shift.user_id == user.id, Shift.starts_at < b, Shift.ends_at > a
                )
            )
            if clash is not None:
                errors.append(_("line {line}: overlaps a shift already in the schedule", line=line))
                continue
            planned.append((line, user.id, a, b))
    if errors:
        # the whole file is refused, nothing written; extra["errors"] has every bad line
        refused = Invalid(
            "Nothing imported: {count} bad lines ({first})",
            code="import_refused",
            count=len(errors),
            first="; ".join(errors[:5]),
        )
        refused.extra["errors"] = errors
        raise refused
    for _line, uid, a, b in planned:
        service.do_add_shift(db, uid, a, b)
    return len(planned)
