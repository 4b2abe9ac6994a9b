"""Points reward outcomes, never volume: property tests of the pure rules (more
conversations, repeated attempts or a counted outcome seen again add nothing), and the
database pass that counts each outcome once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.quality.factories import dialogue
from tests.quality.test_wow import TZ, WOW
from wowdesk.db import local_today
from wowdesk.quality import autoqa, wow
from wowdesk.training import kpi_source, motivation
from wowdesk.training.kpi_source import KpiResult

KEYS = ["contacts", "aht", "acw", "adherence", "csat", "qa_score", "frt"]

result = st.builds(
    KpiResult,
    key=st.sampled_from(KEYS),
    label=st.just(""),
    value=st.one_of(st.none(), st.floats(0, 1000, allow_nan=False)),
    target=st.one_of(st.none(), st.floats(0, 1000, allow_nan=False)),
    higher_is_better=st.booleans(),
    unit=st.just("seconds"),
    contacts=st.integers(0, 500),
)


@given(st.lists(result, max_size=8), st.integers(1, 10_000))
def test_more_conversations_never_earn_more_points(results: list[KpiResult], extra: int) -> None:
    """The same figures over more conversations give the same points: the number of
    contacts is only a floor against luck, never a multiplier."""
    eligible = [r for r in results if r.contacts >= motivation.MIN_CONTACTS]
    busier = [
        KpiResult(r.key, r.label, r.value, r.target, r.higher_is_better, r.unit, r.contacts + extra)
        for r in eligible
    ]
    assert motivation.kpi_points(busier) == motivation.kpi_points(eligible)
    points = motivation.kpi_points(results)
    assert "contacts" not in points  # volume itself never pays
    assert all(k in motivation.OUTCOME_KPIS for k in points)
    for key in points:  # an outcome KPI met over enough conversations, nothing else
        assert any(
            r.key == key and r.met and r.contacts >= motivation.MIN_CONTACTS for r in results
        )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["kpi", "wow", "module", "micro", "level", "mentoring", "contest"]),
            st.integers(1, 20),
        ),
        max_size=30,
    ),
    st.integers(2, 6),
)
def test_an_outcome_seen_again_earns_no_new_badge(
    outcomes: list[tuple[str, int]], times: int
) -> None:
    entries = [(kind, f"{kind}:{n}:2026-W01") for kind, n in outcomes]
    assert motivation.badges_for(entries * times) == motivation.badges_for(entries)


def test_levels_by_points() -> None:
    assert motivation.points_level(0) == ("Новичок", 100)
    assert motivation.points_level(150)[1] == 300
    assert motivation.points_level(10_000)[1] is None


@pytest.fixture
def kpis() -> Iterator[dict[int, list[KpiResult]]]:
    """A KPI source the test fills per operator (restored afterwards)."""
    figures: dict[int, list[KpiResult]] = {}
    saved = dict(kpi_source._sources), kpi_source.known()
    kpi_source.register(lambda _db, uid, _s, _e: figures.get(uid, []), {k: k for k in KEYS})
    yield figures
    kpi_source._sources.clear()
    kpi_source._sources.update(saved[0])
    kpi_source.register(kpi_source._sources.get("kpis", lambda *_: []), saved[1])


def test_each_outcome_counts_once_and_busy_is_not_better(
    db: Session, kpis: dict[int, list[KpiResult]]
) -> None:
    steady, busy = make_user(db), make_user(db)
    good = KpiResult("acw", "ACW", 8.0, 10.0, False, "seconds", 6)
    kpis[steady.id] = [good, KpiResult("contacts", "", 6, None, True, "count", 6)]
    kpis[busy.id] = [
        KpiResult("acw", "ACW", 12.0, 10.0, False, "seconds", 600),  # above target
        KpiResult("contacts", "", 600, None, True, "count", 600),
    ]
    today = date(2026, 12, 4)
    first = motivation.do_refresh(db, steady.id, today)
    assert first == motivation.POINTS["kpi"] * motivation.WEEKS_BACK  # one per past week
    assert motivation.do_refresh(db, steady.id, today) == 0  # counted once
    assert motivation.do_refresh(db, busy.id, today) == 0  # a hundred times the work, off target
    assert motivation.total_points(db, steady.id) > motivation.total_points(db, busy.id)


def test_a_contest_pays_those_who_met_its_bar_once(
    db: Session, kpis: dict[int, list[KpiResult]]
) -> None:
    boss, fast, slow = make_user(db, "supervisor"), make_user(db), make_user(db)
    kpis[fast.id] = [KpiResult("acw", "ACW", 9.0, 30.0, False, "seconds", 10)]
    kpis[slow.id] = [KpiResult("acw", "ACW", 14.0, 30.0, False, "seconds", 50)]
    start = date(2026, 11, 23)
    contest = motivation.do_create_contest(
        db, boss,
        {"title": "ACW < 10 с", "kpi": "acw", "target": 10, "starts_on": start,
         "ends_on": start + timedelta(days=6), "points": 40},
    )  # fmt: skip
    assert motivation.my_standing(db, contest, fast, date(2026, 11, 25)).met
    assert not motivation.my_standing(db, contest, slow, date(2026, 11, 25)).met
    assert motivation.do_settle_contests(db, date(2026, 12, 4)) == 1
    assert motivation.do_settle_contests(db, date(2026, 12, 5)) == 0
    assert motivation.total_points(db, fast.id) == 40 and motivation.total_points(db, slow.id) == 0
    assert "contest" in {k for k, _n, _t in motivation.badges_of(db, fast.id)}
    assert contest.settled_at is not None


def test_a_confirmed_wow_earns_points_once_and_a_badge(
    db: Session, kpis: dict[int, list[KpiResult]]
) -> None:
    anna, boss = make_user(db, name="Анна"), make_user(db, "supervisor")
    make_user(db)  # a colleague for the announcement
    conv = dialogue(db, WOW, operator=anna, csat=5)
    autoqa.do_score(db, autoqa.Scorer(), conv)
    wow.do_find(db, local_today(TZ), TZ)
    assert motivation.do_refresh(db, anna.id) == 0  # a candidate is not an outcome yet
    candidate = wow.list_wows(db, "candidate")[0]
    wow.do_decide(db, boss, candidate.id, confirm=True)
    assert motivation.do_refresh(db, anna.id) == motivation.POINTS["wow"]
    assert motivation.do_refresh(db, anna.id) == 0
    assert "wow" in {k for k, _n, _t in motivation.badges_of(db, anna.id)}


def test_posts_are_read_in_the_readers_language(db: Session) -> None:
    """A post earned while the server spoke Russian reads in English on an English board,
    and a post kept before posts kept what they say shows its stored sentence."""
    from wowdesk.i18n import activate
    from wowdesk.training.models import Recognition

    anna = make_user(db, name="Анна Смирнова")
    make_user(db)  # a colleague for the announcement
    activate("ru")
    try:
        motivation.do_level_up(db, anna.id, "Старший оператор", attestation_id=1)
        db.add(Recognition(user_id=anna.id, kind="level", text="Анна Смирнова — давняя запись"))
        db.flush()
        russian = [text for _r, text in motivation.recognitions(db)]
        assert "Анна Смирнова теперь Старший оператор" in russian
        assert "Анна Смирнова получает значок «Повышение»" in russian
        activate("en")
        english = [text for _r, text in motivation.recognitions(db)]
        assert "Анна Смирнова is now Старший оператор" in english
        assert "Анна Смирнова earned the badge «Promoted»" in english
        assert "Анна Смирнова — давняя запись" in english
    finally:
        activate("ru")


def test_a_viewer_in_no_team_ranks_every_operator(
    db: Session, kpis: dict[int, list[KpiResult]]
) -> None:
    """A supervisor over the whole floor saw «nobody on the board yet» while the posts under
    it named everyone: the board ranked only operators in no team, like the viewer."""
    from wowdesk.operators import service as operators

    first, second = operators.do_create_team(db, "Первая"), operators.do_create_team(db, "Вторая")
    anna = operators.do_create_user(
        db, username="anna-b", display_name="Анна", role="operator", password="pw-12345678",
        team_id=first.id,
    )  # fmt: skip
    boris = operators.do_create_user(
        db, username="boris-b", display_name="Борис", role="operator", password="pw-12345678",
        team_id=second.id,
    )  # fmt: skip
    boss = make_user(db, "supervisor")
    good = KpiResult("acw", "ACW", 8.0, 10.0, False, "seconds", 6)
    kpis[anna.id] = [good, KpiResult("contacts", "", 6, None, True, "count", 6)]
    kpis[boris.id] = [good, KpiResult("contacts", "", 6, None, True, "count", 6)]
    today = date(2026, 12, 4)
    for user in (anna, boris):
        motivation.do_refresh(db, user.id, today)
    floor = motivation.board(db, boss, today)
    assert sorted(r.name for r in floor.rows) == ["Анна", "Борис"]
    assert all(r.points > 0 for r in floor.rows) and floor.my_place is None
    assert [r.name for r in motivation.board(db, anna, today).rows] == ["Анна"]
    # the supervisor picks a team; an operator in a team keeps seeing their own
    second_only = motivation.board(db, boss, today, team_id=second.id)
    assert [r.name for r in second_only.rows] == ["Борис"] and second_only.team == "Вторая"
    assert [r.name for r in motivation.board(db, anna, today, team_id=second.id).rows] == ["Анна"]


def test_the_board_ranks_each_operator_by_their_own_points_in_the_window(db: Session) -> None:
    """The board reads the whole floor's points at once: each row must still carry that
    operator's points of the last BOARD_DAYS only, zero for one without any."""
    from datetime import UTC, datetime

    from wowdesk.training.models import PointEntry

    today = date(2026, 12, 4)
    anna, boris, vera = (make_user(db, "operator") for _ in range(3))
    recent = datetime(2026, 12, 1, tzinfo=UTC)
    old = datetime(2026, 10, 1, tzinfo=UTC)
    for user, points, when in [(anna, 5, recent), (anna, 7, recent), (anna, 100, old),
                               (boris, 20, recent), (vera, 50, old)]:  # fmt: skip
        db.add(PointEntry(user_id=user.id, kind="kpi", ref=f"{points}:{when}", points=points,
                          created_at=when))  # fmt: skip
    db.flush()
    boss = make_user(db, "supervisor")
    rows = {r.name: r for r in motivation.board(db, boss, today).rows}
    expected = {boris.display_name: 20, anna.display_name: 12, vera.display_name: 0}
    assert {name: rows[name].points for name in expected} == expected
    assert rows[boris.display_name].place < rows[anna.display_name].place
    assert rows[anna.display_name].place < rows[vera.display_name].place
    since = today - timedelta(days=motivation.BOARD_DAYS)
    assert motivation.total_points(db, anna.id, since) == 12
    assert motivation.total_points(db, anna.id) == 112
