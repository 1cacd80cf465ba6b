"""The local stack under concurrent load and faults: every delivery answered (none reset), every
stored event processed, no offer left half-done; and when the local AWS dies, the stack says so
once and stops instead of looping."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dev_support.paths import ROOT
from dev_support.platforms import signed_headers
from tests.e2e.conftest import RunningStack, start_stack, stop_stack
from tests.e2e.test_pipeline_over_http import decisions, mention, work_for
from tests.e2e.test_receiver_over_http import post

pytestmark = pytest.mark.e2e
FANS = 50


@pytest.fixture
def loaded_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """A stack of its own: the load spends the example rules' daily caps."""
    stack = start_stack(tmp_path, "--config", str(ROOT / "tests/e2e/stack/local-e2e.json"))
    yield stack
    assert stop_stack(stack) == 0


def test_fifty_simultaneous_deliveries_are_all_answered_stored_and_processed(loaded_stack: RunningStack) -> None:
    goodword_stack = loaded_stack

    def deliver(n: int) -> tuple[int, int]:
        body = mention(
            f"92000000000000{n:05d}", f"load-fan-{n}", "@XDevelopers I love it, wonderful, best coffee ever, thank you!"
        )
        status, answer = post(goodword_stack, "x", body, {"content-type": "application/json", **signed_headers("x", body)})
        return status, answer["stored"]

    with ThreadPoolExecutor(max_workers=FANS) as pool:
        answers = list(pool.map(deliver, range(FANS)))
    assert answers == [(200, 1)] * FANS, "every delivery answered and stored once"
    goodword_stack.wait_idle(timeout=180)
    for n in range(FANS):
        outcome = decisions(goodword_stack, f"92000000000000{n:05d}")["first-positive-mention-sample"]
        assert outcome in ("acted", "limited"), f"fan {n}: {outcome}"
        states = [w["state"]["S"] for w in work_for(goodword_stack, f"load-fan-{n}")]
        # At rest: sent (dry run) or waiting for a marketer; never queued-and-forgotten or mid-send.
        assert set(states) <= {"sent", "pending_review"}, f"fan {n}: work left in {states}"


def test_when_the_local_aws_dies_the_stack_stops_with_one_clear_message(tmp_path: Path) -> None:
    stack = start_stack(tmp_path, "--config", "none")
    assert stack.process is not None
    moto_pid = int(stack.status["aws_pid"])
    os.kill(moto_pid, signal.SIGKILL)
    try:
        code = stack.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        raise
    log = (tmp_path / "serve.log").read_text()
    assert code == 1
    assert log.count("the local AWS (moto server) stopped unexpectedly") == 2, "logged, then the exit reason"
    assert log.count("poll failed") <= len(stack.status["event_sources"]), "at most one line per poller"
    assert len(log) < 50_000


def test_concurrent_requests_to_the_local_aws_are_served_one_at_a_time() -> None:
    import threading

    from local_stack.moto_server import serialized

    inside = threading.Event()
    release = threading.Event()
    entered: list[int] = []

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        entered.append(1)
        inside.set()
        release.wait(timeout=30)
        return [b"ok"]

    one_at_a_time = serialized(app)
    first = threading.Thread(target=one_at_a_time, args=({}, None))
    first.start()
    assert inside.wait(timeout=30)
    second = threading.Thread(target=one_at_a_time, args=({}, None))
    second.start()
    second.join(timeout=0.5)  # it waits for the first: still outside the app
    assert entered == [1]
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert entered == [1, 1]
