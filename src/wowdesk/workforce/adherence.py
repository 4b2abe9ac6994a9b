"""Live adherence for the routing board: who should be on the line now and is not, who is on
a break longer than planned, who is online outside their shift.

Punctuality over a period (`service.adherence`) is the same comparison summed: scheduled
seconds against the seconds of them spent online, from the status history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from wowdesk.operators import presence
from wowdesk.operators import schedule as service
from wowdesk.operators.models import OperatorStatus, Role

# a break that starts this close to a shift's end and ends this close to the next one's start
# is the planned gap between two pieces of a day
LOOK_BACK = timedelta(hours=16)


@dataclass(frozen=True)
class LiveRow:
    user_id: int
    name: str
    status: str
    status_since: datetime
    shift_starts_at: datetime | None  # the piece covering now, if any
    shift_ends_at: datetime | None
    problem: str  # "absent", "long_break", "off_shift" or "" when on plan
    minutes: int  # how long the problem has lasted


def live(db: Session, now: datetime) -> list[LiveRow]:
    """Operators due on the line now or present on it, problems first."""
    shifts = service.list_shifts(db, now - LOOK_BACK, now + LOOK_BACK)
    by_user: dict[int, list[tuple[datetime, datetime]]] = {}
    for s in shifts:
        by_user.setdefault(s.user_id, []).append((s.starts_at, s.ends_at))
    rows = []
    for user, state in presence.list_states(db):
        if user.role != Role.operator and user.id not in by_user:
            continue
        pieces = by_user.get(user.id, [])
        current = next(((a, b) for a, b in pieces if a <= now < b), None)
        status = OperatorStatus(state.status)
        if current is None and status == OperatorStatus.offline:
            continue
        problem, since = "", state.status_since
        if current is not None and status != OperatorStatus.online:
            # absent since the later of the piece's start and the status change
            since = max(current[0], state.status_since)
            problem = "long_break" if status == OperatorStatus.on_break else "absent"
        elif current is None and status == OperatorStatus.online:
            problem = "off_shift"
        rows.append(
            LiveRow(
                user_id=user.id,
                name=user.display_name,
                status=status.value,
                status_since=state.status_since,
                shift_starts_at=current[0] if current else None,
                shift_ends_at=current[1] if current else None,
                problem=problem,
                minutes=int(max(0.0, (now - since).total_seconds()) // 60) if problem else 0,
            )
        )
    order = {"absent": 0, "long_break": 1, "off_shift": 2, "": 3}
    return sorted(rows, key=lambda r: (order[r.problem], -r.minutes, r.name))
