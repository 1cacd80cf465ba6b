"""Warm ingest overhead: one verified, normalized, stored delivery through the receiver's
handler vs one bare ``put_item`` of the same event item, against the same backend,
interleaved in one run.

Two backends: a moto server on 127.0.0.1 (every call crosses HTTP, as with DynamoDB) and
in-process moto (no network: the pessimistic bound on our share). Target: <= 1.5x.
"""

from __future__ import annotations

import functools
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

import boto3

from bench.report import save

REPEATS = 400


def _delivery(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A signed X mention with a fresh post id (so it is stored, not deduplicated) and the
    event item the receiver stores for it."""
    from dev_support.platforms import http_api_event, load_fixture, signed_headers
    from goodword.event_items import event_item
    from goodword.webhooks.receive import ADAPTERS
    from goodword.webhooks.request import WebhookRequest

    body_json = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
    body_json["tweet_create_events"][0]["id_str"] = f"9{n:017d}"
    body = json.dumps(body_json, separators=(",", ":")).encode()
    event = http_api_event("x", body, headers=signed_headers("x", body))
    from datetime import UTC, datetime

    parsed = ADAPTERS["x"].read(WebhookRequest("POST", "x", {}, {}, body, datetime.now(UTC))).events[0]
    item = event_item(parsed)
    item["pk"] = item["pk"] + "-bare"  # the bare put writes its own copy
    return event, item


@contextmanager
def _moto(server: bool) -> Iterator[None]:
    if server:
        # Its own process, like a remote DynamoDB: its CPU is not ours to count.
        port = _free_port()
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(port)
            os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
            yield
        finally:
            process.terminate()
            process.wait(timeout=10)
            os.environ.pop("AWS_ENDPOINT_URL", None)
    else:
        from moto import mock_aws

        with mock_aws():
            yield


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"moto_server did not listen on port {port}")


def _measure(server: bool, repeats: int) -> dict[str, float]:
    from goodword.aws import clients

    with _moto(server):
        tables = _create_receiver_resources()
        ours, bare, bare_pair = _writers(tables["EventsTable"])
        ours_times, bare_times, pair_times = _time_each([_delivery(n) for n in range(repeats + 20)], ours, bare, bare_pair)
        clients.reset()
    ours_ms, bare_ms, pair_ms = (statistics.median(t) * 1000 for t in (ours_times, bare_times, pair_times))
    return {
        "ours_median_ms": round(ours_ms, 3),
        "bare_put_item_median_ms": round(bare_ms, 3),
        "ratio": round(ours_ms / bare_ms, 2),
        "bare_event_and_raw_puts_median_ms": round(pair_ms, 3),
        "ratio_to_event_and_raw_puts": round(ours_ms / pair_ms, 2),
    }


def _create_receiver_resources() -> dict[str, str]:
    """The template's tables and the webhook secret, and the receiver's environment."""
    from dev_support.platforms import SECRETS
    from dev_support.template import create_secrets, create_tables, function_environment
    from goodword.aws import clients
    from goodword.settings import receiver_settings

    clients.reset()
    receiver_settings.cache_clear()
    dynamodb = boto3.client("dynamodb")
    tables = create_tables(dynamodb)
    secrets = create_secrets(boto3.client("secretsmanager"), {"WebhookSecret": SECRETS})
    os.environ.update(
        {
            k: v
            for k, v in function_environment("ReceiveWebhookFunction", {**tables, **secrets}).items()
            if not k.startswith("POWERTOOLS_")
        }
    )
    return tables


Write = Callable[[dict[str, Any]], None]


def _writers(table: str) -> tuple[Write, Write, Write]:
    """Three ways to store a delivery: through the receiver (ours), one bare put_item, and the
    bare pair of puts our design needs."""
    from dev_support.lambda_context import FakeLambdaContext
    from goodword.aws import clients
    from goodword.aws.codec import to_dynamodb
    from receive_webhook import handler

    handler.reset()
    context = FakeLambdaContext()
    bare_client = clients.dynamodb()  # same client configuration as the receiver's
    pair_writer = ThreadPoolExecutor(max_workers=1)

    def ours(event: dict[str, Any]) -> None:
        response = handler.lambda_handler(event, context)
        assert json.loads(response["body"])["stored"] == 1, response

    def bare(item: dict[str, Any]) -> None:
        bare_client.put_item(TableName=table, Item=to_dynamodb(item))

    def bare_pair(item: dict[str, Any]) -> None:
        """The storage our design needs: the event and its expiring raw item, in parallel."""
        raw = {"pk": item["pk"] + "-pair", "sk": "RAW", "raw": item.get("text", ""), "expires_at": 0}
        pending = pair_writer.submit(bare_client.put_item, TableName=table, Item=to_dynamodb(raw))
        bare_client.put_item(TableName=table, Item=to_dynamodb({**item, "pk": item["pk"] + "-pair"}))
        pending.result()

    return ours, bare, bare_pair


def _time_each(
    deliveries: list[tuple[dict[str, Any], dict[str, Any]]], ours: Write, bare: Write, bare_pair: Write
) -> tuple[list[float], list[float], list[float]]:
    """Seconds each way took per delivery, after 20 warm-up deliveries."""
    sink = io.StringIO()
    from goodword.observability import logger

    logger.registered_handler.setStream(sink)  # type: ignore[attr-defined]
    ours_times: list[float] = []
    bare_times: list[float] = []
    pair_times: list[float] = []
    with redirect_stdout(sink):  # the handler's log and metric lines: formatted, not shown
        for event, item in deliveries[:20]:  # warm-up: first secret fetch, connections
            ours(event)
            bare(item)
        for index, (event, item) in enumerate(deliveries[20:]):
            # Rotate which goes first, so none always benefits from a warm cache.
            runs: list[tuple[list[float], Callable[[], None]]] = [
                (ours_times, functools.partial(ours, event)),
                (bare_times, functools.partial(bare, item)),
                (pair_times, functools.partial(bare_pair, item)),
            ]
            shift = index % 3
            for times, run in runs[shift:] + runs[:shift]:
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
            sink.seek(0)
            sink.truncate()
    return ours_times, bare_times, pair_times


def main(quick: bool = False) -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.update(
        {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "goodword", "POWERTOOLS_METRICS_NAMESPACE": "Goodword"}
    )
    repeats = 60 if quick else REPEATS
    backends = {
        "moto_server_http": _measure(server=True, repeats=repeats),
        "moto_in_process": _measure(server=False, repeats=repeats),
    }
    save("ingest", {"repeats": repeats, **backends})
    print("Warm ingest: one stored X mention through the handler vs one bare put_item, same backend")
    for name, f in backends.items():
        print(
            f"  {name:17} ours {f['ours_median_ms']:6.2f} ms | bare put_item {f['bare_put_item_median_ms']:6.2f} ms"
            f" -> {f['ratio']:.2f}x (target <= 1.5x) | bare event+raw puts {f['bare_event_and_raw_puts_median_ms']:6.2f} ms"
            f" -> {f['ratio_to_event_and_raw_puts']:.2f}x"
        )
    sys.stdout.flush()
