"""Each KPI on a hand-built history with known answers, including the edge cases: no
operator reply, wrap-up still pending, an abandoned and a still-waiting contact, a transfer,
a repeat contact within 7 days, and a contact after local midnight that is still the day
before in UTC."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.analytics.history import build
from wowdesk.analytics import service
from wowdesk.analytics.definitions import KPIS
from wowdesk.errors import Invalid

DAY = date(2026, 11, 10)
TZ = "Europe/Moscow"


def refresh(db: Session, start: date = DAY, end: date = date(2026, 11, 14)) -> None:
    service.do_refresh(db, start, end, sl_seconds=20, timezone=TZ)


def test_every_kpi_of_one_day(db: Session) -> None:
    build(db)
    refresh(db)
    [total] = service.summarize(db, DAY, DAY, timezone=TZ)
    v = total.values
    assert v["contacts"] == 5  # c1 c2 c3 c4 c6; c8 belongs to the 11th in Moscow
    assert v["asa"] == pytest.approx(30)  # (10 + 50) / 2 answered
    assert v["service_level"] == pytest.approx(1 / 3)  # c1 in 20 s of c1, c2 and abandoned c3
    assert v["abandonment"] == pytest.approx(1 / 3)
    assert v["aht"] == pytest.approx((360 + 150) / 2)  # c2's wrap-up pending: until its close
    assert v["acw"] == pytest.approx(60)  # only c1 finished its wrap-up
    assert v["frt"] == pytest.approx(40)  # c2 never got an operator reply: not counted
    assert v["csat"] == pytest.approx(3.5)
    assert v["csat_good"] == pytest.approx(0.5)
    assert v["fcr"] == pytest.approx(0.5)  # c1's customer came back on the topic in 3 days
    assert v["containment"] == pytest.approx(0.5)  # the bot answered c1 and c4, closed c4
    assert v["transfer_rate"] == pytest.approx(0.5)
    assert set(v) == {k.key for k in KPIS}


def test_operators_teams_days_and_occupancy(db: Session) -> None:
    ids = build(db)
    refresh(db)
    rows = {r.key: r for r in service.summarize(db, DAY, DAY, group="operator", timezone=TZ)}
    anna, boris = rows[str(ids["anna"])], rows[str(ids["boris"])]
    assert anna.values["aht"] == pytest.approx(360) and boris.values["aht"] == pytest.approx(150)
    # 360 s handled over 2 h on the line (occupancy: handle time / time available)
    assert anna.values["occupancy"] == pytest.approx(360 / 7200)
    assert boris.values["occupancy"] is None  # never online: no occupancy rather than ∞
    assert anna.values["adherence"] == pytest.approx(6300 / 7200)
    assert boris.values["adherence"] is None  # no shift planned
    assert rows["0"].values["contacts"] == 3  # the bot's and the queue's own

    team = service.Filters(team_id=ids["team"])
    [only_anna] = service.summarize(db, DAY, DAY, filters=team, timezone=TZ)
    assert only_anna.sums["handled"] == 1 and only_anna.values["aht"] == pytest.approx(360)

    days = service.summarize(db, DAY, date(2026, 11, 14), group="day", timezone=TZ)
    assert [r.key for r in days] == ["2026-11-10", "2026-11-11", "2026-11-13"]
    assert [r.values["contacts"] for r in days] == [5, 1, 1]
    [week] = service.summarize(db, DAY, date(2026, 11, 14), group="week", timezone=TZ)
    assert week.key == "2026-11-09" and week.values["contacts"] == 7


def test_refresh_is_repeatable_and_follows_new_facts(db: Session) -> None:
    build(db)
    refresh(db)
    first = service.summarize(db, DAY, DAY, timezone=TZ)[0].values
    refresh(db)
    assert service.summarize(db, DAY, DAY, timezone=TZ)[0].values == first
    assert service.do_refresh_recent(db, sl_seconds=20, timezone=TZ) > 0


def test_targets_default_then_all_channels_then_one_channel(db: Session) -> None:
    assert service.targets(db)["service_level"] == 0.8
    service.do_set_target(db, "service_level", "", 0.9)
    service.do_set_target(db, "service_level", "telegram", 0.7)
    assert service.targets(db, "web")["service_level"] == 0.9
    assert service.targets(db, "telegram")["service_level"] == 0.7
    with pytest.raises(Invalid):
        service.do_set_target(db, "service_level", "", 1.5)
    with pytest.raises(Invalid):
        service.do_set_target(db, "nonsense", "", 1)


def test_bad_periods_are_refused(db: Session) -> None:
    with pytest.raises(Invalid):
        service.summarize(db, DAY, date(2026, 11, 1))
    with pytest.raises(Invalid):
        service.summarize(db, DAY, DAY, group="month")  # type: ignore[arg-type]
