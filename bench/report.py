"""Where benchmark figures go: stdout for people; bench/results/latest/<name>.json (not
committed) for a run; bench/results/<name>.json, the committed record, only when asked
(``--record``), so that running a benchmark leaves a checkout as it was."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
_where = [RESULTS / "latest"]


def quick_results() -> None:
    """A quick (smoke) run keeps its figures apart, in bench/results/quick/ (not committed):
    `make test` runs one, and must leave the recorded figures and a clean checkout alone."""
    _where[0] = RESULTS / "quick"


def record() -> None:
    """This run's figures are the record: bench/results/ (committed) and the charts in docs/."""
    _where[0] = RESULTS


def recording() -> bool:
    return _where[0] == RESULTS


def results_dir() -> Path:
    return _where[0]


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.system(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save(name: str, figures: dict[str, Any]) -> None:
    where = results_dir()
    where.mkdir(parents=True, exist_ok=True)
    (where / f"{name}.json").write_text(json.dumps({"machine": machine(), **figures}, indent=2) + "\n")
