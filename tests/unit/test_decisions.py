"""The decisions record (goodword/decisions.py): what the pipeline writes is what storage
keeps, item for item as before the record was typed, and items stored before load."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from goodword.decisions import Decisions, RuleDecision, each_acted
from goodword.event_items import decisions_item, stored_decisions
from goodword.memory.messaging import CollectingQueue, DecisionList
from goodword.memory.rules import FixedRules
from goodword.memory.state import InMemoryState
from goodword.pipeline.process import Pipeline
from goodword.rules.engine import Outcome, compile_rules
from goodword.rules.model import Rule, Settings
from goodword.sentiment.model import Band, SentimentLabel
from tests.unit.test_services_in_memory import FLAGSHIP, NOW, PRAISE, mention

EVENT = mention()
STORED: dict[str, Any] = {  # a DECISIONS item as the pipeline has always written it (plain values)
    "pk": f"EVENT#{EVENT.event_id}",
    "sk": "DECISIONS",
    "type": "decisions",
    "decided_at": "2026-11-30T12:00:00.250000+00:00",
    "sentiment": PRAISE.model_dump(mode="json"),
    "profile": {"profile.is_first_mention": True, "profile.is_new": True, "profile.mention_count": 1},
    "decisions": [
        {"rule_id": "sample", "version": 3, "outcome": "acted", "detail": "offer_sample w1 approved", "facts": {"a": 1}},
        {"rule_id": "thanks", "version": 1, "outcome": "stopped", "detail": "sample acted and stops later rules", "facts": {}},
    ],
    "opted_out": "stop",
    "expires_at": 1_800_000_000,
}


def test_a_stored_item_round_trips_unchanged() -> None:
    record = Decisions.from_item(STORED)
    assert stored_decisions(EVENT.event_id, record) == STORED
    assert record.outcomes() == {"sample": Outcome.ACTED, "thanks": Outcome.STOPPED}
    assert record.acted() == ["sample"] and record.opted_out == "stop"
    assert record.fact("profile.is_first_mention") is True and record.fact("profile.unknown") is None
    assert record.sentiment == PRAISE


def test_items_stored_before_load() -> None:
    older: dict[str, Any] = {  # an older provider's judgement, without band or praise; a record left out to fit
        "pk": f"EVENT#{EVENT.event_id}",
        "sk": "DECISIONS",
        "type": "decisions",
        "decided_at": "2026-01-02T03:04:05+00:00",
        "sentiment": {"label": "positive", "score": 0.8, "confidence": 0.9, "provider": "vader", "guards": []},
        "profile": {},
        "decisions": [{"rule_id": "sample", "version": 1, "outcome": "limited"}],
        "left_out": "facts, explanations",
        "expires_at": 1_700_000_000,
    }
    record = Decisions.from_item(older)
    assert record.sentiment is not None and record.sentiment.label is SentimentLabel.POSITIVE
    assert record.sentiment.band is Band.NONE  # the default an older judgement reads as
    assert record.decisions == (RuleDecision(rule_id="sample", version=1, outcome=Outcome.LIMITED),)
    assert record.left_out == "facts, explanations" and record.acted() == []
    stored = stored_decisions(EVENT.event_id, record)
    assert {k: v for k, v in stored.items() if k != "sentiment"} == {k: v for k, v in older.items() if k != "sentiment"}


def test_an_erased_events_record_keeps_counts_as_the_scrub_always_did() -> None:
    with_reason = {**STORED, "sentiment": {**STORED["sentiment"], "reason": "reads as praise"}}
    erased = stored_decisions(EVENT.event_id, Decisions.from_item(with_reason).erased("2026-12-01T00:00:00+00:00"))
    # what EventsTable.scrub wrote from the item before the record was typed
    kept = [{k: d.get(k) for k in ("rule_id", "version", "outcome")} for d in with_reason["decisions"]]
    sentiment = {k: v for k, v in with_reason["sentiment"].items() if k != "reason"}
    before = {**with_reason, "decisions": kept, "sentiment": sentiment, "erased_at": "2026-12-01T00:00:00+00:00"}
    before.pop("opted_out")
    assert erased == before


def test_the_pipeline_writes_the_record_and_storage_lays_it_out_as_before() -> None:
    book = compile_rules(Settings(cooldown_days=7), [(Rule.model_validate(FLAGSHIP), 1)])
    log = DecisionList()
    Pipeline(FixedRules(book), InMemoryState(), log, CollectingQueue(), timedelta(days=1), lambda: NOW).process(EVENT, PRAISE)
    written = log.decisions[EVENT.event_id]
    assert set(written) == {"decided_at", "sentiment", "profile", "decisions"}  # no opt-out said: none recorded
    assert written["decided_at"] == NOW.isoformat() and written["sentiment"] == PRAISE.model_dump(mode="json")
    (decision,) = written["decisions"]
    assert set(decision) == {"rule_id", "version", "outcome", "detail", "facts"} and decision["outcome"] == "acted"
    record = Decisions.from_item(written)
    item = decisions_item(EVENT, record, timedelta(days=90))
    assert item == {
        "pk": f"EVENT#{EVENT.event_id}",
        "sk": "DECISIONS",
        "type": "decisions",
        **written,
        "expires_at": int((EVENT.received_at + timedelta(days=90)).timestamp()),
    }


def test_the_rules_that_acted_on_each_event() -> None:
    records = {"e1": Decisions.from_item(STORED), "e2": Decisions.from_item({**STORED, "decisions": []})}
    assert list(each_acted(records)) == [("e1", "sample")]
