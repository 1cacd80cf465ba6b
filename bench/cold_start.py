"""Cold start: the time to import the receiver's handler module in a fresh process vs a
fresh process that only imports boto3 (the floor: every function needs it). Interleaved
runs, medians. Target: handler <= boto3 + 80 ms.

Measured in a Lambda-like virtual environment holding only what the function has in AWS
(boto3 and the layer's pinned packages), not the development one, whose extra packages
(awscrt, cryptography) change what boto3 imports. Also reported: the same plus the first
delivery's normalization, because pydantic builds its validators on first use.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.report import save
from dev_support.paths import ROOT

RUNS = 30
LAMBDA_LIKE = ROOT / ".venv" / "lambda-like"
_FLOOR = "import time; t = time.perf_counter(); import boto3; print(time.perf_counter() - t)"
_OURS = "import time; t = time.perf_counter(); import boto3, receive_webhook.handler; print(time.perf_counter() - t)"
_OURS_FIRST_USE = (
    "import time, json; t = time.perf_counter(); import boto3, receive_webhook.handler\n"
    "from goodword.webhooks.receive import ADAPTERS\nfrom goodword.webhooks.request import WebhookRequest\n"
    "from datetime import UTC, datetime\n"
    "body = open({fixture!r}, 'rb').read()\n"
    "ADAPTERS['x'].read(WebhookRequest('POST', 'x', {{}}, {{}}, body, datetime.now(UTC)))\n"
    "print(time.perf_counter() - t)"
)


def _lambda_like_python() -> Path:
    python = LAMBDA_LIKE / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LAMBDA_LIKE)], check=True)
        boto3_pin = next(ln for ln in (ROOT / "constraints.txt").read_text().splitlines() if ln.startswith("boto3=="))
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                boto3_pin,
                "-r",
                str(ROOT / "shared" / "requirements.lock"),
                "-c",
                str(ROOT / "constraints.txt"),
            ],
            check=True,
        )
    return python


def _seconds(python: Path, code: str) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT / "functions" / "receive_webhook")]),
        "POWERTOOLS_SERVICE_NAME": "goodword",
        "POWERTOOLS_METRICS_NAMESPACE": "Goodword",
    }
    result = subprocess.run([str(python), "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60)
    return float(result.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> None:
    runs = 5 if quick else RUNS
    python = _lambda_like_python()
    fixture = str(ROOT / "events" / "deliveries" / "x-mention.json")
    first_use = _OURS_FIRST_USE.format(fixture=fixture)
    for code in (_FLOOR, _OURS, first_use):  # compile .pyc once, as a deployed package has them
        _seconds(python, code)
    samples: dict[str, list[float]] = {"floor": [], "ours": [], "first": []}
    probes = [("floor", _FLOOR), ("ours", _OURS), ("first", first_use)]
    for run in range(runs):
        for name, code in probes[run % 3 :] + probes[: run % 3]:  # rotate, so no probe always runs first
            samples[name].append(_seconds(python, code))
    floor_ms, ours_ms, first_ms = (statistics.median(samples[k]) * 1000 for k in ("floor", "ours", "first"))
    floor_min, ours_min = (min(samples[k]) * 1000 for k in ("floor", "ours"))
    figures = {
        "runs": runs,
        "boto3_import_median_ms": round(floor_ms, 1),
        "handler_import_median_ms": round(ours_ms, 1),
        "difference_ms": round(ours_ms - floor_ms, 1),
        "difference_of_fastest_runs_ms": round(ours_min - floor_min, 1),
        "handler_import_and_first_normalization_median_ms": round(first_ms, 1),
        "difference_with_first_normalization_ms": round(first_ms - floor_ms, 1),
    }
    save("cold_start", figures)
    print("Cold start: fresh processes, Lambda-like environment (boto3 + the layer's packages)")
    print(
        f"  import boto3 {floor_ms:7.1f} ms   import boto3 + handler {ours_ms:7.1f} ms   difference {ours_ms - floor_ms:+.1f} ms"
        "  (target <= +80 ms)"
    )
    print(
        f"  fastest runs: boto3 {floor_min:.1f} ms, boto3 + handler {ours_min:.1f} ms, difference {ours_min - floor_min:+.1f} ms"
    )
    print(f"  ... + first delivery normalized {first_ms:7.1f} ms   difference {first_ms - floor_ms:+.1f} ms")
