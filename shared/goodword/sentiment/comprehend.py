"""Optional provider: Amazon Comprehend (language detection and sentiment, batched).

Comprehend's label must agree, and its Positive score must reach the positive threshold;
the question guard applies too (it reads the text, not the model)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from goodword.sentiment.masking import BrandMasker
from goodword.sentiment.model import Band, Guard, Sentiment, SentimentLabel, SentimentSettings

BATCH = 25  # Comprehend's batch limit
MAX_BYTES = 5000  # per document
# Languages DetectSentiment supports.
SUPPORTED = frozenset({"ar", "hi", "ko", "zh-TW", "ja", "zh", "de", "pt", "en", "it", "fr", "es"})
_LABELS = {
    "POSITIVE": SentimentLabel.POSITIVE,
    "NEGATIVE": SentimentLabel.NEGATIVE,
    "NEUTRAL": SentimentLabel.NEUTRAL,
    "MIXED": SentimentLabel.MIXED,
}


def _clip(text: str) -> str:
    return text.encode()[:MAX_BYTES].decode(errors="ignore")


class ComprehendProvider:
    name = "comprehend"

    def __init__(self, settings: SentimentSettings, client: Callable[[], Any]) -> None:
        self.settings = settings
        self.client = client
        self.masker = BrandMasker(settings.brand_terms)

    def analyze(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Sentiment]:
        """Raises the AWS SDK's errors (throttling, outage) so the caller retries the batch."""
        masked = [_clip(self.masker.mask(t)) for t in texts]
        langs = list(languages or [None] * len(texts))
        unknown = [i for i, lang in enumerate(langs) if not lang]
        for start in range(0, len(unknown), BATCH):
            chunk = unknown[start : start + BATCH]
            response = self.client().batch_detect_dominant_language(TextList=[masked[i] for i in chunk])
            for item in response.get("ResultList", []):
                found = item.get("Languages") or []
                if found:
                    langs[chunk[item["Index"]]] = max(found, key=lambda x: x["Score"])["LanguageCode"]
        results: list[Sentiment | None] = [None] * len(texts)
        by_language: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            if lang in SUPPORTED:
                by_language.setdefault(str(lang), []).append(i)
            else:
                results[i] = self._neutral(lang, Guard.UNSUPPORTED_LANGUAGE)
        for lang, indexes in by_language.items():
            for start in range(0, len(indexes), BATCH):
                chunk = indexes[start : start + BATCH]
                response = self.client().batch_detect_sentiment(TextList=[masked[i] for i in chunk], LanguageCode=lang)
                for item in response.get("ResultList", []):
                    results[chunk[item["Index"]]] = self._result(item, lang, masked[chunk[item["Index"]]])
                for error in response.get("ErrorList", []):
                    results[chunk[error["Index"]]] = self._neutral(lang, Guard.PROVIDER_ERROR)
        return [r if r is not None else self._neutral(langs[i], Guard.PROVIDER_ERROR) for i, r in enumerate(results)]

    def _result(self, item: dict[str, Any], lang: str, text: str) -> Sentiment:
        scores = item["SentimentScore"]
        label = _LABELS[item["Sentiment"]]
        score = max(-1.0, min(1.0, float(scores["Positive"]) - float(scores["Negative"])))
        confidence = float(scores[item["Sentiment"].capitalize()])
        guards: tuple[Guard, ...] = ()
        if label is SentimentLabel.POSITIVE:
            if self.settings.guards and "?" in text:
                guards = (Guard.QUESTION,)
            if guards or float(scores["Positive"]) < self.settings.positive_threshold:
                label, confidence = SentimentLabel.NEUTRAL, 1 - confidence
        return Sentiment(
            label=label,
            score=round(score, 4),
            confidence=round(confidence, 4),
            provider=self.name,
            language=lang,
            guards=guards,
            band=Band.REVIEW if label is SentimentLabel.POSITIVE else Band.NONE,  # uncalibrated: never auto
        )

    def _neutral(self, lang: str | None, guard: Guard) -> Sentiment:
        return Sentiment(
            label=SentimentLabel.NEUTRAL, score=0.0, confidence=0.0, provider=self.name, language=lang, guards=(guard,)
        )
