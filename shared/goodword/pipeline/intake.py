"""The one way stored events are decided: a batch in, per event ``Decided``, ``Deferred``
(its platform sent ids only: judged once enrichment completes it) or ``Failed``.

Each batch is scored once (one provider call, pipeline/scoring.py); an event whose judgement
was recorded before (a backtest, `rules test`) is not scored again. The apply_rules handler,
`rules test`, `rules backtest` and `goodword replay` all come through here; the handler only
routes what comes out (counts, the enrichment queue, the failures to retry). An event the
enrichment queue names is completed first (``complete``), then taken the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from goodword.enrichment.completion import CompletesEvents, Done, Waiting, complete
from goodword.enrichment.enricher import Enricher
from goodword.enrichment.fetches import EnrichmentSettings, needed
from goodword.events import Event
from goodword.observability import logger
from goodword.pipeline.process import EventResult, Pipeline
from goodword.pipeline.scoring import Scorer
from goodword.sentiment.model import Sentiment


@dataclass(frozen=True)
class Decided:
    event: Event
    result: EventResult  # the judgement, the facts and each rule's decision (also recorded)


@dataclass(frozen=True)
class Deferred:
    """Not decided: its missing parts (text, author) are fetched first (EnrichmentQueue)."""

    event: Event


@dataclass(frozen=True)
class Failed:
    """Deciding it raised: the caller retries it (the handler) or reports it (replay)."""

    event: Event
    error: Exception


Taken = Decided | Deferred | Failed


def result_of(taken: Taken) -> EventResult:
    """What was decided; a failure raises again (callers that do not retry events)."""
    if isinstance(taken, Failed):
        raise taken.error
    if isinstance(taken, Deferred):
        raise RuntimeError(f"{taken.event.event_id} waits for enrichment: not decided")
    return taken.result


def _nothing(_event: Event) -> None:
    return None


class Intake:
    def __init__(self, pipeline: Pipeline, scorer: Scorer, enriching: bool = False) -> None:
        self.pipeline = pipeline
        self.scorer = scorer
        self.enriching = enriching  # the stack has an enrichment queue and the platforms' credentials

    def enrichment(self) -> EnrichmentSettings:
        """What the live settings ask enrichment to fetch (off where the stack cannot fetch)."""
        return self.pipeline.rules().settings.enrichment if self.enriching else EnrichmentSettings(enabled=False)

    def take(
        self,
        events: Sequence[Event],
        recorded: Mapping[str, Sentiment] | None = None,
        before: Callable[[Event], None] = _nothing,
    ) -> list[Taken]:
        """Each event decided or deferred, in order. ``recorded``: judgements recorded before,
        by event id, used instead of scoring again; ``before`` runs before each event is
        decided (a backtest sets its clock to the event's arrival). Scoring errors raise: the
        whole batch is retried."""
        enrichment = self.enrichment()
        deferred = {e.event_id for e in events if needed(e, enrichment)}
        known = recorded or {}
        to_score = [e for e in events if e.event_id not in deferred and e.event_id not in known]
        scored = self.scorer(self.pipeline.rules(), to_score) if to_score else {}
        taken: list[Taken] = []
        for event in events:
            if event.event_id in deferred:
                taken.append(Deferred(event))
                continue
            before(event)
            taken.append(self._decide(event, known.get(event.event_id) or scored.get(event.event_id)))
        return taken

    def complete(self, event_id: str, events: CompletesEvents, enricher: Enricher, now: datetime) -> Taken | Waiting | Done:
        """An event stored with ids only (an enrichment queue message): its missing parts
        fetched and written, then decided; or when to try again, or why there is nothing to do."""
        step = complete(event_id, events, enricher, self.enrichment(), now)
        if isinstance(step, Done):
            logger.info("nothing to complete", extra={"why": step.why})
            return step
        if isinstance(step, Waiting):
            logger.info("enrichment will be retried", extra={"reason": step.reason, "seconds": step.seconds})
            return step
        return self.take([step.event])[0]

    def _decide(self, event: Event, sentiment: Sentiment | None) -> Decided | Failed:
        with logger.append_context_keys(event_id=event.event_id):
            try:
                return Decided(event, self.pipeline.process(event, sentiment))
            except Exception as exc:  # one event's failure is its own: the rest go on
                return Failed(event, exc)
