"""Operators' time in the KPI rollup: cut at local midnights, the same whether the whole
history or only the recent days are rolled up, and read by the reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from tests.analytics.history import build
from wowdesk.analytics import service
from wowdesk.db import utcnow
from wowdesk.operators import schedule
from wowdesk.operators.models import StatusChange

TZ = "Europe/Moscow"
FIRST, LAST = date(2026, 11, 10), date(2026, 11, 14)


def night_shift(db: Session, user_id: int) -> None:
    """Online 23:00 on the 11th to 01:00 on the 12th, Moscow; shift 22:30 to 02:30."""
    db.add(
        StatusChange(
            user_id=user_id,
            status="online",
            started_at=datetime(2026, 11, 11, 20, 0, tzinfo=UTC),
            ended_at=datetime(2026, 11, 11, 22, 0, tzinfo=UTC),
        )
    )
    db.flush()
    schedule.do_add_shift(
        db,
        user_id,
        datetime(2026, 11, 11, 19, 30, tzinfo=UTC),
        datetime(2026, 11, 11, 23, 30, tzinfo=UTC),
    )


def by_day(db: Session, user_id: int) -> dict[str, dict[str, float]]:
    rows = service.summarize(
        db, FIRST, LAST, group="day", filters=service.Filters(operator_id=user_id), timezone=TZ
    )
    keys = ("available_seconds", "scheduled_seconds", "adherent_seconds")
    return {r.key: {k: r.sums.get(k, 0.0) for k in keys} for r in rows}


def test_time_across_midnight_counts_on_each_day(db: Session) -> None:
    ids = build(db)
    night_shift(db, ids["boris"])
    service.do_refresh(db, FIRST, LAST, sl_seconds=20, timezone=TZ)
    days = by_day(db, ids["boris"])
    assert days["2026-11-11"] == {
        "available_seconds": 3600,
        "scheduled_seconds": 5400,
        "adherent_seconds": 3600,
    }
    assert days["2026-11-12"] == {
        "available_seconds": 3600,
        "scheduled_seconds": 9000,
        "adherent_seconds": 3600,
    }
    [boris] = service.summarize(
        db, FIRST, LAST, group="operator", filters=service.Filters(operator_id=ids["boris"])
    )
    assert boris.values["adherence"] == pytest.approx(7200 / 14400)


def test_refreshing_recent_days_gives_the_rows_of_a_full_refresh(db: Session) -> None:
    ids = build(db)
    night_shift(db, ids["boris"])
    service.do_refresh(db, FIRST, LAST, sl_seconds=20, timezone=TZ)
    full = {uid: by_day(db, uid) for uid in (ids["anna"], ids["boris"])}
    # the background job's window starts after midnight, inside the night shift
    service.do_refresh(db, date(2026, 11, 12), LAST, sl_seconds=20, timezone=TZ)
    assert {uid: by_day(db, uid) for uid in (ids["anna"], ids["boris"])} == full


def test_reports_follow_the_rollup_after_a_refresh(db: Session) -> None:
    ids = build(db)
    service.do_refresh(db, FIRST, LAST, sl_seconds=20, timezone=TZ)
    assert "2026-11-13" not in by_day(db, ids["boris"])
    db.add(
        StatusChange(
            user_id=ids["boris"],
            status="online",
            started_at=datetime(2026, 11, 13, 6, 0, tzinfo=UTC),
            ended_at=datetime(2026, 11, 13, 7, 0, tzinfo=UTC),
        )
    )
    db.flush()
    service.do_refresh(db, date(2026, 11, 13), LAST, sl_seconds=20, timezone=TZ)
    assert by_day(db, ids["boris"])["2026-11-13"]["available_seconds"] == 3600


def test_a_shift_under_way_counts_up_to_now(db: Session) -> None:
    """At noon of a 9-to-18 shift kept to the minute, adherence is whole, not a third: the
    hours to come are not missed yet."""
    ids = build(db)
    now = utcnow()
    db.add(StatusChange(user_id=ids["boris"], status="online", started_at=now - timedelta(hours=3)))
    db.flush()
    schedule.do_add_shift(db, ids["boris"], now - timedelta(hours=3), now + timedelta(hours=6))
    today = datetime.now(ZoneInfo(TZ)).date()
    days = today - timedelta(days=1), today + timedelta(days=1)
    service.do_refresh(db, *days, sl_seconds=20, timezone=TZ)
    [boris] = service.summarize(
        db, *days, group="operator", filters=service.Filters(operator_id=ids["boris"]), timezone=TZ
    )
    assert boris.sums["scheduled_seconds"] == pytest.approx(3 * 3600, abs=60)
    assert boris.values["adherence"] == pytest.approx(1.0, abs=0.01)
