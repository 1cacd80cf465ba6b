"""End to end through the local stack: signed X mentions over HTTP -> receiver worker ->
EventsTable in the moto server. Median latency (one client) and deliveries per second
(4 clients, 2 workers). A development figure, not a production one: moto and the worker
processes share this machine's cores."""

from __future__ import annotations

import json
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.report import save
from dev_support.platforms import load_fixture
from goodword.signing import signed_headers
from local_stack.dev_config import webhook_secrets
from local_stack.stack import LocalStack, Options

CLIENTS = 4


def _delivery(n: int, secrets: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    body_json = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
    body_json["tweet_create_events"][0]["id_str"] = f"8{n:017d}"
    body = json.dumps(body_json, separators=(",", ":")).encode()
    return body, {"content-type": "application/json", **signed_headers("x", body, secrets)}


def _send(url: str, body: bytes, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    assert answer["stored"] == 1, answer
    return time.perf_counter() - started


def main(quick: bool = False) -> None:
    sequential, concurrent = (30, 60) if quick else (200, 400)
    secrets = webhook_secrets()
    stack = LocalStack(Options(port=0, aws_port=0), log=lambda _: None, log_invocations=False).start()
    try:
        url = f"{stack.base_url}/webhooks/x"
        deliveries = [_delivery(n, secrets) for n in range(20 + sequential + concurrent)]
        for body, headers in deliveries[:20]:
            _send(url, body, headers)
        latencies = [_send(url, body, headers) for body, headers in deliveries[20 : 20 + sequential]]
        batch = deliveries[20 + sequential :]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(lambda d: _send(url, *d), batch))
        elapsed = time.perf_counter() - started
        idle = stack.wait_idle(timeout=60)
    finally:
        stack.stop()
    figures = {
        "sequential": sequential,
        "median_latency_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_latency_ms": round(sorted(latencies)[int(len(latencies) * 0.95)] * 1000, 1),
        "concurrent_clients": CLIENTS,
        "concurrent_deliveries": len(batch),
        "deliveries_per_second": round(len(batch) / elapsed, 1),
        "idle_after": idle,
    }
    save("local_stack", figures)
    print("Local stack, end to end (HTTP -> receiver worker -> EventsTable in moto; development figure)")
    print(
        f"  one client: median {figures['median_latency_ms']} ms, p95 {figures['p95_latency_ms']} ms per delivery;"
        f" {CLIENTS} clients: {figures['deliveries_per_second']} deliveries/s"
    )
