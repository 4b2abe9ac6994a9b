"""What /training says to whom, and the motivation figures as /analytics reads them: an
operator whose level is known is not sent to the entry test; supervisors and admins are not
on the operators' career track; the week badge checks a week with data against the same
targets as /analytics' «Операторов в норме» and names the week; a contest's figure carries
its KPI's unit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import login, make_user
from wowdesk.analytics import overview
from wowdesk.training import career, kpi_source, motivation
from wowdesk.training.kpi_source import KpiResult
from wowdesk.training.models import Career, Contest, Recognition

HTML = {"accept": "text/html"}
ENTRY_LINE = "Начните с входного тестирования"


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _levels(db: Session) -> dict[str, int]:
    return {lv.slug: lv.id for lv in career.levels(db)}


def test_an_operator_whose_level_is_known_is_not_sent_to_the_entry_test(
    client: TestClient,
) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        anna = make_user(db, name="Анна Смирнова")
        db.add(Career(user_id=anna.id, level_id=_levels(db)["senior"]))
        newcomer = make_user(db)
        anna_login, newcomer_login = anna.username, newcomer.username
        db.commit()
    login(client, anna_login)
    page = _text(client.get("/training", headers=HTML).text)
    assert ENTRY_LINE not in page
    assert "старший оператор" in page and "наставник" in page  # her step and the next one
    login(client, newcomer_login)
    assert ENTRY_LINE in _text(client.get("/training", headers=HTML).text)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_are_not_on_the_operators_career_track(client: TestClient, role: str) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        boss = make_user(db, role)
        boss_login = boss.username
        db.commit()
    login(client, boss_login)
    page = _text(client.get("/training", headers=HTML).text)
    assert "Карьерная ступень" not in page and ": стажёр" not in page
    assert "Роль: " + {"supervisor": "супервайзер", "admin": "администратор"}[role] in page
    assert ENTRY_LINE not in page
    career_page = client.get("/training/career", headers=HTML).text
    assert 'data-testid="career-mine"' not in career_page  # «вы здесь» on «стажёр»
    assert 'data-testid="career-attest"' not in career_page


@pytest.fixture
def kpis() -> Iterator[dict[int, list[KpiResult]]]:
    figures: dict[int, list[KpiResult]] = {}
    saved = dict(kpi_source._sources), kpi_source.known()
    keys = ["aht", "acw", "adherence", "csat", "fcr", "qa_score"]
    kpi_source.register(lambda _db, uid, _s, _e: figures.get(uid, []), {k: k for k in keys})
    yield figures
    kpi_source._sources.clear()
    kpi_source._sources.update(saved[0])
    kpi_source.register(kpi_source._sources.get("kpis", lambda *_: []), saved[1])


def _r(key: str, value: float | None, target: float | None, higher: bool, contacts: int = 20):
    unit = {"aht": "seconds", "acw": "seconds", "csat": "score"}.get(key, "share")
    return KpiResult(key, key, value, target, higher, unit, contacts)


def test_the_week_badge_uses_the_analytics_scorecard() -> None:
    assert motivation.WEEK_SCORECARD == overview.SCORECARD


def test_the_week_badge_needs_every_scorecard_kpi_at_target_in_a_week_with_data(
    db: Session, kpis: dict[int, list[KpiResult]]
) -> None:
    """Three quick outcome KPIs used to earn «Неделя в таргете» with CSAT and FCR below
    target (what /analytics counts as not «в норме»); an empty week earns nothing."""
    slow_fcr, good, idle = make_user(db), make_user(db), make_user(db)
    make_user(db)  # a colleague for the posts
    quick = [
        _r("aht", 300, 480, False),
        _r("acw", 20, 60, False),
        _r("adherence", 0.95, 0.9, True),
        _r("qa_score", 0.9, 0.8, True),
    ]
    kpis[slow_fcr.id] = [*quick, _r("csat", 4.0, 4.5, True), _r("fcr", 0.6, 0.8, True)]
    kpis[good.id] = [*quick, _r("csat", 4.7, 4.5, True), _r("fcr", 0.85, 0.8, True)]
    kpis[idle.id] = [_r(k, None, 1.0, True, contacts=0) for k in ("aht", "csat", "fcr")]
    today = date(2026, 12, 7)  # a Monday: the last whole week is 30.11–06.12
    for u in (slow_fcr, good, idle):
        motivation.do_refresh(db, u.id, today)
    have = {u.id: {k for k, _n, _t in motivation.badges_of(db, u.id)} for u in (slow_fcr, good)}
    assert "kpi_week" not in have[slow_fcr.id]
    assert "kpi_week" in have[good.id]
    assert "kpi_week" not in {k for k, _n, _t in motivation.badges_of(db, idle.id)}
    names = {k: n for k, n, _t in motivation.badges_of(db, good.id)}
    assert "за 30.11–06.12" in names["kpi_week"]
    posts = [t for r, t in motivation.recognitions(db) if r.user_id == good.id]
    assert any("за 30.11–06.12" in t for t in posts), posts
    assert not [r for r in db.query(Recognition) if r.user_id in (slow_fcr.id, idle.id)]


@pytest.mark.parametrize(
    ("kpi", "value", "shown"),
    [
        ("aht", 424.4, "7:04"),
        ("acw", 64.4, "64 с"),
        ("csat", 4.43, "4,4"),
        ("fcr", 0.8125, "81,3 %"),
    ],
)
def test_a_contests_figure_has_its_unit(
    client: TestClient, kpis: dict[int, list[KpiResult]], kpi: str, value: float, shown: str
) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        anna, boss = make_user(db), make_user(db, "supervisor")
        higher = kpi in ("csat", "fcr")
        kpis[anna.id] = [_r(kpi, value, None, higher)]
        db.add(
            Contest(
                title="Конкурс", kpi=kpi, target=1, starts_on=date(2026, 1, 1),
                ends_on=date(2099, 1, 1), team_id=None, points=50, created_by=boss.id,
            )
        )  # fmt: skip
        anna_login = anna.username
        db.commit()
    login(client, anna_login)
    page = client.get("/training/board", headers=HTML).text
    mine = re.search(r'data-testid="contest-mine">([^<]*)<', page)
    assert mine is not None
    assert mine.group(1).split(" ✓")[0].split(" ✗")[0].strip() == shown
