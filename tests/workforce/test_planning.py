"""Forecast, planned agents and staffing per half hour, on a known weekly pattern."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_user, assert_json_error, login, make_user
from wowdesk.analytics.models import KpiInterval
from wowdesk.errors import Invalid
from wowdesk.http import tables
from wowdesk.operators import schedule as service
from wowdesk.workforce import erlang, forecast
from wowdesk.workforce import service as planning

TODAY = date(2026, 11, 23)  # a Monday
TZ = "Europe/Moscow"


def profile(day: date, slot: int) -> float:
    """Busy in the day, quieter at weekends: the shape a chat line has."""
    hour = slot / 2
    daytime = max(0.0, np.sin(np.pi * (hour - 7) / 15)) if 7 <= hour <= 22 else 0.0
    return 40 * daytime * (0.7 if day.weekday() >= 5 else 1.0)


def fill(db: Session, weeks: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    for d in range(weeks * 7):
        day = TODAY - timedelta(days=weeks * 7 - d)
        for slot in range(48):
            n = int(rng.poisson(profile(day, slot)))
            if n:
                db.add(
                    KpiInterval(
                        day=day,
                        slot=slot,
                        channel="web",
                        contacts=n,
                        offered=n,
                        handled=n,
                        handle_seconds=n * 300.0,
                    )
                )
    db.flush()


def test_forecast_follows_the_week_and_reports_its_holdout_error(db: Session) -> None:
    fill(db, weeks=8)
    f = forecast.forecast(db, days=7, today=TODAY)
    assert f.volumes.shape == (7, 48) and f.first_day == TODAY + timedelta(days=1)
    assert f.holdout is not None and f.holdout.wape < 0.2
    assert f.model in ("holt_winters", "seasonal_naive")
    assert f.holdout.wape <= f.holdout.baseline_wape or f.model == "seasonal_naive"
    expected = np.array(
        [[profile(f.first_day + timedelta(days=d), s) for s in range(48)] for d in range(7)]
    )
    assert np.abs(f.volumes - expected).sum() / expected.sum() < 0.2
    # each day keeps its weekday: a forecast a day off puts Friday's crowd on Saturday
    per_day = f.volumes.sum(axis=1) / expected.sum(axis=1)
    assert per_day == pytest.approx(np.ones(7), abs=0.12)
    assert f.aht == pytest.approx(300.0)


def test_a_young_installation_gets_a_naive_forecast_without_error_figures(db: Session) -> None:
    fill(db, weeks=1)
    f = forecast.forecast(db, days=2, today=TODAY)
    assert f.holdout is None and f.model == "seasonal_naive" and f.volumes.sum() > 0


def test_plan_compares_required_with_planned_agents(db: Session) -> None:
    fill(db, weeks=4)
    anna = make_user(db)
    tomorrow = TODAY + timedelta(days=1)
    nine = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    service.do_add_shift(db, anna.id, nine, nine + timedelta(hours=8))
    service.do_add_shift(
        db, make_user(db).id, nine + timedelta(minutes=15), nine + timedelta(hours=1)
    )
    plan = planning.staffing_plan(
        db, tomorrow, today=TODAY, timezone=TZ, sl_target=0.8, target_seconds=20, shrinkage=0.3
    )
    by_start = {i.start: i for i in plan.intervals}
    assert len(plan.intervals) == 48
    assert by_start["09:00"].planned == 1.5 and by_start["09:30"].planned == 2
    assert by_start["17:00"].planned == 0 and by_start["03:00"].volume < 1
    busy = by_start["14:00"]
    assert busy.scheduled_agents >= busy.agents > 0 and busy.service_level >= 0.8
    with pytest.raises(Invalid):
        planning.staffing_plan(
            db, TODAY + timedelta(days=30), today=TODAY, timezone=TZ, sl_target=0.8,
            target_seconds=20, shrinkage=0.3,
        )  # fmt: skip
    with pytest.raises(Invalid):
        service.do_add_shift(db, anna.id, nine, nine - timedelta(hours=1))


def test_staffing_api_is_for_supervisors(client: TestClient) -> None:
    login(client, add_user(client))
    assert_json_error(client.get("/api/v1/workforce/staffing"), 403)
    login(client, add_user(client, role="supervisor"))
    plan = client.get("/api/v1/workforce/staffing").json()
    assert len(plan["intervals"]) == 48 and plan["holdout"] is None  # no history yet
    assert plan["sl_target"] == 0.8 and plan["shrinkage"] == 0.3
    assert_json_error(client.get("/api/v1/workforce/staffing?day=2001-01-01"), 422)
    got = client.get("/api/v1/workforce/staffing.csv")
    lines = got.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("start,volume,aht_seconds,agents") and len(lines) == 49
    book = tables.read_xlsx(client.get("/api/v1/workforce/staffing.xlsx").content)
    assert book[0][0] == "start" and len(book) == 49
    page = client.get("/workforce")
    assert page.status_code == 200 and "/static/js/workforce.js" in page.text


def test_service_level_is_the_schedules_and_the_required_counts_apart(db: Session) -> None:
    """`service_level` is what the required agents would give (the target met); the page's
    «по графику» column is `planned_service_level`, Erlang C with the agents the shifts put
    on the line: nobody scheduled where contacts come is 0, never the target's 96 %."""
    fill(db, weeks=4)
    tomorrow = TODAY + timedelta(days=1)
    nine = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    for _ in range(14):
        service.do_add_shift(db, make_user(db).id, nine, nine + timedelta(hours=8))
    plan = planning.staffing_plan(
        db, tomorrow, today=TODAY, timezone=TZ, sl_target=0.8, target_seconds=20, shrinkage=0.3
    )
    by_start = {i.start: i for i in plan.intervals}
    # 20:00: contacts come, nobody is on shift
    evening = by_start["20:00"]
    assert evening.volume > 1 and evening.planned == 0
    assert evening.service_level >= 0.8 and evening.planned_service_level == 0
    # 14:00: fourteen on shift, 9.8 of them on the line after shrinkage (13 required)
    busy = by_start["14:00"]
    assert busy.planned == 14 and busy.planned >= busy.scheduled_agents
    a = erlang.traffic_intensity(busy.volume, busy.aht_seconds, 30)
    low, high = (erlang.service_level(n, a, busy.aht_seconds, 20) for n in (9, 10))
    assert busy.planned_service_level == pytest.approx(low + 0.8 * (high - low), abs=1e-3)
    assert busy.planned_service_level >= busy.service_level >= 0.8
    # a half hour with no contacts is served whoever is there
    night = by_start["03:00"]
    if night.volume == 0:
        assert night.planned_service_level == 1


def test_staffing_api_and_files_carry_the_schedules_service_level(client: TestClient) -> None:
    login(client, add_user(client, role="supervisor"))
    plan = client.get("/api/v1/workforce/staffing").json()
    assert {"service_level", "planned_service_level"} <= set(plan["intervals"][0])
    header = client.get("/api/v1/workforce/staffing.csv").content.decode("utf-8-sig")
    assert header.splitlines()[0].endswith(",service_level,occupancy,planned_service_level")


@pytest.mark.parametrize(
    ("path", "here", "other"),
    [
        ("/workforce", "/workforce", "/workforce/schedule"),
        ("/workforce/schedule", "/workforce/schedule", "/workforce"),
    ],
)
def test_workforce_pages_have_a_plain_heading_and_a_sub_navigation(
    client: TestClient, path: str, here: str, other: str
) -> None:
    login(client, add_user(client, role="supervisor"))
    html = client.get(path).text
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert h1 is not None and "<a" not in h1.group(1)
    assert h1.group(1).strip() in ("Потребность в операторах", "График")
    nav = re.search(
        r'<nav class="qa-nav"[^>]*data-testid="workforce-nav"[^>]*>(.*?)</nav>', html, re.S
    )
    assert nav is not None
    assert f'href="{other}"' in nav.group(1)
    assert re.search(rf'href="{here}"[^>]*aria-current="page"', nav.group(1))
