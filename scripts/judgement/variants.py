"""Compare ways of turning an encoder's heads into `auto`, on cached features, in seconds.

``python -m scripts.judgement.variants --model DIR`` embeds every labelled set once with the
encoder in DIR (cached under ``.judgement-work/features/<version>/``), then, for each recipe,
fits its calibration on the calibration sources only, picks its cut points there, and prints
the issue's figures on the evaluation sets. The model card's "variants compared" table comes
from here; what ships is measured again through the real provider by ``calibrate``.

A recipe is a set of keys that must all agree for `auto`:

* ``tweet``: the praise probability read from the tweet-sentiment head alone, calibrated on
  TweetEval validation (what the judge shipped with before issue 21);
* ``brand``: the brand-post head's praise, calibrated on the synthetic calibration brands;
* ``joint``: one logistic over every head, fitted on both sources weighted equally.

Each key's cut is the lowest whose precision stays >= 0.95 on its own source, and the
vetoes are the shipped ones (97th percentile of genuine praise).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from goodword.sentiment.judge.adapter import fit
from goodword.sentiment.judge.calibration import FEATURES, features
from goodword.sentiment.judge.encoder import MODEL_DIR, Encoder, Outputs
from goodword.sentiment.judge.language import ENGLISH, detect
from scripts.judgement import datasets as data
from scripts.judgement import probe as probes
from scripts.judgement.evaluate import Post, brand_posts, public_posts, raw_outputs, recall_at_precision, sarcasm_posts

Matrix = npt.NDArray[np.float64]
WORK = Path(".judgement-work/features")
SENTIMENT = (0, 1, 2, 3)
BRAND = (3, 4, 5, 6, 7, 8, 9, 10, 11)
EVERY = tuple(range(len(FEATURES)))
COMPLAINTS = ("complaint", "sarcastic_complaint", "mixed")


@dataclass(frozen=True)
class Set:
    posts: tuple[Post, ...]
    x: Matrix

    def kinds(self) -> npt.NDArray[np.str_]:
        return np.asarray([p.kind for p in self.posts])


def _probe_posts(path: Path, split: probes.Split) -> list[Post]:
    rows = [p for p in probes.load(path).probes if p.split is split]
    return [Post(p.text, data.brand_terms(p.brand), p.rewardable and p.kind == "praise", p.kind) for p in rows]


def labelled_sets() -> dict[str, list[Post]]:
    irony = {
        split: [Post(t.text, (), t.ironic, "ironic" if t.ironic else "not") for t in data.irony(split)]
        for split in ("val", "test")
    }
    sets = {
        "tweeteval_val": [
            Post(t.text, (), t.sentiment is data.Sentiment3.POSITIVE, t.sentiment.value) for t in data.tweeteval_val()
        ],
        "synthetic_calibration": brand_posts(data.BrandSplit.CALIBRATION, tuple(data.BRAND_FILES)),
        "irony_val": irony["val"],
        "synthetic_evaluation": brand_posts(data.BrandSplit.EVALUATION, tuple(data.BRAND_FILES)),
        "sarcasm": sarcasm_posts(),
        "irony_test": irony["test"],
        "crafted_heldout": _probe_posts(probes.CRAFTED_COMPLAINTS, probes.Split.HELDOUT),
        "fans_heldout": _probe_posts(probes.REAL_STYLE_FANS, probes.Split.HELDOUT),
    }
    sets.update({name: public_posts(name) for name in data.PUBLIC_EVALUATION})
    return sets


def embedded(model: Path) -> dict[str, Set]:
    encoder = Encoder(model)
    version = (model / "judge.onnx").stat().st_size, int((model / "judge.onnx").stat().st_mtime)
    folder = WORK / f"{model.name}-{version[0]}-{version[1]}"
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Set] = {}
    for name, posts in labelled_sets().items():
        cache = folder / f"{name}.npy"
        if cache.is_file():
            x = np.load(cache)
        else:
            outputs: Outputs = raw_outputs(posts, encoder)
            x = features(outputs)
            np.save(cache, x)
        out[name] = Set(tuple(posts), x)
    return out


@dataclass(frozen=True)
class Key:
    weights: Matrix
    bias: float
    mean: Matrix
    scale: Matrix

    def __call__(self, x: Matrix) -> Matrix:
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))


def fit_key(parts: Sequence[tuple[Matrix, Matrix]], columns: Sequence[int]) -> Key:
    xs = np.concatenate([x for x, _ in parts])
    ys = np.concatenate([y for _, y in parts])
    ws = np.concatenate([np.full(len(y), 1.0 / len(y)) for _, y in parts])
    mean, scale = xs.mean(axis=0), xs.std(axis=0) + 1e-6
    w, b = fit(((xs - mean) / scale)[:, list(columns)], ys, penalty=1.0, weights=ws / ws.mean())
    weights = np.zeros(xs.shape[1])
    weights[list(columns)] = w
    return Key(weights, b, mean, scale)


def lowest_cut(scores: Matrix, gold: Matrix, precision: float) -> float:
    order = np.argsort(-scores, kind="stable")
    s, g = scores[order], gold[order].astype(bool)
    p = np.cumsum(g) / np.arange(1, len(g) + 1)
    bad = np.nonzero(p < precision)[0]
    end = int(bad[0]) if bad.size else len(s)
    while 0 < end < len(s) and s[end - 1] == s[end]:
        end -= 1
    return float(s[end - 1]) if end > 0 else 1.0


@dataclass(frozen=True)
class Recipe:
    name: str
    keys: tuple[str, ...]


RECIPES = (
    Recipe("shipped: tweet key + brand head's not-praise", ("tweet", "brand_raw")),
    Recipe("joint only", ("joint",)),
    Recipe("brand key only", ("brand",)),
    Recipe("tweet key and brand key", ("tweet", "brand")),
    Recipe("joint, tweet and brand keys", ("joint", "tweet", "brand")),
    Recipe("the lower of the two readings, one cut", ("min",)),
)


def keys_and_vetoes(sets: dict[str, Set]) -> tuple[dict[str, Key], Key, Key]:
    tweets, brands, irony = sets["tweeteval_val"], sets["synthetic_calibration"], sets["irony_val"]
    tweet_gold = np.asarray([p.positive for p in tweets.posts], dtype=float)
    brand_gold = np.asarray([p.kind == "praise" for p in brands.posts], dtype=float)
    keys = {
        "tweet": fit_key([(tweets.x, tweet_gold)], SENTIMENT),
        "brand": fit_key([(brands.x, brand_gold)], BRAND),
        "joint": fit_key([(tweets.x, tweet_gold), (brands.x, brand_gold)], EVERY),
    }
    complaint = fit_key(
        [
            (tweets.x, np.asarray([p.kind == "negative" for p in tweets.posts], dtype=float)),
            (brands.x, np.isin(brands.kinds(), COMPLAINTS).astype(float)),
        ],
        EVERY,
    )
    sarcasm = fit_key(
        [
            (brands.x, (brands.kinds() == "sarcastic_complaint").astype(float)),
            (irony.x, np.asarray([p.positive for p in irony.posts], dtype=float)),
        ],
        EVERY,
    )
    return keys, complaint, sarcasm


def lower(keys: dict[str, Key], x: Matrix) -> Matrix:
    return np.minimum(keys["tweet"](x), keys["brand"](x))


def score_of(key: str, keys: dict[str, Key], x: Matrix) -> Matrix:
    if key == "brand_raw":
        return brand_raw_praise(x)
    return lower(keys, x) if key == "min" else keys[key](x)


def brand_raw_praise(x: Matrix) -> Matrix:
    return np.asarray(np.exp(x[:, 4]) + np.exp(x[:, 5]))


def evaluate(sets: dict[str, Set]) -> None:
    keys, complaint, sarcasm = keys_and_vetoes(sets)
    tweets, brands = sets["tweeteval_val"], sets["synthetic_calibration"]
    genuine = [(tweets.x, np.asarray([p.positive for p in tweets.posts])), (brands.x, brands.kinds() == "praise")]
    veto_c = max(0.5, float(np.percentile(np.concatenate([complaint(x)[g] for x, g in genuine]), 97)))
    veto_s = max(0.5, float(np.percentile(np.concatenate([sarcasm(x)[g] for x, g in genuine]), 97)))

    def vetoed(x: Matrix) -> Matrix:
        return np.asarray((complaint(x) >= veto_c) | (sarcasm(x) >= veto_s))

    cuts = {
        "tweet": lowest_cut(np.where(vetoed(tweets.x), 0, keys["tweet"](tweets.x)), genuine[0][1], 0.95),
        "brand": lowest_cut(np.where(vetoed(brands.x), 0, keys["brand"](brands.x)), genuine[1][1], 0.95),
        "brand_raw": 0.27,  # the shipped second key: not-praise below 0.73
    }
    joint_scores = [np.where(vetoed(x), 0, keys["joint"](x)) for x, _ in genuine]
    cuts["joint"] = max(lowest_cut(s, g, 0.95) for s, (_x, g) in zip(joint_scores, genuine, strict=True))
    cuts["min"] = max(lowest_cut(np.where(vetoed(x), 0, lower(keys, x)), g, 0.95) for x, g in genuine)
    print(f"vetoes: complaint {veto_c:.3f} sarcasm {veto_s:.3f}; cuts {', '.join(f'{k} {v:.3f}' for k, v in cuts.items())}")
    for recipe in RECIPES:
        print(f"\n== {recipe.name} ==")
        for name in (
            "synthetic_evaluation",
            "airline",
            "tweeteval",
            "sentiment140",
            "sarcasm",
            "irony_test",
            "crafted_heldout",
            "fans_heldout",
        ):
            report(name, sets[name], recipe, keys, cuts, vetoed)


def auto_of(x: Matrix, recipe: Recipe, keys: dict[str, Key], cuts: dict[str, float], vetoed: object) -> npt.NDArray[np.bool_]:
    ok = ~vetoed(x)  # type: ignore[operator]
    for key in recipe.keys:
        ok &= score_of(key, keys, x) >= cuts[key]
    return np.asarray(ok)


def ranking(x: Matrix, recipe: Recipe, keys: dict[str, Key], vetoed: object) -> Matrix:
    scores = [score_of(k, keys, x) for k in recipe.keys]
    return np.where(vetoed(x), 0.0, np.min(scores, axis=0))  # type: ignore[operator]


def report(name: str, s: Set, recipe: Recipe, keys: dict[str, Key], cuts: dict[str, float], vetoed: object) -> None:
    auto = auto_of(s.x, recipe, keys, cuts, vetoed)
    english = np.asarray([detect(p.text) == ENGLISH for p in s.posts])
    gold = np.asarray([p.positive for p in s.posts])
    kinds = s.kinds()
    line = f"{name:22} auto {int(auto.sum()):5d} prec {gold[auto].mean() if auto.any() else 1.0:.3f}"
    line += f" rec@P90 {recall_at_precision(ranking(s.x, recipe, keys, vetoed), list(gold)):.3f}"
    if name.startswith("synthetic"):
        sources = sorted({p.source for p in s.posts})
        bad = np.isin(kinds, ("complaint", "sarcastic_complaint"))
        line += f" complaints-in-auto {int((auto & bad).sum())} praise_other {int((auto & (kinds == 'praise_other')).sum())}"
        for source in sources:
            rows = np.asarray([p.source == source for p in s.posts])
            line += (
                f"\n    {source:13} rec@P90 {recall_at_precision(ranking(s.x[rows], recipe, keys, vetoed), list(gold[rows])):.3f}"
            )
            line += f" auto {int(auto[rows].sum())} prec {gold[rows & auto].mean() if (rows & auto).any() else 1.0:.3f}"
            line += f" bad-in-auto {int((auto & bad & rows).sum())} other {int((auto & rows & (kinds == 'praise_other')).sum())}"
            line += f" non-en-auto {int((auto & rows & ~english).sum())}"
    elif name in ("crafted_heldout", "sarcasm", "irony_test"):
        line += f" kinds in auto: {dict(zip(*np.unique(kinds[auto], return_counts=True), strict=True))}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    args = parser.parse_args()
    evaluate(embedded(args.model))


if __name__ == "__main__":
    main()
