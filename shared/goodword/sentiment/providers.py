"""The provider the settings name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from goodword.aws import clients
from goodword.sentiment.comprehend import ComprehendProvider
from goodword.sentiment.judge.adapter import Adapter
from goodword.sentiment.judge.provider import ClassifierProvider
from goodword.sentiment.model import Sentiment, SentimentSettings
from goodword.sentiment.vader import VaderProvider


class SentimentProvider(Protocol):
    name: str

    def analyze(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Sentiment]: ...


def provider_for(settings: SentimentSettings, adapter: Adapter | None = None) -> SentimentProvider:
    if settings.provider == "comprehend":
        return ComprehendProvider(settings, clients.comprehend)
    if settings.provider == "vader":
        return VaderProvider(settings)
    return ClassifierProvider(settings, adapter)
