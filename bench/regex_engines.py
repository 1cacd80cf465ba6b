"""Rule regexes: Python's backtracking re vs RE2 (what rules run on), side by side in one run,
on patterns that backtrack catastrophically. re's time doubles with every character; RE2's grows
linearly, so it is measured on the whole 5,000 characters a rule reads."""

from __future__ import annotations

import re
import time
from typing import Any

from bench.report import save

PATTERNS = (r"(a|a)*c", r"(a+)+$")


def _seconds(search: Any, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        search(text)
        best = min(best, time.perf_counter() - started)
    return best


def main(quick: bool = False) -> dict[str, Any]:
    from goodword.rules.conditions import MAX_TEXT, compile_pattern

    lengths = (14, 16, 18) if quick else (16, 18, 20, 22)
    figures: dict[str, Any] = {}
    print("\nRule regexes: Python re (backtracking) vs RE2, seconds per search (best of 3)")
    for pattern in PATTERNS:
        backtracking, linear = re.compile(pattern, re.IGNORECASE), compile_pattern(pattern)
        rows: list[dict[str, float | None]] = []
        for n in lengths:
            text = "a" * n + "!"
            rows.append({"chars": n + 1, "re": _seconds(backtracking.search, text, 3), "re2": _seconds(linear.search, text, 3)})
        full = "a" * (MAX_TEXT - 1) + "!"
        rows.append({"chars": MAX_TEXT, "re": None, "re2": _seconds(linear.search, full, 3)})
        figures[pattern] = rows
        for row in rows:
            backtracked = f"{row['re']:.4f}" if row["re"] is not None else "(not run: ~2^5000 steps)"
            print(f"  {pattern:10} {row['chars']:5} chars   re {backtracked:>24}   re2 {row['re2']:.6f}")
    save("regex_engines", figures)
    return figures


if __name__ == "__main__":
    main()
