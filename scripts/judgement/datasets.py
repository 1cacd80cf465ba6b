"""The labelled sets under ``../shared/data/sentiment/``, each file pinned by sha256.

Every loader refuses a file whose bytes changed (a figure on other data is another figure),
and returns typed rows. Which set may be used for what follows each folder's README:

* training: the SemEval 2013-2016 pool (less every tweet that is also in a validation or
  evaluation set), TweetEval irony train, the synthetic brand posts of the training brands;
* calibration and cut points: TweetEval sentiment validation, TweetEval irony validation,
  the synthetic posts of the calibration brands;
* evaluation only: airline (its licence), Sentiment140 test, TweetEval test, SemEval 2014
  sarcasm, TweetEval irony test, the synthetic posts of the evaluation brands.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from dev_support.paths import REFERENCE

DATA = REFERENCE / "data" / "sentiment"


class DataChanged(RuntimeError):
    pass


PINS: dict[str, str] = {
    "airline_tweets/Tweets.csv": "ea94b23f41892b290dec3330bb8cf9cb6b8bc669eaae5f3a84c40f7b0de8f15e",
    "sentiment140_test/testdata.manual.2009.06.14.csv": "c77669cc86ae85d3807d65fc13fed0c395266db518d4eaa0ff1f19bf6efbbdd3",
    "tweeteval_sentiment_test/test_text.txt": "09a93a55c63fd93f97485ef7302889d7edb4091cd49733aa37da094f0bfa0675",
    "tweeteval_sentiment_test/test_labels.txt": "6afb4afe9374d1f983bcf9a7c79b108d0f37fdf020a83f30488309bed215db9d",
    "tweeteval_sentiment_val/val_text.txt": "e5b021e6fc45064c260b09814b803d8f56cada519c4d952d72f43d48a350a964",
    "tweeteval_sentiment_val/val_labels.txt": "b4566926c72e2e4e2916c864def94e76c4cdde52446af2c7ba4fc2006e057e51",
    "tweeteval_irony/train_text.txt": "a888125a44f7dfaa25b026318748d0e62cc9a300d20f66eafd62011a19eaea23",
    "tweeteval_irony/train_labels.txt": "fc69e6106c0f1f433a91536e08f83c71a391d7b219f7684d42f243a8089af77d",
    "tweeteval_irony/val_text.txt": "8806cf3793e300a485cfae34892fc3a0a2f9a183deb06c750c6531515c83051e",
    "tweeteval_irony/val_labels.txt": "ccf429f63b4e8d0e7f425ca09445f7c31f7cea8a1b7c283b015b117c4002fd07",
    "tweeteval_irony/test_text.txt": "53103da934a7308eee82f05f2a9781a8ea3e88604fdc1e02d3101108505c64be",
    "tweeteval_irony/test_labels.txt": "08e2095e1725e74907a380614c220204e356bb46e3e8c93deb74e83e5b15ab38",
    "brand_mentions_synthetic/brand_mentions.tsv": "2b6017db12ea9c5ccd90e43216f2adba1b2eff7944b839e92030def589940c1c",
    "brand_mentions_synthetic/brand_mentions_online.tsv": "7edde673be97369409c559590f4f26664e4b0bb243005c89f452aa5b9422885e",
    "brand_mentions_synthetic/brand_mentions_professional.tsv": (
        "f811c74428ceebb5ba72dcd6fd94efcc1b663d12bbd9c2d8016b8b141b3d550f"
    ),
    "brand_mentions_synthetic/brand_mentions_terse.tsv": "4a98d7f26624890636d3926eb72dc78bd5e733707cfa8083469c9614f6319763",
    "semeval_2013_2016/twitter-2013dev-A.txt": "e402ab2e9bad766275ef5af490e2c3b0edca8236d60e6e69227589186bffd896",
    "semeval_2013_2016/twitter-2013test-A.txt": "eb98d2342016eefda22dd563aa1ccde18aed399eeba572d8c963bbc56c196164",
    "semeval_2013_2016/twitter-2013train-A.txt": "111969d156c516b40bd504fcedcca52bbd44ec24add6f59290eb94df9b9c392c",
    "semeval_2013_2016/twitter-2014sarcasm-A.txt": "8321459374f88fc32b0b93da76c8740e7a3f30256886dbe9fcebb04b0ae8906f",
    "semeval_2013_2016/twitter-2014test-A.txt": "d6aa09ca41031e3deefb7e5b2f74f53260ab374f993e2275d8e4ccec6b210253",
    "semeval_2013_2016/twitter-2015test-A.txt": "54b3481924c025d31ac9669c049603b91035b40e8becd6629fb9476a6d9a62f4",
    "semeval_2013_2016/twitter-2015train-A.txt": "29780e613f562a511fa427196503c3f95fea6c0298470e157deab88a0e0ed65e",
    "semeval_2013_2016/twitter-2016dev-A.txt": "47bda81cb91db2bf92222a5f20742b5e3edc14eb391e74b882b284e5afd0c8bb",
    "semeval_2013_2016/twitter-2016devtest-A.txt": "c16686ebaa3b61770f4d4d2a60d051715146950faa93e039bb0aefb3523c3b38",
    "semeval_2013_2016/twitter-2016test-A.txt": "8bf50e0fb4d5ca3d4b27414cc620fe226b4d844cbff68db5b298c2e70803ab10",
    "semeval_2013_2016/twitter-2016train-A.txt": "f49f65cf5e94b47d077ab7715d3d0a656c09b5c71608678a672d7378ef79c932",
}
SEMEVAL_TRAIN_FILES = tuple(name for name in PINS if name.startswith("semeval_2013_2016/") and "sarcasm" not in name)

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


def available() -> bool:
    return DATA.is_dir()


@cache
def pinned_text(name: str, encoding: str = "utf-8") -> str:
    """The file's text, after checking its bytes against the pin."""
    path = DATA / name
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != PINS[name]:
        raise DataChanged(f"{path} changed: sha256 {digest}, pinned {PINS[name]}; figures on other data are not comparable")
    return raw.decode(encoding)


class Sentiment3(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True)
class Tweet:
    text: str
    sentiment: Sentiment3
    brands: tuple[str, ...] = ()


@dataclass(frozen=True)
class IronyTweet:
    text: str
    ironic: bool


class BrandLabel(StrEnum):
    PRAISE = "praise"
    MILD_PRAISE = "mild_praise"
    SARCASTIC_COMPLAINT = "sarcastic_complaint"
    COMPLAINT = "complaint"
    MIXED = "mixed"
    QUESTION = "question"
    NEUTRAL = "neutral"
    PRAISE_OTHER = "praise_other"


@dataclass(frozen=True)
class BrandPost:
    label: BrandLabel
    platform: str
    brand: str
    text: str
    brands: tuple[str, ...] = field(default=())
    source: str = "first"  # which writer's file (BRAND_FILES)


# The synthetic set's four files, one writer each (its README): figures are reported per file.
BRAND_FILES: dict[str, str] = {
    "first": "brand_mentions_synthetic/brand_mentions.tsv",
    "online": "brand_mentions_synthetic/brand_mentions_online.tsv",
    "professional": "brand_mentions_synthetic/brand_mentions_professional.tsv",
    "terse": "brand_mentions_synthetic/brand_mentions_terse.tsv",
}


_TWEETEVAL = {"0": Sentiment3.NEGATIVE, "1": Sentiment3.NEUTRAL, "2": Sentiment3.POSITIVE}


def _tweeteval(folder: str, split: str) -> list[Tweet]:
    texts = pinned_text(f"{folder}/{split}_text.txt").splitlines()
    labels = pinned_text(f"{folder}/{split}_labels.txt").split()
    return [Tweet(t, _TWEETEVAL[label]) for t, label in zip(texts, labels, strict=True)]


def tweeteval_test() -> list[Tweet]:
    return _tweeteval("tweeteval_sentiment_test", "test")


def tweeteval_val() -> list[Tweet]:
    return _tweeteval("tweeteval_sentiment_val", "val")


def airline() -> list[Tweet]:
    reader = csv.DictReader(pinned_text("airline_tweets/Tweets.csv").splitlines(keepends=True))
    return [Tweet(row["text"], Sentiment3(row["airline_sentiment"]), AIRLINES) for row in reader]


def sentiment140() -> list[Tweet]:
    text = pinned_text("sentiment140_test/testdata.manual.2009.06.14.csv", encoding="latin-1")
    labels = {"0": Sentiment3.NEGATIVE, "2": Sentiment3.NEUTRAL, "4": Sentiment3.POSITIVE}
    return [Tweet(row[5], labels[row[0]], (row[3],)) for row in csv.reader(text.splitlines(keepends=True))]


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _semeval_text(raw: str) -> str:
    if raw.startswith('"') and raw.endswith('"') and len(raw) > 1:
        raw = raw[1:-1].replace('""', '"')
    elif raw.startswith('"'):
        raw = raw[1:].replace('""', '"')
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)


def _semeval(name: str) -> list[Tweet]:
    rows = []
    for line in pinned_text(name).splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and parts[1] in Sentiment3.__members__.values():
            rows.append(Tweet(_semeval_text(parts[2]), Sentiment3(parts[1])))
    return rows


def semeval_sarcasm() -> list[Tweet]:
    return _semeval("semeval_2013_2016/twitter-2014sarcasm-A.txt")


def irony(split: str) -> list[IronyTweet]:
    texts = pinned_text(f"tweeteval_irony/{split}_text.txt").splitlines()
    labels = pinned_text(f"tweeteval_irony/{split}_labels.txt").split()
    return [IronyTweet(t, label == "1") for t, label in zip(texts, labels, strict=True)]


_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_NOT_WORD = re.compile(r"[^\w\s]|_")


def normalized(text: str) -> str:
    """The README's comparison key: lower-case, @user for handles, no URLs or punctuation."""
    text = _HANDLE.sub("@user", _URL.sub(" ", text.lower()))
    return " ".join(_NOT_WORD.sub(" ", text.replace("@user", "atuser")).split())


def semeval_pool() -> tuple[list[Tweet], int]:
    """The training pool: distinct tweets of the 2013-2016 files, less every tweet whose
    normalized text is in a validation or evaluation set; and how many were dropped."""
    held = {
        normalized(t.text) for loader in (tweeteval_val, tweeteval_test, airline, sentiment140, semeval_sarcasm) for t in loader()
    }
    held |= {normalized(t.text) for split in ("val", "test") for t in irony(split)}
    seen: set[str] = set()
    pool: list[Tweet] = []
    dropped = 0
    for name in SEMEVAL_TRAIN_FILES:
        for tweet in _semeval(name):
            key = normalized(tweet.text)
            if key in held or key in seen or not key:
                dropped += 1
                continue
            seen.add(key)
            pool.append(tweet)
    return pool, dropped


def brand_terms(brand: str) -> tuple[str, ...]:
    """The names a brand would configure: as written, with 'and' for '&', run together."""
    spelled = brand.replace("&", "and")
    squashed = re.sub(r"[^A-Za-z0-9]", "", brand)
    return tuple(dict.fromkeys([brand, spelled, squashed, re.sub(r"[^A-Za-z0-9]", "", spelled)]))


def brand_posts(files: tuple[str, ...] = tuple(BRAND_FILES)) -> list[BrandPost]:
    """The posts of these writers' files (quoting off, as the README says), each with its file."""
    rows = []
    for source in files:
        for line in pinned_text(BRAND_FILES[source]).split("\n")[1:]:
            if line:
                label, platform, brand, text = line.split("\t")
                rows.append(BrandPost(BrandLabel(label), platform, brand, text, brand_terms(brand), source))
    return rows


class BrandSplit(StrEnum):
    TRAIN = "train"
    CALIBRATION = "calibration"
    EVALUATION = "evaluation"


def brand_split(brand: str) -> BrandSplit:
    """Split by brand (the README: a model learns brand cues), fixed by a hash of the name:
    about 60 % train, 20 % calibration, 20 % evaluation."""
    bucket = int(hashlib.sha256(brand.encode()).hexdigest(), 16) % 10
    if bucket < 6:
        return BrandSplit.TRAIN
    return BrandSplit.CALIBRATION if bucket < 8 else BrandSplit.EVALUATION


# The files the shipped model was trained and calibrated on (encoder.json's "brand_files"): the
# first writer's. The three newer files are measured (their evaluation brands, per file) and
# wait for a model that learns from them (docs/judgement.md says what a run on them gave).
SHIPPED_FILES: tuple[str, ...] = ("first",)


def brand_posts_in(split: BrandSplit, files: tuple[str, ...] = SHIPPED_FILES) -> list[BrandPost]:
    return [p for p in brand_posts(files) if brand_split(p.brand) is split]


PUBLIC_EVALUATION: dict[str, Callable[[], list[Tweet]]] = {
    "airline": airline,
    "sentiment140": sentiment140,
    "tweeteval": tweeteval_test,
}
