"""`/metrics` of two real `wowdesk serve` processes sharing a multi-process folder: after a
short scripted run with customers on both, either process reports the sums of both, the
live WebSocket gauge counts only processes still running, and the database-read series
(queues, operators, bot backlog, service level, pool) are there."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.distributed.cluster import (
    Cluster,
    make_cluster,
    open_chat,
    require_servers,
    start_conversation,
)

pytestmark = pytest.mark.timeout(180)
STARTS = (
    "wowdesk_http_request_duration_seconds_count"
    '{method="POST",route="/api/v1/chat/conversations",status="201"}'
)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    require_servers()
    c = make_cluster(tmp_path, 2, bot_enabled="false", metrics_token="")
    folder = tmp_path / "metrics"
    folder.mkdir()
    c.env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    with c.running():
        yield c


def scrape(base: str) -> dict[str, float]:
    """Every sample as `name{labels}` → value (labels in the exposition's order)."""
    response = httpx.get(f"{base}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in s.labels.items() if k != "pid")
            key = f"{s.name}{{{labels}}}" if labels else s.name
            samples[key] = samples.get(key, 0.0) + s.value
    return samples


def test_two_processes_add_up(cluster: Cluster) -> None:
    a, b = cluster.apps

    async def run() -> None:
        convs = [
            await start_conversation(a.url, f"metrics-a{i}", "Где мой заказ?") for i in range(3)
        ]
        convs += [
            await start_conversation(b.url, f"metrics-b{i}", "Где мой заказ?") for i in range(2)
        ]
        chat_a = await open_chat(a.url, *convs[0])
        chat_b = await open_chat(b.url, *convs[3])
        try:
            for base in (a.url, b.url):
                seen = scrape(base)
                assert seen[STARTS] == 5, "each process reports both processes' requests"
                assert seen['wowdesk_websocket_connections{kind="chat"}'] == 2
                assert seen['wowdesk_messages_total{author_kind="customer"}'] >= 5
                assert seen["wowdesk_bot_backlog"] == 0
                assert "wowdesk_service_level_15m" in seen
                assert seen["wowdesk_db_pool_size"] == 80, "two processes' pools of 40"
                assert "wowdesk_db_pool_connections_in_use" in seen
                assert any(k.startswith("wowdesk_queue_oldest_wait_seconds") for k in seen)
                assert any(
                    k.startswith("wowdesk_http_request_duration_seconds_bucket") for k in seen
                )
            queued = None
            for _ in range(100):  # the queue fills on the dispatchers' next pass
                seen = scrape(a.url)
                if seen.get('wowdesk_queue_length{queue="general"}') == 5:
                    queued = seen
                    break
                await asyncio.sleep(0.2)
            assert queued is not None, "five conversations wait in the general queue"
            # a process that stops takes its live gauges with it; its past requests stay
            cluster.stop_app(b)
            after = scrape(a.url)
            assert after['wowdesk_websocket_connections{kind="chat"}'] == 1
            assert after["wowdesk_db_pool_size"] == 40
            assert after[STARTS] == 5
        finally:
            await chat_a.close()
            await chat_b.close()

    asyncio.run(run())
