"""From the encoder's heads to calibrated probabilities, and the cut points of the bands.

Each probability is a logistic regression over the heads' log-probabilities, fitted on
held-out calibration data (``scripts.judgement.calibrate``), so 0.9 means "nine in ten
posts scored this high were praise" on that data. ``model/calibration.json`` holds the
fitted weights and the cut points; the brand-post praise heads (``praise_head``) add two
probabilities read from the sentence embedding. The model card (docs/judgement.md) says how
they were picked and what they measured.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from goodword.sentiment.judge.encoder import MODEL_DIR, Outputs
from goodword.sentiment.judge.praise_head import PraiseHeads, design

FEATURES = (
    "sentiment_negative",
    "sentiment_neutral",
    "sentiment_positive",
    "irony",
    "brand_praise",
    "brand_mild_praise",
    "brand_sarcastic_complaint",
    "brand_complaint",
    "brand_mixed",
    "brand_question",
    "brand_neutral",
    "brand_praise_other",
)
_EPSILON = 1e-6


def features(outputs: Outputs) -> npt.NDArray[np.float64]:
    """Log-probabilities of every head (log-odds for irony), one row per text."""
    irony = np.clip(outputs.irony.astype(np.float64), _EPSILON, 1 - _EPSILON)
    columns = [
        np.log(np.clip(outputs.sentiment.astype(np.float64), _EPSILON, 1)),
        np.log(irony / (1 - irony))[:, None],
        np.log(np.clip(outputs.brand.astype(np.float64), _EPSILON, 1)),
    ]
    return np.concatenate(columns, axis=1)


class Logistic(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: tuple[float, ...] = Field(min_length=len(FEATURES), max_length=len(FEATURES))
    bias: float
    mean: tuple[float, ...] = Field(min_length=len(FEATURES), max_length=len(FEATURES))
    scale: tuple[float, ...] = Field(min_length=len(FEATURES), max_length=len(FEATURES))

    def probability(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        z: npt.NDArray[np.float64] = ((x - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.weights)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z + self.bias, -40, 40))), dtype=np.float64)


class Cuts(BaseModel):
    """The bands' cut points, picked on calibration data (see the model card)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    auto: float = Field(ge=0, le=1, description="praise at or above: auto (precision >= 0.95 on real tweets)")
    review: float = Field(
        ge=0, le=1, description="positive (praise or mild praise) at or above: review (three in four sincere positives)"
    )
    sarcasm_veto: float = Field(ge=0, le=1, description="sarcasm at or above: never rewarded")
    complaint_veto: float = Field(ge=0, le=1, description="complaint at or above: never rewarded")
    brand_praise: float = Field(
        ge=0, le=1, description="auto's second key: the brand-post praise head at or above, else review at most"
    )
    brand_positive: float = Field(
        ge=0, le=1, description="the brand-post praise-or-mild head at or above: review (three in four sincere positives)"
    )


class Calibration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    praise: Logistic
    positive: Logistic  # sincere praise, mild or strong: who the review band is for
    complaint: Logistic
    sarcasm: Logistic
    cuts: Cuts


class Probabilities(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    praise: float
    complaint: float
    sarcasm: float
    positive: float = 0.0
    brand_praise: float = 0.0  # the brand-post praise head (praise of the brand itself)
    brand_positive: float = 0.0  # the brand-post praise-or-mild head

    def worse(self, other: Probabilities) -> Probabilities:
        """The more cautious of two readings of one post (its first and its last window)."""
        return Probabilities(
            praise=min(self.praise, other.praise),
            complaint=max(self.complaint, other.complaint),
            sarcasm=max(self.sarcasm, other.sarcasm),
            positive=min(self.positive, other.positive),
            brand_praise=min(self.brand_praise, other.brand_praise),
            brand_positive=min(self.brand_positive, other.brand_positive),
        )


def probabilities(calibration: Calibration, heads: PraiseHeads, outputs: Outputs) -> list[Probabilities]:
    x = features(outputs)
    models = (calibration.praise, calibration.complaint, calibration.sarcasm, calibration.positive)
    read = design(outputs, x)
    columns = [*(m.probability(x) for m in models), heads.praise.probability(read), heads.positive.probability(read)]
    return [
        Probabilities(
            praise=round(float(p), 4),
            complaint=round(float(c), 4),
            sarcasm=round(float(s), 4),
            positive=round(float(v), 4),
            brand_praise=round(float(b), 4),
            brand_positive=round(float(m), 4),
        )
        for p, c, s, v, b, m in zip(*columns, strict=True)
    ]


CALIBRATION_FILE = "calibration.json"


@cache
def load(directory: Path = MODEL_DIR) -> Calibration:
    return Calibration.model_validate_json((directory / CALIBRATION_FILE).read_text())
