"""Figures of a judge on labelled posts: the same code for the model card (calibrate) and
for ``make bench``, so the card and the benchmark cannot disagree about what a figure means.

"Recall at precision >= 0.90" is the recall at the lowest threshold, picked on the set
itself, whose precision is still >= 0.90: a property of the ranking, optimistic as an
operating point (the issue's table measures it this way). The bands' figures use the cut
points that ship, picked on calibration data only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from goodword.sentiment.judge.encoder import Encoder, Outputs, load
from goodword.sentiment.judge.language import ENGLISH, detect
from goodword.sentiment.judge.provider import ClassifierProvider
from goodword.sentiment.judge.text import prepare
from goodword.sentiment.masking import BrandMasker
from goodword.sentiment.model import Band, Sentiment, SentimentSettings
from goodword.sentiment.vader import VaderProvider
from goodword.sentiment.vader import analyzer as vader_analyzer
from scripts.judgement import datasets as data

Scores = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Post:
    text: str
    brands: tuple[str, ...]
    positive: bool
    kind: str = ""  # the synthetic set's label, or the tweet's gold sentiment
    source: str = ""  # the synthetic set's file (its writer)


def public_posts(name: str) -> list[Post]:
    return [
        Post(t.text, t.brands, t.sentiment is data.Sentiment3.POSITIVE, t.sentiment.value) for t in data.PUBLIC_EVALUATION[name]()
    ]


def brand_posts(split: data.BrandSplit, files: tuple[str, ...] = data.SHIPPED_FILES) -> list[Post]:
    return [
        Post(p.text, p.brands, p.label is data.BrandLabel.PRAISE, p.label.value, p.source)
        for p in data.brand_posts_in(split, files)
    ]


def sarcasm_posts() -> list[Post]:
    return [Post(t.text, (), t.sentiment is data.Sentiment3.POSITIVE, t.sentiment.value) for t in data.semeval_sarcasm()]


def _groups(posts: Sequence[Post]) -> dict[tuple[str, ...], list[int]]:
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, post in enumerate(posts):
        groups.setdefault(post.brands, []).append(i)
    return groups


def judge(posts: Sequence[Post]) -> list[Sentiment]:
    """The shipped provider on each post, its brand masked as the brand would configure
    (remembered: the benchmark's figures and its curves read the same scores)."""
    return list(_judged(tuple(posts)))


@lru_cache(maxsize=16)
def _judged(posts: tuple[Post, ...]) -> tuple[Sentiment, ...]:
    results: list[Sentiment | None] = [None] * len(posts)
    for brands, indexes in _groups(posts).items():
        provider = ClassifierProvider(SentimentSettings(brand_terms=brands))
        for i, s in zip(indexes, provider.analyze([posts[i].text for i in indexes]), strict=True):
            results[i] = s
    return tuple(r for r in results if r is not None)


_FIELDS = ("embedding", "sentiment", "irony", "brand")


def raw_outputs(posts: Sequence[Post], model: Encoder | None = None) -> Outputs:
    """The encoder's heads for each post, prepared as the provider prepares it."""
    order: list[int] = []
    parts: list[Outputs] = []
    for brands, indexes in _groups(posts).items():
        provider = ClassifierProvider(SentimentSettings(brand_terms=brands), model=model or load())
        parts.append(provider.outputs([posts[i].text for i in indexes])[1])
        order.extend(indexes)
    inverse = np.argsort(np.asarray(order))
    return Outputs(*(np.concatenate([getattr(p, f) for p in parts])[inverse] for f in _FIELDS))


def raw_tails(posts: Sequence[Post], model: Encoder | None = None) -> tuple[list[int], Outputs]:
    """Which posts are longer than the model reads, and the heads for each one's end (the
    provider judges such a post by the more cautious of its two readings)."""
    longer: list[int] = []
    parts: list[Outputs] = []
    for brands, indexes in _groups(posts).items():
        provider = ClassifierProvider(SentimentSettings(brand_terms=brands), model=model or load())
        which, tails = provider.model.tails([prepare(posts[i].text, provider.masker) for i in indexes])
        longer.extend(indexes[i] for i in which)
        parts.append(tails)
    return longer, Outputs(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


def vader_scores(posts: Sequence[Post]) -> Scores:
    """The provider before the judge: VADER compound with the brand masked; a post that
    trips a guard (question, negative word, negation) ranks below every other."""
    values = []
    for post in posts:
        masked = BrandMasker(post.brands).mask(post.text)
        scores = vader_analyzer().polarity_scores(masked)
        guarded = bool(VaderProvider.guards_of(masked, scores))
        values.append(float(scores["compound"]) - (2.0 if guarded else 0.0))
    return np.asarray(values)


def precision_recall(scores: Scores, gold: Sequence[bool]) -> tuple[Scores, Scores, Scores]:
    """Precision and recall at every distinct threshold, highest first."""
    order = np.argsort(-scores, kind="stable")
    s, g = scores[order], np.asarray(gold, dtype=bool)[order]
    tp = np.cumsum(g)
    fp = np.cumsum(~g)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the last row of each distinct score
    positives = max(int(g.sum()), 1)
    return tp[last] / (tp[last] + fp[last]), tp[last] / positives, s[last]


def recall_at_precision(scores: Scores, gold: Sequence[bool], precision: float = 0.90) -> float:
    p, r, _t = precision_recall(scores, gold)
    reachable = r[p >= precision]
    return round(float(reachable.max()), 3) if reachable.size else 0.0


def average_precision(scores: Scores, gold: Sequence[bool]) -> float:
    p, r, _t = precision_recall(scores, gold)
    return round(float(np.sum(np.diff(np.r_[0.0, r]) * p)), 3)


def band_figures(results: Sequence[Sentiment], gold: Sequence[bool]) -> dict[str, float | int]:
    auto = [s.band is Band.AUTO for s in results]
    review = [s.band is Band.REVIEW for s in results]
    tp = sum(a and g for a, g in zip(auto, gold, strict=True))
    n_auto = sum(auto)
    return {
        "auto": n_auto,
        "auto_precision": round(tp / n_auto, 3) if n_auto else 1.0,
        "auto_recall": round(tp / max(sum(gold), 1), 3),
        "review": sum(review),
        "review_praise": sum(r and g for r, g in zip(review, gold, strict=True)),
    }


def set_figures(posts: Sequence[Post], with_vader: bool = True) -> tuple[dict[str, object], list[Sentiment]]:
    results = judge(posts)
    gold = [p.positive for p in posts]
    praise = np.asarray([s.praise or 0.0 for s in results])
    figures: dict[str, object] = {
        "rows": len(posts),
        "positives": sum(gold),
        "recall_at_p90": recall_at_precision(praise, gold),
        "average_precision": average_precision(praise, gold),
        **band_figures(results, gold),
    }
    if with_vader:
        vader = vader_scores(posts)
        figures["vader_recall_at_p90"] = recall_at_precision(vader, gold)
    return figures, results


def kinds_in_band(posts: Sequence[Post], results: Sequence[Sentiment], band: Band) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post, s in zip(posts, results, strict=True):
        if s.band is band:
            counts[post.kind] = counts.get(post.kind, 0) + 1
    return dict(sorted(counts.items()))


HARMFUL = ("complaint", "sarcastic_complaint")


def synthetic_figures(posts: Sequence[Post], with_vader: bool = True) -> dict[str, object]:
    """The issue's figures on synthetic brand posts: ranking, bands, and what reached them."""
    figures, results = set_figures(posts, with_vader)
    auto = kinds_in_band(posts, results, Band.AUTO)
    figures["in_auto"] = auto
    figures["in_review"] = kinds_in_band(posts, results, Band.REVIEW)
    figures["complaints_in_auto"] = sum(auto.get(k, 0) for k in HARMFUL)
    figures["praise_other_in_auto"] = auto.get("praise_other", 0)
    sincere = [s for p, s in zip(posts, results, strict=True) if p.kind in ("praise", "mild_praise")]
    reached = sum(s.band in (Band.AUTO, Band.REVIEW) for s in sincere)
    figures["sincere_reaching_auto_or_review"] = round(reached / len(sincere), 3) if sincere else 1.0
    return figures


NEVER_REWARDED_FANS = ("complaint", "sarcastic_complaint", "praise_other")  # real-style labels that must stay out of auto


def probe_figures() -> dict[str, dict[str, object]]:
    """The probe sets (tests/fixtures/judgement), each reporting split on its own lines:
    ``heldout`` (never trained on; read to compare issue 21's variants) and ``fresh``
    (written afterwards, before any model scored it)."""
    from scripts.judgement import probe  # noqa: PLC0415

    out: dict[str, dict[str, object]] = {}
    for split in (probe.Split.HELDOUT, probe.Split.FRESH):
        for name, path in (("crafted_complaints", probe.CRAFTED_COMPLAINTS), ("real_style", probe.REAL_STYLE_FANS)):
            rows = [p for p in probe.load(path).probes if p.split is split]
            posts = [Post(p.text, data.brand_terms(p.brand), p.kind == "praise", p.kind) for p in rows]
            results = judge(posts)
            sincere = [s for p, s in zip(posts, results, strict=True) if p.kind in ("praise", "mild_praise")]
            in_auto = kinds_in_band(posts, results, Band.AUTO)
            figures: dict[str, object] = {
                "rows": len(posts),
                "in_auto": in_auto,
                "in_review": kinds_in_band(posts, results, Band.REVIEW),
                "never_rewardable_in_auto": sum(
                    s.band is Band.AUTO and p.kind not in ("praise", "mild_praise") for p, s in zip(posts, results, strict=True)
                ),
                "sincere_reaching_auto_or_review": round(sum(s.band is not Band.NONE for s in sincere) / len(sincere), 3)
                if sincere
                else None,
            }
            if name == "real_style":
                figures["complaints_and_praise_other_in_auto"] = sum(in_auto.get(k, 0) for k in NEVER_REWARDED_FANS)
            out[f"{name}_{split.value}"] = figures
    return out


def measure_all() -> dict[str, dict[str, object]]:
    """Every evaluation figure of the model card, on sets the judge never trained or
    calibrated on."""
    out: dict[str, dict[str, object]] = {}
    for name in data.PUBLIC_EVALUATION:
        out[name], _ = set_figures(public_posts(name))
    posts = brand_posts(data.BrandSplit.EVALUATION, tuple(data.BRAND_FILES))  # every writer's held-out brands
    out["synthetic_heldout_brands"] = synthetic_figures(posts)
    for source in data.BRAND_FILES:
        out[f"synthetic_{source}"] = synthetic_figures([p for p in posts if p.source == source])
    out["synthetic_other_languages"] = synthetic_figures([p for p in posts if detect(p.text) != ENGLISH], with_vader=False)
    out.update(probe_figures())
    sarcasm = sarcasm_posts()
    results = judge(sarcasm)
    out["semeval_2014_sarcasm"] = {
        "rows": len(sarcasm),
        "negative": sum(p.kind == "negative" for p in sarcasm),
        "negative_in_auto": sum(p.kind == "negative" and s.band is Band.AUTO for p, s in zip(sarcasm, results, strict=True)),
        "in_auto": kinds_in_band(sarcasm, results, Band.AUTO),
    }
    irony = [Post(t.text, (), t.ironic) for t in data.irony("test")]
    results = judge(irony)
    sarcasm_scores = np.asarray([s.sarcasm or 0.0 for s in results])
    gold = [p.positive for p in irony]
    out["tweeteval_irony_test"] = {
        "rows": len(irony),
        "ironic": sum(gold),
        "sarcasm_average_precision": average_precision(sarcasm_scores, gold),
        "base_rate": round(sum(gold) / len(gold), 3),
        "vetoed_as_sarcasm": sum(bool(s.vetoes) and "sarcasm" in s.vetoes for s in results),
        "ironic_in_auto": sum(g and s.band is Band.AUTO for g, s in zip(gold, results, strict=True)),
    }
    return out
