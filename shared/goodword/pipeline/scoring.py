"""A batch's judgement: every event with text scored in one provider call, by the provider
the live settings name, and the posts in the review band re-judged by the second opinion
when it is on. The provider and the second opinion are ports: the composition roots give
them (the handler, the command's target), with their AWS clients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from goodword.events import Event
from goodword.ports import Converse
from goodword.rules.engine import RuleBook
from goodword.sentiment.model import Sentiment
from goodword.sentiment.providers import ProviderFor
from goodword.sentiment.second_opinion import SecondOpinionJudge


@dataclass(frozen=True)
class Scorer:
    providers: ProviderFor
    second_opinion: Callable[[float], Converse] | None = None  # a model to ask, within a timeout

    def __call__(self, book: RuleBook, events: Sequence[Event]) -> dict[str, Sentiment]:
        """Sentiment for every event with text, by event id."""
        with_text = [e for e in events if e.text]
        if not with_text:
            return {}
        settings = book.settings.sentiment
        texts = [e.text or "" for e in with_text]
        results = self.providers(settings, book.adapter).analyze(texts, [e.lang for e in with_text])
        if settings.second_opinion is not None and settings.provider == "classifier" and self.second_opinion:
            converse = self.second_opinion(settings.second_opinion.timeout_seconds)
            results = SecondOpinionJudge(settings.second_opinion, book.settings.brand_names, converse).review(texts, results)
        return {e.event_id: s for e, s in zip(with_text, results, strict=True)}
