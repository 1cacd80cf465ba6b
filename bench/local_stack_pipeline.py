"""The local stack over a long run: signed X mentions, in rounds, through `make serve`'s stack
(HTTP front end -> receiver worker -> EventsTable -> stream -> rules pipeline worker -> actions
queue), each round waited on until the stack is idle. After each round: events decided per
second in that round, and the memory (RSS) of the moto server. A development figure: moto,
the workers and the client share this machine's cores.

Why: the moto server kept a copy of every table each transaction touched (about 250 MB per
stream batch, 23.8 GB after 2,300 events) and the pipeline slowed from seconds per batch to
timeouts as the tables grew (dev_support/moto_dynamodb.py is the fix).

    python -m bench.local_stack_pipeline          10,000 events, rounds of 1,000 (--record: the
                                                  committed bench/results/local_stack_pipeline.json)
    make bench BENCH_ARGS=--quick                 50 events, rounds of 25 (part of make test)
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.report import record, save
from dev_support.platforms import load_fixture
from goodword.aws.codec import scan_count
from goodword.signing import signed_headers
from local_stack import aws
from local_stack.dev_config import webhook_secrets
from local_stack.stack import LocalStack, Options

CLIENTS = 4
MEMORY_LIMIT_MB = 4096  # the machine is shared: a run that reaches this stops, saying so
PRAISE = "@XDevelopers I love it, wonderful and amazing, best coffee ever, thank you!"
COMPLAINT = "@XDevelopers the beans arrived stale and the bag was torn. Terrible."


def _delivery(n: int, rng: random.Random, secrets: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    body_json = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
    tweet = body_json["tweet_create_events"][0]
    person = rng.randrange(n // 3 + 1)  # some people mention more than once
    tweet.update({"id_str": f"9{n:017d}", "text": PRAISE if rng.random() < 0.6 else COMPLAINT})
    tweet["user"].update({"id_str": f"77{person}", "screen_name": f"fan{person}"})
    body = json.dumps(body_json, separators=(",", ":")).encode()
    return body, {"content-type": "application/json", **signed_headers("x", body, secrets)}


def _send(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    stored: int = answer["stored"]
    return stored


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


class _Peak:
    """The moto server's largest RSS, sampled every second; past the limit it says so."""

    def __init__(self, pid: int, limit_mb: float) -> None:
        self.pid, self.limit_mb, self.mb, self.exceeded = pid, limit_mb, 0.0, False
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.mb = max(self.mb, rss_mb(self.pid))
            except (FileNotFoundError, StopIteration):
                return
            self.exceeded = self.exceeded or self.mb > self.limit_mb

    def stop(self) -> None:
        self._stop.set()


def _decided(events_table: str) -> int:
    """Events with their decisions written (one DECISIONS item per decided event)."""
    return scan_count(
        events_table,
        client=aws.client("dynamodb"),
        FilterExpression="sk = :d",
        ExpressionAttributeValues={":d": {"S": "DECISIONS"}},
    )


def main(
    quick: bool = False,
    events: int | None = None,
    round_size: int | None = None,
    minutes: float | None = None,
    memory_limit_mb: float = MEMORY_LIMIT_MB,
) -> dict[str, Any]:
    total = events or (50 if quick else 10_000)
    size = round_size or (25 if quick else 1_000)
    secrets = webhook_secrets()
    rng = random.Random(11)
    stack = LocalStack(Options(port=0, aws_port=0), log=lambda _: None, log_invocations=False).start()
    rounds: list[dict[str, Any]] = []
    stopped_because = ""
    try:
        moto, deployment = stack.moto, stack.deployment
        if moto is None or deployment is None:
            raise RuntimeError("the local stack started without its local AWS")
        events_table = deployment.physical("EventsTable")
        peak = _Peak(moto.pid, memory_limit_mb)
        deadline = time.monotonic() + minutes * 60 if minutes else None
        url = f"{stack.base_url}/webhooks/x"
        start_mb = rss_mb(moto.pid)
        for first in range(0, total, size):
            batch = [_delivery(n, rng, secrets) for n in range(first, min(first + size, total))]
            rounds.append(_round(stack, url, events_table, batch, first, moto.pid))
            print(f"  {json.dumps(rounds[-1])}", flush=True)
            more_to_send = first + size < total
            stopped_because = _stop_reason(peak, memory_limit_mb, deadline, minutes, more_to_send, rounds[-1]["idle_after"])
            if stopped_because:
                break
        peak.stop()
    finally:
        stack.stop()
    figures = {
        "events": total,
        "round_size": size,
        "clients": CLIENTS,
        "moto_rss_mb_at_start": round(start_mb, 1),
        "moto_rss_mb_peak": round(peak.mb, 1),
        "rounds": rounds,
        "completed": not stopped_because,
        "stopped_because": stopped_because,
    }
    save("local_stack_pipeline", figures)
    _print(rounds, stopped_because)
    return figures


def _round(
    stack: LocalStack, url: str, events_table: str, batch: list[tuple[bytes, dict[str, str]]], first: int, moto_pid: int
) -> dict[str, Any]:
    """One round: the batch sent by CLIENTS at once, then the stack left to go idle."""
    decided_before = _decided(events_table)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        stored = sum(pool.map(lambda d: _send(url, *d), batch))
    delivered = time.perf_counter() - started
    idle = stack.wait_idle(timeout=900)
    seconds = time.perf_counter() - started
    decided = _decided(events_table)
    return {
        "events_sent": first + len(batch),
        "stored_this_round": stored,
        "events_decided": decided,
        "decided_per_second": round((decided - decided_before) / seconds, 1),
        "deliveries_per_second": round(len(batch) / delivered, 1),
        "round_seconds": round(seconds, 1),
        "idle_after": idle,
        "moto_rss_mb": round(rss_mb(moto_pid), 1),
    }


def _stop_reason(
    peak: _Peak, memory_limit_mb: float, deadline: float | None, minutes: float | None, more_to_send: bool, idle: bool
) -> str:
    """Why the run stops after this round, or "" to go on."""
    if peak.exceeded:
        return f"the moto server passed {memory_limit_mb:.0f} MB"
    if deadline is not None and time.monotonic() > deadline and more_to_send:
        return f"the time budget ({minutes} min) was spent"
    if not idle:
        return "the stack was not idle 900 s after a round"
    return ""


def _print(rounds: list[dict[str, Any]], stopped_because: str) -> None:
    print("Local stack over a long run (X mentions -> receiver -> stream -> rules pipeline; development figure)")
    for r in rounds:
        print(
            f"  {r['events_decided']:>6} events decided: {r['decided_per_second']} decided/s in the last round,"
            f" moto {r['moto_rss_mb']} MB"
        )
    if stopped_because:
        print(f"  STOPPED: {stopped_because}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.local_stack_pipeline", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 events in rounds of 25")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--round-size", type=int, default=None)
    parser.add_argument("--minutes", type=float, default=None, help="stop after the round that passes this time")
    parser.add_argument("--memory-limit-mb", type=float, default=MEMORY_LIMIT_MB, help="stop after the round that passes this")
    parser.add_argument("--record", action="store_true", help="write the committed figures (bench/results/)")
    args = parser.parse_args()
    if args.record:
        record()
    main(args.quick, args.events, args.round_size, args.minutes, args.memory_limit_mb)
