"""Background work beside the app, in either mode.

Embedded (no Redis): the bot answers, and the assistant suggests operators' replies, in
asyncio tasks of the one app process. Distributed (`WOWDESK_REDIS_URL`): app processes
only enqueue bot turns and suggestions as arq jobs, and `wowdesk worker` runs them. The
job id is the customer message's id, so the copies that every app process enqueues (each
one hears every event through Redis) and the periodic sweep collapse into one job: a
message is answered once, however many processes saw it.

The routing dispatcher runs in every app process in both modes: its row locks, not a job
queue, make concurrent passes share the work (see `routing.service`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from arq import create_pool, cron
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker
from sqlalchemy.orm import Session, sessionmaker

from wowdesk import events
from wowdesk.analytics import service as analytics
from wowdesk.assist import push_loop as assist_runner
from wowdesk.assist.indexes import Assistant
from wowdesk.bot import service as bot_service
from wowdesk.bot import turn_loop as bot_runner
from wowdesk.bot.engine import BotEngine
from wowdesk.config import Settings
from wowdesk.conversations import outbox
from wowdesk.conversations import service as conversations
from wowdesk.customers import crosssell
from wowdesk.db import run_unit
from wowdesk.kb import verdicts
from wowdesk.mail import Smtp
from wowdesk.privacy import retention
from wowdesk.quality import autoqa, case_suggestions
from wowdesk.quality import background as quality_background
from wowdesk.routing import dispatcher as routing_runner
from wowdesk.training import listener as training_listener

log = logging.getLogger(__name__)

BOT_TURN = "bot_turn"
ASSIST_SUGGEST = "assist_suggest"
# a bot turn that has not finished in this time is retried by another worker
BOT_TURN_TIMEOUT_SECONDS = 120
# how long a finished turn's id blocks a second copy of the same job
KEEP_RESULT_SECONDS = 3600


def bot_turn_id(message_id: int) -> str:
    return f"bot-turn:{message_id}"


async def enqueue_bot_turn(pool: ArqRedis, conversation_id: int, message_id: int) -> bool:
    """False when the turn is already queued, running or done."""
    job = await pool.enqueue_job(
        BOT_TURN, conversation_id, message_id, _job_id=bot_turn_id(message_id)
    )
    return job is not None


def assist_job_id(message_id: int) -> str:
    return f"assist:{message_id}"


async def _forward_assist_events(bus: events.LocalBus, pool: ArqRedis) -> None:
    """Customer messages to operators become suggestion jobs, one per message however many
    processes heard it (the job id)."""
    sub = bus.subscribe()
    sub.listen(events.ASSIST_CHANNEL)
    try:
        while True:
            found = conversations.new_customer_message(await sub.queue.get())
            if found:
                conversation_id, message_id = found
                try:
                    await pool.enqueue_job(
                        ASSIST_SUGGEST,
                        conversation_id,
                        message_id,
                        _job_id=assist_job_id(message_id),
                    )
                except Exception:  # the console asks for them when it opens the conversation
                    log.exception("suggestions for message %s not enqueued", message_id)
    finally:
        sub.close()


async def _forward_bot_events(bus: events.LocalBus, pool: ArqRedis) -> None:
    sub = bus.subscribe()
    sub.listen(events.BOT_CHANNEL)
    try:
        while True:
            found = conversations.new_customer_message(await sub.queue.get())
            if found is not None:
                try:
                    await enqueue_bot_turn(pool, *found)
                except Exception:  # the worker's sweep finds the message anyway
                    log.exception("bot turn for message %s not enqueued", found[1])
    finally:
        sub.close()


def start_app_tasks(
    settings: Settings,
    bus: events.LocalBus,
    factory: sessionmaker[Session],
    bot: BotEngine,
    executor: ThreadPoolExecutor | None,
    assistant: Assistant,
) -> list[asyncio.Task[None]]:
    tasks = []
    if settings.redis_url:
        forwarder = _run_forwarder(settings.redis_url, bus, bot=settings.bot_enabled)
        tasks.append(asyncio.create_task(forwarder))
    else:
        if settings.bot_enabled:
            tasks.append(bot_runner.start(bus, factory, bot, _start_within(settings)))
        tasks.append(assist_runner.start(bus, factory, assistant))
    # every process that answers the console's requests keeps colleagues' answers current
    refresh = _repeat(
        "refreshing colleagues' answers",
        factory,
        executor,
        assistant.refresh_if_loaded,
        ASSIST_EVERY_SECONDS,
    )
    tasks.append(asyncio.create_task(refresh))
    if settings.bot_enabled:
        # in every app process, not the worker: a worker far behind cannot hand off itself
        overdue = functools.partial(bot_service.do_hand_off_overdue, waited=_start_within(settings))
        late = _repeat("handing late bot turns to people", factory, executor, overdue, 1.0)
        tasks.append(asyncio.create_task(late))
    if settings.routing_enabled:
        dispatcher = routing_runner.Dispatcher(factory, settings, executor)
        tasks.append(routing_runner.start(dispatcher, bus))
    tasks.append(asyncio.create_task(_refresh_kpis(settings, factory, executor)))
    tasks.append(asyncio.create_task(_refresh_crosssell(settings, factory, executor)))
    tasks.extend(_quality(settings, factory, executor, bot))
    learn = functools.partial(verdicts.do_learn_if_due, current=bot.knowledge.current)
    tasks.append(
        asyncio.create_task(
            _repeat(
                "learning the search from verdicts", factory, executor, learn, LEARN_EVERY_SECONDS
            )
        )
    )
    smtp = settings.smtp()
    if smtp is not None:
        tasks.append(asyncio.create_task(_send_mail(factory, executor, smtp)))
    tasks.append(asyncio.create_task(_retention(settings, factory, executor)))
    tasks.extend(training_listener.start(bus, factory, executor))
    return tasks


def _start_within(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.bot_turn_start_seconds)


RETENTION_FIRST_SECONDS = 600.0
RETENTION_EVERY_SECONDS = 86400.0


async def _retention(
    settings: Settings, factory: sessionmaker[Session], executor: ThreadPoolExecutor | None
) -> None:
    """The daily retention job, first some minutes after start (not in the start-up rush).
    In every process: it is idempotent, so processes running it at once only repeat each
    other's UPDATEs over rows already changed (none)."""
    await asyncio.sleep(RETENTION_FIRST_SECONDS)
    policy = retention.Policy.from_settings(settings)
    run = functools.partial(retention.run, policy=policy, var_dir=settings.var_dir)
    await _repeat("applying retention", factory, executor, run, RETENTION_EVERY_SECONDS)


MAIL_EVERY_SECONDS = 5.0
LEARN_EVERY_SECONDS = 600.0
ASSIST_EVERY_SECONDS = 60.0
KPI_EVERY_SECONDS = 300.0


async def _repeat(
    what: str,
    factory: sessionmaker[Session],
    executor: ThreadPoolExecutor | None,
    unit: Callable[[Session], Any],
    every: float,
    again: Callable[[Any], bool] = lambda _result: False,
) -> None:
    """Runs `unit` in its own transaction, then again after `every` seconds (at once while
    `again(result)` says more is waiting); a failure is logged and the loop goes on."""
    while True:
        try:
            result = await run_unit(factory, executor, unit)
        except Exception:
            log.exception("%s failed", what)
            result = None
        if result is None or not again(result):
            await asyncio.sleep(every)


def _refresh_kpis(
    settings: Settings, factory: sessionmaker[Session], executor: ThreadPoolExecutor | None
) -> Coroutine[Any, Any, None]:
    """Keeps the KPI rollup current: the last week's days every few minutes, and at start
    any history never rolled up. In every process: the refresh takes a lock, so two
    processes only repeat each other's work."""
    refresh = functools.partial(
        analytics.do_refresh_recent,
        sl_seconds=settings.service_level_seconds,
        timezone=settings.timezone,
    )
    return _repeat("refreshing the KPI rollup", factory, executor, refresh, KPI_EVERY_SECONDS)


def _refresh_crosssell(
    settings: Settings, factory: sessionmaker[Session], executor: ThreadPoolExecutor | None
) -> Coroutine[Any, Any, None]:
    """Rebuilds the cross-sell rules from all orders at start and then every
    `crosssell_refresh_minutes`; the rebuild takes a lock, so processes do not collide."""
    refresh = functools.partial(
        crosssell.do_refresh_rules,
        min_count=settings.crosssell_min_orders,
        min_confidence=settings.crosssell_min_confidence,
    )
    every = settings.crosssell_refresh_minutes * 60
    return _repeat("rebuilding cross-sell rules", factory, executor, refresh, every)


def _quality(
    settings: Settings,
    factory: sessionmaker[Session],
    executor: ThreadPoolExecutor | None,
    bot: BotEngine,
) -> list[asyncio.Task[None]]:
    """Auto-QA of closed conversations (a full batch means more wait: the next goes at once)
    and the daily WOW and gaps jobs. In every process: both are idempotent passes."""
    scorer = quality_background.scorer_for(settings, bot.knowledge)
    score = functools.partial(autoqa.do_score_pending, scorer=scorer)
    daily = functools.partial(quality_background.daily, settings=settings)
    scoring = _repeat(
        "scoring closed conversations",
        factory,
        executor,
        score,
        settings.qa_every_seconds,
        again=lambda n: n >= autoqa.BATCH,
    )
    daily_jobs = _repeat(
        "the daily quality jobs", factory, executor, daily, quality_background.DAILY_EVERY_SECONDS
    )
    # after start-up's own work (the first KPI refresh, the indexes), not competing with it
    return [
        asyncio.create_task(_later(settings.qa_every_seconds, scoring)),
        asyncio.create_task(_later(quality_background.DAILY_FIRST_SECONDS, daily_jobs)),
    ]


async def _later(delay: float, work: Coroutine[Any, Any, None]) -> None:
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        work.close()  # never started
        raise
    await work


def _send_mail(
    factory: sessionmaker[Session], executor: ThreadPoolExecutor | None, smtp: Smtp
) -> Coroutine[Any, Any, None]:
    """The outbox is drained by every app process: its row locks keep a mail from being
    sent twice, and a process that dies leaves the rest to the others. A full batch means
    more is due: the next one goes at once."""
    send = functools.partial(outbox.do_send_due, smtp=smtp)
    return _repeat(
        "sending mail",
        factory,
        executor,
        send,
        MAIL_EVERY_SECONDS,
        again=lambda result: result[0] >= outbox.SEND_BATCH,
    )


async def _run_forwarder(redis_url: str, bus: events.LocalBus, *, bot: bool) -> None:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        forwarders = [_forward_assist_events(bus, pool)]
        if bot:
            forwarders.append(_forward_bot_events(bus, pool))
        await asyncio.gather(*forwarders)
    finally:
        await pool.aclose()


async def stop_tasks(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- the worker process ----------------------------------------------------------------


async def bot_turn(ctx: dict[str, Any], conversation_id: int, message_id: int) -> None:
    await asyncio.to_thread(
        bot_runner.turn,
        ctx["factory"],
        ctx["engine"],
        conversation_id,
        message_id,
        ctx["start_within"],
    )


async def assist_suggest(ctx: dict[str, Any], conversation_id: int, message_id: int) -> None:
    await asyncio.to_thread(
        assist_runner.suggest, ctx["factory"], ctx["assistant"], conversation_id, message_id
    )


async def refresh_colleagues(ctx: dict[str, Any]) -> int:
    return await asyncio.to_thread(assist_runner.refresh, ctx["factory"], ctx["assistant"])


async def sweep(ctx: dict[str, Any]) -> int:
    """Turns nobody enqueued (an app process died between commit and enqueue, Redis was
    away): the database says what still waits for the bot."""
    waiting = await asyncio.to_thread(bot_runner.pending, ctx["factory"])
    enqueued = 0
    for conversation_id, message_id in waiting:
        enqueued += await enqueue_bot_turn(ctx["redis"], conversation_id, message_id)
    return enqueued


def make_worker(
    settings: Settings, factory: sessionmaker[Session], engine: BotEngine, *, burst: bool = False
) -> Worker:
    async def startup(ctx: dict[str, Any]) -> None:
        ctx["factory"] = factory
        ctx["engine"] = engine
        ctx["start_within"] = _start_within(settings)
        ctx["assistant"] = Assistant(engine.knowledge)
        case_suggestions.register()  # the worker suggests from the case library too
        await asyncio.to_thread(bot_runner.warm_up, factory, engine)
        await refresh_colleagues(ctx)
        # the first sweep at once: what waited while no worker ran is answered now
        await sweep(ctx)

    return Worker(
        functions=[bot_turn, assist_suggest],
        cron_jobs=[
            cron(sweep, second={0, 15, 30, 45}, run_at_startup=False),
            cron(refresh_colleagues, second=30, run_at_startup=False),
        ],
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=startup,
        # several turns at once; turns of one conversation queue on its row lock (PostgreSQL)
        # and a burst in one conversation is answered once, at its last message
        max_jobs=settings.bot_worker_turns,
        job_timeout=BOT_TURN_TIMEOUT_SECONDS,
        keep_result=KEEP_RESULT_SECONDS,
        burst=burst,
        handle_signals=not burst,
    )
