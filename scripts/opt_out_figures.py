"""Precision and recall of opt-out detection on the labelled phrasings
(tests/fixtures/opt_out/phrasings.yaml: six languages, `stop`, `not` and `unsure` cases),
with the default `opt_out` settings. Figures go to docs/rules.md#opt-out.

    .venv/bin/python -m scripts.opt_out_figures
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from goodword.opt_out import OptOutSettings, StopVerdict, hear

PHRASINGS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "opt_out" / "phrasings.yaml"


@dataclass(frozen=True)
class Figures:
    cases: int
    languages: int
    precision: float  # of the posts opted out, the share labelled stop
    recall: float  # of the posts labelled stop, the share opted out (none merely held)
    unsure_held: float  # of the posts labelled unsure, the share held or opted out (none contacted freely)
    not_held: int  # posts labelled not that were held for review (a marketer's look, nobody opted out)
    mistakes: list[tuple[str, str, str]]  # (label, verdict, text) where the two disagree


def load() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    return rows


def measure(rows: list[dict[str, str]], settings: OptOutSettings | None = None) -> Figures:
    settings = settings or OptOutSettings()
    verdicts = [(row["label"], hear(row["text"], settings).verdict.value, row["text"]) for row in rows]
    counts = Counter((label, verdict) for label, verdict, _ in verdicts)
    stopped = sum(n for (_, verdict), n in counts.items() if verdict == StopVerdict.STOP)
    labelled = sum(n for (label, _), n in counts.items() if label == "stop")
    unsure = sum(n for (label, _), n in counts.items() if label == "unsure")
    expected = {"stop": "stop", "not": "none", "unsure": "unsure"}
    return Figures(
        cases=len(rows),
        languages=len({row["lang"] for row in rows}),
        precision=counts[("stop", "stop")] / stopped if stopped else 1.0,
        recall=counts[("stop", "stop")] / labelled if labelled else 1.0,
        unsure_held=(counts[("unsure", "unsure")] + counts[("unsure", "stop")]) / unsure if unsure else 1.0,
        not_held=counts[("not", "unsure")],
        mistakes=[(label, verdict, text) for label, verdict, text in verdicts if expected[label] != verdict],
    )


def main() -> None:
    figures = measure(load())
    print(f"{figures.cases} phrasings in {figures.languages} languages")
    print(f"precision {figures.precision:.3f}  recall {figures.recall:.3f}")
    print(f"unsure cases held or opted out {figures.unsure_held:.3f}; not-stop posts held {figures.not_held}")
    for label, verdict, text in figures.mistakes:
        print(f"  labelled {label:6} heard {verdict:6} {text}")


if __name__ == "__main__":
    main()
