"""Rule evaluation throughput: 100 rules x 10,000 events, each engine with its conditions
compiled or parsed once, evaluating the same conditions on the same events, side by side in
one run. Peers: json-logic (pure Python JsonLogic, the json-logic-qubit fork) and
zen-engine (GoRules' ZEN expressions, Rust). Target: faster than both.

Each rule: sentiment label equals a value, followers at least N, kind one of two, and the
text contains none of two keywords. Keywords are whole words for Goodword; JsonLogic and
ZEN only have substring tests, so the keywords are chosen never to occur inside other words
and all three engines must agree on every match count (checked).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import zen
from json_logic import jsonLogic
from pydantic import TypeAdapter

from bench.report import save
from goodword.rules.conditions import Condition, compile_matcher

LABELS = ["positive", "negative", "neutral", "mixed"]
KINDS = ["mention", "reply", "quote", "comment", "follow"]
KEYWORDS = ["refund", "broken", "giveaway", "stale", "cancel", "scam", "delay", "coupon"]
FILLER = ["coffee", "roast", "beans", "morning", "cup", "love", "great", "bag", "order", "taste", "aroma", "today"]


def _rules(count: int, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "label": rng.choice(LABELS),
            "followers": rng.randrange(0, 500),
            "kinds": rng.sample(KINDS, 2),
            "words": rng.sample(KEYWORDS, 2),
        }
        for _ in range(count)
    ]


def _events(count: int, rng: random.Random) -> list[dict[str, Any]]:
    events = []
    for _ in range(count):
        words = rng.choices(FILLER, k=rng.randrange(5, 25)) + ([rng.choice(KEYWORDS)] if rng.random() < 0.2 else [])
        rng.shuffle(words)
        events.append(
            {"label": rng.choice(LABELS), "followers": rng.randrange(0, 1000), "kind": rng.choice(KINDS), "text": " ".join(words)}
        )
    return events


def ours(rules: list[dict[str, Any]], events: list[dict[str, Any]]) -> tuple[int, float]:
    adapter: TypeAdapter[Any] = TypeAdapter(Condition)
    checks = [
        compile_matcher(
            adapter.validate_python(
                {
                    "all": [
                        {"field": "sentiment.label", "equals": r["label"]},
                        {"field": "author.followers_count", "at_least": r["followers"]},
                        {"field": "event.kind", "one_of": r["kinds"]},
                        {"not": {"field": "event.text", "contains_any": r["words"]}},
                    ]
                }
            )
        )
        for r in rules
    ]
    facts = [
        {
            "sentiment.label": e["label"],
            "author.followers_count": e["followers"],
            "event.kind": e["kind"],
            "event.text": e["text"],
        }
        for e in events
    ]
    started = time.perf_counter()
    matches = sum(1 for f in facts for check in checks if check(f))
    return matches, time.perf_counter() - started


def json_logic(rules: list[dict[str, Any]], events: list[dict[str, Any]]) -> tuple[int, float]:
    logic = [
        {
            "and": [
                {"==": [{"var": "sentiment.label"}, r["label"]]},
                {">=": [{"var": "author.followers_count"}, r["followers"]]},
                {"in": [{"var": "event.kind"}, r["kinds"]]},
                {"!": {"or": [{"in": [w, {"var": "event.text"}]} for w in r["words"]]}},
            ]
        }
        for r in rules
    ]
    data = [
        {
            "sentiment": {"label": e["label"]},
            "author": {"followers_count": e["followers"]},
            "event": {"kind": e["kind"], "text": e["text"]},
        }
        for e in events
    ]
    started = time.perf_counter()
    matches = sum(1 for d in data for rule in logic if jsonLogic(rule, d))
    return matches, time.perf_counter() - started


def zen_engine(rules: list[dict[str, Any]], events: list[dict[str, Any]]) -> tuple[int, float]:
    expressions = [
        zen.compile_expression(
            f'label == "{r["label"]}" and followers >= {r["followers"]} and kind in ["{r["kinds"][0]}", "{r["kinds"][1]}"]'
            f' and not contains(text, "{r["words"][0]}") and not contains(text, "{r["words"][1]}")'
        )
        for r in rules
    ]
    started = time.perf_counter()
    matches = sum(1 for e in events for expression in expressions if expression.evaluate(e))
    return matches, time.perf_counter() - started


def main(quick: bool = False) -> None:
    rng = random.Random(20261121)
    rules, events = _rules(20 if quick else 100, rng), _events(2_000 if quick else 10_000, rng)
    evaluations = len(rules) * len(events)
    engines: dict[str, Callable[[list[dict[str, Any]], list[dict[str, Any]]], tuple[int, float]]] = {
        "goodword": ours,
        "json-logic": json_logic,
        "zen-engine": zen_engine,
    }
    results = {name: run(rules, events) for name, run in engines.items()}
    counts = {name: matches for name, (matches, _) in results.items()}
    if len(set(counts.values())) != 1:
        raise AssertionError(f"engines disagree on the matches: {counts}")
    per_second = {name: evaluations / seconds for name, (_, seconds) in results.items()}
    figures = {
        "rules": len(rules),
        "events": len(events),
        "matches": counts["goodword"],
        "evaluations_per_second": {k: round(v) for k, v in per_second.items()},
        "goodword_speedup": {k: round(per_second["goodword"] / v, 2) for k, v in per_second.items() if k != "goodword"},
    }
    save("rule_engines", figures)
    print(
        f"Rule evaluation: {len(rules)} rules x {len(events)} events ({evaluations:,} evaluations, "
        f"{counts['goodword']:,} matches,"
        " all engines agree)"
    )
    for name, rate in per_second.items():
        ratio = "" if name == "goodword" else f"   goodword is {per_second['goodword'] / rate:.2f}x faster"
        print(f"  {name:11} {rate:12,.0f} evaluations/s{ratio}")
