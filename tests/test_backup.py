"""`wowdesk backup` of a running server under chat load, then `wowdesk restore` into a fresh
folder (and database): every conversation and message acknowledged before the backup began
is there, whole; a non-empty target is refused unless forced; a damaged archive is refused
before anything is written."""

from __future__ import annotations

import os
import subprocess
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.distributed.cluster import wowdesk
from tests.helpers import free_port
from wowdesk import migrate

PG_URL = os.environ.get("WOWDESK_TEST_DATABASE_URL", "")


def _pg_database(name: str) -> str:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", *(["postgresql"] if PG_URL else [])])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(the serving database, the empty restore target)."""
    if request.param == "sqlite":
        return "", ""
    return _pg_database("wowdesk_backup_src"), _pg_database("wowdesk_backup_dst")


def _env(var_dir: Path, url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "WOWDESK_VAR_DIR": str(var_dir),
        "WOWDESK_SECRET_KEY": "",
        "WOWDESK_BOT_ENABLED": "false",
        "WOWDESK_REDIS_URL": "",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if url:
        env["WOWDESK_DATABASE_URL"] = url
    else:
        env.pop("WOWDESK_DATABASE_URL", None)
    return env


@pytest.fixture
def server(tmp_path: Path, urls: tuple[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    var_dir = tmp_path / "live"
    env = _env(var_dir, urls[0])
    migrate.upgrade(urls[0] or f"sqlite:///{var_dir / 'wowdesk.db'}")
    (var_dir / "screenshots").mkdir(parents=True)
    (var_dir / "screenshots" / ("a" * 32 + ".png")).write_bytes(b"\x89PNG\r\n\x1a\nimage")
    (
        var_dir / "cache"
    ).mkdir()  # rebuilt from the database (and here no SQLite file): never archived
    (var_dir / "cache" / "vectors.sqlite").write_bytes(b"vectors")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(wowdesk("serve", "--port", str(port)), env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a busy CI machine imports slowly
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, (
            tmp_path / "serve.log"
        ).read_text()
        time.sleep(0.1)
    try:
        yield base, env
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _chat(base: str, stop: threading.Event, acked: list[tuple[int, str]]) -> None:
    """Customers keep opening conversations and writing; each acknowledged message is noted."""
    with httpx.Client(base_url=base, timeout=10) as http:
        while not stop.is_set():
            ident = uuid.uuid4().hex
            opened = http.post(
                "/api/v1/chat/conversations",
                json={
                    "identity": ident,
                    "message": {"client_id": f"{ident}-0", "text": "Где заказ?"},
                },
            )
            assert opened.status_code == 201, opened.text
            body = opened.json()
            conv_id, token = body["conversation"]["id"], body["token"]
            acked.append((conv_id, f"{ident}-0"))
            for n in range(1, 4):
                sent = http.post(
                    f"/api/v1/chat/conversations/{conv_id}/messages",
                    json={"client_id": f"{ident}-{n}", "text": f"Сообщение {n}"},
                    headers={"X-Conversation-Token": token},
                )
                assert sent.status_code in (200, 201), sent.text
                acked.append((conv_id, f"{ident}-{n}"))


def _rows(url: str) -> tuple[set[tuple[int, str]], list[tuple[int, int, int]]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        messages = {
            (c, k) for c, k in conn.execute(text("SELECT conversation_id, client_id FROM message"))
        }
        seqs = list(
            conn.execute(
                text(
                    "SELECT c.id, c.last_seq, COUNT(m.id) FROM conversation c "
                    "LEFT JOIN message m ON m.conversation_id = c.id GROUP BY c.id, c.last_seq"
                )
            )
        )
    engine.dispose()
    return messages, [(a, b, c) for a, b, c in seqs]


def test_backup_under_load_restores_every_conversation_and_message(
    server: tuple[str, dict[str, str]], tmp_path: Path, urls: tuple[str, str]
) -> None:
    base, env = server
    stop = threading.Event()
    acked: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def load() -> None:
        try:
            _chat(base, stop, acked)
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=load) for _ in range(2)]
    for w in writers:
        w.start()
    while len(acked) < 40 and not errors:
        time.sleep(0.05)
    before_backup = list(acked)
    archive = tmp_path / "backup.tar.gz"
    made = subprocess.run(wowdesk("backup", str(archive)), env=env, capture_output=True, text=True)
    after_count = len(acked)
    stop.set()
    for w in writers:
        w.join(timeout=30)
    assert not errors, errors
    assert made.returncode == 0, made.stderr + made.stdout
    assert after_count > len(before_backup), "the chat went on while the backup ran"

    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "var/screenshots/" + "a" * 32 + ".png" in names
    assert not [n for n in names if n.startswith("var/cache")]

    fresh = tmp_path / "restored"
    target_env = _env(fresh, urls[1])
    restored = subprocess.run(
        wowdesk("restore", str(archive)), env=target_env, capture_output=True, text=True
    )
    assert restored.returncode == 0, restored.stderr + restored.stdout
    target_url = urls[1] or f"sqlite:///{fresh / 'wowdesk.db'}"
    messages, seqs = _rows(target_url)
    missing = [m for m in before_backup if m not in messages]
    assert not missing, f"{len(missing)} acknowledged messages lost"
    # a consistent snapshot: every conversation's messages are whole, seq 1..last_seq
    assert seqs and all(last == count for _id, last, count in seqs)
    assert (fresh / "screenshots" / ("a" * 32 + ".png")).read_bytes().endswith(b"image")
    assert migrate_at_head(target_url)

    # the target is no longer empty: refused, then forced
    from wowdesk.backup import service
    from wowdesk.errors import Conflict

    with pytest.raises(Conflict, match="--force"):
        service.restore(archive, target_url, fresh)
    assert service.restore(archive, target_url, fresh, force=True).dialect == (
        "postgresql" if urls[1] else "sqlite"
    )


def migrate_at_head(url: str) -> bool:
    from wowdesk.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        return migrate.pending(make_sessionmaker(engine)) is None
    finally:
        engine.dispose()


def test_a_damaged_archive_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    from wowdesk.backup import service
    from wowdesk.errors import Conflict, Invalid

    var_dir = tmp_path / "var"
    url = f"sqlite:///{var_dir / 'wowdesk.db'}"
    migrate.upgrade(url)
    (var_dir / "topic_model.joblib").write_bytes(b"model")
    archive = tmp_path / "b.tar.gz"
    service.backup(url, var_dir, archive)
    with pytest.raises(Conflict):
        service.backup(url, var_dir, archive)  # no silent overwrite
    # a copy whose model file was altered after the manifest was written
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            if member.name == "var/topic_model.joblib":
                member.size = 5
                dst.addfile(member, __import__("io").BytesIO(b"MODEL"))
            else:
                dst.addfile(member, data)
    target = tmp_path / "target"
    with pytest.raises(Invalid, match="Checksum"):
        service.restore(damaged, f"sqlite:///{target / 'wowdesk.db'}", target)
    assert not target.exists()
