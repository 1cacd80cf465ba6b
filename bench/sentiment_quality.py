"""Sentiment quality of the default provider on the labeled sets in the team's reference
data (shared/data/sentiment beside the project): precision and recall of "positive" with
the default settings, next to plain VADER at its conventional 0.05. Target: precision
>= 0.85 on every set with the defaults, recall as high as that allows.

Positive = gold label positive; neutral and negative count as not positive. Each set's
brand names are masked the way a brand would configure them (airline: the six airlines;
Sentiment140: the query the tweet was found by; TweetEval: handles only). Nothing derived
from these sets ships: they are read here, at benchmark time, and skipped when absent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.report import save
from goodword.sentiment.model import SentimentLabel, SentimentSettings
from goodword.sentiment.vader import VaderProvider
from tests.support.paths import REFERENCE

DATA = REFERENCE / "data" / "sentiment"
AIRLINES = (
    "Virgin America",
    "VirginAmerica",
    "United",
    "Southwest",
    "SouthwestAir",
    "Delta",
    "JetBlue",
    "US Airways",
    "USAirways",
    "American Air",
    "AmericanAir",
    "American Airlines",
)


@dataclass
class Labeled:
    text: str
    positive: bool
    brands: tuple[str, ...] = ()


def airline() -> Iterator[Labeled]:
    with (DATA / "airline_tweets" / "Tweets.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield Labeled(row["text"], row["airline_sentiment"] == "positive", AIRLINES)


def sentiment140() -> Iterator[Labeled]:
    with (DATA / "sentiment140_test" / "testdata.manual.2009.06.14.csv").open(newline="", encoding="latin-1") as handle:
        for polarity, _id, _date, query, _user, text in csv.reader(handle):
            yield Labeled(text, polarity == "4", (query,))


def tweeteval() -> Iterator[Labeled]:
    folder = DATA / "tweeteval_sentiment_test"
    texts = (folder / "test_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / "test_labels.txt").read_text().split()
    for text, label in zip(texts, labels, strict=True):
        yield Labeled(text, label == "2")


SETS = {"airline (CC BY-NC-SA, eval only)": airline, "sentiment140 test": sentiment140, "tweeteval test": tweeteval}


def _pr(predicted: list[bool], gold: list[bool]) -> dict[str, float]:
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    fp = sum(p and not g for p, g in zip(predicted, gold, strict=True))
    fn = sum(g and not p for p, g in zip(predicted, gold, strict=True))
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
        "predicted_positive": tp + fp,
    }


def main(quick: bool = False) -> None:
    if not DATA.is_dir():
        print(f"Sentiment quality: skipped, the labeled sets are not at {DATA} (the team's reference data)")
        return
    plain = SentimentIntensityAnalyzer()
    defaults = SentimentSettings()
    results: dict[str, Any] = {}
    print(f"Sentiment quality of 'positive' (defaults: threshold {defaults.positive_threshold}, guards on, brand masked)")
    for name, loader in SETS.items():
        rows = list(loader())
        gold = [r.positive for r in rows]
        ours = [
            VaderProvider(SentimentSettings(brand_terms=r.brands)).analyze_one(r.text).label is SentimentLabel.POSITIVE
            for r in rows
        ]
        baseline = [plain.polarity_scores(r.text)["compound"] >= 0.05 for r in rows]
        result = {"rows": len(rows), "ours": _pr(ours, gold), "plain_vader_0.05": _pr(baseline, gold)}
        results[name] = result
        o, b = _pr(ours, gold), _pr(baseline, gold)
        print(
            f"  {name:34} ours P {o['precision']:.3f} R {o['recall']:.3f} ({o['predicted_positive']} predicted)"
            f" | plain VADER 0.05 P {b['precision']:.3f} R {b['recall']:.3f}"
        )
    save("sentiment_quality", {"default_settings": defaults.model_dump(mode="json"), "sets": results})


if __name__ == "__main__":
    main()
