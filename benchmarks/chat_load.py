"""Chat load test: N customers and M operators over WebSockets against `wowdesk serve`.

Run: python benchmarks/chat_load.py [--url http://127.0.0.1:8000] [--customers 500]
        [--operators 20] [--messages-per-customer 6] [--rate 320] [--duration-limit 300]
        [--json] [--deflate/--no-deflate] [--py-spy FILE.svg]
        [--also-url http://127.0.0.1:8001 --also-server-pid PID]

Without --url the script starts its own server: a temporary WOWDESK_VAR_DIR, `wowdesk demo
--no-serve` (migrate + seed), `wowdesk serve` on a free 127.0.0.1 port (bot off, so new
conversations wait in the human queue), stopped at the end. With --url it uses a running
server (loopback only) and its admin account (--admin-user, --admin-password; the demo's
admin/admin-demo-1 by default); pass --server-pid to get its CPU figures too. With
--also-url (and --also-server-pid) it drives two app processes of one deployment on
PostgreSQL + Redis: every other operator works on the second, and each customer talks to the
process its operator does not use, so every message reaches the console through Redis; the
CPU figures are the two processes' sum.

Flow: the admin creates M operator accounts (REST); each operator logs in through the login
form (its own cookie jar), reads its CSRF token from /api/v1/me and opens /ws/console. Each
customer starts a conversation over REST (its first message) and the operators take them in
turn (POST …/assign), so each owns about N/M, and each console opens (watches) the first of
its conversations, whose customer's messages get the copilot's suggestions as they arrive
(the others' are computed when a console opens them). Then every customer opens /ws/chat and sends
its messages, each with a unique client_id and a marker in the text, paced to --rate messages
per second over all customers (round robin, so one customer sends every N/rate seconds);
--rate 0 sends as fast as the server acknowledges (each customer sends its next message as
soon as the previous one is acked).

Measured: latency from the customer's send to the moment the owning operator's console
receives the `message` event with that client_id; acks; lost (sent, never received by the
owner after --drain-timeout); duplicated (the same message id received twice on one operator
socket, or a client_id stored more than once); and, afterwards, REST verification that every
client_id is stored exactly once. messages/s = delivered / send-phase wall time (first send to
last delivery). Client and (when known) server CPU are reported for the send phase, because
the client shares the machine with the server.

Staff REST calls (login, assign, verification) go one at a time by default: concurrent ones
stall the embedded server (see --staff-concurrency). The setup is not measured.

Bounded: every phase runs under the --duration-limit deadline, counted once the server is up
(a watchdog thread kills the server and exits 3 if the event loop itself stalls, 60 s past
it), and the script talks only to 127.0.0.1.
Exit code: 0 PASS, 1 FAIL, 2 error before any measurement, 3 watchdog.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

T = TypeVar("T")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
OPERATOR_PASSWORD = "bench-operator-pw-1"
SEED_TIMEOUT = 600.0  # `wowdesk demo --no-serve`, before the clock starts
CAPACITY_MAX = 50  # operators/models.py: capacity BETWEEN 1 AND 50
TEXTS = (
    "Здравствуйте, у меня не проходит оплата картой, что делать?",
    "Заказ должен был прийти вчера, но статус не меняется.",
    "Подскажите, как вернуть товар, если коробку уже выбросили?",
    "Спасибо, попробую ещё раз и напишу, если не получится.",
    "Объявление снова отклонили, хотя я всё исправил по правилам.",
    "Можно перенести доставку на субботу после обеда?",
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Aborted(Exception):
    """The run hit its deadline or the server misbehaved; the report says where."""


# --- the server (optional) -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wowdesk_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("wowdesk")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from wowdesk.cli.main import app; app()"]


class LocalServer:
    """A fresh embedded-mode server in a temporary directory, for the length of one run."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="wowdesk-bench-"))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.dir / "server.log"
        self._log: Any = None
        self.env = {
            **os.environ,
            "WOWDESK_VAR_DIR": str(self.dir / "var"),
            "WOWDESK_DATABASE_URL": "",
            "WOWDESK_PUBLIC_URL": "",
            "WOWDESK_HOST": "127.0.0.1",
            "WOWDESK_PORT": str(self.port),
            # Conversations must wait in the human queue for the operators to take them.
            "WOWDESK_BOT_ENABLED": "false",
            # operators take conversations by hand here: the benchmark measures the chat path
            "WOWDESK_ROUTING_ENABLED": "false",
        }

    def start(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        cmd = _wowdesk_cmd()
        log(f"server: seeding demo data in {self.dir}")
        seeded = subprocess.run(
            [*cmd, "demo", "--no-serve"],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            # seeding trains the demo's models: slow on a busy machine, and not measured
            timeout=max(SEED_TIMEOUT, deadline - time.monotonic()),
        )
        deadline = time.monotonic() + timeout
        if seeded.returncode != 0:
            raise Aborted(f"`wowdesk demo --no-serve` failed: {seeded.stderr.decode()[-2000:]}")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*cmd, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.dir,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log(f"server: pid {self.proc.pid} on {self.url}")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Aborted(f"server exited with {self.proc.returncode}; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/login", timeout=2.0).status_code == 200:
                    return
            time.sleep(0.2)
        raise Aborted(f"server did not answer within {timeout:.0f} s; see {self.log_path}")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class FloorServer(LocalServer):
    """The floor: benchmarks/chat_floor.py, a bare uvicorn app relaying from memory."""

    def start(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("chat_floor.py")), str(self.port)],
            cwd=self.dir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log(f"floor: pid {self.proc.pid} on {self.url}")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Aborted(f"floor exited with {self.proc.returncode}; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/login", timeout=2.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise Aborted(f"floor did not answer within {timeout:.0f} s; see {self.log_path}")


def _py_spy_format(path: str) -> list[str]:
    if path.endswith(".json"):
        return ["--format", "speedscope"]
    if path.endswith(".txt"):
        return ["--format", "raw"]  # collapsed stacks, one per line with its sample count
    return []


def process_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU of a process (all its threads), from /proc."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float] | None:
    """(busy, steal) CPU seconds of the whole machine, all cores, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    ticks = [int(x) for x in first[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    steal = ticks[7] if len(ticks) > 7 else 0
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks[:8]) - idle - steal) / hz, steal / hz


def own_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# --- bookkeeping -----------------------------------------------------------------------


@dataclass(slots=True)
class Sent:
    conv: int  # customer index
    op: int  # owning operator index
    t_send: float = 0.0
    t_ack: float | None = None
    t_recv: float | None = None
    msg_id: int | None = None


@dataclass
class Stats:
    sent: dict[str, Sent] = field(default_factory=dict)
    acks: int = 0
    acks_not_created: int = 0
    errors: list[str] = field(default_factory=list)
    duplicated_socket: int = 0  # same message id twice on one operator socket
    redelivered_other_id: int = 0  # same client_id delivered under a second message id
    misrouted: int = 0  # a measured message reached an operator who does not own it
    closed_sockets: list[str] = field(default_factory=list)
    first_send: float | None = None
    last_send: float | None = None
    last_recv: float | None = None
    delivered: int = 0
    pacer_lag_max: float = 0.0

    def error(self, text: str) -> None:
        if len(self.errors) < 50:
            self.errors.append(text)


class Operator:
    def __init__(self, idx: int, username: str, base: str, timeout: float) -> None:
        self.idx = idx
        self.username = username
        self.http = httpx.AsyncClient(base_url=base, timeout=timeout)
        self.csrf = ""
        self.user_id = 0
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.seen_ids: set[int] = set()
        self.frames = 0


class Customer:
    def __init__(self, idx: int, op: int) -> None:
        self.idx = idx
        self.op = op
        self.conv_id = 0
        self.token = ""
        self.first_client_id = ""
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.acked = asyncio.Event()  # for --rate 0: the previous message was acked
        self.pending = ""


# --- helpers ---------------------------------------------------------------------------


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    async def run(self, phase: str, coro: Awaitable[T], cap: float | None = None) -> T:
        left = self.left() if cap is None else min(cap, self.left())
        if left <= 0:
            raise Aborted(f"{phase}: no time left (--duration-limit)")
        try:
            async with asyncio.timeout(left):
                return await coro
        except TimeoutError:
            raise Aborted(f"{phase}: timed out after {left:.1f} s") from None
        except Aborted:
            raise
        except Exception as exc:  # network errors, protocol surprises: end the run cleanly
            raise Aborted(f"{phase}: {type(exc).__name__}: {exc}") from exc


async def bounded(limit: int, items: Iterable[T], fn: Callable[[T], Awaitable[Any]]) -> None:
    """Runs fn over items with at most `limit` at a time; the first failure cancels the rest."""
    queue = list(items)
    it = iter(queue)

    async def worker() -> None:
        for item in it:
            await fn(item)

    try:
        async with asyncio.TaskGroup() as tg:
            for _ in range(min(limit, len(queue))):
                tg.create_task(worker())
    except BaseExceptionGroup as group:
        raise group.exceptions[0] from None


def _check(resp: httpx.Response, what: str, *ok: int) -> Any:
    if resp.status_code not in (ok or (200,)):
        raise Aborted(f"{what}: HTTP {resp.status_code} {resp.text[:300]}")
    return (
        resp.json() if resp.headers.get("content-type", "").startswith("application/json") else None
    )


async def login(http: httpx.AsyncClient, username: str, password: str) -> tuple[str, int]:
    """The browser's way in: GET /login sets the form's CSRF cookie, POST /login the session."""
    page = await http.get("/login")
    _check(page, "GET /login")
    form_token = http.cookies.get("wowdesk_csrf", path="/login") or ""
    resp = await http.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": form_token,
            "next": "/console",
        },
    )
    if resp.status_code != 303 or not http.cookies.get("wowdesk_session"):
        raise Aborted(f"login {username}: HTTP {resp.status_code}")
    me = _check(await http.get("/api/v1/me"), f"GET /api/v1/me as {username}")
    return me["csrf_token"], me["id"]


def ws_url(base: str, path: str) -> str:
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{path}"


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest rank: the smallest value with at least q % of the values at or below it."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-q * len(sorted_values) // 100)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# --- the run ---------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, base: str, server_pid: int | None) -> None:
        self.args = args
        self.base = base.rstrip("/")
        self.server_pid = server_pid
        # --also-url: a second app process of the same deployment (PostgreSQL + Redis)
        self.bases = [self.base, *([args.also_url.rstrip("/")] if args.also_url else [])]
        self.server_pids = [
            pid for pid in (server_pid, args.also_server_pid if args.also_url else None) if pid
        ]
        self.run_id = uuid.uuid4().hex[:6]
        self.stats = Stats()
        self.deadline = Deadline(args.duration_limit)
        self.operators: list[Operator] = []
        self.customers: list[Customer] = []
        self.phases: dict[str, float] = {}
        self.aborted: str | None = None
        self.verify: dict[str, Any] = {}
        self.cpu: dict[str, float | None] = {}
        self.ws_kwargs: dict[str, Any] = {
            "compression": "deflate" if args.deflate else None,
            "ping_interval": None,
            "open_timeout": args.request_timeout,
            "close_timeout": 2,
            "max_queue": 256,
        }
        self.profiler: subprocess.Popen[bytes] | None = None

    def customer_base(self, c: Customer) -> int:
        """With two processes a customer talks to the one its operator does not, so every
        message crosses Redis on its way to the console."""
        return (c.op + 1) % len(self.bases)

    def server_cpu(self) -> float | None:
        """User + system CPU of the app process(es) under test, summed."""
        found = [process_cpu_seconds(pid) for pid in self.server_pids]
        if not found or any(cpu is None for cpu in found):
            return None
        return sum(cpu for cpu in found if cpu is not None)

    # phases ------------------------------------------------------------------------

    async def phase(self, name: str, coro: Awaitable[T], cap: float | None = None) -> T:
        started = time.perf_counter()
        log(f"{name} …")
        try:
            return await self.deadline.run(name, coro, cap)
        finally:
            self.phases[name] = round(time.perf_counter() - started, 3)

    async def create_operators(self) -> None:
        a = self.args
        admin = httpx.AsyncClient(base_url=self.base, timeout=a.request_timeout)
        try:
            csrf, _ = await login(admin, a.admin_user, a.admin_password)
            self.operators = [
                Operator(
                    i,
                    f"bench-{self.run_id}-op{i:03d}",
                    self.bases[i % len(self.bases)],
                    a.request_timeout,
                )
                for i in range(a.operators)
            ]

            capacity = -(-a.customers // a.operators)
            if capacity > CAPACITY_MAX:
                raise Aborted(
                    f"{a.customers} customers need {capacity} per operator, more than "
                    f"an operator's maximum {CAPACITY_MAX}: add --operators"
                )

            async def create(op: Operator) -> None:
                resp = await admin.post(
                    "/api/v1/users",
                    headers={"X-CSRF-Token": csrf},
                    json={
                        "username": op.username,
                        "display_name": f"Оператор {op.idx + 1}",
                        "role": "operator",
                        "password": OPERATOR_PASSWORD,
                    },
                )
                body = _check(resp, f"create {op.username}", 201)
                # New operators get the default capacity (3); each must hold its share of
                # the customers, as a supervisor would set it for a benchmark team.
                resp = await admin.put(
                    f"/api/v1/operators/{body['id']}/routing",
                    headers={"X-CSRF-Token": csrf},
                    json={"capacity": capacity, "skills": []},
                )
                _check(resp, f"set capacity {capacity} for {op.username}")

            await bounded(self.args.staff_concurrency, self.operators, create)
        finally:
            await admin.aclose()

    async def open_consoles(self) -> None:
        async def open_one(op: Operator) -> None:
            op.csrf, op.user_id = await login(op.http, op.username, OPERATOR_PASSWORD)
            cookie = op.http.cookies.get("wowdesk_session")
            op.ws = await connect(
                ws_url(str(op.http.base_url), "/ws/console"),
                additional_headers={"Cookie": f"wowdesk_session={cookie}"},
                **self.ws_kwargs,
            )
            ready = json.loads(await op.ws.recv())
            if ready.get("type") != "ready":
                raise Aborted(f"console {op.username}: expected ready, got {ready}")
            op.reader = asyncio.create_task(self.read_console(op))

        await bounded(self.args.staff_concurrency, self.operators, open_one)

    async def start_conversations(self) -> None:
        a = self.args
        m = len(self.operators)
        self.customers = [Customer(i, i % m) for i in range(a.customers)]
        clients = [httpx.AsyncClient(base_url=b, timeout=a.request_timeout) for b in self.bases]
        try:

            async def start(c: Customer) -> None:
                c.first_client_id = f"{self.run_id}-{c.idx}-0"
                resp = await clients[self.customer_base(c)].post(
                    "/api/v1/chat/conversations",
                    json={
                        "identity": f"bench-{self.run_id}-{c.idx}",
                        "channel": "web",
                        "name": f"Клиент {c.idx + 1}",
                        "message": {
                            "client_id": c.first_client_id,
                            "text": f"{TEXTS[c.idx % len(TEXTS)]} [{c.first_client_id}]",
                        },
                    },
                )
                body = _check(resp, f"start conversation {c.idx}", 201)
                c.conv_id, c.token = body["conversation"]["id"], body["token"]
                if body["conversation"]["status"] != "queued":
                    raise Aborted(
                        f"conversation {c.conv_id} starts as "
                        f"{body['conversation']['status']!r}, not queued: disable the "
                        "bot (WOWDESK_BOT_ENABLED=false) on the server under test"
                    )

            await bounded(a.http_concurrency, self.customers, start)
        finally:
            for client in clients:
                await client.aclose()

    async def assign(self) -> None:
        async def take(c: Customer) -> None:
            op = self.operators[c.op]
            resp = await op.http.post(
                f"/api/v1/conversations/{c.conv_id}/assign", headers={"X-CSRF-Token": op.csrf}
            )
            body = _check(resp, f"assign {c.conv_id} to {op.username}")
            if body["operator_id"] != op.user_id or body["status"] != "assigned":
                raise Aborted(f"assign {c.conv_id}: got {body['status']} / {body['operator_id']}")

        await bounded(self.args.staff_concurrency, self.customers, take)
        # each console shows one of its conversations, as an operator's does: that customer's
        # messages get the copilot's suggestions as they arrive, the others' when opened
        for op in self.operators:
            first = next((c for c in self.customers if c.op == op.idx), None)
            if first is not None and op.ws is not None:
                await op.ws.send(json.dumps({"type": "watch", "conversation_id": first.conv_id}))

    async def open_chats(self) -> None:
        async def open_one(c: Customer) -> None:
            base = self.bases[self.customer_base(c)]
            c.ws = await connect(ws_url(base, "/ws/chat"), **self.ws_kwargs)
            await c.ws.send(
                json.dumps(
                    {
                        "type": "hello",
                        "conversation_id": c.conv_id,
                        "token": c.token,
                        "after_seq": 0,
                    }
                )
            )
            ready = json.loads(await c.ws.recv())
            if ready.get("type") != "ready":
                raise Aborted(f"chat {c.conv_id}: expected ready, got {ready}")
            c.reader = asyncio.create_task(self.read_chat(c))

        await bounded(self.args.ws_concurrency, self.customers, open_one)

    async def warm_up(self) -> None:
        """One message before the clock starts, then a quiet server: models that load on
        first use (the operator's suggestions) are part of starting, not of the chat path."""
        c = self.customers[0]
        assert c.ws is not None
        await c.ws.send(
            json.dumps({"type": "send", "client_id": f"{self.run_id}-warm-up", "text": TEXTS[0]})
        )
        if self.server_cpu() is None:
            await asyncio.sleep(5)
            return
        for _ in range(240):  # until the servers' CPU over half a second is below 10 %
            before = self.server_cpu() or 0.0
            await asyncio.sleep(0.5)
            if (self.server_cpu() or 0.0) - before < 0.05:
                return

    async def settle(self) -> None:
        """Lets the consoles swallow the setup events (queue, assignments) before measuring."""
        last = -1
        for _ in range(100):
            total = sum(op.frames for op in self.operators)
            if total == last:
                return
            last = total
            await asyncio.sleep(0.25)

    async def send_phase(self) -> None:
        a, st = self.args, self.stats
        n, k = len(self.customers), a.messages_per_customer
        total = n * k
        texts = TEXTS
        for j in range(total):
            c = self.customers[j % n]
            cid = f"{self.run_id}-{c.idx}-{j // n + 1}"
            st.sent[cid] = Sent(conv=c.idx, op=c.op)
        perf = time.perf_counter
        if a.rate > 0:
            interval = 1.0 / a.rate
            t0 = perf()
            j = 0
            while j < total:
                now = perf()
                due = min(total, int((now - t0) / interval) + 1)
                while j < due:
                    c = self.customers[j % n]
                    cid = f"{self.run_id}-{c.idx}-{j // n + 1}"
                    frame = json.dumps(
                        {
                            "type": "send",
                            "client_id": cid,
                            "text": f"{texts[j % len(texts)]} [{cid}]",
                        },
                        ensure_ascii=False,
                    )
                    rec = st.sent[cid]
                    t = perf()
                    st.pacer_lag_max = max(st.pacer_lag_max, t - (t0 + j * interval))
                    rec.t_send = t
                    if st.first_send is None:
                        st.first_send = t
                    st.last_send = t
                    assert c.ws is not None
                    try:
                        await c.ws.send(frame)
                    except ConnectionClosed as exc:
                        st.error(f"chat {c.conv_id} closed while sending: {exc}")
                    j += 1
                if j < total:
                    await asyncio.sleep(max(0.0, t0 + j * interval - perf()))
        else:

            async def customer_loop(c: Customer) -> None:
                assert c.ws is not None
                for m in range(1, k + 1):
                    cid = f"{self.run_id}-{c.idx}-{m}"
                    rec = st.sent[cid]
                    c.pending = cid
                    c.acked.clear()
                    t = perf()
                    rec.t_send = t
                    if st.first_send is None or t < st.first_send:
                        st.first_send = t
                    st.last_send = max(st.last_send or t, t)
                    try:
                        await c.ws.send(
                            json.dumps(
                                {
                                    "type": "send",
                                    "client_id": cid,
                                    "text": f"{texts[(c.idx + m) % len(texts)]} [{cid}]",
                                },
                                ensure_ascii=False,
                            )
                        )
                    except ConnectionClosed as exc:
                        st.error(f"chat {c.conv_id} closed while sending: {exc}")
                        return
                    await c.acked.wait()

            async with asyncio.TaskGroup() as tg:
                for c in self.customers:
                    tg.create_task(customer_loop(c))

    async def drain(self) -> None:
        """Waits for the stragglers: gives up after --drain-timeout without any progress."""
        st = self.stats
        total = len(st.sent)
        progress, idle_since = -1, time.monotonic()
        while time.monotonic() - idle_since < self.args.drain_timeout:
            if st.delivered >= total and st.acks >= total:
                return
            if st.delivered + st.acks != progress:
                progress, idle_since = st.delivered + st.acks, time.monotonic()
            await asyncio.sleep(0.02)

    async def verify_rest(self) -> None:
        """Every client_id the customers sent is stored exactly once, as the owner sees it."""
        expected: dict[int, set[str]] = {c.idx: {c.first_client_id} for c in self.customers}
        for cid, rec in self.stats.sent.items():
            expected[rec.conv].add(cid)
        missing = stored_twice = checked = 0
        examples: list[str] = []

        async def check(c: Customer) -> None:
            nonlocal missing, stored_twice, checked
            op = self.operators[c.op]
            resp = await op.http.get(f"/api/v1/conversations/{c.conv_id}/messages")
            rows = _check(resp, f"messages of {c.conv_id}")
            counts: dict[str, int] = {}
            for row in rows:
                counts[row["client_id"]] = counts.get(row["client_id"], 0) + 1
            for cid in expected[c.idx]:
                seen = counts.get(cid, 0)
                checked += 1
                if seen == 0:
                    missing += 1
                    if len(examples) < 5:
                        examples.append(f"{cid} missing")
                elif seen > 1:
                    stored_twice += 1
                    if len(examples) < 5:
                        examples.append(f"{cid} stored {seen}x")

        await bounded(self.args.staff_concurrency, self.customers, check)
        self.verify = {
            "checked": checked,
            "missing": missing,
            "stored_twice": stored_twice,
            "examples": examples,
        }

    # readers -----------------------------------------------------------------------

    async def read_console(self, op: Operator) -> None:
        st, sent, perf, loads = self.stats, self.stats.sent, time.perf_counter, json.loads
        assert op.ws is not None
        try:
            async for raw in op.ws:
                now = perf()
                op.frames += 1
                ev = loads(raw)
                kind = ev.get("type")
                if kind == "message":
                    msg = ev["message"]
                    rec = sent.get(msg["client_id"])
                    if rec is None:
                        continue  # setup traffic: first messages, "operator joined"
                    if rec.op != op.idx:
                        st.misrouted += 1
                        continue
                    mid = msg["id"]
                    if mid in op.seen_ids:
                        st.duplicated_socket += 1
                        continue
                    op.seen_ids.add(mid)
                    if rec.t_recv is None:
                        rec.t_recv, rec.msg_id = now, mid
                        st.delivered += 1
                        st.last_recv = now
                    elif rec.msg_id != mid:
                        st.redelivered_other_id += 1
                elif kind == "error":
                    st.error(f"console {op.username}: {ev}")
        except ConnectionClosed as exc:
            if not self.closing:
                st.closed_sockets.append(f"console {op.username}: {exc}")

    async def read_chat(self, c: Customer) -> None:
        st, sent, perf, loads = self.stats, self.stats.sent, time.perf_counter, json.loads
        assert c.ws is not None
        try:
            async for raw in c.ws:
                now = perf()
                ev = loads(raw)
                kind = ev.get("type")
                if kind == "ack":
                    rec = sent.get(ev.get("client_id", ""))
                    if rec is not None and rec.t_ack is None:
                        rec.t_ack = now
                        st.acks += 1
                        if not ev.get("created", True):
                            st.acks_not_created += 1
                    if ev.get("client_id") == c.pending:
                        c.acked.set()
                elif kind == "error":
                    st.error(f"chat {c.conv_id}: {ev}")
                    if ev.get("client_id") == c.pending:
                        c.acked.set()
                # Anything else (the customer's own messages echoed back, typing, the
                # conversation's updates) is what a browser would render; nothing to count.
        except ConnectionClosed as exc:
            if not self.closing:
                st.closed_sockets.append(f"chat {c.conv_id}: {exc}")
            c.acked.set()

    closing = False

    async def close_all(self) -> None:
        self.closing = True
        sockets = [o.ws for o in self.operators] + [c.ws for c in self.customers]
        readers = [o.reader for o in self.operators] + [c.reader for c in self.customers]

        async def close(ws: ClientConnection | None) -> None:
            if ws is not None:
                with contextlib.suppress(Exception):
                    await ws.close()

        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await bounded(50, sockets, close)
        for task in readers:
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in readers if t is not None), return_exceptions=True)
        for op in self.operators:
            with contextlib.suppress(Exception):
                await op.http.aclose()

    # profiler ----------------------------------------------------------------------

    def start_profiler(self) -> None:
        if not self.args.py_spy:
            return
        if self.server_pid is None:
            log("--py-spy needs the server's pid (own server or --server-pid)")
            return
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.profiler = subprocess.Popen(
            [
                exe,
                "record",
                "-p",
                str(self.server_pid),
                "-o",
                self.args.py_spy,
                "-r",
                "250",
                "--nonblocking",
                "--gil",
                "--threads",
                *_py_spy_format(self.args.py_spy),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop_profiler(self) -> None:
        if self.profiler is not None and self.profiler.poll() is None:
            self.profiler.send_signal(signal.SIGINT)
            try:
                self.profiler.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.profiler.kill()
            log(f"py-spy profile written to {self.args.py_spy}")

    # main --------------------------------------------------------------------------

    async def run(self) -> None:
        measured = False
        try:
            await self.phase("create operators", self.create_operators())
            await self.phase("operators log in + open consoles", self.open_consoles())
            await self.phase("customers start conversations", self.start_conversations())
            await self.phase("operators take conversations", self.assign())
            await self.phase("customers open chats", self.open_chats())
            await self.phase("warm up", self.warm_up(), cap=150)
            await self.phase("settle", self.settle(), cap=30)
            self.start_profiler()
            cpu0, srv0 = own_cpu_seconds(), self.server_cpu()
            box0, t0 = machine_cpu_seconds(), time.perf_counter()
            measured = True
            try:
                await self.phase("send", self.send_phase())
                await self.phase("drain", self.drain())
            finally:
                wall = time.perf_counter() - t0
                cpu1, srv1 = own_cpu_seconds(), self.server_cpu()
                box1 = machine_cpu_seconds()
                self.stop_profiler()
                client = cpu1 - cpu0
                server = srv1 - srv0 if srv0 is not None and srv1 is not None else None
                self.cpu = {
                    "wall_s": round(wall, 3),
                    "cores": os.cpu_count(),
                    "client_cpu_pct": round(100 * client / wall, 1),
                    "server_cpu_pct": None if server is None else round(100 * server / wall, 1),
                    "server_cpu_ms_per_msg": (
                        round(1000 * server / self.stats.delivered, 2)
                        if server is not None and self.stats.delivered
                        else None
                    ),
                }
                if box0 is not None and box1 is not None:
                    # Whatever else ran meanwhile (other test runs, py-spy): a busy machine
                    # makes the figures pessimistic, so the report says so.
                    busy = box1[0] - box0[0]
                    self.cpu["other_cpu_pct"] = round(
                        100 * (busy - client - (server or 0)) / wall, 1
                    )
                    self.cpu["steal_pct"] = round(100 * (box1[1] - box0[1]) / wall, 1)
            await self.phase("verify over REST", self.verify_rest())
        except Aborted as exc:
            self.aborted = str(exc)
            log(f"aborted: {exc}")
            if not measured:
                raise
        finally:
            await asyncio.shield(self.close_all())

    # report ------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        a, st = self.args, self.stats
        recs = list(st.sent.values())
        sent = sum(1 for r in recs if r.t_send)
        lat = sorted((r.t_recv - r.t_send) * 1000 for r in recs if r.t_recv is not None)
        ack = sorted((r.t_ack - r.t_send) * 1000 for r in recs if r.t_ack is not None)
        lost = sum(1 for r in recs if r.t_send and r.t_recv is None)
        not_acked = sum(1 for r in recs if r.t_send and r.t_ack is None)
        duplicated = (
            st.duplicated_socket + st.redelivered_other_id + self.verify.get("stored_twice", 0)
        )
        span = ((st.last_recv or 0) - st.first_send) if st.first_send and st.last_recv else 0.0
        send_span = ((st.last_send or 0) - st.first_send) if st.first_send else 0.0
        rate = st.delivered / span if span > 0 else 0.0

        def r1(x: float | None) -> float | None:
            return None if x is None else round(x, 1)

        latency = {f"p{q}": r1(percentile(lat, q)) for q in (50, 95, 99)}
        latency["max"] = r1(lat[-1] if lat else None)
        ack_latency = {f"p{q}": r1(percentile(ack, q)) for q in (50, 99)}
        ack_latency["max"] = r1(ack[-1] if ack else None)
        expected = a.customers * a.messages_per_customer
        failures = []
        if self.aborted:
            failures.append(f"aborted: {self.aborted}")
        if sent < expected:
            failures.append(f"sent {sent} of {expected}")
        if lost:
            failures.append(f"lost {lost}")
        if duplicated:
            failures.append(f"duplicated {duplicated}")
        if not_acked:
            failures.append(f"not acked {not_acked}")
        if self.verify.get("missing"):
            failures.append(f"missing in REST {self.verify['missing']}")
        if not self.verify:
            failures.append("REST verification not done")
        if rate < a.target_rate:
            failures.append(f"{rate:.0f} msg/s < {a.target_rate}")
        p99 = latency["p99"]
        if p99 is None or p99 >= a.target_p99_ms:
            failures.append(f"p99 {p99} ms >= {a.target_p99_ms}")
        return {
            "pass": not failures,
            "failures": failures,
            "url": self.base,
            "customers": a.customers,
            "operators": a.operators,
            "messages_per_customer": a.messages_per_customer,
            "rate_target": a.rate,
            "deflate": a.deflate,
            "sent": sent,
            "acked": st.acks,
            "acked_not_created": st.acks_not_created,
            "delivered": st.delivered,
            "lost": lost,
            "duplicated": duplicated,
            "duplicated_detail": {
                "same_id_same_socket": st.duplicated_socket,
                "second_id": st.redelivered_other_id,
                "stored_twice": self.verify.get("stored_twice"),
            },
            "misrouted": st.misrouted,
            "rest_verify": self.verify,
            "messages_per_s": round(rate, 1),
            "offered_per_s": round(sent / send_span, 1) if send_span > 0 else None,
            "send_phase_s": round(span, 3),
            "pacer_lag_max_ms": round(st.pacer_lag_max * 1000, 1),
            "latency_ms": latency,
            "ack_latency_ms": ack_latency,
            "cpu": self.cpu,
            "phases_s": self.phases,
            "errors": st.errors[:10],
            "closed_sockets": st.closed_sockets[:10],
            "targets": {"messages_per_s": a.target_rate, "p99_ms": a.target_p99_ms},
        }


def print_summary(r: dict[str, Any]) -> None:
    lat, ack, cpu = r["latency_ms"], r["ack_latency_ms"], r["cpu"]
    lines = [
        f"wowdesk chat load: {r['customers']} customers, {r['operators']} operators, "
        f"{r['messages_per_customer']} msgs each, rate {r['rate_target'] or 'max'}/s "
        f"({'deflate' if r['deflate'] else 'no compression'}) against {r['url']}",
        f"  sent {r['sent']}  acked {r['acked']}  delivered {r['delivered']}  "
        f"lost {r['lost']}  duplicated {r['duplicated']}  misrouted {r['misrouted']}",
        f"  REST check: {r['rest_verify'] or 'not done'}",
        f"  throughput  {r['messages_per_s']} msg/s delivered over {r['send_phase_s']} s "
        f"(first send to last delivery; offered {r['offered_per_s']}/s, "
        f"pacer lag max {r['pacer_lag_max_ms']} ms)",
        f"  delivery latency ms  p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  "
        f"max {lat['max']}",
        f"  ack latency ms       p50 {ack['p50']}  p99 {ack['p99']}  max {ack['max']}",
        f"  CPU during send+drain ({cpu.get('wall_s')} s, 100 % = one of {cpu.get('cores')} "
        f"cores): client {cpu.get('client_cpu_pct')} %, server {cpu.get('server_cpu_pct')} %, "
        f"other processes {cpu.get('other_cpu_pct')} %, steal {cpu.get('steal_pct')} %; "
        f"server {cpu.get('server_cpu_ms_per_msg')} ms CPU per delivered message",
        f"  phases (s): {r['phases_s']}",
    ]
    if r["errors"]:
        lines.append(f"  errors: {r['errors']}")
    if r["closed_sockets"]:
        lines.append(f"  closed sockets: {r['closed_sockets']}")
    floor = r.get("floor")
    if floor is not None:
        flat, fcpu, ratios = floor["latency_ms"], floor["cpu"], r["ratios"]
        lines.append(
            f"  floor (bare uvicorn relay, same load): {floor['messages_per_s']} msg/s, "
            f"p50 {flat['p50']} p99 {flat['p99']} ms, server "
            f"{fcpu.get('server_cpu_ms_per_msg')} ms CPU per message, lost {floor['lost']}"
        )
        lines.append(
            f"  wowdesk / floor: server CPU per message {ratios['server_cpu_per_msg']}x, "
            f"p99 {ratios['p99']}x, msg/s {ratios['messages_per_s']}x"
        )
    verdict = "PASS" if r["pass"] else "FAIL: " + "; ".join(r["failures"])
    lines.append(
        f"  targets: >= {r['targets']['messages_per_s']} msg/s, p99 < "
        f"{r['targets']['p99_ms']} ms, 0 lost, 0 duplicated -> {verdict}"
    )
    print("\n".join(lines), flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--url", help="a running server (loopback only); default: start a fresh one")
    p.add_argument("--admin-user", default="admin")
    p.add_argument("--admin-password", default="admin-demo-1")
    p.add_argument("--server-pid", type=int, help="with --url: measure this process's CPU")
    p.add_argument(
        "--also-url",
        help="with --url: a second app process of the same deployment (PostgreSQL + Redis); "
        "every other operator works on it, and customers talk to the process their "
        "operator does not, so every message crosses Redis",
    )
    p.add_argument("--also-server-pid", type=int, help="with --also-url: its process's CPU too")
    p.add_argument("--customers", type=int, default=500)
    p.add_argument("--operators", type=int, default=20)
    p.add_argument("--messages-per-customer", type=int, default=6)
    p.add_argument(
        "--rate",
        type=float,
        default=320.0,
        help="messages/s offered over all customers; 0 = as fast as acked",
    )
    p.add_argument(
        "--duration-limit",
        type=float,
        default=300.0,
        help="hard limit for a run once its server is up (setup included), seconds",
    )
    p.add_argument(
        "--drain-timeout",
        type=float,
        default=10.0,
        help="after the last send, give up waiting for deliveries and acks after "
        "this long without progress (the --duration-limit still applies)",
    )
    p.add_argument("--request-timeout", type=float, default=30.0)
    p.add_argument(
        "--http-concurrency",
        type=int,
        default=16,
        help="parallel customer REST requests (starting conversations)",
    )
    p.add_argument(
        "--staff-concurrency",
        type=int,
        default=1,
        help="parallel staff REST requests; above 1 the embedded server stalls "
        "(operators/auth.py:_current queries SQLite on the event loop while another "
        "request's session holds the only pooled connection)",
    )
    p.add_argument("--ws-concurrency", type=int, default=50)
    p.add_argument(
        "--deflate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="negotiate permessage-deflate, as browsers do",
    )
    p.add_argument("--target-rate", type=float, default=300.0)
    p.add_argument("--target-p99-ms", type=float, default=150.0)
    p.add_argument(
        "--py-spy",
        metavar="FILE",
        help="record the server with py-spy during the "
        "send phase (.svg flame graph, .json speedscope, .txt collapsed stacks)",
    )
    p.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="first run the same load against benchmarks/chat_floor.py (bare uvicorn relay)",
    )
    p.add_argument("--keep", action="store_true", help="keep the own server's directory")
    p.add_argument(
        "--uvloop",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the client on uvloop when installed (less client CPU)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    if args.customers < 1 or args.operators < 1 or args.messages_per_customer < 1:
        p.error("--customers, --operators and --messages-per-customer must be >= 1")
    if args.rate < 0 or args.duration_limit <= 0:
        p.error("--rate must be >= 0 and --duration-limit > 0")
    for url in (args.url, args.also_url):
        if url and (urlsplit(url).hostname or "") not in LOOPBACK:
            p.error("--url must point at 127.0.0.1 (this benchmark only talks to loopback)")
    if args.also_url and not args.url:
        p.error("--also-url goes with --url (two processes of one running deployment)")
    return args


def run_one(
    args: argparse.Namespace, server: LocalServer | None, quiet: bool = False
) -> dict[str, Any] | None:
    """One measured run against `server` (or --url); None if it failed before measuring."""
    try:
        if server is not None:
            server.start(timeout=min(60.0, args.duration_limit))
            base, pid = server.url, server.pid
            args = argparse.Namespace(**{**vars(args), "also_url": None})  # one process
        else:
            base, pid = args.url, args.server_pid
        bench = Bench(args, base, pid)
        if quiet:
            bench.args = argparse.Namespace(**{**vars(args), "py_spy": None})
        runner: Callable[[Any], Any] = asyncio.run
        if args.uvloop:
            with contextlib.suppress(ImportError):
                import uvloop

                runner = uvloop.run
        try:
            runner(bench.run())
        except Aborted as exc:
            log(f"error: {exc}")
            return None
        return bench.report()
    finally:
        if server is not None:
            server.stop()
            if args.keep:
                log(f"kept {server.dir} (server log: {server.log_path})")


def _ratio(ours: float | None, floor: float | None) -> float | None:
    return round(ours / floor, 1) if ours and floor else None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = 2 * (args.customers + args.operators) + 256
        if soft < need:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    server = None if args.url else LocalServer(args.keep)
    floor_server = FloorServer(args.keep) if args.floor else None

    def watchdog() -> None:
        log("watchdog: the run outlived --duration-limit; killing the servers and exiting")
        for srv in (server, floor_server):
            if srv is not None and srv.proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(srv.proc.pid, signal.SIGKILL)
        os._exit(3)

    runs = 2 if floor_server is not None else 1
    timer = threading.Timer(runs * (args.duration_limit + 60) + SEED_TIMEOUT, watchdog)
    timer.daemon = True
    timer.start()
    try:
        floor = None
        if floor_server is not None:
            log("floor: the same load against a bare uvicorn relay (benchmarks/chat_floor.py)")
            floor = run_one(args, floor_server, quiet=True)
        log("wowdesk: the measured run")
        result = run_one(args, server)
    finally:
        timer.cancel()
    if result is None:
        return 2
    if floor is not None:
        result["floor"] = {
            key: floor[key]
            for key in ("pass", "failures", "messages_per_s", "latency_ms", "cpu", "lost")
        }
        ours_cpu = result["cpu"].get("server_cpu_ms_per_msg")
        floor_cpu = floor["cpu"].get("server_cpu_ms_per_msg")
        result["ratios"] = {
            "server_cpu_per_msg": _ratio(ours_cpu, floor_cpu),
            "p99": _ratio(result["latency_ms"]["p99"], floor["latency_ms"]["p99"]),
            "messages_per_s": _ratio(result["messages_per_s"], floor["messages_per_s"]),
        }
    if args.json:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    else:
        print_summary(result)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
