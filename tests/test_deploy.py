"""What can be checked of deploy/ on this machine (no Docker daemon, no nginx): the compose
file parses and wires every service with a health check, the Dockerfile's stages, paths
and health command hold up, the health commands are valid Python, and systemd itself
verifies the units."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return data


def _python_snippet(test: list[str]) -> str:
    assert test[:3] == ["CMD", "python", "-c"], test
    return test[3]


def test_compose_runs_postgres_redis_two_apps_worker_and_nginx() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "app1", "app2", "worker", "nginx", "migrate"} <= set(services)
    for name in ("postgres", "redis", "nginx", "app1", "app2"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("app1", "app2", "worker", "migrate"):
        service = services[name]
        env = service["environment"]
        assert env["WOWDESK_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["WOWDESK_REDIS_URL"].startswith("redis://redis:")
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    for name in ("app1", "app2"):
        ready = _python_snippet(services[name]["healthcheck"]["test"])
        assert "/readyz" in ready
        compile(ready, f"{name} healthcheck", "exec")
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == deps["redis"]["condition"] == "service_healthy"
        assert deps["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["wowdesk", "db", "upgrade"]
    assert services["worker"]["command"] == ["wowdesk", "worker"]
    assert {d for d in services["nginx"]["depends_on"]} == {"app1", "app2"}
    mount = services["nginx"]["volumes"][0].split(":")[0]
    conf = (DEPLOY / mount).read_text()
    assert "server app1:8000" in conf and "server app2:8000" in conf
    assert "location = /metrics" in conf and conf.count("{") == conf.count("}")
    # every named volume a service mounts is declared
    declared = set(_compose()["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(".") or source in declared, source


def _instructions(text: str) -> list[tuple[str, str]]:
    lines, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        current = f"{current} {line[:-1]}" if line.endswith("\\") else f"{current} {line}"
        if not line.endswith("\\"):
            word, _, rest = current.strip().partition(" ")
            lines.append((word.upper(), rest.strip()))
            current = ""
    return lines


def test_dockerfile_builds_the_wheel_and_runs_it_slim_and_unprivileged() -> None:
    steps = _instructions((DEPLOY / "Dockerfile").read_text())
    known = {"FROM", "RUN", "COPY", "WORKDIR", "ENV", "EXPOSE", "HEALTHCHECK", "CMD", "USER"}
    assert {word for word, _ in steps} <= known
    stages = [i for i, (word, _) in enumerate(steps) if word == "FROM"]
    assert len(stages) == 2
    for i in stages:
        assert steps[i][1].split()[0].startswith("python:3.11-slim")
    build, final = steps[stages[0] : stages[1]], steps[stages[1] :]
    for word, rest in build:
        if word == "COPY":
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), source
    assert any(w == "RUN" and "build --wheel" in r for w, r in build)
    assert any(w == "RUN" and "pip install" in r and ".whl" in r for w, r in final)
    assert any(w == "RUN" and "postgresql-client" in r for w, r in final), "pg_dump for backups"
    users = [r for w, r in final if w == "USER"]
    assert users and users[-1] not in {"root", "0"}
    [health] = [r for w, r in final if w == "HEALTHCHECK"]
    snippet = health.split('"-c", ', 1)[1].rsplit("]", 1)[0]
    compile(yaml.safe_load(snippet), "HEALTHCHECK", "exec")  # a JSON string is YAML too
    assert "/healthz" in snippet
    [cmd] = [r for w, r in final if w == "CMD"]
    assert yaml.safe_load(cmd)[0] == "wowdesk"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_verifies_the_units(tmp_path: Path) -> None:
    """The units as shipped, with the install path pointing at this interpreter's wowdesk
    and the service user at one that exists here."""
    wowdesk = Path(sys.executable).parent / "wowdesk"
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/opt/wowdesk/bin/wowdesk", str(wowdesk))
        text = text.replace("User=wowdesk", "User=root").replace("Group=wowdesk", "Group=root")
        (tmp_path / unit.name).write_text(text)
    (tmp_path / "wowdesk@8001.service").write_text((tmp_path / "wowdesk@.service").read_text())
    units = ["wowdesk@8001.service", "wowdesk-worker.service", "wowdesk.target",
             "wowdesk-backup.service", "wowdesk-backup.timer"]  # fmt: skip
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    serve = (DEPLOY / "systemd" / "wowdesk@.service").read_text()
    assert "serve --host 127.0.0.1 --port %i" in serve and "PROMETHEUS_MULTIPROC_DIR" in serve
