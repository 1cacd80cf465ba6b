"""`goodword rules backtest` throughput: the example rules over synthetic stored events
(with recorded sentiment and profile facts, as the live pipeline leaves them), through the
real Pipeline on the in-memory state, side by side with the floor: the rule engine alone
(`evaluate` on the same facts, no limits, no records). Storage reads are not counted (they
are the table's query speed, the same for any tool)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from bench.report import save
from dev_support.paths import ROOT
from goodword.backtest import backtest
from goodword.decisions import Decisions
from goodword.event_items import event_from_item, event_item
from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.memory.state import profile_from_facts
from goodword.observability import logger
from goodword.people import Profile
from goodword.pipeline.process import event_facts
from goodword.rules.engine import compile_rules, evaluate
from goodword.rules.model import Rule, Settings
from goodword.sentiment.model import Band, Sentiment, SentimentLabel, Veto

PRAISE = "I love your coffee, wonderful roast, thank you!"
COMPLAINT = "stale beans and a torn bag, terrible"


def _stored(count: int, rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, Decisions]]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items: list[dict[str, Any]] = []
    decisions: dict[str, Decisions] = {}
    seen = set[str]()
    for number in range(count):
        when = start + timedelta(seconds=30 * number)
        person = f"p{rng.randrange(count // 3)}"
        positive = rng.random() < 0.6
        kind = EventKind.FOLLOW if rng.random() < 0.1 else EventKind.MENTION
        event = Event(
            platform=rng.choice([Platform.X, Platform.INSTAGRAM, Platform.TWITCH]) if kind is EventKind.FOLLOW else Platform.X,
            kind=kind,
            natural_id=f"n{number}",
            brand_account="brand",
            occurred_at=when,
            received_at=when,
            source="x",
            author=Author(id=person, handle=f"h{person}", followers_count=rng.randrange(1000)),
            text=None if kind is EventKind.FOLLOW else (PRAISE if positive else COMPLAINT),
            refs=EventRefs(post_id=str(number)),
        )
        label = SentimentLabel.POSITIVE if positive else SentimentLabel.NEGATIVE
        sentiment = Sentiment(  # as the judge records it
            label=label,
            score=0.9 if positive else -0.8,
            confidence=rng.uniform(0.8, 1.0),
            provider="classifier",
            band=Band.AUTO if positive else Band.NONE,
            vetoes=() if positive else (Veto.COMPLAINT,),
            praise=0.95 if positive else 0.05,
            complaint=0.05 if positive else 0.85,
            sarcasm=0.05,
        )
        first = person not in seen
        seen.add(person)
        facts = {"profile.is_first_mention": first, "profile.is_new": first, "profile.mention_count": 1}
        items.append(event_item(event))
        decisions[event.event_id] = Decisions(decided_at=event.received_at, sentiment=sentiment, profile=facts)
    return items, decisions


def main(quick: bool = False) -> None:
    logger.setLevel("WARNING")  # as `goodword` runs it: no per-event log line
    rng = random.Random(20261121)
    count = 2_000 if quick else 10_000
    items, decisions = _stored(count, rng)
    rules = [(Rule.model_validate(yaml.safe_load(p.read_text())), 1) for p in sorted((ROOT / "rules").glob("*.yaml"))]
    settings = Settings(time_zone="Europe/Berlin", cooldown_days=7)
    book = compile_rules(settings, rules)
    since = datetime(2026, 11, 1, tzinfo=UTC)

    started = time.perf_counter()
    result = backtest(items, decisions, book, {}, since)
    full = time.perf_counter() - started

    events = [event_from_item(i) for i in items]
    started = time.perf_counter()
    for event in events:
        record = decisions[event.event_id]
        profile: Profile = profile_from_facts(event, record.profile, event.received_at)
        evaluate(book, event_facts(event, profile, record.sentiment, event.received_at), event.received_at)
    floor = time.perf_counter() - started

    offers = sum(r.offers for r in result.rules.values())
    figures = {
        "events": count,
        "rules": len(rules),
        "offers": offers,
        "backtest_events_per_second": round(count / full),
        "engine_only_events_per_second": round(count / floor),
        "backtest_vs_engine_only": round(full / floor, 2),
        "seconds_per_100k_events": round(full / count * 100_000, 1),
    }
    save("backtest", figures)
    print(
        f"Backtest: {len(rules)} example rules over {count:,} stored events ({offers:,} offers): "
        f"{figures['backtest_events_per_second']:,} events/s, "
        f"engine alone {figures['engine_only_events_per_second']:,} events/s "
        f"(backtest costs {figures['backtest_vs_engine_only']}x the engine; "
        f"{figures['seconds_per_100k_events']} s per 100k events)"
    )
