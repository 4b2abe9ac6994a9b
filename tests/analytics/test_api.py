"""KPI reports over HTTP: who may see what, the exports read back, targets, the pages."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.analytics.history import build
from tests.helpers import add_user, assert_json_error, login
from wowdesk.analytics import export
from wowdesk.analytics.definitions import KPIS
from wowdesk.http import tables
from wowdesk.operators import service as operators

PERIOD = "start=2026-11-10&end=2026-11-10"


def history(client: TestClient) -> tuple[dict[str, int], str]:
    """The hand-built history in the app's database; returns its ids and Anna's login."""
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        ids = build(db)
        username = operators.get_user(db, ids["anna"]).username
        db.commit()
    return ids, username


def test_supervisors_get_kpis_by_operator_against_the_team(client: TestClient) -> None:
    ids, _anna = history(client)
    csrf = login(client, add_user(client, role="supervisor"))
    assert (
        client.post("/api/v1/analytics/refresh", headers={"X-CSRF-Token": csrf}).json()["rows"] > 0
    )
    report = client.get(f"/api/v1/analytics/kpis?{PERIOD}&group=operator").json()
    rows = {r["label"]: r["values"] for r in report["rows"]}
    assert rows["Анна"]["aht"] == 360 and rows["Борис"]["aht"] == 150
    assert report["targets"]["service_level"] == 0.8
    assert [d["key"] for d in report["definitions"]] == [k.key for k in KPIS]
    assert report["team"] is None
    # leaving the queue is nobody's doing: no operator's abandonment (it read 0 % on each)
    assert rows["Анна"]["abandonment"] is None and rows["Борис"]["abandonment"] is None
    everyone = client.get(f"/api/v1/analytics/kpis?{PERIOD}").json()["rows"][0]["values"]
    assert everyone["abandonment"] is not None

    mine = client.get(f"/api/v1/analytics/kpis?{PERIOD}&operator_id={ids['anna']}").json()
    assert mine["rows"][0]["values"]["aht"] == 360
    assert mine["rows"][0]["values"]["abandonment"] is None
    assert mine["team"]["values"]["aht"] == 255  # everyone: (360 + 150) / 2
    assert mine["team"]["values"]["abandonment"] == everyone["abandonment"]

    assert_json_error(client.get(f"/api/v1/analytics/kpis?{PERIOD}&group=month"), 422)
    assert_json_error(client.get("/api/v1/analytics/kpis?start=2026-11-10&end=2026-11-01"), 422)


def test_exports_read_back(client: TestClient) -> None:
    history(client)
    csrf = login(client, add_user(client, role="supervisor"))
    client.post("/api/v1/analytics/refresh", headers={"X-CSRF-Token": csrf})
    got = client.get(f"/api/v1/analytics/kpis.csv?{PERIOD}&group=operator")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert table[0] == export.header()
    by_label = {r[1]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert float(by_label["Анна"]["aht"]) == 360 and by_label["Борис"]["frt"] == ""

    book = client.get(f"/api/v1/analytics/kpis.xlsx?{PERIOD}&group=operator")
    assert book.status_code == 200
    sheet = tables.read_xlsx(book.content)
    assert list(sheet[0]) == export.header() and sheet[1][2] == "Обращений"
    anna = next(r for r in sheet[2:] if r[1] == "Анна")
    assert anna[export.header().index("aht")] == 360
    assert client.get(f"/api/v1/analytics/kpis.pdf?{PERIOD}").status_code == 422


def test_targets_are_set_by_supervisors_within_range(client: TestClient) -> None:
    csrf = login(client, add_user(client, role="supervisor"))
    headers = {"X-CSRF-Token": csrf}
    put = client.put(
        "/api/v1/analytics/targets",
        json={"kpi": "service_level", "channel": "web", "value": 0.9},
        headers=headers,
    )
    assert put.status_code == 200 and put.json()["service_level"] == 0.9
    bad = client.put("/api/v1/analytics/targets", json={"kpi": "aht", "value": -1}, headers=headers)
    assert_json_error(bad, 422)
    report = client.get(f"/api/v1/analytics/kpis?{PERIOD}&channel=web").json()
    assert report["targets"]["service_level"] == 0.9


def test_operators_see_only_their_own_kpis(client: TestClient) -> None:
    _ids, anna = history(client)
    boss_csrf = login(client, add_user(client, role="supervisor"))
    client.post("/api/v1/analytics/refresh", headers={"X-CSRF-Token": boss_csrf})
    login(client, anna)
    assert_json_error(client.get(f"/api/v1/analytics/kpis?{PERIOD}"), 403)
    mine = client.get("/api/v1/analytics/me?start=2026-11-10&end=2026-11-14").json()
    assert [r["key"] for r in mine["rows"]] == ["2026-11-10", "2026-11-13"]
    assert mine["rows"][0]["values"]["aht"] == 360
    assert mine["team"]["values"]["aht"] == 210  # her team is herself: (360 + 60) / 2
    page = client.get("/analytics/me")
    assert page.status_code == 200 and "Мои показатели" in page.text
    assert client.get("/analytics").status_code in (303, 403)


def test_pages_and_the_served_plotly(client: TestClient) -> None:
    login(client, add_user(client, role="supervisor"))
    page = client.get("/analytics")
    assert page.status_code == 200 and "/vendor/plotly.min.js" in page.text
    # the contact center's day, which the KPI days are (the browser's was used)
    zone = client.app.state.settings.timezone  # type: ignore[attr-defined]
    assert f'data-today="{datetime.now(ZoneInfo(zone)).date().isoformat()}"' in page.text
    assert ">веб-чат</option>" in page.text  # channels by name
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and "plotly" in js.text[:2000].lower()
