"""Fit a brand adapter from the brand's labelled examples and compare it with the shared
model on the same examples, by cross-validation (pure: no AWS).

Both are measured on every example from a fit that did not see it (5 folds). The adapter
is *better* only if its average precision is higher and its precision at the auto cut is
not lower: the brand's own examples must not buy recall with wrongly sent samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from goodword.sentiment.judge.adapter import Adapter, Figures, Matrix, design, fit, predict
from goodword.sentiment.judge.provider import ClassifierProvider

FOLDS = 5
MIN_EXAMPLES = 20
MIN_PER_CLASS = 5
PENALTY = 1.0


class NotEnoughExamples(ValueError):
    pass


@dataclass(frozen=True)
class Comparison:
    adapter: Adapter
    better: bool
    why: str


def figures(scores: Matrix, gold: Matrix, cut: float) -> Figures:
    chosen = scores >= cut
    tp = float(np.sum(chosen & (gold > 0.5)))
    order = np.argsort(-scores, kind="stable")
    hits = gold[order] > 0.5
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    average = float(np.sum(precision_at * hits) / max(hits.sum(), 1))
    return Figures(
        precision=round(tp / chosen.sum(), 3) if chosen.any() else 1.0,
        recall=round(tp / max(float(gold.sum()), 1.0), 3),
        average_precision=round(average, 3),
    )


def compare(provider: ClassifierProvider, texts: Sequence[str], praise: Sequence[bool]) -> Comparison:
    gold = np.asarray(praise, dtype=np.float64)
    positives, negatives = int(gold.sum()), int(len(gold) - gold.sum())
    if len(gold) < MIN_EXAMPLES or min(positives, negatives) < MIN_PER_CLASS:
        raise NotEnoughExamples(
            f"{len(gold)} examples ({positives} praise, {negatives} not): retraining needs at least {MIN_EXAMPLES}, "
            f"with {MIN_PER_CLASS} of each; approve, reject or `goodword judgement feedback` more posts"
        )
    calibration = provider.calibration
    _prepared, outputs = provider.outputs(texts)
    shared = np.asarray([p.praise for p in provider.probabilities(outputs)])  # auto's first key, which an adapter replaces
    x = design(outputs, shared.tolist())
    crossed = np.zeros(len(gold))
    folds = np.arange(len(gold)) % FOLDS
    for fold in range(FOLDS):
        train = folds != fold
        weights, bias = fit(x[train], gold[train], PENALTY)
        crossed[~train] = predict(x[~train], weights, bias)
    cut = calibration.cuts.auto
    mine, theirs = figures(crossed, gold, cut), figures(shared, gold, cut)
    weights, bias = fit(x, gold, PENALTY)
    adapter = Adapter(
        weights=tuple(round(float(v), 6) for v in weights),
        bias=round(bias, 6),
        examples=len(gold),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model_version=calibration.version,
        adapter=mine,
        shared=theirs,
    )
    if mine.average_precision <= theirs.average_precision:
        return Comparison(adapter, False, "its average precision is not higher than the shared model's")
    if mine.precision < theirs.precision:
        return Comparison(adapter, False, "its precision at the auto cut is lower than the shared model's")
    return Comparison(adapter, True, "higher average precision, and precision at the auto cut no lower")
