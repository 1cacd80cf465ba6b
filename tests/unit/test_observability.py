"""X-Ray SDK tracing is opt-in: off, the SDK (and its ~250 ms of botocore clients) is never
imported; on, Powertools' Tracer uses it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dev_support.paths import ROOT

PROBE = "import sys, goodword.observability as o; print(o.tracer.disabled, 'aws_xray_sdk.core' in sys.modules)"


def probe(**env: str) -> str:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), **env}
    full_env.pop("POWERTOOLS_TRACE_DISABLED", None)
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", PROBE], env=full_env, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"}, "True False"),
        ({}, "True False"),  # outside Lambda
        ({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "false"}, "False True"),
    ],
)
def test_xray_sdk_only_loaded_when_tracing_is_enabled(env: dict[str, str], expected: str) -> None:
    assert probe(**env) == expected
