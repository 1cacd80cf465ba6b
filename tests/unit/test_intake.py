"""The pipeline's intake (pipeline/intake.py) on the in-memory adapters: a batch in, each
event decided or deferred for enrichment, the batch scored once, a recorded judgement used
instead of scoring again, and one event's failure its own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.memory.messaging import CollectingQueue, DecisionList
from goodword.memory.rules import FixedRules
from goodword.memory.state import InMemoryState
from goodword.pipeline.intake import Decided, Deferred, Failed, Intake, result_of
from goodword.pipeline.process import Pipeline
from goodword.pipeline.scoring import Scorer
from goodword.rules.engine import Outcome, compile_rules
from goodword.rules.model import Rule, Settings
from goodword.sentiment.judge.adapter import Adapter
from goodword.sentiment.model import Sentiment, SentimentSettings
from goodword.sentiment.providers import NoClientError, SentimentProvider, provider_for, providers
from tests.unit.test_services_in_memory import FLAGSHIP, MILD, NOW, PRAISE, mention


class CountingProvider:
    """Praise for every text; remembers each call (one a batch)."""

    name = "counting"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def analyze(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Sentiment]:
        self.calls.append(list(texts))
        return [PRAISE for _ in texts]


def intake(provider: CountingProvider, enriching: bool = False) -> Intake:
    book = compile_rules(Settings(cooldown_days=7), [(Rule.model_validate(FLAGSHIP), 1)])
    pipeline = Pipeline(FixedRules(book), InMemoryState(), DecisionList(), CollectingQueue(), timedelta(days=1), lambda: NOW)

    def provider_for_settings(settings: SentimentSettings, adapter: Adapter | None = None) -> SentimentProvider:
        return provider

    return Intake(pipeline, Scorer(provider_for_settings), enriching=enriching)


def ids_only_instagram_mention(media: str = "m1") -> Event:
    """What Instagram sends for a mention: ids, no text and no author (completed by enrichment)."""
    return Event(
        platform=Platform.INSTAGRAM,
        kind=EventKind.MENTION,
        natural_id=f"mention:{media}",
        brand_account="17841400000000000",
        occurred_at=NOW,
        received_at=NOW,
        source="instagram",
        refs=EventRefs(media_id=media),
    )


def complete_mention() -> Event:
    """An X mention with every fact the rules read (an X author without them is looked up)."""
    fan = mention("a", "1")
    return fan.model_copy(update={"author": Author(id="a", handle="fan_a", created_at=NOW - timedelta(days=900))})


def test_a_batch_is_scored_once_and_every_event_decided_in_order() -> None:
    provider = CountingProvider()
    batch = [mention("a", "1"), mention("b", "2"), mention("c", "3")]
    taken = intake(provider).take(batch)
    assert len(provider.calls) == 1 and len(provider.calls[0]) == 3  # one provider call for the batch
    assert [type(t) for t in taken] == [Decided, Decided, Decided]
    assert [t.event.event_id for t in taken] == [e.event_id for e in batch]
    assert all(result_of(t).decisions[0].outcome is Outcome.ACTED for t in taken)
    assert all(result_of(t).sentiment == PRAISE for t in taken)


def test_a_recorded_judgement_is_used_and_not_scored_again() -> None:
    provider = CountingProvider()
    judged, new = mention("a", "1"), mention("b", "2")
    taken = intake(provider).take([judged, new], recorded={judged.event_id: MILD})
    assert provider.calls == [[new.text]]  # only the event without a judgement is scored
    assert [result_of(t).sentiment for t in taken] == [MILD, PRAISE]
    everything_recorded = CountingProvider()
    intake(everything_recorded).take([judged], recorded={judged.event_id: MILD})
    assert everything_recorded.calls == []  # nothing left to score: no provider call at all


def test_an_ids_only_event_is_deferred_for_enrichment_and_not_scored() -> None:
    provider = CountingProvider()
    ids_only, full = ids_only_instagram_mention(), complete_mention()
    taken = intake(provider, enriching=True).take([ids_only, full])
    assert [type(t) for t in taken] == [Deferred, Decided]
    assert taken[0].event == ids_only
    assert provider.calls == [[full.text]]
    with pytest.raises(RuntimeError, match="waits for enrichment"):
        result_of(taken[0])


def test_without_enrichment_an_ids_only_event_is_decided_with_what_it_has() -> None:
    provider = CountingProvider()
    (taken,) = intake(provider).take([ids_only_instagram_mention()])  # a stack without the enrichment queue
    assert isinstance(taken, Decided) and taken.result.sentiment is None
    assert provider.calls == []  # no text: nothing to score
    assert not intake(provider).enrichment().enabled and intake(provider, enriching=True).enrichment().enabled


def test_one_event_failing_is_its_own_and_the_rest_are_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = CountingProvider()
    taking = intake(provider)
    bad, good = mention("a", "1"), mention("b", "2")
    process = taking.pipeline.process

    def failing(event: Event, sentiment: Sentiment | None) -> object:
        if event.event_id == bad.event_id:
            raise ValueError("storage said no")
        return process(event, sentiment)

    monkeypatch.setattr(taking.pipeline, "process", failing)
    first, second = taking.take([bad, good])
    assert isinstance(first, Failed) and str(first.error) == "storage said no"
    assert isinstance(second, Decided)
    with pytest.raises(ValueError, match="storage said no"):
        result_of(first)


def test_before_runs_before_each_decided_event() -> None:
    seen: list[str] = []
    batch = [ids_only_instagram_mention(), complete_mention()]
    intake(CountingProvider(), enriching=True).take(batch, before=lambda e: seen.append(e.event_id))
    assert seen == [batch[1].event_id]  # not for the deferred one


def test_a_provider_that_calls_aws_needs_its_client_from_the_composition_root() -> None:
    comprehend = SentimentSettings(provider="comprehend")
    with pytest.raises(NoClientError):
        provider_for(comprehend)
    assert providers(comprehend=lambda: None)(comprehend).name == "comprehend"
    assert providers()(SentimentSettings(provider="vader")).name == "vader"
