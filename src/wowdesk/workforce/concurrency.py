"""Chat concurrency: how many conversations an operator serves at once, measured from the
history, and how staffing accounts for it.

Measured concurrency = handle time of the conversations ÷ the time their operators had at
least one of them open (the union of each operator's handling stretches): an operator who
spent an hour with two chats open all along handled two hours of chats in one hour.

Staffing (the usual approach of chat WFM tools): an agent serving N chats at once is one
Erlang server whose handle time per chat is AHT ÷ N. The workload in agent-seconds is the
same as N chats in parallel; the waiting model stays Erlang C."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from wowdesk.conversations import kpi_rollup as facts

MAX_CONCURRENCY = 20.0


def concurrency_aht(aht_seconds: float, concurrency: float) -> float:
    """The per-chat handle time an Erlang model sees for an agent serving `concurrency` chats."""
    if not 1.0 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be from 1 to {MAX_CONCURRENCY:g}")
    return aht_seconds / concurrency


def union_seconds(stretches: list[tuple[datetime, datetime]]) -> float:
    total, end = 0.0, None
    start = None
    for a, b in sorted(stretches):
        if end is None or a > end:
            if end is not None and start is not None:
                total += (end - start).total_seconds()
            start, end = a, b
        elif b > end:
            end = b
    if end is not None and start is not None:
        total += (end - start).total_seconds()
    return total


def measured(db: Session, low: datetime, high: datetime) -> dict[str, float]:
    """Concurrency per channel, and under the key "" over all channels (an operator may
    serve a web chat and a Telegram chat at once), of conversations taken in [low, high);
    a channel with no handled conversation is absent (the caller plans it at 1)."""
    stretches: dict[tuple[str, int], list[tuple[datetime, datetime]]] = defaultdict(list)
    for operator_id, channel, a, b in facts.handling_stretches(db, low, high):
        stretches[(channel, operator_id)].append((a, b))
        stretches[("", operator_id)].append((a, b))
    handle: dict[str, float] = defaultdict(float)
    busy: dict[str, float] = defaultdict(float)
    for (channel, _uid), items in stretches.items():
        handle[channel] += sum((b - a).total_seconds() for a, b in items)
        busy[channel] += union_seconds(items)
    return {
        ch: min(MAX_CONCURRENCY, max(1.0, handle[ch] / busy[ch])) for ch in handle if busy[ch] > 0
    }
