"""The judge's lessons from the brand: a labelled example is a post a person said is praise,
or is not (stored in StateTable, aws/state_table.py; `goodword judgement retrain` fits the
brand's adapter from them). An event has one example: a later decision replaces it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ExampleSource(StrEnum):
    REVIEW = "review"  # a reviewer approved (praise) or rejected (not praise) an offer
    FEEDBACK = "feedback"  # goodword judgement feedback EVENT --praise / --not-praise


class Example(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(min_length=1)
    text: str
    praise: bool
    source: ExampleSource
    by: str
    at: datetime
