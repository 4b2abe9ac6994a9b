"""One operator's growth in one object, for the pages above training (`/analytics/me`):
the track's progress, the career step and what the next one needs, points, badges, the
contests on now and micro-lessons waiting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from wowdesk.operators.models import User
from wowdesk.training import career, micro, motivation, service


@dataclass(frozen=True)
class Growth:
    track_title: str
    modules_done: int
    modules: int
    career_level: str
    next_career_level: str
    next_criteria: dict[str, Any]
    points: int
    points_level: str
    next_points: int | None
    badges: list[tuple[str, str, Any]]
    contests: list[Any]
    micro_pending: int
    board_place: int | None


def growth_of(db: Session, user: User) -> Growth:
    enrollment = service.enrollment_of(db, user)
    states = service.track_view(db, user, enrollment.track_id) if enrollment else []
    track = service.get_track(db, enrollment.track_id) if enrollment else None
    upcoming = career.next_level(db, user.id) if career.on_track(user) else None
    points = motivation.total_points(db, user.id)
    level, nxt = motivation.points_level(points)
    return Growth(
        track_title=track.title if track else "",
        modules_done=sum(1 for s in states if s.done),
        modules=len(states),
        career_level=career.step_title(db, user),
        next_career_level=career.title(upcoming) if upcoming else "",
        next_criteria=upcoming.criteria if upcoming else {},
        points=points,
        points_level=level,
        next_points=nxt,
        badges=motivation.badges_of(db, user.id),
        contests=[
            c
            for c in motivation.list_contests(db, current_only=True)
            if c.team_id is None or c.team_id == user.team_id
        ],
        micro_pending=micro.pending_count(db, user),
        board_place=motivation.board(db, user).my_place,
    )
