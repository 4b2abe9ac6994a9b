"""Login throttling: a password cannot be guessed by trying many.

Failures are counted per account (the login typed, whether it exists or not, so the answer
tells nothing) and per address. The first `FREE_FAILURES` cost nothing; after that each
failure locks the key for twice as long as the one before (15 s, 30 s, 1 min, … up to
`MAX_LOCK_SECONDS`). While a key is locked every attempt is refused with 429, the right
password too, and the refusal does not even check the password. A success clears the
account's count; an admin can clear it at once (`do_unlock`). Everything is audited in
`login_event`. The counts live in the database, so every app process sees the same.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.errors import WowdeskError
from wowdesk.i18n import N_
from wowdesk.operators.models import LoginEvent, LoginThrottle, User

FREE_FAILURES = 5
FIRST_LOCK_SECONDS = 15
MAX_LOCK_SECONDS = 15 * 60
ACCOUNT, ADDRESS = "account", "address"
LOCKED = N_("Too many failed logins. Try again in {seconds} s.")


class TooManyAttempts(WowdeskError):
    status = 429
    code = "too_many_attempts"


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    keys = [(ACCOUNT, username.strip().lower()[:128])]
    if address:
        keys.append((ADDRESS, address[:128]))
    return keys


def check_allowed(db: Session, username: str, address: str) -> None:
    """Raises 429 (with the seconds to wait) while the account or the address is locked."""
    now = utcnow()
    waits = []
    for kind, key in _keys(username, address):
        row = db.scalar(
            select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.key == key)
        )
        if row is not None and row.locked_until is not None and row.locked_until > now:
            waits.append((row.locked_until - now).total_seconds())
    if waits:
        seconds = max(1, math.ceil(max(waits)))
        _audit(db, "refused", username, address)
        error = TooManyAttempts(LOCKED, seconds=seconds)
        error.extra["retry_after"] = seconds
        raise error


def do_record_failure(db: Session, username: str, address: str) -> None:
    now = utcnow()
    locked = False
    for kind, key in _keys(username, address):
        row = _row(db, kind, key)
        row.failures += 1
        row.last_failure_at = now
        if row.failures > FREE_FAILURES:
            doublings = row.failures - FREE_FAILURES - 1
            seconds = min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2**doublings)
            row.locked_until = now + timedelta(seconds=seconds)
            locked = True
    _audit(db, "locked" if locked else "failed", username, address)
    db.flush()


def do_record_success(db: Session, username: str) -> None:
    db.execute(
        delete(LoginThrottle).where(
            LoginThrottle.kind == ACCOUNT, LoginThrottle.key == username.strip().lower()
        )
    )


def do_unlock(db: Session, user: User, actor: User) -> None:
    """An admin lets a locked-out colleague try again at once."""
    do_record_success(db, user.username)
    _audit(db, "unlocked", user.username, "", actor_id=actor.id)
    db.flush()


def list_events(db: Session, limit: int = 200) -> list[LoginEvent]:
    return list(db.scalars(select(LoginEvent).order_by(LoginEvent.id.desc()).limit(limit)))


def _row(db: Session, kind: str, key: str) -> LoginThrottle:
    query = select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.key == key)
    row = db.scalar(query.with_for_update())
    if row is not None:
        return row
    try:
        with db.begin_nested():
            row = LoginThrottle(kind=kind, key=key, failures=0, last_failure_at=utcnow())
            db.add(row)
            db.flush()
        return row
    except IntegrityError:  # another process counted the same key first
        found = db.scalar(query.with_for_update())
        assert found is not None
        return found


def _audit(
    db: Session, kind: str, username: str, address: str, actor_id: int | None = None
) -> None:
    db.add(LoginEvent(kind=kind, username=username[:64], address=address[:64], actor_id=actor_id))
