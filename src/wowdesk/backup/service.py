"""One archive (`.tar.gz`) with everything a wowdesk needs to come back: the database and
the var folder's files (screenshots, the topic model, the secret key), with a manifest
that lists every file with its size and SHA-256.

- SQLite: the online backup API copies a consistent snapshot while the server keeps
  serving (writers wait only for the pages being copied, never for the whole copy).
- PostgreSQL: `pg_dump` in its custom format (a consistent snapshot in one transaction),
  restored by `pg_restore`; both from Debian's `postgresql-client`.

A restore checks every checksum before it writes anything, and goes only into an empty
database and an empty var folder unless told to overwrite.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from wowdesk import __version__
from wowdesk.db import is_sqlite, make_engine, utcnow
from wowdesk.errors import Conflict, Invalid

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/wowdesk.db"
PG_MEMBER = "database/wowdesk.pgdump"
# never archived from var/: the live SQLite files (the snapshot stands for them), the
# metrics of processes that are running now, and caches rebuilt from the database (the
# knowledge base's sentence vectors)
SKIP_IN_VAR = {"wowdesk.db", "wowdesk.db-wal", "wowdesk.db-shm", "metrics", "cache"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class Summary:
    path: Path
    dialect: str
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise Invalid("An in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq options from the SQLAlchemy URL; the password goes in the environment, never
    on a command line that `ps` shows."""
    parsed = make_url(url)
    args = ["-h", parsed.host or "localhost", "-p", str(parsed.port or 5432)]
    if parsed.username:
        args += ["-U", parsed.username]
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return [*args, "-d", parsed.database or ""], env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise Invalid(
            "{tool} is not installed (Debian: apt-get install postgresql-client)", tool=tool
        )
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise Invalid("{tool} failed: {error}", tool=tool, error=done.stderr.strip()[-500:])


def _var_files(var_dir: Path) -> Iterator[tuple[Path, str]]:
    if not var_dir.is_dir():
        return
    for path in sorted(var_dir.rglob("*")):
        rel = path.relative_to(var_dir)
        if rel.parts[0] in SKIP_IN_VAR or not path.is_file() or path.is_symlink():
            continue
        yield path, "var/" + rel.as_posix()


def backup(url: str, var_dir: Path, target: Path, *, overwrite: bool = False) -> Summary:
    """Writes the archive to `target` (atomically: a temporary file renamed at the end)."""
    if target.exists() and not overwrite:
        raise Conflict("{path} exists; choose another name", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wowdesk-backup-") as tmp:
        work = Path(tmp)
        if is_sqlite(url):
            dialect, member = "sqlite", SQLITE_MEMBER
            snapshot = work / "wowdesk.db"
            source = sqlite3.connect(_sqlite_path(url), timeout=30)
            dest = sqlite3.connect(snapshot)
            try:
                with dest:
                    source.backup(dest, pages=1024)  # a few MB at a time: writers go on
            finally:
                dest.close()
                source.close()
        else:
            dialect, member = "postgresql", PG_MEMBER
            snapshot = work / "wowdesk.pgdump"
            args, env = _pg_args(url)
            _run(["pg_dump", "-Fc", "--no-owner", "-f", str(snapshot), *args], env)
        files: list[tuple[Path, str]] = [(snapshot, member), *_var_files(var_dir)]
        entries: list[dict[str, Any]] = [
            {"path": name, "size": path.stat().st_size, "sha256": _sha256(path)}
            for path, name in files
        ]
        manifest = {
            "format": FORMAT,
            "wowdesk_version": __version__,
            "created_at": utcnow().isoformat(),
            "database": {"dialect": dialect, "path": member, "revision": _revision(url)},
            "files": entries,
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(utcnow().timestamp())
            archive.addfile(info, io.BytesIO(data))
            for path, name in files:
                archive.add(path, arcname=name, recursive=False)
        partial.replace(target)
    return Summary(target, dialect, len(entries), sum(int(e["size"]) for e in entries))


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if "alembic_version" not in inspect(conn).get_table_names():
                return None
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise Invalid("The archive holds an unsafe path: {path}", path=name)
    return path


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise Invalid("Not a wowdesk backup: no manifest")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise Invalid("Unknown backup format {format}", format=manifest.get("format"))
    return manifest


def database_is_empty(url: str) -> bool:
    if is_sqlite(url) and not _sqlite_path(url).exists():
        return True
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def var_is_empty(var_dir: Path, url: str) -> bool:
    """Empty but for the database file itself (checked on its own) and caches."""
    if not var_dir.exists():
        return True
    database = _sqlite_path(url).resolve() if is_sqlite(url) else None
    for path in var_dir.iterdir():
        if path.name == "cache":
            continue
        if database is not None and path.resolve() in {
            database,
            database.with_name(database.name + "-wal"),
            database.with_name(database.name + "-shm"),
        }:
            continue
        return False
    return True


def restore(source: Path, url: str, var_dir: Path, *, force: bool = False) -> Summary:
    """Verifies the whole archive, then restores the database and the var files."""
    if not source.is_file():
        raise Invalid("No such backup: {path}", path=str(source))
    with tempfile.TemporaryDirectory(prefix="wowdesk-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(source, "r:gz") as archive:
            manifest = read_manifest(archive)
            for entry in manifest["files"]:
                name = _safe_member(entry["path"])
                member = archive.extractfile(str(name))
                if member is None:
                    raise Invalid("The archive misses {path}", path=str(name))
                out = work / name
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("wb") as f:
                    shutil.copyfileobj(member, f, CHUNK)
                if out.stat().st_size != entry["size"] or _sha256(out) != entry["sha256"]:
                    raise Invalid("Checksum mismatch: {path}", path=str(name))
        dialect = manifest["database"]["dialect"]
        target_dialect = "sqlite" if is_sqlite(url) else "postgresql"
        if dialect != target_dialect:
            raise Invalid(
                "The backup is of {dialect}, the target database is {target}",
                dialect=dialect,
                target=target_dialect,
            )
        if not force and not database_is_empty(url):
            raise Conflict(
                "The target database is not empty; restore with --force to overwrite it",
                code="target_not_empty",
            )
        if not force and not var_is_empty(var_dir, url):
            raise Conflict(
                "The target folder {path} is not empty; restore with --force to overwrite it",
                code="target_not_empty",
                path=str(var_dir),
            )
        snapshot = work / manifest["database"]["path"]
        if dialect == "sqlite":
            database = _sqlite_path(url)
            database.parent.mkdir(parents=True, exist_ok=True)
            for stale in (database.with_name(database.name + s) for s in ("-wal", "-shm")):
                stale.unlink(missing_ok=True)
            shutil.copyfile(snapshot, database)
        else:
            args, env = _pg_args(url)
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--exit-on-error",
                    *args,
                    str(snapshot),
                ],
                env,
            )
        var_dir.mkdir(parents=True, exist_ok=True)
        count = 0
        for entry in manifest["files"]:
            name = PurePosixPath(entry["path"])
            if name.parts[0] != "var":
                continue
            dest = var_dir.joinpath(*name.parts[1:])
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / name, dest)
            if name.parts[1:] == ("secret_key",):
                dest.chmod(0o600)
            count += 1
    size = sum(int(e["size"]) for e in manifest["files"])
    return Summary(source, dialect, count, size)
