"""Distributed mode for real: `wowdesk serve` processes and a `wowdesk worker` on a fresh
PostgreSQL database and a Redis database, and the HTTP/WebSocket client steps a browser takes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from websockets.asyncio.client import ClientConnection, connect

from tests.helpers import free_port
from wowdesk import migrate

PG_URL = os.environ.get("WOWDESK_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("WOWDESK_TEST_REDIS_URL", "")
CLUSTER_DB = "wowdesk_cluster"


def require_servers() -> None:
    if not (PG_URL and REDIS_URL):
        pytest.skip(
            "distributed mode needs WOWDESK_TEST_DATABASE_URL and WOWDESK_TEST_REDIS_URL "
            "(`make test` starts both)"
        )


def fresh_database() -> str:
    """An empty database of its own, migrated, so other tests' rows do not interfere."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {CLUSTER_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {CLUSTER_DB}"))
    admin.dispose()
    url = make_url(PG_URL).set(database=CLUSTER_DB).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def fresh_redis() -> str:
    url = REDIS_URL.rsplit("/", 1)[0] + "/1"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


def wowdesk(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "wowdesk"), *args]


@dataclass
class App:
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    var_dir: Path
    env: dict[str, str]
    apps: list[App] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None

    def start_app(self, app: App) -> None:
        log = app.log.open("ab")
        app.proc = subprocess.Popen(
            wowdesk("serve", "--port", str(app.port)), env=self.env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 60  # a busy 2-core machine needs ~20 s to import
        while True:
            try:
                if httpx.get(f"{app.url}/login", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if app.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(app.log.read_text())
            time.sleep(0.1)

    def kill_app(self, app: App) -> None:
        """SIGKILL: no shutdown hooks, as when a machine dies."""
        assert app.proc is not None
        app.proc.send_signal(signal.SIGKILL)
        app.proc.wait(timeout=10)

    def stop_app(self, app: App) -> None:
        """SIGTERM: the process shuts down as under systemd."""
        assert app.proc is not None
        app.proc.terminate()
        app.proc.wait(timeout=20)

    def start_worker(self) -> None:
        log = (self.var_dir / "worker.log").open("ab")
        self.worker = subprocess.Popen(wowdesk("worker"), env=self.env, stdout=log, stderr=log)

    def stop(self) -> None:
        procs = [a.proc for a in self.apps if a.proc is not None]
        if self.worker is not None:
            procs.append(self.worker)
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    @contextmanager
    def running(self, *, worker: bool = False) -> Iterator[Cluster]:
        """Every app process (and the worker) up for the block, all stopped after it; their
        logs are printed when one fails to start."""
        try:
            for app in self.apps:
                self.start_app(app)
            if worker:
                self.start_worker()
            yield self
        except BaseException:
            print(self.logs())
            raise
        finally:
            self.stop()

    def logs(self) -> str:
        parts = [a.log.read_text(errors="replace")[-3000:] for a in self.apps]
        worker = self.var_dir / "worker.log"
        if worker.exists():
            parts.append(worker.read_text(errors="replace")[-3000:])
        return "\n----\n".join(parts)


def make_cluster(var_dir: Path, apps: int, **settings: str) -> Cluster:
    env = {
        **os.environ,
        "WOWDESK_VAR_DIR": str(var_dir),
        "WOWDESK_DATABASE_URL": fresh_database(),
        "WOWDESK_REDIS_URL": fresh_redis(),
        "WOWDESK_SECRET_KEY": "cluster-test-secret-key-shared-by-all-processes",
    }
    env.update({f"WOWDESK_{k.upper()}": v for k, v in settings.items()})
    return Cluster(var_dir, env, [App(free_port(), var_dir / f"app{i}.log") for i in range(apps)])


# --- what a browser does -----------------------------------------------------------------


def ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://") + path


async def login(http: httpx.AsyncClient, username: str, password: str) -> str:
    """The login form's way in; returns the CSRF token for API calls."""
    await http.get("/login")
    form_token = http.cookies.get("wowdesk_csrf", path="/login") or ""
    resp = await http.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_token},
    )
    assert resp.status_code == 303, resp.text
    me = (await http.get("/api/v1/me")).json()
    if me["role"] == "operator":  # operators start offline after login
        went = await http.put(
            "/api/v1/me/status",
            json={"status": "online"},
            headers={"X-CSRF-Token": me["csrf_token"]},
        )
        assert went.status_code == 200, went.text
    return str(me["csrf_token"])


async def open_console(base: str, http: httpx.AsyncClient) -> ClientConnection:
    cookie = http.cookies.get("wowdesk_session")
    ws = await connect(
        ws_url(base, "/ws/console"),
        additional_headers={"Cookie": f"wowdesk_session={cookie}"},
        open_timeout=5,
        close_timeout=1,
    )
    ready = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ready["type"] == "ready", ready
    return ws


# httpx builds a TLS context per client, which costs more CPU than a loopback request;
# clients made by the hundred share this one (no TLS is spoken here anyway)
TLS = ssl.create_default_context()


def client(base: str, timeout: float = 10) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=timeout, verify=TLS)


async def start_conversation(base: str, identity: str, text: str) -> tuple[int, str]:
    async with client(base) as http:
        resp = await http.post(
            "/api/v1/chat/conversations",
            json={
                "identity": identity,
                "channel": "web",
                "name": identity,
                "message": {"client_id": f"{identity}-0", "text": text},
            },
        )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return int(body["conversation"]["id"]), str(body["token"])


async def open_chat(base: str, conv_id: int, token: str, after: int = 0) -> ClientConnection:
    ws = await connect(ws_url(base, "/ws/chat"), open_timeout=5, close_timeout=1)
    await ws.send(
        json.dumps(
            {"type": "hello", "conversation_id": conv_id, "token": token, "after_seq": after}
        )
    )
    ready = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ready["type"] == "ready", ready
    return ws
