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

Variant 4 (``--variant 4``; issue 21's first measurement as a recipe) keeps the encoder
frozen and adds a praise head: a logistic regression over the sentence embedding and the
heads' features, trained on every writer's training brands (optionally with every 4th tweet
of the SemEval training pool), its L2 penalty chosen by 5-fold cross-validation grouped by
brand, Platt-scaled on TweetEval validation and the calibration brands. The vetoes, the
tweet key and the review band are read from the model's ``calibration.json``, so its recipe
0 reproduces the judge before 4c shipped (its second key, the brand head's not-praise, is a
constant here), and 4c's bands are the shipped judge's (``scripts.judgement.head`` and
``calibrate`` fit the same heads; their cuts may differ in the 4th decimal). Every post is read as the provider reads it (a long
post from both ends, the more cautious reading counts); nothing here is tuned on the
evaluation sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from goodword.sentiment.judge import calibration
from goodword.sentiment.judge.adapter import fit
from goodword.sentiment.judge.calibration import FEATURES, Calibration, Cuts, Logistic, features
from goodword.sentiment.judge.encoder import MODEL_DIR, Encoder
from goodword.sentiment.judge.language import ENGLISH, detect
from scripts.judgement import datasets as data
from scripts.judgement import probe as probes
from scripts.judgement.calibrate import REVIEW_PRECISION, lowest_cut
from scripts.judgement.evaluate import (
    NEVER_REWARDED_FANS,
    Post,
    average_precision,
    brand_posts,
    public_posts,
    raw_outputs,
    raw_tails,
    recall_at_precision,
    sarcasm_posts,
)

Matrix = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
WORK = Path(".judgement-work/features")
SENTIMENT = (0, 1, 2, 3)
BRAND = (3, 4, 5, 6, 7, 8, 9, 10, 11)
EVERY = tuple(range(len(FEATURES)))
COMPLAINTS = ("complaint", "sarcastic_complaint", "mixed")
POOL_STRIDE = 4  # every 4th tweet of the SemEval training pool: enough for a head, a quarter of the time


@dataclass(frozen=True)
class Set:
    posts: tuple[Post, ...]
    x: Matrix  # the heads' features (calibration.features), as the provider reads a post's start
    embedding: Matrix  # the sentence embedding (384), same window
    tails: npt.NDArray[np.int64]  # the posts longer than the model reads ...
    tail_x: Matrix  # ... and their end's features
    tail_embedding: Matrix

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
        # written after the variants had been compared on heldout, before any model scored it
        "crafted_fresh": _probe_posts(probes.CRAFTED_COMPLAINTS, probes.Split.FRESH),
        "fans_fresh": _probe_posts(probes.REAL_STYLE_FANS, probes.Split.FRESH),
        # training data, for variant 4's head only: every file's training brands, and the tweets
        "synthetic_training": brand_posts(data.BrandSplit.TRAIN, tuple(data.BRAND_FILES)),
        "semeval_pool": [
            Post(t.text, (), t.sentiment is data.Sentiment3.POSITIVE, t.sentiment.value)
            for t in data.semeval_pool()[0][::POOL_STRIDE]
        ],
    }
    sets.update({name: public_posts(name) for name in data.PUBLIC_EVALUATION})
    sets["demo"] = [_demo_post(name, kind) for name, kind in DEMO_POSTS.items()]
    return sets


DELIVERIES = Path(__file__).resolve().parents[2] / "events" / "deliveries"
DEMO_POSTS = {
    "x-mention-fan-1.json": "clear praise",
    "x-mention-slang-fan.json": "slangy fan",
    "x-mention-deadpan.json": "deadpan",
}


def _demo_post(name: str, kind: str) -> Post:
    """One of `make demo`'s posts, its brand's handle masked as the demo's settings mask it."""
    text = json.loads((DELIVERIES / name).read_text())["tweet_create_events"][0]["text"]
    return Post(text, ("XDevelopers",), kind != "deadpan", kind)


def _readings(posts: Sequence[Post], encoder: Encoder) -> dict[str, npt.NDArray[np.generic]]:
    """Both readings of every post, as the provider reads them: its start, and the end of
    each post longer than the model reads."""
    first = raw_outputs(posts, encoder)
    longer, tails = raw_tails(posts, encoder)
    return {
        "x": features(first),
        "embedding": first.embedding,
        "tails": np.asarray(longer, dtype=np.int64),
        "tail_x": features(tails),
        "tail_embedding": tails.embedding,
    }


def embedded(model: Path) -> dict[str, Set]:
    encoder = Encoder(model)
    version = (model / "judge.onnx").stat().st_size, int((model / "judge.onnx").stat().st_mtime)
    folder = WORK / f"{model.name}-{version[0]}-{version[1]}"
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Set] = {}
    for name, posts in labelled_sets().items():
        texts = "\n".join(f"{p.brands}\t{p.text}" for p in posts).encode()
        cache = folder / f"{name}-{hashlib.sha256(texts).hexdigest()[:12]}.npz"  # a changed set is embedded again
        if not cache.is_file():
            started = time.monotonic()
            np.savez(cache, **_readings(posts, encoder))  # type: ignore[arg-type]
            print(f"embedded {name}: {len(posts)} posts in {time.monotonic() - started:.0f} s", flush=True)
        with np.load(cache) as saved:
            out[name] = Set(tuple(posts), *(saved[k] for k in ("x", "embedding", "tails", "tail_x", "tail_embedding")))
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
            "crafted_fresh",
            "fans_fresh",
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
    print(figures_line(name, s, auto_of(s.x, recipe, keys, cuts, vetoed), ranking(s.x, recipe, keys, vetoed)))


def _kinds_in(kinds: npt.NDArray[np.str_], rows: Mask) -> dict[str, int]:
    return {str(k): int(n) for k, n in zip(*np.unique(kinds[rows], return_counts=True), strict=True)}


def figures_line(name: str, s: Set, auto: Mask, rank: Matrix, review: Mask | None = None) -> str:
    """The issue's figures of one set: `auto` and its precision, recall at P >= 0.90 of the
    ranking; on the synthetic set, what reached `auto` and (given the review band) how much
    praise and mild praise reached a band, per writer's file."""
    english = np.asarray([detect(p.text) == ENGLISH for p in s.posts])
    gold = np.asarray([p.positive for p in s.posts])
    kinds = s.kinds()
    sincere = np.isin(kinds, ("praise", "mild_praise"))
    banded = auto | review if review is not None else None

    def reach(rows: Mask) -> str:
        return f" reach {banded[rows & sincere].mean():.3f}" if banded is not None and (rows & sincere).any() else ""

    line = f"{name:22} auto {int(auto.sum()):5d} prec {gold[auto].mean() if auto.any() else 1.0:.3f}"
    line += f" rec@P90 {recall_at_precision(rank, list(gold)):.3f}"
    line += f" review {int(review.sum())}" if review is not None else ""
    if name.startswith("synthetic"):
        bad = np.isin(kinds, ("complaint", "sarcastic_complaint"))
        line += f" complaints-in-auto {int((auto & bad).sum())} praise_other {int((auto & (kinds == 'praise_other')).sum())}"
        line += reach(np.ones(len(gold), dtype=bool))
        for source in sorted({p.source for p in s.posts}):
            rows = np.asarray([p.source == source for p in s.posts])
            line += f"\n    {source:13} rec@P90 {recall_at_precision(rank[rows], list(gold[rows])):.3f}"
            line += f" auto {int(auto[rows].sum())} prec {gold[rows & auto].mean() if (rows & auto).any() else 1.0:.3f}"
            line += f" bad-in-auto {int((auto & bad & rows).sum())} other {int((auto & rows & (kinds == 'praise_other')).sum())}"
            line += f" non-en-auto {int((auto & rows & ~english).sum())}" + reach(rows)
        line += f"\n    {'not English':13} auto {int((auto & ~english).sum())}" + reach(~english)
    elif name.startswith("crafted"):
        line += f" kinds in auto: {_kinds_in(kinds, auto)}"
        line += f"\n    kinds in review: {_kinds_in(kinds, review)}" if review is not None else ""
    elif name.startswith("fans"):
        never = int((auto & np.isin(kinds, NEVER_REWARDED_FANS)).sum())
        line += reach(np.ones(len(gold), dtype=bool))
        line += f" complaints+sarcastic+praise_other-in-auto {never} kinds in auto: {_kinds_in(kinds, auto)}"
    elif name in ("sarcasm", "irony_test"):
        line += f" kinds in auto: {_kinds_in(kinds, auto)}" + reach(np.ones(len(gold), dtype=bool))
    return line


# Variant 4: issue 21's first measurement made a recipe. The shipped encoder stays frozen; a
# praise head, a logistic regression over its sentence embedding and its heads' features, is
# trained on every writer's training brands (the penalty chosen by cross-validation grouped
# by brand, on those brands only), Platt-scaled on the calibration sources, and its cut picked
# there; the vetoes, the tweet key and the review band are the shipped calibration's.

PENALTIES = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
CV_FOLDS = 5
NOT_PRAISE_BEFORE_4C = 0.73  # auto's second key before 4c shipped: the brand head's not-praise below this
CALIBRATION_SETS = ("tweeteval_val", "synthetic_calibration")
EVALUATION_SETS = (
    "synthetic_evaluation",
    "airline",
    "tweeteval",
    "sentiment140",
    "sarcasm",
    "irony_test",
    "crafted_heldout",
    "fans_heldout",
    "crafted_fresh",
    "fans_fresh",
)


def design(embedding: Matrix, x: Matrix) -> Matrix:
    return np.concatenate([embedding.astype(np.float64), x], axis=1)


def cautious(s: Set, score: Callable[[Matrix, Matrix], Matrix], worse: Callable[[Matrix, Matrix], Matrix]) -> Matrix:
    """A score of every post, judged by the more cautious of its two readings (as the provider does)."""
    out = np.asarray(score(s.embedding, s.x), dtype=np.float64).copy()
    if len(s.tails):
        out[s.tails] = worse(out[s.tails], score(s.tail_embedding, s.tail_x))
    return out


@dataclass(frozen=True)
class Head:
    """Logistic regression over [embedding, head features], standardized; then Platt-scaled."""

    weights: Matrix
    bias: float
    mean: Matrix
    scale: Matrix
    slope: float = 1.0
    offset: float = 0.0

    def logit(self, embedding: Matrix, x: Matrix) -> Matrix:
        return np.asarray(((design(embedding, x) - self.mean) / self.scale) @ self.weights + self.bias)

    def __call__(self, s: Set) -> Matrix:
        z = cautious(s, self.logit, np.minimum)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(self.slope * z + self.offset, -40, 40))))


@dataclass(frozen=True)
class HeadData:
    """What a head learns from: the training brands' posts and, optionally, the tweets."""

    parts: tuple[tuple[Matrix, Matrix, Matrix], ...]  # (design, gold, fold) per source

    @staticmethod
    def of(sets: dict[str, Set], positives: tuple[str, ...], tweets: bool) -> HeadData:
        brands = sets["synthetic_training"]
        names = sorted({p.brands[0] for p in brands.posts})
        fold = np.asarray([names.index(p.brands[0]) % CV_FOLDS for p in brands.posts])  # grouped by brand
        parts = [(design(brands.embedding, brands.x), np.isin(brands.kinds(), positives).astype(float), fold)]
        if tweets:
            pool = sets["semeval_pool"]
            gold = np.asarray([p.positive for p in pool.posts], dtype=float)
            parts.append((design(pool.embedding, pool.x), gold, np.arange(len(gold)) % CV_FOLDS))
        return HeadData(tuple(parts))

    def fit(self, penalty: float, held_out: int | None = None) -> Head:
        """Each source weighted equally (the tweets outnumber the brand posts four to one)."""
        keep = [f != held_out for _, _, f in self.parts]
        x = np.concatenate([d[k] for (d, _, _), k in zip(self.parts, keep, strict=True)])
        y = np.concatenate([g[k] for (_, g, _), k in zip(self.parts, keep, strict=True)])
        w = np.concatenate([np.full(int(k.sum()), 1.0 / k.sum()) for k in keep])
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        weights, bias = fit((x - mean) / scale, y, penalty=penalty, weights=w / w.mean(), steps=30)
        return Head(weights, bias, mean, scale)

    def choose_penalty(self) -> tuple[float, float]:
        """The penalty with the best cross-validated average precision (the mean over sources),
        each fold's brands held out together."""
        best = (-1.0, PENALTIES[0])
        for penalty in PENALTIES:
            scores = [np.zeros(len(g)) for _, g, _ in self.parts]
            for fold in range(CV_FOLDS):
                head = self.fit(penalty, held_out=fold)
                for (d, _, f), out in zip(self.parts, scores, strict=True):
                    out[f == fold] = ((d[f == fold] - head.mean) / head.scale) @ head.weights + head.bias
            ap = float(
                np.mean([average_precision(o, list(g.astype(bool))) for o, (_, g, _) in zip(scores, self.parts, strict=True)])
            )
            best = max(best, (ap, penalty))
        return best[1], best[0]


def platt(head: Head, sets: dict[str, Set]) -> Head:
    """Scale the head's log-odds to a probability of praise on the calibration sources
    (TweetEval validation: positive tweets; the calibration brands: praise), weighted equally."""
    z = np.concatenate([cautious(sets[n], head.logit, np.minimum) for n in CALIBRATION_SETS])
    y = np.concatenate([_praise(sets[n]) for n in CALIBRATION_SETS]).astype(float)
    w = np.concatenate([np.full(len(sets[n].posts), 1.0 / len(sets[n].posts)) for n in CALIBRATION_SETS])
    slope, offset = fit(z[:, None], y, penalty=1e-3, weights=w / w.mean())
    return Head(head.weights, head.bias, head.mean, head.scale, float(slope[0]), offset)


def _praise(s: Set) -> Mask:
    """Gold praise: a positive tweet, or a brand post labelled praise."""
    return np.asarray([p.kind == "praise" if p.source else p.positive for p in s.posts])


def _harmful(s: Set) -> Mask:
    """What must never reach `auto` on a calibration source: a negative tweet; a complaint,
    sarcastic complaint or mixed post about a brand."""
    return np.asarray([p.kind in COMPLAINTS if p.source else p.kind == "negative" for p in s.posts])


@dataclass(frozen=True)
class Shipped:
    """The shipped calibration on a set: its probabilities (both readings), vetoes and language."""

    praise: Matrix
    positive: Matrix
    not_praise: Matrix
    vetoed: Mask
    english: Mask

    @staticmethod
    def of(s: Set, c: Calibration) -> Shipped:
        def key(m: Logistic) -> Callable[[Matrix, Matrix], Matrix]:
            return lambda _e, x: m.probability(x)

        complaint = cautious(s, key(c.complaint), np.maximum)
        sarcasm = cautious(s, key(c.sarcasm), np.maximum)
        return Shipped(
            praise=cautious(s, key(c.praise), np.minimum),
            positive=cautious(s, key(c.positive), np.minimum),
            not_praise=cautious(s, lambda _e, x: np.clip(1.0 - brand_raw_praise(x), 0.0, 1.0), np.maximum),
            vetoed=(complaint >= c.cuts.complaint_veto) | (sarcasm >= c.cuts.sarcasm_veto),
            english=np.asarray([detect(p.text) == ENGLISH for p in s.posts]),
        )

    def bands(self, keys: Mask, waits: Mask, review: Mask, c: Cuts) -> tuple[Mask, Mask]:
        """`auto` when every key agrees, no veto, in English and nothing makes it wait; else
        `review` when it would have been `auto`, or the review rule says so."""
        auto = ~self.vetoed & keys & self.english & ~waits
        return auto, ~self.vetoed & ~auto & (keys | (self.positive >= c.review) | review)


def clear_cut(score: Matrix, s: Set, shipped: Shipped, precision: float = 0.95) -> float:
    """The lowest cut on one calibration source at which `auto` (after the vetoes) keeps
    precision >= 0.95 at every higher cut and holds no harmful post."""
    ranked = np.where(shipped.vetoed, 0.0, score)
    cut = lowest_cut(ranked, _praise(s), precision)
    harmful = ranked[_harmful(s) & ~shipped.vetoed]
    return min(1.0, max(cut, float(np.nextafter(harmful.max(), 2.0)) if harmful.size else cut))


def variant_4(sets: dict[str, Set], model: Path) -> None:
    c = calibration.load(model)
    shipped = {n: Shipped.of(sets[n], c) for n in (*CALIBRATION_SETS, *EVALUATION_SETS, "demo")}
    heads: dict[str, Head] = {}
    for name, positives, tweets in (
        ("praise", ("praise",), False),
        ("praise+tweets", ("praise",), True),
        ("praise or mild", ("praise", "mild_praise"), False),
    ):
        training = HeadData.of(sets, positives, tweets)
        penalty, ap = training.choose_penalty()
        heads[name] = platt(training.fit(penalty), sets)
        print(f"head '{name}': penalty {penalty} (cross-validated AP {ap:.3f}, grouped by brand)")
    scores = {h: {n: head(sets[n]) for n in shipped} for h, head in heads.items()}
    own = {h: {n: clear_cut(scores[h][n], sets[n], shipped[n]) for n in CALIBRATION_SETS} for h in heads}
    print("each head's cut on each calibration source:", own)
    print("\nrankings (recall at P >= 0.90 / average precision of praise):")
    for h, by_set in {"shipped praise (tweet head)": {n: shipped[n].praise for n in shipped}, **scores}.items():
        cells = [
            f"{n} {recall_at_precision(by_set[n], list(g))}/{average_precision(by_set[n], list(g))}"
            for n in ("tweeteval_val", "synthetic_calibration", *EVALUATION_SETS[:4])
            for g in [np.asarray([p.positive for p in sets[n].posts])]
        ]
        print(f"  {h:28} " + "  ".join(cells))

    head, review_head = scores["praise"], scores["praise or mild"]
    # (c): the head as auto's second key, in place of the brand head's not-praise: the mildest cut at
    # which no harmful calibration post is left in auto (as calibrate picks the shipped second key)
    passing = [shipped[n].praise >= c.cuts.auto for n in CALIBRATION_SETS]
    second = max(
        float(np.nextafter(head[n][ok & ~shipped[n].vetoed & _harmful(sets[n])].max(initial=0.0), 2.0))
        for n, ok in zip(CALIBRATION_SETS, passing, strict=True)
    )
    brands = sets["synthetic_calibration"]
    review_cut = lowest_cut(
        np.where(shipped["synthetic_calibration"].vetoed, 0.0, review_head["synthetic_calibration"]),
        np.isin(brands.kinds(), ("praise", "mild_praise")),
        REVIEW_PRECISION,
    )
    print(f"(c): second key: head >= {second:.4f}; review also when the praise-or-mild head >= {review_cut:.4f}")
    none = {n: np.zeros(len(sets[n].posts), dtype=bool) for n in shipped}
    recipes: dict[str, Callable[[str], tuple[Mask, Mask, Mask, Matrix]]] = {
        "0: the judge before 4c (the brand head's not-praise as second key)": lambda n: (
            shipped[n].praise >= c.cuts.auto,
            shipped[n].not_praise >= NOT_PRAISE_BEFORE_4C,
            none[n],
            shipped[n].praise,
        ),
        "4a: the head alone, its cut the stricter of both sources'": lambda n: (
            head[n] >= max(own["praise"].values()),
            none[n],
            none[n],
            head[n],
        ),
        "4b: two keys, tweet head and the new head, each cut on its own source": lambda n: (
            (shipped[n].praise >= c.cuts.auto) & (head[n] >= own["praise"]["synthetic_calibration"]),
            none[n],
            none[n],
            np.minimum(shipped[n].praise, head[n]),
        ),
        "4c: the shipped tweet key, the head as second key, the praise-or-mild head opens review": lambda n: (
            shipped[n].praise >= c.cuts.auto,
            head[n] < second,
            review_head[n] >= review_cut,
            shipped[n].praise,
        ),
    }
    for title, recipe in recipes.items():
        print(f"\n== variant {title} ==")
        for n in (*EVALUATION_SETS, "demo"):
            keys, waits, review, rank = recipe(n)
            auto, banded = shipped[n].bands(keys, waits, review, c.cuts)
            if n == "demo":
                print(
                    "  demo: " + ", ".join(f"{p.kind} {_band(a, r)}" for p, a, r in zip(sets[n].posts, auto, banded, strict=True))
                )
            else:
                print(figures_line(n, sets[n], auto, rank, banded))


def _band(auto: bool, review: bool) -> str:
    return "auto" if auto else "review" if review else "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--variant", choices=("1", "4"), help="only this variant's figures (default: both)")
    args = parser.parse_args()
    sets = embedded(args.model)
    if args.variant != "4":
        evaluate(sets)
    if args.variant != "1":
        variant_4(sets, args.model)


if __name__ == "__main__":
    main()
