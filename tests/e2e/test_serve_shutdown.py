"""`make serve` stops quietly on Ctrl-C: the terminal signals the whole process group (the
stack, its local AWS and its function workers), and the stack still stops in order, without
"poll failed" lines or tracebacks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dev_support.paths import ROOT

pytestmark = pytest.mark.e2e


def test_ctrl_c_to_the_process_group_stops_the_stack_quietly(tmp_path: Path) -> None:
    state, log = tmp_path / "state.json", tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack", "serve", "--port", "0", "--aws-port", "0", "--state-file", str(state)],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"},
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 120
        while not state.exists():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        status = json.loads(state.read_text())
        assert status["stack"]
        logs = Path(status["logs"])
        assert (logs / "moto.log").exists() and (logs / "ReceiveWebhookFunction.log").exists()
        assert f"pid{process.pid}-" in logs.name, "a folder of this stack's own"
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does
        assert process.wait(timeout=90) == 0, log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = log.read_text()
    assert f"export GOODWORD_LOCAL_URL={status['base_url']}" in output, "how to point the command at it"
    assert "apply within 120 s" in output and '--parameter RulesCacheSeconds=0"' in output, output
    assert f"Logs (functions, moto): {logs}" in output
    assert "Stopping the local stack..." in output
    assert "poll failed" not in output and "Traceback" not in output and "stopped unexpectedly" not in output, output
