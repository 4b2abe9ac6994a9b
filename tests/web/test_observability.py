"""/healthz, /readyz (database, migrations, models; a database that goes away and comes
back), /metrics protection and series, and JSON log lines with their ids, masked."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from tests.helpers import free_port, start
from wowdesk import logformat, migrate
from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.safety import logs as pii_logs

PG_URL = os.environ.get("WOWDESK_TEST_DATABASE_URL", "")


def test_healthz_and_readyz_follow_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wowdesk.db'}"
    settings = Settings(
        var_dir=tmp_path, database_url=url, bot_enabled=False, routing_enabled=False
    )
    (tmp_path / "topic_model.joblib").write_bytes(b"not a model")
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert set(ready.json()["problems"]) == {"migrations", "models"}
        migrate.upgrade(url)
        (tmp_path / "topic_model.joblib").unlink()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "models": "ok"}


class Proxy:
    """A TCP relay in front of PostgreSQL that the test can cut and restore, as a network
    or database outage looks to the app."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.server: socket.socket | None = None
        self.conns: list[socket.socket] = []

    def up(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def down(self) -> None:
        assert self.server is not None
        self.server.close()
        for conn in self.conns:
            conn.close()
        self.conns.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxied_pg(pg_ready: str) -> Iterator[tuple[Proxy, str]]:
    parsed = make_url(pg_ready)
    proxy = Proxy((parsed.host or "127.0.0.1", parsed.port or 5432))
    proxy.up()
    yield proxy, parsed.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.down()


@pytest.mark.skipif(not PG_URL, reason="the outage is played on PostgreSQL")
def test_readyz_fails_while_the_database_is_down_and_recovers(
    proxied_pg: tuple[Proxy, str], tmp_path: Path
) -> None:
    proxy, url = proxied_pg
    settings = Settings(
        var_dir=tmp_path, database_url=url, bot_enabled=False, routing_enabled=False
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        proxy.down()
        down = client.get("/readyz")
        assert down.status_code == 503 and "database" in down.json()["problems"]
        assert client.get("/healthz").status_code == 200, "alive, only not ready"
        proxy.up()
        back = client.get("/readyz")
        assert back.status_code == 200, back.text


def test_metrics_need_the_token_or_loopback(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        var_dir=tmp_path,
        database_url=database_url,
        bot_enabled=False,
        metrics_token="scrape-secret",
    )
    with TestClient(create_app(settings)) as client:
        start(client, "Где мой заказ?")
        assert client.get("/metrics").status_code == 403
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "metrics_forbidden"
        deadline = time.monotonic() + 20
        while True:  # the dispatcher's pass puts the conversation in its queue
            scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
            assert scraped.status_code == 200
            body = scraped.text
            if "wowdesk_queue_length{" in body or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for series in (
            'wowdesk_http_request_duration_seconds_count{method="POST",route="/api/v1/chat/conversations",status="201"}',
            'wowdesk_messages_total{author_kind="customer"}',
            'wowdesk_queue_length{queue="general"} 1.0',
            "wowdesk_queue_oldest_wait_seconds",
            "wowdesk_bot_backlog 0.0",
            "wowdesk_service_level_15m",
            "wowdesk_db_pool_connections_in_use",
        ):
            assert series in body, series
    no_token = Settings(var_dir=tmp_path, database_url=database_url, bot_enabled=False)
    with TestClient(create_app(no_token)) as client:
        # TestClient's peer is "testclient", not the loopback interface
        assert client.get("/metrics").status_code == 403


def test_json_log_lines_carry_ids_and_no_personal_data(tmp_path: Path, database_url: str) -> None:
    pii_logs.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logformat.JsonFormatter())
    logging.getLogger("wowdesk").addHandler(handler)
    try:
        token = logformat.CONVERSATION_ID.set(42)
        logging.getLogger("wowdesk.test").warning("customer wrote %s", "+79161234567")
        logformat.CONVERSATION_ID.reset(token)
        settings = Settings(
            var_dir=tmp_path, database_url=database_url, bot_enabled=False,
            routing_enabled=False, log_format="json",
        )  # fmt: skip
        with TestClient(create_app(settings)) as client:
            conv_id, conv_token = start(client)
            answer = client.get(
                f"/api/v1/chat/conversations/{conv_id}",
                headers={"X-Conversation-Token": conv_token, "X-Request-ID": "req-123"},
            )
    finally:
        logging.getLogger("wowdesk").removeHandler(handler)
        logging.getLogger().handlers = [
            h
            for h in logging.getLogger().handlers
            if not isinstance(h.formatter, logformat.JsonFormatter)
        ]
    assert answer.headers["x-request-id"] == "req-123"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    first = lines[0]
    assert first["conversation_id"] == 42 and "+79161234567" not in first["message"]
    access = [r for r in lines if r.get("request_id") == "req-123"]
    assert access and access[0]["conversation_id"] == conv_id
    assert access[0]["route"] == "/api/v1/chat/conversations/{conversation_id}"
    assert access[0]["status"] == 200 and access[0]["logger"] == "wowdesk.http"
