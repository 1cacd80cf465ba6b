"""End-to-end fixtures: the local stack running in its own process (started once per
session, or an already running one reused), reached over HTTP like a platform would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from dev_support.paths import ROOT


@dataclass
class RunningStack:
    status: dict[str, Any]
    process: subprocess.Popen[str] | None

    @property
    def base_url(self) -> str:
        return str(self.status["base_url"])

    def physical(self, logical_id: str) -> str:
        return str(self.status["resources"][logical_id]["physical_id"])

    def client(self, service: str) -> Any:
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
        return session.client(service, endpoint_url=self.status["aws_endpoint_url"])  # type: ignore[call-overload]

    def idle(self) -> dict[str, Any]:
        return get_json(f"{self.base_url}/__local/idle")

    def wait_idle(self, timeout: float = 180) -> None:  # generous: a busy machine is slow, not wrong
        deadline = time.monotonic() + timeout
        streak = 0
        while time.monotonic() < deadline:
            streak = streak + 1 if self.idle()["idle"] else 0
            if streak >= 2:
                return
            time.sleep(0.2)
        raise AssertionError(f"the local stack did not become idle within {timeout} s: {self.idle()}")


def get_json(url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def start_stack(tmp_dir: Path, *args: str) -> RunningStack:
    state = tmp_dir / "state.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack", "serve", "--port", "0", "--aws-port", "0", "--state-file", str(state), *args],
        cwd=ROOT,
        stdout=(tmp_dir / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"},
    )
    deadline = time.monotonic() + 120
    while not state.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the local stack did not start:\n{(tmp_dir / 'serve.log').read_text()}")
        time.sleep(0.1)
    return RunningStack(json.loads(state.read_text()), process)


def stop_stack(stack: RunningStack) -> int | None:
    if stack.process is None:
        return None
    stack.process.send_signal(signal.SIGTERM)
    return stack.process.wait(timeout=60)


@pytest.fixture(scope="session")
def goodword_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The real template. Set GOODWORD_LOCAL_URL (e.g. http://127.0.0.1:3000) to reuse a
    stack started with `make serve`."""
    reuse = os.environ.get("GOODWORD_LOCAL_URL")
    if reuse:
        yield RunningStack(get_json(f"{reuse.rstrip('/')}/__local/status"), None)
        return
    # rules pushed by a test take effect at once (deployed: within RulesCacheSeconds)
    stack = start_stack(
        tmp_path_factory.mktemp("goodword-stack"),
        "--config",
        str(ROOT / "tests/e2e/stack/local-e2e.json"),
        "--parameter",
        "RulesCacheSeconds=0",
    )
    yield stack
    assert stop_stack(stack) == 0, "SIGTERM stops the stack cleanly"


@pytest.fixture(scope="session")
def sources_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """tests/e2e/stack/template.yaml: every kind of event source, with recording functions."""
    stack = start_stack(
        tmp_path_factory.mktemp("sources-stack"), "--template", str(ROOT / "tests/e2e/stack/template.yaml"), "--config", "none"
    )
    yield stack
    stop_stack(stack)
