"""Idle memory of one `wowdesk serve` process against a bare uvicorn process.

Run: python benchmarks/idle_memory.py [--settle 5] [--json]

Starts a fresh embedded server (temporary WOWDESK_VAR_DIR, `wowdesk demo --no-serve`, then
`wowdesk serve` on a free port), waits until /login answers, lets it settle, and reads its
resident memory (VmRSS, and VmHWM, the peak since start) from /proc. That first start is not
idle: it scores the demo's seeded conversations in the background (the NER and the encoder
load for it); it keeps running --catch-up seconds, then the server is started again on the
same data and measured the same way: the idle figure. The floor is
benchmarks/chat_floor.py: uvicorn serving a small Starlette app, measured the same way.
Target: wowdesk <= 200 MB RSS per process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process in MB (1 MB = 2**20 bytes)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def measure(
    cmd: list[str], env: dict[str, str], url: str, settle: float, linger: float = 0.0
) -> dict[str, float]:
    """Starts cmd, waits for url to answer, waits `settle` seconds, returns its memory (and
    leaves it running `linger` seconds more before stopping it)."""
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"{cmd[0]} exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2.0).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit(f"{url} did not answer within 120 s")
        time.sleep(settle)
        memory = memory_mb(proc.pid)
        time.sleep(linger)
        return memory
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument(
        "--catch-up",
        type=float,
        default=60.0,
        help="seconds the first start runs (scoring the demo's history) before the restart",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wowdesk-idle-"))
    try:
        port = free_port()
        env = {
            **os.environ,
            "WOWDESK_VAR_DIR": str(folder / "var"),
            "WOWDESK_DATABASE_URL": "",
            "WOWDESK_HOST": "127.0.0.1",
            "WOWDESK_PORT": str(port),
        }
        wowdesk = str(Path(sys.executable).with_name("wowdesk"))
        subprocess.run(
            [wowdesk, "demo", "--no-serve"], env=env, cwd=folder, check=True, capture_output=True
        )
        serve = [wowdesk, "serve", "--host", "127.0.0.1", "--port", str(port)]
        login = f"http://127.0.0.1:{port}/login"
        first = measure(serve, env, login, args.settle, max(0.0, args.catch_up - args.settle))
        ours = measure(serve, env, login, args.settle)
        floor_port = free_port()
        floor = measure(
            [sys.executable, str(Path(__file__).with_name("chat_floor.py")), str(floor_port)],
            dict(os.environ),
            f"http://127.0.0.1:{floor_port}/login",
            args.settle,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "first_start_rss_mb": first["VmRSS"],
        "wowdesk_rss_mb": ours["VmRSS"],
        "wowdesk_peak_mb": ours["VmHWM"],
        "floor_rss_mb": floor["VmRSS"],
        "ratio": round(ours["VmRSS"] / floor["VmRSS"], 1),
        "target_mb": 200,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"first start on a fresh demo (scoring its seeded history in the background): "
        f"{result['first_start_rss_mb']} MB RSS"
    )
    print(
        f"idle `wowdesk serve` (demo data, embedded, restarted): {result['wowdesk_rss_mb']} MB RSS "
        f"(peak {result['wowdesk_peak_mb']} MB); floor, bare uvicorn app: "
        f"{result['floor_rss_mb']} MB; ratio {result['ratio']}x (target <= 200 MB)"
    )


if __name__ == "__main__":
    main()
