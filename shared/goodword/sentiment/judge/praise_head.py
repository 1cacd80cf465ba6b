"""The brand-post praise heads: logistic regressions over the encoder's sentence embedding
and its heads' features, read from ``model/praise_head.json``.

The encoder stays as trained; these heads read what it already returns (one dot product
per post). They were fitted on the synthetic set's training brands, all four writers' files
(``scripts.judgement.head``), and Platt-scaled on the calibration sources
(``scripts.judgement.calibrate``), so each reads as a probability:

* ``praise``: the post praises the brand (brand-post label ``praise``): ``auto``'s second key;
* ``positive``: the post praises the brand, mildly or not (``praise`` or ``mild_praise``):
  it also opens ``review``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from goodword.sentiment.judge.encoder import MODEL_DIR, Outputs

EMBEDDING = 384
WIDTH = EMBEDDING + 12  # the embedding and calibration.FEATURES
HEAD_FILE = "praise_head.json"
Matrix = npt.NDArray[np.float64]


def design(outputs: Outputs, features: Matrix) -> Matrix:
    """What a head reads: the sentence embedding, then the heads' features (``calibration.features``)."""
    return np.concatenate([outputs.embedding.astype(np.float64), features], axis=1)


class Head(BaseModel):
    """Standardize, weigh, then Platt-scale: ``sigmoid(slope * (((x - mean) / scale) @ w + bias) + offset)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    labels: tuple[str, ...] = Field(min_length=1, description="the brand-post labels it reads as positive")
    penalty: float = Field(gt=0, description="L2 penalty, chosen by cross-validation grouped by brand")
    weights: tuple[float, ...] = Field(min_length=WIDTH, max_length=WIDTH)
    bias: float
    mean: tuple[float, ...] = Field(min_length=WIDTH, max_length=WIDTH)
    scale: tuple[float, ...] = Field(min_length=WIDTH, max_length=WIDTH)
    slope: float = 1.0  # Platt scaling, fitted on the calibration sources (1, 0: not yet calibrated)
    offset: float = 0.0

    def logit(self, x: Matrix) -> Matrix:
        return np.asarray(((x - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.weights) + self.bias)

    def probability(self, x: Matrix) -> Matrix:
        z = self.slope * self.logit(x) + self.offset
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))), dtype=np.float64)


class PraiseHeads(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    model_version: str = Field(description="the encoder they read (judge-<sha256 of judge.onnx>)")
    trained_on: str
    praise: Head
    positive: Head


@cache
def load(directory: Path = MODEL_DIR) -> PraiseHeads:
    return PraiseHeads.model_validate_json((directory / HEAD_FILE).read_text())
