"""Routing figures: assignments per second, time from handoff to the operator's offer, and
the accuracy of the wait estimate customers are told.

Run: python benchmarks/routing.py [--database-url URL] [--conversations 2000]
        [--operators 50] [--capacity 20] [--arrivals-per-second 40] [--json]

1. Throughput: N conversations already waiting, operators online with room for all of them;
   the dispatcher's passes (the same `Dispatcher.one_pass` the app runs) until none waits.
   assignments/s = N / wall time.
2. Latency: the real dispatcher task on the event bus while conversations arrive at a steady
   rate (each one a real `do_start` commit whose queue event wakes the dispatcher); per
   conversation the stored `assigned_at - queued_at`, p50 and p99.
3. EWT: a simulated day (arrivals following a daily profile, operators per hour, chat
   handle times log-normal), FIFO queue; each arriving customer who has to wait is told
   `waiting.estimate_wait(...)` from their position, operators' free places and the
   trimmed mean of the last 50 handle times; MAE against the wait they really had.
4. The floor of 1, in the same run: as many waiting conversations given out by plain SQL
   (the oldest selected, one UPDATE each, in transactions of the dispatcher's batch size).

Without --database-url the store is a fresh SQLite file (the embedded default); pass a
PostgreSQL URL (an empty database it may migrate and fill) for the distributed store.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import math
import random
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select, update

from wowdesk import events, migrate
from wowdesk.config import Settings
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work, utcnow, writer_executor
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.models import OperatorStatus
from wowdesk.routing import waiting
from wowdesk.routing.dispatcher import Dispatcher
from wowdesk.routing.service import PASS_LIMIT

GRACE = 600.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def setup(url: str, n_ops: int, capacity: int) -> None:
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with unit_of_work(factory) as db:
        for i in range(n_ops):
            user = operators.do_create_user(
                db,
                username=f"bench-op-{uuid.uuid4().hex[:8]}",
                display_name=f"Оператор {i}",
                role="operator",
                password="bench-password-1",
            )
            presence.do_set_capacity(db, user.id, capacity)
            presence.do_set_status(db, user, OperatorStatus.online)


def keep_present(factory: object, stop: asyncio.Event) -> asyncio.Task[None]:
    """The consoles' heartbeat: operators stay present however long the run takes."""

    async def beat() -> None:
        while not stop.is_set():
            with unit_of_work(factory) as db:  # type: ignore[arg-type]
                for user, state in presence.list_states(db):
                    if state.status == OperatorStatus.online:
                        presence.do_touch(db, user.id, GRACE)
            await asyncio.sleep(5)

    return asyncio.create_task(beat())


def start_many(factory: object, n: int, tag: str) -> list[int]:
    ids = []
    with unit_of_work(factory) as db:  # type: ignore[arg-type]
        for i in range(n):
            conv, _token, _msg = conversations.do_start(
                db,
                identity=f"{tag}-{i}",
                channel="web",
                client_id=f"{tag}-{i}-0",
                text="Где мой заказ?",
                limit=4000,
                secret="bench-secret",
            )
            ids.append(conv.id)
    return ids


def throughput(url: str, n: int, settings: Settings) -> dict[str, float]:
    factory = make_sessionmaker(make_engine(url))
    start_many(factory, n, f"tp-{uuid.uuid4().hex[:6]}")
    dispatcher = Dispatcher(factory, settings)
    assigned = 0
    t0 = time.perf_counter()
    while assigned < n:
        with unit_of_work(factory) as db:
            offers = dispatcher.one_pass(db)
        if not offers:
            break
        assigned += len(offers)
    wall = time.perf_counter() - t0
    return {"assigned": assigned, "seconds": round(wall, 3), "per_second": round(assigned / wall)}


def throughput_floor(url: str, n: int) -> dict[str, float]:
    """The floor: the same number of waiting conversations given to the operators by plain
    SQL, in transactions of the dispatcher's batch size: the oldest waiting ones selected,
    one UPDATE each to the next operator in turn. No tickets, skills, capacity or events;
    what a dispatcher pass costs above this is its own work."""
    factory = make_sessionmaker(make_engine(url))
    start_many(factory, n, f"floor-{uuid.uuid4().hex[:6]}")
    with unit_of_work(factory) as db:
        ops = [u.id for u in operators.list_users(db) if u.role == "operator"]
    table = Conversation.__table__
    assigned = 0
    t0 = time.perf_counter()
    while assigned < n:
        with unit_of_work(factory) as db:
            ids = db.scalars(
                select(table.c.id)
                .where(table.c.status == Status.queued)
                .order_by(table.c.queued_at, table.c.id)
                .limit(PASS_LIMIT)
            ).all()
            for cid in ids:
                db.execute(
                    update(table)
                    .where(table.c.id == cid)
                    .values(
                        status=Status.assigned,
                        operator_id=ops[assigned % len(ops)],
                        assigned_at=utcnow(),
                    )
                )
                assigned += 1
        if not ids:
            break
    wall = time.perf_counter() - t0
    return {"assigned": assigned, "seconds": round(wall, 3), "per_second": round(assigned / wall)}


async def latency(url: str, n: int, rate: float, settings: Settings) -> dict[str, float]:
    factory = make_sessionmaker(make_engine(url))
    bus = events.LocalBus()
    events.attach_bus(factory.kw.setdefault("info", {}), bus)
    bus.bind_loop(asyncio.get_running_loop())
    executor = writer_executor(factory) or ThreadPoolExecutor(4)
    dispatcher = Dispatcher(factory, settings, executor)
    stop = asyncio.Event()
    beat = keep_present(factory, stop)
    task = asyncio.create_task(dispatcher.run(bus))
    tag = f"lat-{uuid.uuid4().hex[:6]}"
    loop = asyncio.get_running_loop()
    ids: list[int] = []
    t0 = time.perf_counter()
    for i in range(n):
        ids += await loop.run_in_executor(executor, start_many, factory, 1, f"{tag}-{i}")
        await asyncio.sleep(max(0.0, t0 + (i + 1) / rate - time.perf_counter()))
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        with unit_of_work(factory) as db:
            rows = db.execute(
                select(Conversation.queued_at, Conversation.assigned_at).where(
                    Conversation.id.in_(ids)
                )
            ).all()
        if all(a is not None for _q, a in rows):
            break
        await asyncio.sleep(0.2)
    stop.set()
    task.cancel()
    beat.cancel()
    waits = [(a - q).total_seconds() * 1000 for q, a in rows if a is not None and q is not None]
    return {
        "conversations": n,
        "offered": len(waits),
        "p50_ms": round(percentile(waits, 0.5), 1),
        "p99_ms": round(percentile(waits, 0.99), 1),
    }


# --- the simulated day ----------------------------------------------------------------


def simulated_day(seed: int = 7) -> dict[str, float]:
    """Discrete-event day: 08:00-22:00, arrivals per hour shaped like a chat contact
    center's, operators scheduled per hour at about 90 % occupancy, capacity 2 chats."""
    rng = random.Random(seed)
    profile = [40, 70, 110, 130, 120, 100, 110, 120, 110, 100, 90, 80, 60, 40]  # per hour
    capacity = 2
    mean_handle = 480.0
    sigma = 0.6
    mu = math.log(mean_handle) - sigma**2 / 2
    staff = [max(1, round(p * mean_handle / 3600 / capacity / 0.9)) for p in profile]

    arrivals = []
    t = 0.0
    for hour, per_hour in enumerate(profile):
        t = max(t, hour * 3600)
        while True:
            t += rng.expovariate(per_hour / 3600)
            if t >= (hour + 1) * 3600:
                t = (hour + 1) * 3600
                break
            arrivals.append(t)

    busy: list[float] = []  # heap of release times of occupied places
    queue: list[int] = []  # indices of waiting customers, FIFO
    told: dict[int, float] = {}
    waited: dict[int, float] = {}
    recent: list[float] = []
    errors: list[float] = []
    events_: list[tuple[float, int, int]] = [(a, 1, i) for i, a in enumerate(arrivals)]
    heapq.heapify(events_)

    def slots(at: float) -> int:
        return staff[min(len(staff) - 1, int(at // 3600))] * capacity

    def serve(now: float) -> None:
        while queue and len(busy) < slots(now):
            i = queue.pop(0)
            waited[i] = now - arrivals[i]
            handle = rng.lognormvariate(mu, sigma)
            recent.append(handle)
            del recent[:-50]
            heapq.heappush(busy, now + handle)
            heapq.heappush(events_, (now + handle, 0, -1))

    while events_:
        now, kind, i = heapq.heappop(events_)
        if kind == 0:  # a place frees
            heapq.heappop(busy)
            serve(now)
            continue
        queue.append(i)
        position = len(queue)
        free = max(0, slots(now) - len(busy))
        estimate = waiting.estimate_wait(
            position, slots(now), free, waiting.mean_handle_seconds(recent)
        )
        serve(now)
        if i in waited:  # served at once: nobody is told a wait
            continue
        told[i] = estimate if estimate is not None else 0.0
    for i, estimate in told.items():
        errors.append(abs(estimate - waited[i]))
    real = [waited[i] for i in told]
    return {
        "customers": len(arrivals),
        "waited": len(told),
        "mean_wait_seconds": round(statistics.fmean(real), 1) if real else 0.0,
        "ewt_mae_seconds": round(statistics.fmean(errors), 1) if errors else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--latency-conversations", type=int, default=300)
    parser.add_argument("--arrivals-per-second", type=float, default=20.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(var_dir=Path(tmp), database_url=url, routing_grace_seconds=GRACE)
        setup(url, args.operators, args.capacity)
        result = {
            "store": "postgresql" if url.startswith("postgresql") else "sqlite",
            "throughput": throughput(url, args.conversations, settings),
            "handoff_to_offer": asyncio.run(
                latency(url, args.latency_conversations, args.arrivals_per_second, settings)
            ),
            "ewt_simulated_day": simulated_day(),
            # last: it ignores the operators' capacity, which the latency run needs
            "throughput_floor": throughput_floor(url, args.conversations),
        }
    if args.json:
        print(json.dumps(result))
        return
    for name, figures in result.items():
        print(f"{name}: {figures}")
    ratio = result["throughput_floor"]["per_second"] / result["throughput"]["per_second"]
    print(f"floor / dispatcher, assignments per second: {ratio:.1f}x")


if __name__ == "__main__":
    main()
