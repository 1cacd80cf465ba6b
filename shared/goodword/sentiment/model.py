"""What a sentiment provider returns, and the settings that shape it."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SentimentLabel(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    MIXED = "mixed"


class Guard(StrEnum):
    """Why a text that scores positive is not labelled positive."""

    QUESTION = "question"  # "Is your coffee any good?" asks, it does not praise
    NEGATIVE_WORDS = "negative_words"  # any negative word at all: sarcasm and polite complaints
    NEGATION = "negation"  # "not", "never", "n't"...: praise turned around
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    PROVIDER_ERROR = "provider_error"


class Sentiment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    label: SentimentLabel
    score: float = Field(ge=-1, le=1, description="negative .. positive")
    confidence: float = Field(ge=0, le=1, description="how sure the provider is of the label (see docs)")
    provider: str
    language: str | None = None
    guards: tuple[Guard, ...] = Field(default=(), description="guards that kept a positive-scoring text from 'positive'")


class SentimentSettings(BaseModel):
    """Defaults are the measured precision-first operating point (docs/benchmarks.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    provider: Literal["vader", "comprehend"] = "vader"
    positive_threshold: float = Field(
        default=0.9, ge=0, le=1, description="VADER compound, or Comprehend's Positive score, needed for 'positive'"
    )
    negative_threshold: float = Field(default=-0.05, ge=-1, le=0, description="at or below: 'negative'")
    guards: bool = Field(default=True, description="question, negative-word and negation guards (strongly advised)")
    brand_terms: tuple[str, ...] = Field(default=(), description="brand names and handles, masked before scoring")

    @model_validator(mode="after")
    def _ordered(self) -> SentimentSettings:
        if self.negative_threshold >= self.positive_threshold:
            raise ValueError("negative_threshold must be below positive_threshold")
        return self
