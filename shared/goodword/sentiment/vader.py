"""The default provider: VADER, embedded (no AWS call, ~30 us per post), with the brand
masked and precision guards."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from vaderSentiment.vaderSentiment import NEGATE, SentimentIntensityAnalyzer

from goodword.sentiment.masking import BrandMasker
from goodword.sentiment.model import Band, Guard, Sentiment, SentimentLabel, SentimentSettings

_NEGATIONS = frozenset(NEGATE)
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…“”‘’"


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # loads two lexicon files: once per container


class VaderProvider:
    name = "vader"

    def __init__(self, settings: SentimentSettings) -> None:
        self.settings = settings
        self.masker = BrandMasker(settings.brand_terms)

    def analyze(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Sentiment]:
        return [self.analyze_one(text) for text in texts]

    def analyze_one(self, text: str) -> Sentiment:
        masked = self.masker.mask(text)
        scores = analyzer().polarity_scores(masked)
        compound = float(scores["compound"])
        guards = self.guards_of(masked, scores) if self.settings.guards else ()
        if compound >= self.settings.positive_threshold and not guards:
            label, confidence = SentimentLabel.POSITIVE, compound
        elif compound <= self.settings.negative_threshold:
            label, confidence = SentimentLabel.NEGATIVE, -compound
        elif scores["pos"] > 0 and scores["neg"] > 0:
            label, confidence = SentimentLabel.MIXED, 1 - abs(compound)
        else:
            label, confidence = SentimentLabel.NEUTRAL, 1 - abs(compound)
        return Sentiment(
            label=label,
            score=compound,
            confidence=round(confidence, 4),
            provider=self.name,
            guards=guards if compound >= self.settings.positive_threshold else (),
            band=Band.REVIEW if label is SentimentLabel.POSITIVE else Band.NONE,  # uncalibrated: never auto
        )

    @staticmethod
    def guards_of(masked: str, scores: dict[str, float]) -> tuple[Guard, ...]:
        found = []
        if "?" in masked:
            found.append(Guard.QUESTION)
        if scores["neg"] > 0:
            found.append(Guard.NEGATIVE_WORDS)
        words = {w.strip(_PUNCTUATION).lower() for w in masked.split()}
        if words & _NEGATIONS or any(w.endswith("n't") for w in words):
            found.append(Guard.NEGATION)
        return tuple(found)
