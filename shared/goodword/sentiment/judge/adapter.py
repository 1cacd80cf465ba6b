"""A brand's own praise model, learnt from its marketers' decisions (``goodword judgement``).

A logistic regression over the shared model's sentence embedding and its praise log-odds:
it starts from what the shared model knows and moves only as far as the brand's labelled
examples pull it. Fitted here with plain numpy (deterministic Newton steps, L2 penalty), so
the layer needs nothing more. It lives in the brand's rules table, never in the repository,
and is used only if cross-validation says it beats the shared model on the same examples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from goodword.sentiment.judge.encoder import Outputs

Matrix = npt.NDArray[np.float64]
_EPSILON = 1e-6


def design(outputs: Outputs, shared_praise: Sequence[float]) -> Matrix:
    p = np.clip(np.asarray(shared_praise, dtype=np.float64), _EPSILON, 1 - _EPSILON)
    return np.concatenate([outputs.embedding.astype(np.float64), np.log(p / (1 - p))[:, None]], axis=1)


def fit(x: Matrix, y: Matrix, penalty: float = 1.0, weights: Matrix | None = None, steps: int = 50) -> tuple[Matrix, float]:
    """L2-penalised, optionally weighted logistic regression by Newton's method (the bias is
    not penalised). Deterministic: no random start, no sampling."""
    n, d = x.shape
    a = np.concatenate([x, np.ones((n, 1))], axis=1)
    s = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    w = np.zeros(d + 1)
    ridge = np.eye(d + 1) * penalty
    ridge[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -40, 40)))
        gradient = a.T @ (s * (p - y)) + ridge @ w
        hessian = (a * (s * p * (1 - p))[:, None]).T @ a + ridge + np.eye(d + 1) * 1e-9
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w[:-1], float(w[-1])


def predict(x: Matrix, weights: Matrix, bias: float) -> Matrix:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ weights + bias, -40, 40)))


class Figures(BaseModel):
    """Cross-validated on the brand's own examples, at the shipped auto cut point."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    precision: float
    recall: float
    average_precision: float


class Adapter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: tuple[float, ...] = Field(min_length=385, max_length=385)
    bias: float
    examples: int = Field(ge=0)
    trained_at: str
    model_version: str = Field(description="the shared model it was fitted on: stale once that changes")
    adapter: Figures
    shared: Figures

    def praise(self, outputs: Outputs, shared_praise: Sequence[float]) -> list[float]:
        p = predict(design(outputs, shared_praise), np.asarray(self.weights), self.bias)
        return [round(float(v), 4) for v in p]
