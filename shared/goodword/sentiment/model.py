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


class Band(StrEnum):
    """What the judge advises: send alone, ask a person, or do nothing."""

    AUTO = "auto"
    REVIEW = "review"
    NONE = "none"


class Veto(StrEnum):
    """Why a post that may read as praise is kept from ``auto``."""

    SARCASM = "sarcasm"  # sounds sarcastic or ironic: never rewarded
    COMPLAINT = "complaint"  # sounds like a complaint: never rewarded
    LANGUAGE = "language"  # not in English, the language the judge was measured on: review at most
    NOT_PRAISE = "not_praise"  # the brand-post praise head does not read it as praise of the brand: review at most
    NO_TEXT = "no_text"  # nothing to judge
    SECOND_OPINION = "second_opinion"  # the LLM second opinion did not read it as praise


class Sentiment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    label: SentimentLabel
    score: float = Field(ge=-1, le=1, description="negative .. positive")
    confidence: float = Field(ge=0, le=1, description="how sure the provider is of the label (see docs)")
    provider: str
    language: str | None = None
    guards: tuple[Guard, ...] = Field(default=(), description="guards that kept a positive-scoring text from 'positive'")
    band: Band = Band.NONE
    vetoes: tuple[Veto, ...] = Field(default=(), description="why the post is not in a higher band")
    praise: float | None = Field(
        default=None, ge=0, le=1, description="calibrated: the post genuinely praises the brand (after the vetoes and second key)"
    )
    complaint: float | None = Field(default=None, ge=0, le=1, description="calibrated: a complaint, sarcastic or not")
    sarcasm: float | None = Field(default=None, ge=0, le=1, description="calibrated: sarcastic or ironic")
    reason: str | None = Field(default=None, max_length=300, description="the second opinion's one-line reason")


class SecondOpinion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    model_id: str = Field(
        min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:/-]+$", description="a Bedrock model id or inference profile"
    )
    promote: bool = Field(default=True, description="a post the LLM reads as praise moves from review to auto")
    timeout_seconds: float = Field(default=5, gt=0, le=30)
    max_calls_per_batch: int = Field(default=25, ge=1, le=100, description="the rest of a batch waits for review")


class SentimentSettings(BaseModel):
    """Defaults are the measured precision-first operating point (docs/benchmarks.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    provider: Literal["classifier", "vader", "comprehend"] = Field(
        default="classifier", description="classifier: the trained judge (docs/judgement.md); vader and comprehend: older options"
    )
    second_opinion: SecondOpinion | None = Field(
        default=None, description="ask an LLM on Amazon Bedrock about posts in the review band (off by default)"
    )
    positive_threshold: float = Field(
        default=0.9, ge=0, le=1, description="vader and comprehend: compound or Positive score needed for 'positive'"
    )
    negative_threshold: float = Field(default=-0.05, ge=-1, le=0, description="at or below: 'negative'")
    guards: bool = Field(default=True, description="question, negative-word and negation guards (strongly advised)")
    brand_terms: tuple[str, ...] = Field(default=(), description="brand names and handles, masked before scoring")

    @model_validator(mode="after")
    def _ordered(self) -> SentimentSettings:
        if self.negative_threshold >= self.positive_threshold:
            raise ValueError("negative_threshold must be below positive_threshold")
        return self
