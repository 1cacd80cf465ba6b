"""`make soak` in small: every stored event processed, ids-only ones (Instagram, LinkedIn)
included: the soak drives the enrichment queue too (they were left unjudged, `ok: false`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from dev_support.paths import ROOT


def test_a_small_soak_processes_every_event_ids_only_ones_included() -> None:
    paths = "shared:functions/receive_webhook:functions/apply_rules:functions/perform_actions:."
    result = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--deliveries", "60", "--fault-rate", "0.03"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}, "PYTHONPATH": paths},
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    output = result.stdout
    assert result.returncode == 0, output[-3000:] + result.stderr[-3000:]
    figures = json.loads(output[output.index("{") : output.rindex("}") + 1])
    assert figures["ok"] is True
    assert figures["events_not_processed"] == 0
    assert figures["enrichment_by_state"].get("enriched", 0) >= 10, "the Instagram and LinkedIn mentions were completed"
