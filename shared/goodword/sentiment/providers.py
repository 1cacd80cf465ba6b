"""The provider the settings name. Pure: a provider that calls AWS (Comprehend) gets its
client from the composition root (the handler, the command's target), through
``providers``; nothing here imports the data layer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Protocol

from goodword.sentiment.comprehend import ComprehendProvider
from goodword.sentiment.judge.adapter import Adapter
from goodword.sentiment.judge.provider import ClassifierProvider
from goodword.sentiment.model import Sentiment, SentimentSettings
from goodword.sentiment.vader import VaderProvider


class SentimentProvider(Protocol):
    name: str

    def analyze(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Sentiment]: ...


class ProviderFor(Protocol):
    """The port the pipeline's intake scores through: the provider for the live settings."""

    def __call__(self, settings: SentimentSettings, adapter: Adapter | None = None) -> SentimentProvider: ...


class NoClientError(RuntimeError):
    """The settings name a provider whose client the composition root did not give."""


def provider_for(
    settings: SentimentSettings, adapter: Adapter | None = None, comprehend: Callable[[], Any] | None = None
) -> SentimentProvider:
    if settings.provider == "comprehend":
        if comprehend is None:
            raise NoClientError("the comprehend provider needs a Comprehend client, and none was given")
        return ComprehendProvider(settings, comprehend)
    if settings.provider == "vader":
        return VaderProvider(settings)
    return ClassifierProvider(settings, adapter)


def providers(comprehend: Callable[[], Any] | None = None) -> ProviderFor:
    """``provider_for`` with the clients the composition root gives (none: no AWS provider)."""
    return partial(provider_for, comprehend=comprehend)
