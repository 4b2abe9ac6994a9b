"""Calibration: several reviewers score the same conversations blind; per criterion the
team sees how often they agree (percent agreement and Cohen's kappa, averaged over pairs
of reviewers) and how often the automatic result agrees with them, so it knows which
automatic criteria to trust.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from wowdesk.conversations import service as conversations
from wowdesk.db import insert_missing, utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality import scorecards
from wowdesk.quality.models import Calibration, CalibrationRating, Score
from wowdesk.quality.review import check_values

Label = int | None


def percent_agreement(a: Sequence[Label], b: Sequence[Label]) -> float | None:
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return None
    return sum(x == y for x, y in pairs) / len(pairs)


def cohen_kappa(a: Sequence[Label], b: Sequence[Label]) -> float | None:
    """κ = (p_o − p_e) / (1 − p_e) over the items both rated; 1.0 when both raters used one
    and the same label throughout (perfect agreement with no variation)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return None
    n = len(pairs)
    labels = {x for pair in pairs for x in pair}
    p_o = sum(x == y for x, y in pairs) / n
    p_e = sum(
        (sum(x == label for x, _ in pairs) / n) * (sum(y == label for _, y in pairs) / n)
        for label in labels
    )
    if p_e >= 1.0:
        return 1.0 if p_o == 1.0 else 0.0
    return (p_o - p_e) / (1 - p_e)


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


@dataclass(frozen=True)
class Agreement:
    key: str
    title: str
    percent: float | None  # between reviewers, mean over pairs
    kappa: float | None
    auto_percent: float | None  # the automatic result against each reviewer, mean
    auto_kappa: float | None
    rated: int


def agreement(
    criteria: list[tuple[str, str]],
    ratings: dict[int, dict[int, dict[str, Label]]],
    auto: dict[int, dict[str, Label]],
) -> list[Agreement]:
    """`ratings[reviewer][conversation][criterion]`, `auto[conversation][criterion]`."""
    conversations_ = sorted({c for by in ratings.values() for c in by})
    reviewers = sorted(ratings)
    out = []
    for key, title in criteria:
        column = {r: [ratings[r].get(c, {}).get(key) for c in conversations_] for r in reviewers}
        machine = [auto.get(c, {}).get(key) for c in conversations_]
        pairs = list(combinations(reviewers, 2))
        out.append(
            Agreement(
                key=key,
                title=title,
                percent=_mean([percent_agreement(column[a], column[b]) for a, b in pairs]),
                kappa=_mean([cohen_kappa(column[a], column[b]) for a, b in pairs]),
                auto_percent=_mean([percent_agreement(column[r], machine) for r in reviewers]),
                auto_kappa=_mean([cohen_kappa(column[r], machine) for r in reviewers]),
                rated=sum(v is not None for r in reviewers for v in column[r]),
            )
        )
    return out


# --- sessions ----------------------------------------------------------------------------


def do_create(
    db: Session, user: User, title: str, conversation_ids: list[int], reviewer_ids: list[int]
) -> Calibration:
    title = title.strip()
    if not title:
        raise Invalid("The session needs a title", code="empty_title")
    conversation_ids = sorted(set(conversation_ids))
    reviewer_ids = sorted(set(reviewer_ids))
    if not conversation_ids or len(reviewer_ids) < 2:
        raise Invalid("A calibration needs conversations and at least two reviewers")
    for cid in conversation_ids:
        conversations.get_conversation(db, cid)
    people = operators.users_by_id(db, set(reviewer_ids))
    if len(people) != len(reviewer_ids) or any(
        not operators.has_role(u, Role.supervisor) for u in people.values()
    ):
        raise Invalid("Reviewers must be supervisors")
    version = scorecards.default_version(db, "operator")
    session = Calibration(
        title=title[:200],
        version_id=version.id,
        conversation_ids=conversation_ids,
        reviewer_ids=reviewer_ids,
        created_by=user.id,
    )
    db.add(session)
    db.flush()
    return session


def get_session(db: Session, calibration_id: int) -> Calibration:
    session = db.get(Calibration, calibration_id)
    if session is None:
        raise NotFound("Calibration session not found")
    return session


def list_sessions(db: Session) -> list[Calibration]:
    return list(db.scalars(select(Calibration).order_by(Calibration.id.desc()).limit(100)))


def do_rate(
    db: Session, user: User, session: Calibration, conversation_id: int, values: dict[str, Label]
) -> None:
    """One reviewer's blind scoring of one conversation (once)."""
    if user.id not in session.reviewer_ids:
        raise Forbidden("You are not a reviewer of this session")
    if conversation_id not in session.conversation_ids:
        raise Invalid("This conversation is not in the session")
    check_values(scorecards.get_version(db, session.version_id).definition, values)
    before = _ratings(db, session.id)
    if conversation_id in before.get(user.id, {}):
        raise Conflict("You have already scored this conversation", code="already_rated")
    insert_missing(
        db,
        cast(Table, CalibrationRating.__table__),
        [
            {
                "calibration_id": session.id,
                "conversation_id": conversation_id,
                "reviewer_id": user.id,
                "values": values,
                "created_at": utcnow(),
            }
        ],
        ["calibration_id", "conversation_id", "reviewer_id"],
    )


def _ratings(db: Session, calibration_id: int) -> dict[int, dict[int, dict[str, Label]]]:
    out: dict[int, dict[int, dict[str, Label]]] = {}
    for r in db.scalars(
        select(CalibrationRating).where(CalibrationRating.calibration_id == calibration_id)
    ):
        out.setdefault(r.reviewer_id, {})[r.conversation_id] = dict(r.values)
    return out


def rated_by(db: Session, session: Calibration, user: User) -> set[int]:
    return set(_ratings(db, session.id).get(user.id, {}))


def report(db: Session, session: Calibration) -> list[Agreement]:
    definition: dict[str, Any] = scorecards.get_version(db, session.version_id).definition
    criteria = [(c["key"], c["title"]) for c in scorecards.criteria_of(definition)]
    auto: dict[int, dict[str, Label]] = {}
    for score in db.scalars(select(Score).where(Score.auto_key.in_(session.conversation_ids))):
        auto[score.conversation_id] = {r["key"]: r["value"] for r in score.results}
    return agreement(criteria, _ratings(db, session.id), auto)
