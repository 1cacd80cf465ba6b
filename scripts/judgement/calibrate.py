"""Calibrate the trained encoder's heads and pick the bands' cut points, on held-out data
only; then measure the shipped judge on the evaluation sets and write the model card's
figures. ``python -m scripts.judgement.calibrate`` (after ``scripts.judgement.train``).

Calibration data (never trained on): TweetEval sentiment validation, TweetEval irony
validation, the synthetic posts of the calibration brands. Each calibrated probability is a
logistic regression over the heads' log-probabilities with both sources weighted equally,
so neither the 2,000 tweets nor the 253 brand posts decide alone.

Cut points, from 5-fold cross-fitted probabilities (no post is scored by a fit it was in):

* a veto fires at the 97th percentile of its probability among genuine praise (at least
  0.5): it removes what scores higher than nearly every true fan;
* ``auto`` is the lowest praise cut whose precision, after vetoes, stays >= 0.95 at every
  higher cut on the real tweets (TweetEval validation); the cut the synthetic brand posts
  would need is reported beside it (1.0: not reachable with this model);
* ``review`` is the lowest cut of the *positive* probability (praise, mild praise included)
  whose precision for positive posts stays >= 0.75 (three in four are sincere positives).

Then the brand-post praise heads (``scripts.judgement.head`` fitted them on the training
brands) are Platt-scaled on TweetEval validation and all four writers' calibration brands
(759 posts), sources weighted equally, each post read as the provider reads it (a long post
from both ends, the more cautious reading counts), and their cuts picked there, with the
calibration just fitted (variant 4c of the model card):

* auto's second key (``brand_praise``): the mildest cut of the praise head at which no
  harmful calibration post (a negative tweet; a complaint, sarcastic complaint or mixed
  post about a brand) that passes the praise cut and the vetoes is left in ``auto``;
* ``brand_positive``: the lowest cut of the praise-or-mild head whose precision for praise
  and mild praise stays >= 0.75 on the calibration brands (after the vetoes): it also
  opens ``review``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from goodword.sentiment.judge import calibration as loaded
from goodword.sentiment.judge import praise_head
from goodword.sentiment.judge.adapter import fit
from goodword.sentiment.judge.calibration import CALIBRATION_FILE, FEATURES, Calibration, Cuts, Logistic, features
from goodword.sentiment.judge.encoder import MODEL_DIR, Encoder, Outputs
from goodword.sentiment.judge.praise_head import HEAD_FILE, Head, PraiseHeads, design
from scripts.judgement import datasets as data
from scripts.judgement.evaluate import Post, brand_posts, measure_all, raw_outputs, raw_tails
from scripts.judgement.head import dumps, model_version

Matrix = npt.NDArray[np.float64]
AUTO_PRECISION = 0.95
REVIEW_PRECISION = 0.75
VETO_PERCENTILE = 97.0
FOLDS = 5
CARD = Path("docs/judgement.md")
FIGURES_START, FIGURES_END = "<!-- figures: written by scripts/judgement/calibrate.py -->", "<!-- /figures -->"


class Source:
    """One calibration source: its posts' features and labels."""

    def __init__(self, name: str, posts: Sequence[Post], **labels: Sequence[bool | None]) -> None:
        self.name = name
        self.x = features(raw_outputs(posts))
        self.labels = {k: list(v) for k, v in labels.items()}


SENTIMENT_COLUMNS = (0, 1, 2, 3)  # the tweet-sentiment head and irony
EVERY_COLUMN = tuple(range(len(FEATURES)))
# What each probability reads, and the calibration sources it is fitted on. The brand head
# ranks the synthetic brand posts well and real tweets badly (and the sentiment head the
# other way round), so praise, the probability `auto` stands on, is fitted on the real
# tweets with the sentiment head alone; the vetoes read every head, on every source.
RECIPES: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "praise": (SENTIMENT_COLUMNS, ("tweeteval_val",)),
    "positive": (SENTIMENT_COLUMNS, ("tweeteval_val", "synthetic_calibration_brands")),
    "complaint": (EVERY_COLUMN, ("tweeteval_val", "synthetic_calibration_brands")),
    "sarcasm": (EVERY_COLUMN, ("synthetic_calibration_brands", "tweeteval_irony_val")),
}
AUTO_SOURCES = ("tweeteval_val",)


def _fit(sources: Sequence[Source], target: str, rows: dict[str, npt.NDArray[np.bool_]] | None = None) -> Logistic:
    columns, fitted_on = RECIPES[target]
    xs, ys, ws = [], [], []
    for source in (s for s in sources if s.name in fitted_on):
        keep = np.asarray([v is not None for v in source.labels[target]])
        if rows is not None:
            keep &= rows[source.name]
        y = np.asarray([bool(v) for v in source.labels[target]], dtype=np.float64)[keep]
        xs.append(source.x[keep])
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / max(len(y), 1)))
    x, y, w = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
    w = w / w.mean()
    unused = [i for i in EVERY_COLUMN if i not in columns]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    mean[unused], scale[unused] = 0.0, 1.0
    used, bias = fit(((x - mean) / scale)[:, list(columns)], y, penalty=1.0, weights=w)
    weights = np.zeros(len(FEATURES))
    weights[list(columns)] = used
    return Logistic(
        weights=tuple(round(float(v), 6) for v in weights),
        bias=round(bias, 6),
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
    )


def _crossfit(sources: Sequence[Source], target: str) -> dict[str, Matrix]:
    """Each post's probability from a fit on the other folds."""
    out = {s.name: np.zeros(len(s.x)) for s in sources}
    for fold in range(FOLDS):
        train = {s.name: np.arange(len(s.x)) % FOLDS != fold for s in sources}
        model = _fit(sources, target, train)
        for s in sources:
            held = ~train[s.name]
            out[s.name][held] = model.probability(s.x[held])
    return out


def lowest_cut(scores: Matrix, gold: npt.NDArray[np.bool_] | Matrix, precision: float) -> float:
    """The lowest cut at which precision stays >= the target at every higher cut (1.0 if none)."""
    order = np.argsort(-scores, kind="stable")
    s, g = scores[order], gold[order].astype(bool)
    tp, fp = np.cumsum(g), np.cumsum(~g)
    p = tp / (tp + fp)
    ok = p >= precision
    # the envelope: the longest prefix (from the top) whose every precision reaches the target
    bad = np.nonzero(~ok)[0]
    end = int(bad[0]) if bad.size else len(s)
    while end > 0 and end < len(s) and s[end - 1] == s[end]:
        end -= 1  # never cut between equal scores
    return round(float(s[end - 1]), 4) if end > 0 else 1.0


def cut_points(sources: Sequence[Source]) -> tuple[dict[str, float], dict[str, object]]:
    praise = _crossfit(sources, "praise")
    positive = _crossfit(sources, "positive")
    complaint = _crossfit(sources, "complaint")
    sarcasm = _crossfit(sources, "sarcasm")
    genuine = np.concatenate(
        [
            np.asarray([bool(v) for v in s.labels["praise"]]) & np.asarray([v is not None for v in s.labels["praise"]])
            for s in sources
        ]
    )
    all_sarcasm = np.concatenate([sarcasm[s.name] for s in sources])
    all_complaint = np.concatenate([complaint[s.name] for s in sources])
    sarcasm_veto = round(max(0.5, float(np.percentile(all_sarcasm[genuine], VETO_PERCENTILE))), 4)
    complaint_veto = round(max(0.5, float(np.percentile(all_complaint[genuine], VETO_PERCENTILE))), 4)
    per_source: dict[str, float] = {}
    pooled_scores, pooled_gold = [], []
    for s in sources:
        labelled = np.asarray([v is not None for v in s.labels["praise"]])
        if not labelled.any():
            continue
        vetoed = (sarcasm[s.name] >= sarcasm_veto) | (complaint[s.name] >= complaint_veto)
        score = np.where(vetoed, 0.0, praise[s.name])[labelled]
        gold = np.asarray([bool(v) for v in s.labels["praise"]])[labelled]
        per_source[s.name] = lowest_cut(score, gold, AUTO_PRECISION)
        pooled_scores.append(np.where(vetoed, 0.0, positive[s.name])[labelled])
        pooled_gold.append(np.asarray([bool(v) for v in s.labels["positive"]])[labelled])
    auto = max(cut for name, cut in per_source.items() if name in AUTO_SOURCES)
    review = lowest_cut(np.concatenate(pooled_scores), np.concatenate(pooled_gold), REVIEW_PRECISION)
    cuts = {"auto": auto, "review": review, "sarcasm_veto": sarcasm_veto, "complaint_veto": complaint_veto}
    return cuts, {"auto_cut_per_source": per_source}


class HeadSource:
    """A calibration source for the praise heads: each post read as the provider reads it
    (its start, and the end of a post longer than the model reads)."""

    def __init__(self, name: str, posts: Sequence[Post], encoder: Encoder) -> None:
        self.name = name
        self.first = raw_outputs(posts, encoder)
        tails, self.tail_outputs = raw_tails(posts, encoder)
        self.tails = np.asarray(tails, dtype=np.int64)
        brand_post = [bool(p.source) for p in posts]
        kinds = [p.kind for p in posts]
        self.praise = np.asarray([k == "praise" if b else p.positive for k, b, p in zip(kinds, brand_post, posts, strict=True)])
        self.positive = np.asarray(
            [k in ("praise", "mild_praise") if b else p.positive for k, b, p in zip(kinds, brand_post, posts, strict=True)]
        )
        self.harmful = np.asarray(
            [k in HARMFUL if b else k == "negative" for k, b in zip(kinds, brand_post, strict=True)], dtype=bool
        )
        self.brand_posts = all(brand_post)

    def cautious(self, score: Callable[[Outputs], Matrix], worse: Callable[[Matrix, Matrix], Matrix]) -> Matrix:
        out = np.asarray(score(self.first), dtype=np.float64).copy()
        if len(self.tails):
            out[self.tails] = worse(out[self.tails], score(self.tail_outputs))
        return out


HARMFUL = ("complaint", "sarcastic_complaint", "mixed")


def head_sources(encoder: Encoder) -> list[HeadSource]:
    """TweetEval validation and every writer's calibration brands (the heads learnt from
    every writer's training brands)."""
    tweets = [Post(t.text, (), t.sentiment is data.Sentiment3.POSITIVE, t.sentiment.value) for t in data.tweeteval_val()]
    brands = brand_posts(data.BrandSplit.CALIBRATION, tuple(data.BRAND_FILES))
    return [HeadSource("tweeteval_val", tweets, encoder), HeadSource("synthetic_calibration_brands_all_files", brands, encoder)]


def _logit(head: Head) -> Callable[[Outputs], Matrix]:
    return lambda o: head.logit(design(o, features(o)))


def platt(head: Head, sources: Sequence[HeadSource], gold: Callable[[HeadSource], Matrix]) -> Head:
    """The head's log-odds scaled to a probability on the calibration sources, weighted equally."""
    z = np.concatenate([s.cautious(_logit(head), np.minimum) for s in sources])
    y = np.concatenate([gold(s) for s in sources]).astype(np.float64)
    w = np.concatenate([np.full(len(gold(s)), 1.0 / len(gold(s))) for s in sources])
    slope, offset = fit(z[:, None], y, penalty=1e-3, weights=w / w.mean())
    return head.model_copy(update={"slope": round(float(slope[0]), 6), "offset": round(offset, 6)})


def head_cuts(
    calibration: Calibration, cuts: dict[str, float], heads: PraiseHeads, sources: Sequence[HeadSource]
) -> tuple[dict[str, float], dict[str, object]]:
    """auto's second key and the praise-or-mild head's review cut (module docstring), read the
    way the provider reads them (probabilities rounded to 4 places)."""

    def probability(m: Logistic) -> Callable[[Outputs], Matrix]:
        return lambda o: m.probability(features(o))

    def head(h: Head) -> Callable[[Outputs], Matrix]:
        return lambda o: h.probability(design(o, features(o)))

    per_source: dict[str, float] = {}
    review = 1.0
    for s in sources:
        praise = np.round(s.cautious(probability(calibration.praise), np.minimum), 4)
        vetoed = (np.round(s.cautious(probability(calibration.sarcasm), np.maximum), 4) >= cuts["sarcasm_veto"]) | (
            np.round(s.cautious(probability(calibration.complaint), np.maximum), 4) >= cuts["complaint_veto"]
        )
        second = np.round(s.cautious(head(heads.praise), np.minimum), 4)
        let_in = (praise >= cuts["auto"]) & ~vetoed & s.harmful
        per_source[s.name] = round(float(second[let_in].max(initial=0.0)) + 0.0001, 4)  # just above the highest
        if s.brand_posts:
            mild = np.round(s.cautious(head(heads.positive), np.minimum), 4)
            review = lowest_cut(np.where(vetoed, 0.0, mild), s.positive, REVIEW_PRECISION)
    found = {"brand_praise": max(per_source.values()), "brand_positive": review}
    return found, {"brand_praise_cut_per_source": per_source}


def calibrate_heads(
    model: Path, calibration: Calibration, cuts: dict[str, float]
) -> tuple[PraiseHeads, dict[str, float], dict[str, object]]:
    heads = PraiseHeads.model_validate_json((model / HEAD_FILE).read_text())
    if heads.model_version != calibration.version:
        raise SystemExit(f"{HEAD_FILE} reads {heads.model_version}, not {calibration.version}: run scripts.judgement.head")
    sources = head_sources(Encoder(model))
    heads = heads.model_copy(
        update={
            "praise": platt(heads.praise, sources, lambda s: s.praise),
            "positive": platt(heads.positive, sources, lambda s: s.positive),
        }
    )
    found, details = head_cuts(calibration, cuts, heads, sources)
    return heads, found, details


def calibration_sources() -> list[Source]:
    tweets = data.tweeteval_val()
    posts = brand_posts(data.BrandSplit.CALIBRATION)
    irony = data.irony("val")
    complaints = {"complaint", "sarcastic_complaint", "mixed"}
    return [
        Source(
            "tweeteval_val",
            [Post(t.text, (), t.sentiment is data.Sentiment3.POSITIVE) for t in tweets],
            praise=[t.sentiment is data.Sentiment3.POSITIVE for t in tweets],
            positive=[t.sentiment is data.Sentiment3.POSITIVE for t in tweets],
            complaint=[t.sentiment is data.Sentiment3.NEGATIVE for t in tweets],
            sarcasm=[None] * len(tweets),
            harmful=[t.sentiment is data.Sentiment3.NEGATIVE for t in tweets],
        ),
        Source(
            "synthetic_calibration_brands",
            posts,
            praise=[p.kind == "praise" for p in posts],
            positive=[p.kind in ("praise", "mild_praise") for p in posts],
            complaint=[p.kind in complaints for p in posts],
            sarcasm=[p.kind == "sarcastic_complaint" for p in posts],
            harmful=[p.kind in complaints for p in posts],
        ),
        Source(
            "tweeteval_irony_val",
            [Post(t.text, (), False) for t in irony],
            praise=[None] * len(irony),
            positive=[None] * len(irony),
            complaint=[None] * len(irony),
            sarcasm=[t.ironic for t in irony],
            harmful=[False] * len(irony),
        ),
    ]


NAMES = {
    "airline": "airline (14,640; evaluation only)",
    "sentiment140": "Sentiment140 test (498)",
    "tweeteval": "TweetEval test (12,284)",
    "synthetic_heldout_brands": "synthetic held-out brands, all four files (positive = praise)",
    "synthetic_first": "— first file (every platform)",
    "synthetic_online": "— online (slang, emoji)",
    "synthetic_professional": "— professional (formal, polite complaints)",
    "synthetic_terse": "— terse (deadpan, other languages)",
    "synthetic_other_languages": "— posts not in English (all files)",
}
SYNTHETIC = [k for k in NAMES if k.startswith("synthetic")]


def _targets(evaluation: dict[str, Any]) -> list[str]:
    """The issue's table: each target beside the figure measured."""
    synthetic = evaluation["synthetic_heldout_brands"]
    crafted = evaluation["crafted_complaints_heldout"]

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    rows = [
        (
            "synthetic held-out brands: recall of praise at precision 0.90",
            synthetic["recall_at_p90"],
            "≥ 0.50",
            synthetic["recall_at_p90"] >= 0.5,
        ),
        (
            "same: complaints and sarcastic complaints in `auto`",
            synthetic["complaints_in_auto"],
            "0",
            synthetic["complaints_in_auto"] == 0,
        ),
        (
            "same: praise of something else in `auto`",
            synthetic["praise_other_in_auto"],
            "0",
            synthetic["praise_other_in_auto"] == 0,
        ),
        (
            "same: praise + mild praise reaching `auto` or `review`",
            synthetic["sincere_reaching_auto_or_review"],
            "≥ 0.80",
            synthetic["sincere_reaching_auto_or_review"] >= 0.8,
        ),
        (
            "airline: `auto` precision",
            evaluation["airline"]["auto_precision"],
            "≥ 0.90",
            evaluation["airline"]["auto_precision"] >= 0.9,
        ),
        (
            "TweetEval test: `auto` precision",
            evaluation["tweeteval"]["auto_precision"],
            "≥ 0.90",
            evaluation["tweeteval"]["auto_precision"] >= 0.9,
        ),
        (
            "Sentiment140 test: `auto` precision",
            evaluation["sentiment140"]["auto_precision"],
            "≥ 0.90",
            evaluation["sentiment140"]["auto_precision"] >= 0.9,
        ),
        (
            "airline: recall at precision 0.90",
            evaluation["airline"]["recall_at_p90"],
            "≥ 0.39",
            evaluation["airline"]["recall_at_p90"] >= 0.39,
        ),
        (
            "Sentiment140: recall at precision 0.90",
            evaluation["sentiment140"]["recall_at_p90"],
            "≥ 0.67",
            evaluation["sentiment140"]["recall_at_p90"] >= 0.67,
        ),
        (
            "TweetEval: recall at precision 0.90",
            evaluation["tweeteval"]["recall_at_p90"],
            "≥ 0.32",
            evaluation["tweeteval"]["recall_at_p90"] >= 0.32,
        ),
        (
            "SemEval 2014 sarcasm: negatives in `auto`",
            evaluation["semeval_2014_sarcasm"]["negative_in_auto"],
            "0",
            evaluation["semeval_2014_sarcasm"]["negative_in_auto"] == 0,
        ),
        (
            "TweetEval irony test: ironic posts in `auto`",
            evaluation["tweeteval_irony_test"]["ironic_in_auto"],
            "≤ 2",
            evaluation["tweeteval_irony_test"]["ironic_in_auto"] <= 2,
        ),
        (
            f"crafted complaints, held out ({crafted['rows']}): in `auto`",
            crafted["never_rewardable_in_auto"],
            "0",
            crafted["never_rewardable_in_auto"] == 0,
        ),
    ]
    lines = ["| set and figure | measured | target | |", "|---|---:|---:|---|"]
    lines += [f"| {name} | **{value}** | {target} | {met(ok)} |" for name, value, target, ok in rows]
    return lines


def render(figures: dict[str, Any]) -> str:
    """The model card's figures, as tables people read."""
    cuts, evaluation = figures["cuts"], figures["evaluation"]
    lines = [
        f"### Figures: {figures['model_version']}, calibrated {figures['calibrated_on']}",
        "",
        f"Cut points: `auto` at praise ≥ **{cuts['auto']}** (the cut each calibration source needed: "
        + ", ".join(f"{k} {v}" for k, v in figures["auto_cut_per_source"].items())
        + f") and, its second key, the brand-post praise head ≥ **{cuts['brand_praise']}** (each source needed: "
        + ", ".join(f"{k} {v}" for k, v in figures["brand_praise_cut_per_source"].items())
        + f"); `review` at positive ≥ **{cuts['review']}** or the praise-or-mild head ≥ **{cuts['brand_positive']}**; "
        f"sarcasm veto at ≥ **{cuts['sarcasm_veto']}**, complaint veto at ≥ **{cuts['complaint_veto']}**.",
        "",
        "#### The targets (every figure on data that training, calibration and cut points never saw)",
        "",
        *_targets(evaluation),
        "",
        "#### Every set, and the synthetic set per writer's file",
        "",
        "| set | positives | recall at P ≥ 0.90 (judge) | same, VADER | `auto` posts | `auto` precision | `auto` recall |"
        " `review` posts (praise) | complaints in `auto` | praise of another in `auto` | praise + mild reaching a band |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, name in NAMES.items():
        f = evaluation[key]
        extra = (
            f" {f['complaints_in_auto']} | {f['praise_other_in_auto']} | {f['sincere_reaching_auto_or_review']} |"
            if key in SYNTHETIC
            else " | | |"
        )
        lines.append(
            f"| {name} | {f['positives']} | **{f['recall_at_p90']}** | {f.get('vader_recall_at_p90', '')} | {f['auto']} |"
            f" **{f['auto_precision']}** | {f['auto_recall']} | {f['review']} ({f['review_praise']}) |" + extra
        )
    synthetic, sarcasm, irony = (
        evaluation["synthetic_heldout_brands"],
        evaluation["semeval_2014_sarcasm"],
        evaluation["tweeteval_irony_test"],
    )
    in_auto = ", ".join(f"{k} {v}" for k, v in synthetic["in_auto"].items()) or "none"
    in_review = ", ".join(f"{k} {v}" for k, v in synthetic["in_review"].items()) or "none"
    lines += ["", f"- Synthetic held-out brands, what is in `auto`: {in_auto}; in `review`: {in_review}."]
    for split, title in (("heldout", "held-out split"), ("fresh", "fresh split, written after the variants were compared")):
        if f"crafted_complaints_{split}" not in evaluation:
            continue
        crafted, fans = evaluation[f"crafted_complaints_{split}"], evaluation[f"real_style_{split}"]
        lines += [
            f"- Crafted complaints, {title} ({crafted['rows']}): **{crafted['never_rewardable_in_auto']}** in `auto` ("
            + (", ".join(f"{k} {v}" for k, v in crafted["in_auto"].items()) or "none")
            + "); in `review` "
            + (", ".join(f"{k} {v}" for k, v in crafted["in_review"].items()) or "none")
            + ".",
            f"- Real-style posts, {title} ({fans['rows']}): praise and mild praise reaching `auto` or `review` "
            f"**{fans['sincere_reaching_auto_or_review']}**; complaints, sarcastic complaints and praise of another in "
            f"`auto` **{fans.get('complaints_and_praise_other_in_auto', '?')}**; in `auto` "
            + (", ".join(f"{k} {v}" for k, v in fans["in_auto"].items()) or "none")
            + ".",
        ]
    lines += [
        f"- SemEval 2014 sarcasm tweets: **{sarcasm['negative_in_auto']}** of the {sarcasm['negative']} negative "
        f"(sarcastic complaints) in `auto`; in `auto` by gold label: "
        + (", ".join(f"{k} {v}" for k, v in sarcasm["in_auto"].items()) or "none")
        + ".",
        f"- TweetEval irony test ({irony['rows']}, {irony['ironic']} ironic): average precision of `sarcasm` "
        f"{irony['sarcasm_average_precision']} (base rate {irony['base_rate']}); {irony['vetoed_as_sarcasm']} vetoed as "
        f"sarcasm; {irony['ironic_in_auto']} ironic tweets in `auto`.",
        "",
        "Recall at P ≥ 0.90 uses the threshold picked on each set itself (a property of the ranking, as in",
        "the issue's table) and ranks by the `praise` the judge reports, after its vetoes and second key; the",
        "`auto` columns use the shipped cut points, picked on calibration data only.",
        "Raw numbers: `shared/goodword/sentiment/judge/model/metrics.json`.",
    ]
    return "\n".join(lines)


def write_card(figures: dict[str, Any]) -> None:
    if not CARD.is_file():
        return
    text = CARD.read_text()
    block = f"{FIGURES_START}\n\n{render(figures)}\n\n{FIGURES_END}"
    pattern = re.compile(re.escape(FIGURES_START) + ".*?" + re.escape(FIGURES_END), re.DOTALL)
    CARD.write_text(pattern.sub(lambda _m: block, text) if pattern.search(text) else text + "\n" + block + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--skip-evaluation", action="store_true", help="calibrate only")
    args = parser.parse_args()
    if not data.available():
        raise SystemExit(f"the labelled sets are not at {data.DATA}: nothing to calibrate on")
    sources = calibration_sources()
    found, details = cut_points(sources)
    fitted = {target: _fit(sources, target) for target in ("praise", "positive", "complaint", "sarcasm")}
    placeholder = Cuts(**found, brand_praise=1.0, brand_positive=1.0)  # the heads' cuts are picked next
    calibration = Calibration(version=model_version(args.model), **fitted, cuts=placeholder)
    heads, head_found, head_details = calibrate_heads(args.model, calibration, found)
    cuts = Cuts(**found, **head_found)
    calibration = calibration.model_copy(update={"cuts": cuts})
    details.update(head_details)
    (args.model / CALIBRATION_FILE).write_text(calibration.model_dump_json(indent=2) + "\n")
    (args.model / HEAD_FILE).write_text(dumps(heads))
    print(f"calibration written: {cuts.model_dump()} {details}")
    if args.skip_evaluation:
        return
    loaded.load.cache_clear()
    praise_head.load.cache_clear()
    figures: dict[str, Any] = {
        "model_version": calibration.version,
        "calibrated_on": datetime.now(UTC).date().isoformat(),
        "cuts": cuts.model_dump(),
        **details,
        "features": list(FEATURES),
        "evaluation": measure_all(),
    }
    (args.model / "metrics.json").write_text(json.dumps(figures, indent=2) + "\n")
    write_card(figures)
    print(json.dumps(figures["evaluation"], indent=2))


if __name__ == "__main__":
    main()
