"""Motivation: points for outcomes, never for volume; badges and levels; contests a
supervisor sets; the team leaderboard with opt-out and a private mode; recognition posts.

What earns points (each outcome once: an entry's `ref` names it, unique per operator):
- a week with an outcome KPI (AHT, ACW, schedule adherence, CSAT, QA) at or better than
  target, over at least `MIN_CONTACTS` conversations (a floor so one lucky contact does
  not count; above it, more conversations add nothing);
- a WOW dialogue a supervisor confirmed; a training module finished; a micro-lesson done;
- a level of the career track reached; a trainee one mentors reaching theirs;
- a contest won (its KPI met over the contest's period).
Conversations handled, messages sent, attempts repeated are never counted: `kpi_points`
and `badges_for` are pure so the tests check that property directly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.i18n import N_, current_language
from wowdesk.i18n import gettext as _
from wowdesk.operators import broadcasts
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality import wow as quality_wow
from wowdesk.training import kpi_source, service
from wowdesk.training.kpi_source import KpiResult
from wowdesk.training.models import (
    BadgeAward,
    BoardMode,
    BoardPreference,
    Contest,
    Mentorship,
    MicroAssignment,
    PointEntry,
    Recognition,
)

OUTCOME_KPIS = ("aht", "acw", "adherence", "csat", "qa_score")
# the week badge: /analytics' «Операторов в норме» (analytics.overview.SCORECARD; training
# sits below analytics and cannot import it, a test keeps the two equal)
WEEK_SCORECARD = ("aht", "csat", "fcr", "adherence")
MIN_CONTACTS = 5
POINTS = {
    "kpi": 10,
    "wow": 25,
    "module": 15,
    "micro": 5,
    "level": 50,
    "mentoring": 30,
}
BADGES = {
    "first_module": N_("First module"),
    "track_done": N_("Track finished"),
    "wow": N_("WOW dialogue"),
    "wow5": N_("Five WOW dialogues"),
    "kpi_week": N_("A week on target"),
    "mentor": N_("Mentor"),
    "contest": N_("Contest winner"),
    "level_up": N_("Promoted"),
}
# motivation levels by points
POINT_LEVELS = ((0, N_("Newcomer")), (100, N_("Confident")), (300, N_("Pro")), (700, N_("Star")))
WEEKS_BACK = 4
MAX_TITLE = 300


# --- pure rules ---------------------------------------------------------------------------


def kpi_points(results: Iterable[KpiResult], min_contacts: int = MIN_CONTACTS) -> dict[str, int]:
    """Points per outcome KPI met: a fixed amount each, whatever the number of contacts
    above the floor; volume KPIs (contacts) never pay."""
    return {
        r.key: POINTS["kpi"]
        for r in results
        if r.key in OUTCOME_KPIS and r.met and r.contacts >= min_contacts
    }


def badges_for(entries: Iterable[tuple[str, str]]) -> set[str]:
    """The badges a list of point entries (kind, ref) earns; an outcome counted twice
    (the same ref) is still one outcome."""
    entries = set(entries)
    kinds = Counter(kind for kind, _ref in entries)
    out = set()
    if kinds["module"]:
        out.add("first_module")
    if kinds["track"]:
        out.add("track_done")
    if kinds["wow"]:
        out.add("wow")
    if kinds["wow"] >= 5:
        out.add("wow5")
    if kinds["mentoring"]:
        out.add("mentor")
    if kinds["contest"]:
        out.add("contest")
    if kinds["level"]:
        out.add("level_up")
    return out


def week_at_target(results: Iterable[KpiResult], min_contacts: int = MIN_CONTACTS) -> bool:
    """A week «в норме» as /analytics counts an operator: every scorecard KPI with a figure
    and a target at or better than it, at least one of them; and a week with data (at
    least `min_contacts` conversations): an empty week is not a week on target."""
    by_key = {r.key: r for r in results}
    if max((r.contacts for r in by_key.values()), default=0) < min_contacts:
        return False
    known = [
        by_key[k]
        for k in WEEK_SCORECARD
        if k in by_key and by_key[k].value is not None and by_key[k].target is not None
    ]
    return bool(known) and all(r.met for r in known)


def week_text(monday: date) -> str:
    """«30.11–06.12»: the week a badge covers."""
    return f"{monday:%d.%m}–{monday + timedelta(days=6):%d.%m}"


def badge_name(badge: str, week: str = "") -> str:
    """A badge's name in the current language; the week badge names its week
    (`week`: its Monday, ISO)."""
    name = _(BADGES.get(badge, badge))
    if badge == "kpi_week" and week:
        try:
            monday = date.fromisoformat(week)
        except ValueError:
            return name
        return _("{badge} for {week}", badge=name, week=week_text(monday))
    return name


def _one_decimal(x: float) -> str:
    """Half up, as the browser's toFixed on /analytics rounds 81.25 (Python's 81.2), with
    the decimal sign of the language (babel, as the loyalty figures write theirs)."""
    rounded = Decimal(str(x)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return format_decimal(rounded, format="0.0", locale=current_language())


def value_text(value: float | None, unit: str) -> str:
    """A KPI's figure as /analytics writes it: seconds as m:ss from two minutes on (else
    «N с»), shares in %, CSAT with one decimal, counts whole; the decimal sign as the
    language writes it."""
    if value is None:
        return _("no data")
    if unit == "seconds":
        whole = round(value)
        if whole >= 120:
            return f"{whole // 60}:{whole % 60:02d}"
        return f"{whole} {_('s')}"
    if unit == "share":
        return f"{_one_decimal(value * 100)} %"
    if unit == "score":
        return _one_decimal(value)
    return str(round(value))


def points_level(points: int) -> tuple[str, int | None]:
    """(the motivation level's name, the points the next one needs or None at the top)."""
    name, nxt = POINT_LEVELS[0][1], None
    for i, (floor, label) in enumerate(POINT_LEVELS):
        if points >= floor:
            name = label
            nxt = POINT_LEVELS[i + 1][0] if i + 1 < len(POINT_LEVELS) else None
    return _(name), nxt


def week_of(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


# --- points -------------------------------------------------------------------------------


def _award(db: Session, user_id: int, kind: str, ref: str, points: int, note: str) -> bool:
    """Adds the entry unless this outcome already counted; True when it is new."""
    exists = db.scalar(
        select(PointEntry.id).where(PointEntry.user_id == user_id, PointEntry.ref == ref)
    )
    if exists is not None:
        return False
    try:
        with db.begin_nested():
            db.add(PointEntry(user_id=user_id, kind=kind, ref=ref, points=points, note=note[:300]))
    except IntegrityError:  # another process counted it at the same moment
        return False
    return True


# recognitions notable enough to reach the team's consoles as a banner
ANNOUNCED = ("level", "contest")


# what each kind of post says; the names and titles fill it in the reader's language
POSTS = {
    "badge": N_("{name} earned the badge «{badge}»"),
    "level": N_("{name} is now {level}"),
    "contest": N_("{name} won «{title}»"),
}


def post_text(kind: str, params: dict[str, str] | None, name: str, stored: str) -> str:
    """A post in the current language, from what it stores rather than the sentence it was
    made with: a board read in English must not show the Russian of the day it was earned.
    A badge is named by its code; a post without `params` (made before they were kept)
    shows its stored sentence."""
    if params is None or kind not in POSTS:
        return stored
    values = dict(params)
    if "badge" in values:
        values["badge"] = badge_name(values["badge"], values.pop("week", ""))
    return _(POSTS[kind], name=name, **values)


def _recognise(db: Session, user_id: int, kind: str, **params: str) -> None:
    """A recognition post; a level or a contest won also goes to the team as a «positive»
    banner, unless the operator has left the leaderboard."""
    name = operators.user_names(db, {user_id}).get(user_id, "")
    text = post_text(kind, params, name, "")
    db.add(Recognition(user_id=user_id, kind=kind, text=text[:500], params=params))
    db.flush()
    if kind not in ANNOUNCED or board_mode(db, user_id) == BoardMode.opt_out:
        return
    user = operators.get_user(db, user_id)
    try:
        broadcasts.do_broadcast(
            db, author_id=None, text=text[:500], team_id=user.team_id, level="positive"
        )
    except Invalid as exc:  # nobody else to tell: the post is still on the board
        if exc.code != "empty_audience":
            raise


def _sync_badges(db: Session, user_id: int) -> list[str]:
    entries = [
        (k, r)
        for k, r in db.execute(
            select(PointEntry.kind, PointEntry.ref).where(PointEntry.user_id == user_id)
        )
    ]
    have = set(db.scalars(select(BadgeAward.badge).where(BadgeAward.user_id == user_id)))
    new = sorted(badges_for(entries) - have)
    for badge in new:
        db.add(BadgeAward(user_id=user_id, badge=badge))
        _recognise(db, user_id, "badge", badge=badge)
    db.flush()
    return new


def do_level_up(db: Session, user_id: int, level_title: str, attestation_id: int) -> None:
    """A passed attestation: points and a post for the operator, points for the mentor."""
    _award(db, user_id, "level", f"level:{attestation_id}", POINTS["level"], level_title)
    _recognise(db, user_id, "level", level=level_title)
    link = db.get(Mentorship, user_id)
    if link is not None:
        name = operators.user_names(db, {user_id}).get(user_id, "")
        _award(
            db,
            link.mentor_id,
            "mentoring",
            f"mentee:{attestation_id}",
            POINTS["mentoring"],
            _("{name} passed the attestation", name=name),
        )
        _sync_badges(db, link.mentor_id)
    _sync_badges(db, user_id)


def do_refresh(db: Session, user_id: int, today: date | None = None) -> int:
    """Counts the operator's outcomes not counted yet; returns the points added."""
    today = today or utcnow().date()
    added = 0

    def award(kind: str, ref: str, points: int, note: str) -> None:
        nonlocal added
        if _award(db, user_id, kind, ref, points, note):
            added += points

    for w in quality_wow.list_wows(db, status="confirmed", limit=1000, operator_id=user_id):
        if w.operator_id == user_id:
            award(
                "wow", f"wow:{w.id}", POINTS["wow"], _("WOW dialogue #{id}", id=w.conversation_id)
            )
    for progress in service.completed_modules(db, user_id):
        award("module", f"module:{progress.module_id}", POINTS["module"], _("Module finished"))
    enrollment = service.enrollment_of_id(db, user_id)
    if enrollment is not None:
        states = service.track_view_of(db, user_id, enrollment.track_id)
        if states and all(s.done for s in states):
            award("track", f"track:{enrollment.track_id}", POINTS["module"], _("Track finished"))
    done_micro = db.scalars(
        select(MicroAssignment.lesson_id).where(
            MicroAssignment.user_id == user_id, MicroAssignment.done_at.is_not(None)
        )
    )
    for lesson_id in done_micro:
        award("micro", f"micro:{lesson_id}", POINTS["micro"], _("Micro-lesson done"))
    # whole ISO weeks that have ended, the last few
    monday = today - timedelta(days=today.weekday())
    week_on_target: date | None = None
    for back in range(1, WEEKS_BACK + 1):
        start = monday - timedelta(weeks=back)
        end = start + timedelta(days=6)
        results = kpi_source.results(db, user_id, start, end)
        for key, points in kpi_points(results).items():
            award("kpi", f"kpi:{key}:{week_of(start)}", points, key)
        if week_on_target is None and week_at_target(results):
            week_on_target = start  # the latest whole week on target
    db.flush()
    _sync_badges(db, user_id)
    _sync_week_badge(db, user_id, week_on_target)
    return added


def _week_posts(db: Session, user_id: int) -> list[Recognition]:
    return [
        r
        for r in db.scalars(
            select(Recognition).where(Recognition.user_id == user_id, Recognition.kind == "badge")
        )
        if (r.params or {}).get("badge") == "kpi_week"
    ]


def _sync_week_badge(db: Session, user_id: int, monday: date | None) -> None:
    """The week badge for the latest whole week on target, its post naming the week. A badge
    given by the former rule (three outcome KPIs of any week, its post naming no week) is
    taken back with its post: it disagreed with /analytics."""
    posts = _week_posts(db, user_id)
    award = db.get(BadgeAward, (user_id, "kpi_week"))
    if award is not None and not any((p.params or {}).get("week") for p in posts):
        for p in posts:
            db.delete(p)
        db.delete(award)
        db.flush()
        award = None
    if award is None and monday is not None:
        db.add(BadgeAward(user_id=user_id, badge="kpi_week"))
        _recognise(db, user_id, "badge", badge="kpi_week", week=monday.isoformat())
    db.flush()


def do_refresh_all(db: Session) -> dict[str, int]:
    """The periodic pass: every active operator's outcomes, then the contests that ended."""
    added = 0
    for user in operators.list_users(db):
        if user.is_active and user.role == Role.operator:
            added += do_refresh(db, user.id)
    return {"points_added": added, "contests_settled": do_settle_contests(db)}


def total_points(db: Session, user_id: int, since: date | None = None) -> int:
    return points_of(db, [user_id], since).get(user_id, 0)


def points_of(db: Session, user_ids: list[int], since: date | None = None) -> dict[int, int]:
    """Each operator's points (since a day), in one grouped read: the board ranks a whole
    floor at once. Operators without points are left out."""
    stmt = (
        select(PointEntry.user_id, func.sum(PointEntry.points))
        .where(PointEntry.user_id.in_(user_ids))
        .group_by(PointEntry.user_id)
    )
    if since is not None:
        stmt = stmt.where(PointEntry.created_at >= _midnight(since))
    return {user_id: int(points or 0) for user_id, points in db.execute(stmt)}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def recent_points(db: Session, user_id: int, limit: int = 20) -> list[PointEntry]:
    return list(
        db.scalars(
            select(PointEntry)
            .where(PointEntry.user_id == user_id)
            .order_by(PointEntry.id.desc())
            .limit(limit)
        )
    )


def badges_of(db: Session, user_id: int) -> list[tuple[str, str, Any]]:
    """(badge key, its name, when earned); the week badge names its week."""
    rows = list(
        db.scalars(
            select(BadgeAward).where(BadgeAward.user_id == user_id).order_by(BadgeAward.earned_at)
        )
    )
    weeks = [(p.params or {}).get("week", "") for p in _week_posts(db, user_id)] if rows else []
    week = next((w for w in reversed(weeks) if w), "")
    return [(b.badge, badge_name(b.badge, week), b.earned_at) for b in rows]


# --- contests -----------------------------------------------------------------------------


def do_create_contest(db: Session, by: User, data: dict[str, Any]) -> Contest:
    if not operators.has_role(by, Role.supervisor):
        raise Forbidden("Only supervisors set contests")
    title = str(data.get("title", "")).strip()
    kpi = str(data.get("kpi", "")).strip()
    if not 0 < len(title) <= MAX_TITLE:
        raise Invalid("A contest needs a title", code="invalid_contest")
    known = kpi_source.known()
    if kpi not in known or kpi == "contacts":
        raise Invalid("Unknown KPI {kpi}", kpi=kpi, code="invalid_contest")
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts, date) or not isinstance(ends, date) or ends < starts:
        raise Invalid("A contest needs a start and an end after it", code="invalid_contest")
    if (ends - starts).days > 92:
        raise Invalid("A contest lasts at most three months", code="invalid_contest")
    team_id = data.get("team_id")
    if team_id is not None and not any(t.id == team_id for t in operators.list_teams(db)):
        raise NotFound("Team not found")
    try:
        target = float(data["target"])
        points = int(data.get("points", 50))
    except (KeyError, TypeError, ValueError):
        raise Invalid("The bar and the points are numbers", code="invalid_contest") from None
    if target < 0 or not 1 <= points <= 1000:
        raise Invalid("The bar is ≥ 0 and the points 1–1000", code="invalid_contest")
    contest = Contest(
        title=title,
        kpi=kpi,
        target=target,
        starts_on=starts,
        ends_on=ends,
        team_id=team_id,
        points=points,
        created_by=by.id,
    )
    db.add(contest)
    db.flush()
    return contest


def get_contest(db: Session, contest_id: int) -> Contest:
    found = db.get(Contest, contest_id)
    if found is None:
        raise NotFound("Contest not found")
    return found


def list_contests(
    db: Session, today: date | None = None, current_only: bool = False
) -> list[Contest]:
    today = today or utcnow().date()
    stmt = select(Contest).order_by(Contest.ends_on.desc(), Contest.id.desc()).limit(50)
    if current_only:
        stmt = stmt.where(Contest.starts_on <= today, Contest.ends_on >= today)
    return list(db.scalars(stmt))


def _participants(db: Session, contest: Contest) -> list[User]:
    return [
        u
        for u in operators.list_users(db)
        if u.is_active
        and u.role == Role.operator
        and (contest.team_id is None or u.team_id == contest.team_id)
    ]


@dataclass(frozen=True)
class Standing:
    user: User
    value: float | None
    met: bool
    contacts: int
    unit: str = ""

    @property
    def text(self) -> str:
        """The figure with its unit («7:04», «81,3 %», «4,4»)."""
        return value_text(self.value, self.unit)


def meets(contest: Contest, r: KpiResult | None) -> bool:
    """The contest's own bar in the KPI's direction («ACW under 10 s»)."""
    if r is None or r.value is None or r.contacts < MIN_CONTACTS:
        return False
    return r.value >= contest.target if r.higher_is_better else r.value <= contest.target


def standings(db: Session, contest: Contest, today: date | None = None) -> list[Standing]:
    today = today or utcnow().date()
    end = min(contest.ends_on, today)
    out = []
    for user in _participants(db, contest):
        figures = {r.key: r for r in kpi_source.results(db, user.id, contest.starts_on, end)}
        out.append(_standing(contest, user, figures.get(contest.kpi)))
    out.sort(key=lambda s: (not s.met, s.value is None, s.user.display_name))
    return out


def my_standing(db: Session, contest: Contest, user: User, today: date | None = None) -> Standing:
    """The viewer's own figure in a contest (colleagues' figures are not shown)."""
    today = today or utcnow().date()
    end = min(contest.ends_on, today)
    figures = {r.key: r for r in kpi_source.results(db, user.id, contest.starts_on, end)}
    return _standing(contest, user, figures.get(contest.kpi))


def _standing(contest: Contest, user: User, r: KpiResult | None) -> Standing:
    if r is None:
        return Standing(user, None, meets(contest, r), 0)
    return Standing(user, r.value, meets(contest, r), r.contacts, r.unit)


def do_settle_contests(db: Session, today: date | None = None) -> int:
    """Contests that ended: points and a post for everyone who met the bar; once each."""
    today = today or utcnow().date()
    settled = 0
    for contest in db.scalars(
        select(Contest).where(Contest.ends_on < today, Contest.settled_at.is_(None))
    ):
        for s in standings(db, contest, today):
            if s.met and _award(
                db, s.user.id, "contest", f"contest:{contest.id}", contest.points, contest.title
            ):
                _recognise(db, s.user.id, "contest", title=contest.title)
                _sync_badges(db, s.user.id)
        contest.settled_at = utcnow()
        settled += 1
    db.flush()
    return settled


# --- the leaderboard ---------------------------------------------------------------------


def board_mode(db: Session, user_id: int) -> str:
    pref = db.get(BoardPreference, user_id)
    return pref.mode if pref is not None else BoardMode.public


def do_set_board_mode(db: Session, user: User, mode: str) -> BoardPreference:
    try:
        wanted = BoardMode(mode)
    except ValueError:
        raise Invalid("Unknown leaderboard mode {mode}", mode=mode, code="invalid_mode") from None
    pref = db.get(BoardPreference, user.id)
    if pref is None:
        pref = BoardPreference(user_id=user.id, mode=wanted)
        db.add(pref)
    pref.mode = wanted
    db.flush()
    return pref


@dataclass(frozen=True)
class BoardRow:
    place: int
    name: str  # empty: a colleague in private mode
    points: int
    me: bool


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]  # what this viewer may see
    my_place: int | None
    mode: str
    team: str


BOARD_DAYS = 30


def board_team(viewer: User, team_id: int | None = None) -> int | None:
    """Whose board a viewer sees: an operator in a team sees that team's, whatever is
    asked; a viewer in no team (a supervisor over the floor) the team asked for, or all."""
    return viewer.team_id if viewer.team_id is not None else team_id


def board(
    db: Session, viewer: User, today: date | None = None, team_id: int | None = None
) -> Board:
    """The team's operators (`board_team`) over the last days by points; a viewer in no
    team asking for none (a supervisor over the whole floor, a center without teams) ranks
    every operator, as the posts under the board show everyone's. Opted-out operators are
    not ranked (and see no board); private ones are ranked without their name, and see
    only their own place."""
    today = today or utcnow().date()
    since = today - timedelta(days=BOARD_DAYS)
    scope = board_team(viewer, team_id)
    teams = {t.id: t.name for t in operators.list_teams(db)}
    if viewer.team_id is None and team_id is not None and team_id not in teams:
        raise NotFound("Team not found")
    members = [
        u
        for u in operators.list_users(db)
        if u.is_active and u.role == Role.operator and (scope is None or u.team_id == scope)
    ]
    prefs = {
        p.user_id: p.mode
        for p in db.scalars(
            select(BoardPreference).where(BoardPreference.user_id.in_({u.id for u in members}))
        )
    }
    ranked = [u for u in members if prefs.get(u.id, BoardMode.public) != BoardMode.opt_out]
    totals = points_of(db, [u.id for u in ranked], since)
    scored = sorted(
        ((totals.get(u.id, 0), u) for u in ranked),
        key=lambda x: (-x[0], x[1].display_name),
    )
    rows = []
    for place, (points, u) in enumerate(scored, start=1):
        private = prefs.get(u.id, BoardMode.public) == BoardMode.private
        rows.append(
            BoardRow(
                place,
                "" if private and u.id != viewer.id else u.display_name,
                points,
                u.id == viewer.id,
            )
        )
    mode = prefs.get(viewer.id, board_mode(db, viewer.id))
    mine = next((r.place for r in rows if r.me), None)
    team = teams.get(scope, "") if scope is not None else ""
    if mode == BoardMode.opt_out:
        return Board([], None, mode, team)
    if mode == BoardMode.private:
        return Board([r for r in rows if r.me], mine, mode, team)
    return Board(rows, mine, mode, team)


def recognitions(
    db: Session, team_id: int | None = None, limit: int = 20
) -> list[tuple[Recognition, str]]:
    """The latest posts with their text in the current language, of one team when given;
    opted-out operators are not posted about."""
    rows = list(db.scalars(select(Recognition).order_by(Recognition.id.desc()).limit(limit * 3)))
    users = operators.users_by_id(db, {r.user_id for r in rows})
    hidden = set(
        db.scalars(select(BoardPreference.user_id).where(BoardPreference.mode == BoardMode.opt_out))
    )
    out = [
        (r, post_text(r.kind, r.params, users[r.user_id].display_name, r.text))
        for r in rows
        if r.user_id in users
        and r.user_id not in hidden
        and (team_id is None or users[r.user_id].team_id == team_id)
    ]
    return out[:limit]
