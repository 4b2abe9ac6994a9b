"""Writing the schedule: templates, split shifts, copying a week, the CSV import (all rows or
none), the REST API and live adherence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.helpers import add_user, assert_json_error, login, make_user
from wowdesk.cli.main import app
from wowdesk.config import get_settings
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.errors import Invalid
from wowdesk.operators import presence
from wowdesk.operators import rota as schedule
from wowdesk.operators import schedule as service
from wowdesk.operators.models import OperatorStatus
from wowdesk.workforce import adherence, concurrency

TZ = "Europe/Moscow"
ZONE = ZoneInfo(TZ)
MONDAY = date(2026, 11, 30)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), ZONE)


def test_templates_make_rotas_with_split_shifts_and_replace_the_period(db: Session) -> None:
    anna = make_user(db)
    morning, evening = schedule.Piece(time(9), time(13)), schedule.Piece(time(14), time(18))
    written = schedule.do_apply_template(db, anna.id, "5/2", MONDAY, 14, [morning, evening], TZ)
    assert written == 10 * 2  # ten working days, each in two pieces
    shifts = service.list_shifts(db, local(MONDAY, 0), local(MONDAY + timedelta(days=14), 0))
    days = {s.starts_at.astimezone(ZONE).date() for s in shifts}
    assert all(d.weekday() < 5 for d in days) and len(days) == 10
    first = [s for s in shifts if s.starts_at.astimezone(ZONE).date() == MONDAY]
    assert [(s.starts_at, s.ends_at) for s in sorted(first, key=lambda s: s.starts_at)] == [
        (local(MONDAY, 9), local(MONDAY, 13)),
        (local(MONDAY, 14), local(MONDAY, 18)),
    ]
    # a 2/2 over the same fortnight replaces the 5/2; a night piece runs past midnight
    night = schedule.Piece(time(20), time(8))
    assert schedule.do_apply_template(db, anna.id, "2/2", MONDAY, 14, [night], TZ) == 8
    shifts = service.list_shifts(db, local(MONDAY, 0), local(MONDAY + timedelta(days=15), 0))
    starts = sorted(s.starts_at.astimezone(ZONE).date() for s in shifts)
    assert [(d - MONDAY).days for d in starts] == [0, 1, 4, 5, 8, 9, 12, 13]
    assert all(s.ends_at - s.starts_at == timedelta(hours=12) for s in shifts)
    with pytest.raises(Invalid):
        schedule.do_apply_template(db, anna.id, "3/1", MONDAY, 7, [night], TZ)
    with pytest.raises(Invalid, match="overlap"):
        schedule.do_apply_template(
            db, anna.id, "5/2", MONDAY, 7, [morning, schedule.Piece(time(12), time(15))], TZ
        )


def test_a_shift_never_overlaps_another_of_the_same_operator(db: Session) -> None:
    anna, boris = make_user(db), make_user(db)
    schedule.do_add_shift(db, anna.id, local(MONDAY, 9), local(MONDAY, 13))
    with pytest.raises(Invalid, match="overlaps"):
        schedule.do_add_shift(db, anna.id, local(MONDAY, 12), local(MONDAY, 15))
    schedule.do_add_shift(db, anna.id, local(MONDAY, 13), local(MONDAY, 17))  # back to back
    schedule.do_add_shift(db, boris.id, local(MONDAY, 12), local(MONDAY, 15))


def test_copying_a_week_repeats_it_once(db: Session) -> None:
    anna = make_user(db)
    schedule.do_add_shift(db, anna.id, local(MONDAY, 9), local(MONDAY, 13))
    schedule.do_add_shift(
        db, anna.id, local(MONDAY + timedelta(days=6), 22), local(MONDAY + timedelta(days=7), 6)
    )
    nxt = MONDAY + timedelta(days=7)
    assert schedule.do_copy_week(db, MONDAY + timedelta(days=3), nxt, TZ) == 2
    assert schedule.do_copy_week(db, MONDAY, nxt, TZ) == 2  # replaced, not doubled
    copied = schedule.week_shifts(db, nxt, TZ)
    assert sorted((s.starts_at, s.ends_at) for s in copied) == [
        (local(nxt, 9), local(nxt, 13)),
        (local(nxt + timedelta(days=6), 22), local(nxt + timedelta(days=7), 6)),
    ]
    with pytest.raises(Invalid):
        schedule.do_copy_week(db, MONDAY, MONDAY + timedelta(days=2), TZ)


CSV_OK = (
    "login,date,start,end\n{a},2026-12-01,09:00,13:00\n"
    "{a},01.12.2026,14:00,18:00\n{b},2026-12-01,22:00,06:00\n"
)


def test_import_writes_every_row_or_none_and_names_the_bad_lines(db: Session) -> None:
    anna, boris = make_user(db), make_user(db)
    bad = (
        "login,date,start,end\n"
        f"{anna.username},2026-12-01,09:00,13:00\n"
        "nobody,2026-12-01,09:00,13:00\n"
        f"{anna.username},2026-12-01,12:00,15:00\n"
        f"{boris.username},2026-13-01,09:00,13:00\n"
    )
    with pytest.raises(Invalid) as refused:
        schedule.do_import_shifts(db, bad, TZ)
    errors = refused.value.extra["errors"]
    assert [e.split(":")[0] for e in errors] == ["строка 3", "строка 4", "строка 5"]
    assert "nobody" in errors[0] and "строкой 2" in errors[1]
    assert service.list_shifts(db, local(MONDAY, 0), local(MONDAY + timedelta(days=7), 0)) == []
    written = schedule.do_import_shifts(db, CSV_OK.format(a=anna.username, b=boris.username), TZ)
    assert written == 3
    night = service.list_shifts(
        db, local(MONDAY, 0), local(MONDAY + timedelta(days=7), 0), {boris.id}
    )
    assert [(s.starts_at, s.ends_at) for s in night] == [
        (local(MONDAY + timedelta(days=1), 22), local(MONDAY + timedelta(days=2), 6))
    ]
    with pytest.raises(Invalid) as again:  # the same file again clashes with itself
        schedule.do_import_shifts(db, CSV_OK.format(a=anna.username, b=boris.username), TZ)
    assert len(again.value.extra["errors"]) == 3


def test_live_adherence_names_the_absent_and_the_overrunning_break(db: Session) -> None:
    absent, on_break, fine, extra = (
        make_user(db, name=n) for n in ("Анна", "Борис", "Вера", "Глеб")
    )
    now = datetime.now(UTC)
    for user in (absent, on_break, fine):
        service.do_add_shift(db, user.id, now - timedelta(hours=1), now + timedelta(hours=3))
    presence.get_state(db, absent.id).status_since = now - timedelta(hours=5)  # offline all day
    presence.do_set_status(db, on_break, OperatorStatus.on_break)
    presence.do_set_status(db, fine, OperatorStatus.online)
    presence.do_set_status(db, extra, OperatorStatus.online)
    rows = {r.name: r for r in adherence.live(db, now + timedelta(minutes=5, seconds=30))}
    assert rows["Анна"].problem == "absent" and rows["Анна"].minutes == 65
    assert rows["Борис"].problem == "long_break" and rows["Борис"].minutes == 5
    assert rows["Вера"].problem == "" and rows["Глеб"].problem == "off_shift"


def test_measured_concurrency_is_handle_time_over_busy_time() -> None:
    t = datetime(2026, 12, 1, 9, tzinfo=UTC)
    h = timedelta(hours=1)
    # two chats open together for an hour, then one alone for an hour: 3 h of chats in 2 h
    assert (
        concurrency.union_seconds([(t, t + h), (t, t + 2 * h), (t + 3 * h, t + 4 * h)]) == 3 * 3600
    )
    assert concurrency.concurrency_aht(600, 2) == 300
    with pytest.raises(ValueError):
        concurrency.concurrency_aht(600, 0.5)


def test_schedule_api(client: TestClient) -> None:
    login(client, add_user(client))
    assert_json_error(client.get("/api/v1/workforce/schedule"), 403)
    csrf = login(client, add_user(client, role="supervisor"))
    headers = {"X-CSRF-Token": csrf}
    anna = add_user(client, username="anna-sched")
    week = client.get("/api/v1/workforce/schedule", params={"day": "2026-12-02"}).json()
    assert week["monday"] == "2026-11-30"
    uid = next(o["user_id"] for o in week["operators"] if o["name"] == "Anna-Sched")
    made = client.post(
        "/api/v1/workforce/shifts",
        json={
            "user_id": uid,
            "starts_at": "2026-12-01T09:00:00+03:00",
            "ends_at": "2026-12-01T18:00:00+03:00",
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert_json_error(
        client.post(
            "/api/v1/workforce/shifts",
            headers=headers,
            json={
                "user_id": uid,
                "starts_at": "2026-12-01T10:00:00+03:00",
                "ends_at": "2026-12-01T11:00:00+03:00",
            },
        ),
        422,
        "shift_overlap",
    )
    assert_json_error(
        client.post(
            "/api/v1/workforce/shifts",
            headers=headers,
            json={
                "user_id": 999999,
                "starts_at": "2026-12-02T10:00:00+03:00",
                "ends_at": "2026-12-02T11:00:00+03:00",
            },
        ),
        404,
    )
    tpl = client.post(
        "/api/v1/workforce/shifts/template",
        headers=headers,
        json={
            "user_id": uid,
            "pattern": "2/2",
            "first_day": "2026-12-07",
            "days": 7,
            "pieces": [{"start": "09:00", "end": "21:00"}],
        },
    )
    assert tpl.json() == {"written": 4}
    copied = client.post(
        "/api/v1/workforce/shifts/copy-week",
        headers=headers,
        json={"source": "2026-12-01", "target": "2026-12-14"},
    )
    assert copied.json() == {"written": 1}
    bad = client.post(
        "/api/v1/workforce/shifts/import",
        headers=headers,
        files={
            "file": (
                "s.csv",
                f"login,date,start,end\n{anna},2026-12-21,09:00,13:00\nghost,2026-12-21,09:00,13:00\n",
            )
        },
    )
    err = assert_json_error(bad, 422, "import_refused")
    assert err["errors"] == ["строка 3: неизвестный логин ghost"]
    good = client.post(
        "/api/v1/workforce/shifts/import",
        headers=headers,
        files={"file": ("s.csv", f"login,date,start,end\n{anna},2026-12-21,09:00,13:00\n")},
    )
    assert good.json() == {"written": 1}
    shift_id = made.json()["id"]
    assert client.delete(f"/api/v1/workforce/shifts/{shift_id}", headers=headers).status_code == 204
    assert_json_error(client.delete(f"/api/v1/workforce/shifts/{shift_id}", headers=headers), 404)
    live = client.get("/api/v1/workforce/adherence/live")
    assert live.status_code == 200 and isinstance(live.json(), list)
    page = client.get("/workforce/schedule")
    assert page.status_code == 200 and "/static/js/schedule.js" in page.text


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_import_shifts_and_concurrency(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for login_ in ("anna", "boris"):
        made = runner.invoke(
            app,
            [
                "user",
                "add",
                login_,
                "--name",
                login_.title(),
                "--role",
                "operator",
                "--password",
                "long-password-1",
            ],
        )
        assert made.exit_code == 0, made.output
    bad = env / "bad.csv"
    bad.write_text(
        "login,date,start,end\nanna,2026-12-01,09:00,13:00\nanna,2026-12-01,10:00,11:00\n"
    )
    refused = runner.invoke(app, ["wfm", "import-shifts", str(bad)])
    assert refused.exit_code == 2 and "строка 3" in refused.output
    good = env / "good.csv"
    good.write_text(CSV_OK.format(a="anna", b="boris"))
    done = runner.invoke(app, ["wfm", "import-shifts", str(good)])
    assert done.exit_code == 0 and "3" in done.output
    engine = make_engine(get_settings().resolved_database_url())
    with make_sessionmaker(engine)() as db:
        assert (
            len(service.list_shifts(db, local(MONDAY, 0), local(MONDAY + timedelta(days=7), 0)))
            == 3
        )
    engine.dispose()
    base = ["wfm", "staffing", "--volume", "60", "--aht", "600", "--json"]
    one = json.loads(runner.invoke(app, base).output)
    three = json.loads(runner.invoke(app, [*base, "--concurrency", "3"]).output)
    assert (
        set(one)
        == set(three)
        == {
            "agents",
            "agents_on_phones",
            "service_level",
            "asa_seconds",
            "occupancy",
            "traffic_erlangs",
        }
    )
    assert three["traffic_erlangs"] == pytest.approx(one["traffic_erlangs"] / 3)
    assert three["agents_on_phones"] < one["agents_on_phones"]
    assert runner.invoke(app, [*base, "--concurrency", "0"]).exit_code == 2
