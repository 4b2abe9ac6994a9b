"""Phone calls as transcripts: a call becomes a closed conversation in channel `phone` whose
timestamps give AHT, ACW and service level like a chat's; the identification block and PII
are masked; a call is imported once however often it is sent."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import wave
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.helpers import add_user, assert_json_error, capture_events, login, make_user
from wowdesk.analytics import service as analytics
from wowdesk.channels import asr, calls
from wowdesk.channels.identification import Utterance, identification_lines
from wowdesk.channels.schemas import CallIn
from wowdesk.cli.main import app as cli_app
from wowdesk.config import get_settings
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation, Message
from wowdesk.db import make_engine, make_sessionmaker
from wowdesk.errors import Invalid

START = datetime(2026, 11, 10, 9, 0, 0, tzinfo=UTC)  # 12:00 in Moscow


def call(call_id: str = "pbx-1", operator: str | None = "anna", **extra: Any) -> dict[str, Any]:
    """Rings 15 s, talks 2 min, 45 s of after-call work; segments count from the answer."""
    body: dict[str, Any] = {
        "call_id": call_id,
        "caller": "8 (916) 123-45-67",
        "operator": operator,
        "started_at": START.isoformat(),
        "answered_at": (START + timedelta(seconds=15)).isoformat(),
        "ended_at": (START + timedelta(seconds=135)).isoformat(),
        "acw_ended_at": (START + timedelta(seconds=180)).isoformat(),
        "recording_url": "https://pbx.example/rec/pbx-1.wav",
        "segments": [
            {"speaker": "operator", "start": 0.5, "end": 3, "text": "Здравствуйте, банк, Анна."},
            {
                "speaker": "customer",
                "start": 3.5,
                "end": 9,
                "text": "Здравствуйте, у меня заблокирована карта, перезвоните на +7 916 765-43-21",
            },
            {
                "speaker": "operator",
                "start": 10,
                "end": 14,
                "text": "Для идентификации назовите, пожалуйста, серию и номер паспорта.",
            },
            {"speaker": "customer", "start": 15, "end": 22, "text": "Сорок пять десять, 123456"},
            {"speaker": "customer", "start": 22.5, "end": 25, "text": "Выдан в две тысячи десятом"},
            {
                "speaker": "operator",
                "start": 26,
                "end": 30,
                "text": "Спасибо, карту разблокировала.",
            },
        ],
    }
    body.update(extra)
    return body


def test_a_call_becomes_a_closed_phone_conversation_with_its_kpis(db: Session) -> None:
    anna = make_user(db, username="anna")
    bus = capture_events(db)
    imported = calls.do_import_call(db, CallIn.model_validate(call()))
    db.commit()
    conv = imported.conversation
    assert imported.created and conv.channel == "phone" and conv.status == "closed"
    assert conv.operator_id == anna.id
    assert conv.created_at == START and conv.assigned_at == START + timedelta(seconds=15)
    assert conv.first_human_reply_at == START + timedelta(seconds=15.5)
    messages = conversations.list_messages(db, conv)
    assert [m.seq for m in messages] == [1, 2, 3, 4, 5, 6]
    kinds = ["operator", "customer", "operator", "customer", "customer", "operator"]
    assert [m.author_kind for m in messages] == kinds
    assert messages[1].created_at == START + timedelta(seconds=18.5)
    assert messages[0].author_id == anna.id and messages[1].author_id is None
    # the customer's phone is the customer's identity, in E.164
    assert calls.find_call(db, "pbx-1").caller == "+79161234567"  # type: ignore[union-attr]
    assert any(e["op"] == "imported" and e["id"] == conv.id for _c, e in bus.published)

    analytics.do_refresh(
        db, date(2026, 11, 10), date(2026, 11, 10), sl_seconds=20, timezone="Europe/Moscow"
    )
    [phone] = analytics.summarize(
        db, date(2026, 11, 10), date(2026, 11, 10), group="channel", timezone="Europe/Moscow"
    )
    assert phone.key == "phone"
    assert phone.values["aht"] == pytest.approx(165)  # answer → end of after-call work
    assert phone.values["acw"] == pytest.approx(45)
    assert phone.values["asa"] == pytest.approx(15)
    assert phone.values["service_level"] == pytest.approx(1.0)  # answered within 20 s


def test_identification_block_and_pii_are_masked_raw_text_kept(db: Session) -> None:
    make_user(db, username="anna")
    conv = calls.do_import_call(db, CallIn.model_validate(call())).conversation
    messages = conversations.list_messages(db, conv)
    said = {m.seq: m for m in messages}
    assert (
        said[4].masked_text == calls.IDENTIFICATION and said[5].masked_text == calls.IDENTIFICATION
    )
    assert said[4].text == "Сорок пять десять, 123456"  # raw, for the roles allowed to see it
    assert said[4].meta["identification"] is True
    assert "[PHONE]" in said[2].masked_text and "765-43-21" not in said[2].masked_text
    assert said[6].masked_text == said[6].text  # the identification ended with this line
    assert calls.find_call(db, "pbx-1").identification_lines == 2  # type: ignore[union-attr]


def test_a_card_read_out_is_never_stored(db: Session) -> None:
    make_user(db, username="anna")
    body = call()
    body["segments"][3]["text"] = "Карта 4276 1600 1234 5675, код из смс 4821"
    conv = calls.do_import_call(db, CallIn.model_validate(body)).conversation
    line = db.scalar(select(Message).where(Message.conversation_id == conv.id, Message.seq == 4))
    assert line is not None and "4276" not in line.text and "[CARD]" in line.text


def test_identification_follows_requests_and_marked_spans() -> None:
    lines = [
        Utterance("operator", 0, 2, "Назовите кодовое слово"),
        Utterance("customer", 2, 4, "Ромашка"),
        Utterance("operator", 4, 6, "И дату рождения"),
        Utterance("customer", 6, 8, "Пятое марта"),
        Utterance("operator", 8, 10, "Чем могу помочь?"),
        Utterance("customer", 10, 12, "Хочу узнать баланс"),
        Utterance("customer", 20, 22, "Мой ИНН это"),
    ]
    assert identification_lines(lines) == {1, 3}
    assert identification_lines(lines, marked=[(19.0, 23.0)]) == {1, 3, 6}


def test_the_same_call_twice_is_one_conversation(db: Session) -> None:
    make_user(db, username="anna")
    first = calls.do_import_call(db, CallIn.model_validate(call()))
    again = calls.do_import_call(db, CallIn.model_validate(call()))
    assert not again.created and again.conversation.id == first.conversation.id
    assert (
        db.scalar(select(Conversation.id).where(Conversation.id != first.conversation.id)) is None
    )


def test_abandoned_call_and_topic_by_classifier(db: Session) -> None:
    topic = topics.do_create_topic(db, "Карты")
    body = call("pbx-2", operator=None, answered_at=None, acw_ended_at=None)
    body["segments"] = [{"speaker": "customer", "start": 1, "end": 4, "text": "Алло, карта"}]
    imported = calls.do_import_call(
        db, CallIn.model_validate(body), classify=lambda text: ("карты", 0.9)
    )
    conv = imported.conversation
    assert conv.assigned_at is None and conv.operator_id is None and conv.topic_id == topic.id
    out = calls.call_out(db, imported)
    assert out.wait_seconds == 135 and out.handle_seconds is None and out.topic == "Карты"


def test_api_imports_lists_and_refuses(client: TestClient) -> None:
    add_user(client, "operator", "anna")
    add_user(client, "supervisor", "boss")
    csrf = login(client, "boss")
    headers = {"X-CSRF-Token": csrf}
    created = client.post("/api/v1/calls", json=call(), headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["created"] and body["handle_seconds"] == 165 and body["acw_seconds"] == 45
    assert body["wait_seconds"] == 15 and body["identification_lines"] == 2
    again = client.post("/api/v1/calls", json=call(), headers=headers)
    assert again.status_code == 200 and again.json()["conversation_id"] == body["conversation_id"]

    late = call("pbx-3", answered_at=(START - timedelta(seconds=5)).isoformat())
    assert_json_error(
        client.post("/api/v1/calls", json=late, headers=headers), 422, "times_out_of_order"
    )
    ghost = call("pbx-4", operator="nobody")
    assert_json_error(
        client.post("/api/v1/calls", json=ghost, headers=headers), 422, "unknown_operator"
    )
    assert_json_error(
        client.post("/api/v1/calls", json=call("pbx-5", operator=None), headers=headers), 422
    )
    assert [c["call_id"] for c in client.get("/api/v1/calls").json()] == ["pbx-1"]
    detail = client.get(f"/api/v1/conversations/{body['conversation_id']}/call")
    assert detail.json()["recording_url"] == "https://pbx.example/rec/pbx-1.wav"
    # the stored transcript as others see it: masked
    messages = client.get(f"/api/v1/conversations/{body['conversation_id']}/messages").json()
    assert calls.IDENTIFICATION in [m["text"] for m in messages]

    upload = "\n".join([json.dumps(call("pbx-6")), "{broken", json.dumps(call("pbx-1"))])
    report = client.post(
        "/api/v1/calls/import", files={"file": ("calls.jsonl", upload.encode())}, headers=headers
    ).json()
    assert (report["imported"], report["already"], report["failed"]) == (1, 1, 1)
    assert report["errors"][0]["line"] == 2
    # a file with not one call in it is the wrong file: refused, every bad line listed
    wrong = client.post(
        "/api/v1/calls/import", files={"file": ("calls.jsonl", b"13581\n{broken")}, headers=headers
    )
    refused = assert_json_error(wrong, 422, "import_refused")
    assert [e["line"] for e in refused["errors"]] == [1, 2]

    client.post("/logout", headers=headers)
    login(client, "anna")
    assert_json_error(client.post("/api/v1/calls", json=call("pbx-7"), headers=headers), 403)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WOWDESK_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("WOWDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("WOWDESK_ASR_MODEL_PATH", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_imports_a_jsonl_file_line_by_line(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    factory = make_sessionmaker(make_engine(f"sqlite:///{cli_env}/wowdesk.db"))
    with factory() as db:
        make_user(db, username="anna")
        db.commit()
    path = cli_env / "calls.jsonl"
    path.write_text(json.dumps(call("a")) + "\n\n" + json.dumps(call("b", operator="x")) + "\n")
    result = runner.invoke(cli_app, ["calls", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert "3" in result.output  # the bad line's number
    again = runner.invoke(cli_app, ["calls", "import", str(path)])
    assert again.exit_code == 1
    with factory() as db:
        assert [c.channel for c in db.scalars(select(Conversation))] == ["phone"]


def test_transcribe_says_what_is_missing(cli_env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["calls", "transcribe", str(cli_env / "x.wav")])
    assert result.exit_code == 2 and "WOWDESK_ASR_MODEL_PATH" in result.output
    empty = cli_env / "model"
    empty.mkdir()
    result = runner.invoke(cli_app, ["calls", "transcribe", "x.wav", "--model", str(empty)])
    assert result.exit_code == 2 and "Vosk" in result.output


def test_stereo_recordings_split_into_customer_and_operator(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"".join(struct.pack("<hh", i, -i) for i in range(100)))
    rate, (left, right) = asr.read_wav(path)
    assert rate == 8000
    assert struct.unpack("<3h", left[:6]) == (0, 1, 2)
    assert struct.unpack("<3h", right[:6]) == (0, -1, -2)


def test_transcribe_a_synthesised_call(tmp_path: Path) -> None:
    """Runs where an ASR package and a local model are installed (never downloaded)."""
    folder = os.environ.get("WOWDESK_ASR_MODEL_PATH", "")
    if not folder:
        pytest.skip("WOWDESK_ASR_MODEL_PATH is not set: no local speech model here")
    try:
        asr.backend_for(Path(folder))
    except Invalid as exc:
        pytest.skip(f"speech recognition unavailable: {exc.code}")
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed: cannot synthesise the test call")
    path = tmp_path / "call.wav"
    subprocess.run(
        ["espeak-ng", "-v", "ru", "-w", str(path), "здравствуйте у меня заблокирована карта"],
        check=True,
    )
    segments = asr.transcribe(path, Path(folder))
    text = " ".join(s.text for s in segments).lower()
    assert "карт" in text and all(s.speaker == "customer" for s in segments)


def test_calls_page_uploads_and_lists(client: TestClient) -> None:
    add_user(client, "operator", "anna")
    add_user(client, "supervisor", "boss")
    csrf = login(client, "boss")
    upload = (json.dumps(call("pbx-9")) + "\n").encode()
    page = client.post("/calls", data={"csrf_token": csrf}, files={"file": ("calls.jsonl", upload)})
    assert page.status_code == 200 and 'data-testid="calls-report"' in page.text
    assert "pbx-9" in client.get("/calls").text and "2:45" in page.text  # handle time


def test_the_calls_page_offers_an_example_file_that_imports_as_it_is(client: TestClient) -> None:
    add_user(client, "supervisor", "boss")
    add_user(client, "operator", "olga")
    csrf = login(client, "boss")
    assert 'href="/calls/example.jsonl"' in client.get("/calls").text
    example = client.get("/calls/example.jsonl")
    assert example.status_code == 200 and "attachment" in example.headers["content-disposition"]
    lines = [json.loads(line) for line in example.text.splitlines()]
    assert [c.get("operator") for c in lines] == ["olga", None]  # an operator of this center
    page = client.post(
        "/calls", data={"csrf_token": csrf}, files={"file": ("calls.jsonl", example.content)}
    )
    assert "Звонков загружено: 2, уже были: 0, с ошибкой: 0" in page.text
    assert page.text.count('data-testid="calls-error"') == 0
