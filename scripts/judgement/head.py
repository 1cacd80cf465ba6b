"""Fit the brand-post praise heads over the frozen encoder and write ``model/praise_head.json``.

``python -m scripts.judgement.head`` (``make train-judgement`` runs it after training the
encoder and before ``scripts.judgement.calibrate``, which Platt-scales the heads and picks
their cuts on calibration data).

Each head is a logistic regression over what the shipped encoder already returns for a post
(its sentence embedding, 384, and the 12 head features of ``calibration.features``), read
from the start of the post as the provider prepares it. Trained on the synthetic set's
training brands of all four writers' files only (pinned by sha256 in ``datasets``), each
feature standardized, its L2 penalty chosen by 5-fold cross-validation grouped by brand
(the fold's brands held out together), on those brands only. Deterministic: Newton steps
from zero, no sampling. Two heads:

* ``praise``: praise against every other label (auto's second key);
* ``positive``: praise or mild praise against the rest (it also opens ``review``).

This is variant 4c's head (docs/judgement.md, "Variants compared"; ``scripts.judgement.variants
--variant 4`` fits the same heads on cached features).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from goodword.sentiment.judge.adapter import fit
from goodword.sentiment.judge.calibration import features
from goodword.sentiment.judge.encoder import MODEL_DIR, Encoder
from goodword.sentiment.judge.praise_head import HEAD_FILE, Head, PraiseHeads, design
from scripts.judgement import datasets as data
from scripts.judgement.evaluate import Post, average_precision, brand_posts, raw_outputs

Matrix = npt.NDArray[np.float64]
PENALTIES = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
CV_FOLDS = 5
STEPS = 30
HEADS = {"praise": ("praise",), "positive": ("praise", "mild_praise")}
TRAINED_ON = (
    "the synthetic set's training brands of all four writers' files (brand_mentions*.tsv, split by the brand hash:"
    " 2,909 posts; each head's labels against every other label), read by the encoder it names; nothing else"
)


def model_version(directory: Path) -> str:
    digest = hashlib.sha256((directory / "judge.onnx").read_bytes()).hexdigest()[:12]
    return f"judge-{digest}"


@dataclass(frozen=True)
class Training:
    """The training brands' posts as a head reads them, and each post's fold (by brand)."""

    x: Matrix
    kinds: npt.NDArray[np.str_]
    fold: npt.NDArray[np.int64]

    @staticmethod
    def of(posts: list[Post], encoder: Encoder) -> Training:
        outputs = raw_outputs(posts, encoder)
        names = sorted({p.brands[0] for p in posts})
        return Training(
            x=design(outputs, features(outputs)),
            kinds=np.asarray([p.kind for p in posts]),
            fold=np.asarray([names.index(p.brands[0]) % CV_FOLDS for p in posts], dtype=np.int64),
        )


def fit_head(x: Matrix, y: Matrix, penalty: float, labels: tuple[str, ...]) -> Head:
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    weights, bias = fit((x - mean) / scale, y, penalty=penalty, steps=STEPS)
    return Head(
        labels=labels,
        penalty=penalty,
        weights=tuple(round(float(v), 6) for v in weights),
        bias=round(bias, 6),
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
    )


def choose_penalty(t: Training, y: Matrix) -> tuple[float, float]:
    """The penalty whose out-of-fold scores have the best average precision (ties: the larger)."""
    best = (-1.0, PENALTIES[0])
    for penalty in PENALTIES:
        scores = np.zeros(len(y))
        for fold in range(CV_FOLDS):
            train = t.fold != fold
            x = t.x[train]
            mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
            weights, bias = fit((x - mean) / scale, y[train], penalty=penalty, steps=STEPS)
            scores[~train] = ((t.x[~train] - mean) / scale) @ weights + bias
        best = max(best, (average_precision(scores, list(y.astype(bool))), penalty))
    return best[1], best[0]


def train_heads(model: Path) -> tuple[PraiseHeads, dict[str, float]]:
    t = Training.of(brand_posts(data.BrandSplit.TRAIN, tuple(data.BRAND_FILES)), Encoder(model))
    heads: dict[str, Head] = {}
    cv: dict[str, float] = {}
    for name, labels in HEADS.items():
        y = np.isin(t.kinds, labels).astype(np.float64)
        penalty, cv[name] = choose_penalty(t, y)
        heads[name] = fit_head(t.x, y, penalty, labels)
        print(f"head {name!r} ({' or '.join(labels)}): {len(y)} posts, penalty {penalty} (cross-validated AP {cv[name]})")
    return PraiseHeads(model_version=model_version(model), trained_on=TRAINED_ON, **heads), cv


def dumps(heads: PraiseHeads) -> str:
    """Indented JSON with each list of numbers on one line (the same bytes for the same heads)."""
    text = json.dumps(heads.model_dump(), indent=2)
    return re.sub(r"\[([^\[\]{}\"]*)\]", lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    args = parser.parse_args()
    if not data.available():
        raise SystemExit(f"the labelled sets are not at {data.DATA}: nothing to train on")
    heads, _cv = train_heads(args.model)
    (args.model / HEAD_FILE).write_text(dumps(heads))
    print(f"heads written to {args.model / HEAD_FILE} (not yet calibrated: run scripts.judgement.calibrate)")


if __name__ == "__main__":
    main()
