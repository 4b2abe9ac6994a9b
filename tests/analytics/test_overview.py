"""What /analytics opens on: tiles, the share of operators at target, the "nobody" row told
apart, targets relative to a baseline period, dates as ДД.ММ.ГГГГ."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.analytics.history import build
from tests.analytics.test_api import PERIOD, history
from tests.helpers import add_user, assert_json_error, login
from wowdesk.analytics import overview, service
from wowdesk.errors import Invalid

DAY = date(2026, 11, 10)
TZ = "Europe/Moscow"


def test_share_at_target_and_the_nobody_row(db: Session) -> None:
    build(db)
    service.do_refresh(db, DAY, DAY, sl_seconds=20, timezone=TZ)
    rows = service.summarize(db, DAY, DAY, group="operator", timezone=TZ)
    targets = service.targets(db)
    # Анна: AHT 360 ≤ 480, CSAT 5, but her customer came back (FCR 0) and she kept 87.5 %
    # of her shift (adherence under 95 %); Борис: CSAT 2
    a = overview.at_target(rows, targets)
    assert (a.operators, a.at_target, a.share) == (2, 0, 0.0)
    assert a.by_kpi["aht"] == (2, 2) and a.by_kpi["csat"] == (1, 2) and a.by_kpi["fcr"] == (1, 2)
    assert a.by_kpi["adherence"] == (0, 1)
    service.do_set_target(db, "fcr", "", 0.0)
    service.do_set_target(db, "adherence", "", 0.8)
    assert overview.at_target(rows, service.targets(db)).at_target == 1
    [nobody] = [r for r in rows if r.key == "0"]
    assert overview.nobody(nobody) == overview.Nobody(
        contacts=3, bot_resolved=1, abandoned=1, answered=0
    )
    days = service.summarize(db, DAY, DAY, group="day", timezone=TZ)
    assert [r.label for r in days] == ["10.11.2026"]


def test_relative_target_is_frozen_from_the_baseline(db: Session) -> None:
    build(db)
    service.do_refresh(db, DAY, DAY, sl_seconds=20, timezone=TZ)
    row = overview.do_set_relative_target(db, "aht", "", -0.2, DAY, DAY, timezone=TZ)
    assert row.baseline_value == 255 and row.value == pytest.approx(204)
    assert service.targets(db)["aht"] == pytest.approx(204)
    assert [r.kpi for r in overview.relative_targets(db)] == ["aht"]
    overview.do_set_absolute_target(db, "aht", "", 300)
    assert overview.relative_targets(db) == [] and service.targets(db)["aht"] == 300
    with pytest.raises(Invalid):
        overview.do_set_relative_target(
            db, "aht", "", -0.2, date(2020, 1, 1), date(2020, 1, 2), timezone=TZ
        )
    with pytest.raises(Invalid):
        overview.do_set_relative_target(db, "aht", "", -5, DAY, DAY, timezone=TZ)


def test_overview_and_report_over_http(client: TestClient) -> None:
    history(client)
    csrf = login(client, add_user(client, role="supervisor"))
    h = {"X-CSRF-Token": csrf}
    client.post("/api/v1/analytics/refresh", headers=h)
    report = client.get(f"/api/v1/analytics/kpis?{PERIOD}&group=operator").json()
    assert report["nobody"] == {"contacts": 3, "bot_resolved": 1, "abandoned": 1, "answered": 0}
    total = client.get(f"/api/v1/analytics/kpis?{PERIOD}").json()
    assert total["nobody"] is None
    o = client.get("/api/v1/analytics/overview").json()
    assert [t["key"] for t in o["tiles"]][:3] == ["service_level", "aht", "csat"]
    assert all(t["formula"] for t in o["tiles"]) and o["waiting"] >= 0
    assert o["at_target"]["goal"] == 0.95
    made = client.put(
        "/api/v1/analytics/targets/relative",
        json={
            "kpi": "aht",
            "relative": -0.2,
            "baseline_start": "2026-11-10",
            "baseline_end": "2026-11-10",
        },
        headers=h,
    )
    assert made.status_code == 200 and made.json()["value"] == pytest.approx(204)
    assert_json_error(
        client.put(
            "/api/v1/analytics/targets/relative",
            json={
                "kpi": "aht",
                "relative": -0.2,
                "baseline_start": "2001-01-01",
                "baseline_end": "2001-01-02",
            },
            headers=h,
        ),
        422,
        "no_baseline",
    )
    login(client, add_user(client))
    assert_json_error(client.get("/api/v1/analytics/overview"), 403)
