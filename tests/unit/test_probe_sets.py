"""The judge's probe sets (tests/fixtures/judgement/PROBES.md) parse, are big enough, cover
the tricks, and are split by brand (dev, heldout, fresh) with no brand of the synthetic
training set."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from dev_support.paths import REFERENCE
from goodword.sentiment.judge.encoder import MAX_TOKENS, MODEL_DIR
from goodword.sentiment.judge.text import prepare
from goodword.sentiment.masking import BrandMasker
from goodword.sentiment.model import Band, Sentiment, SentimentLabel, Veto
from scripts.judgement.datasets import brand_terms
from scripts.judgement.probe import CRAFTED_COMPLAINTS, LABELS, REAL_STYLE_FANS, ProbeFile, ProbeFileError, Split, load, report

SYNTHETIC = REFERENCE / "data" / "sentiment" / "brand_mentions_synthetic"
# The attacker's tricks the issue measured or asked for: each in every split.
TRICKS = (
    "reversal_at_end",
    "said_no_one_ever",
    "parenthesis_undoes_praise",
    "eye_roll_emoji",
    "upside_down_emoji",
    "skull_emoji",
    "never_fails_to_disappoint",
    "praise_then_refund_demand",
    "long_praise_complaint_past_128_tokens",
    "fake_star_rating",
    "would_not_recommend",
    "sarcastic_hashtag",
    "ironic_slogan",
    "thanks_for_nothing",
    "praise_for_competitor",
    "mixed_language",
    "deadpan",
)
# Tricks first written for the fresh split (2026-12-04): in it, at least three of each.
FRESH_TRICKS = ("staff_praise_brand_failure", "update_edit_reversal", "amazed_question_at_failure")
# The fresh split's minimum rows, per file: written after the held-out split was read.
FRESH_ROWS = {CRAFTED_COMPLAINTS.name: 66, REAL_STYLE_FANS.name: 72}


def _squashed(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@pytest.fixture(scope="module")
def crafted() -> ProbeFile:
    return load(CRAFTED_COMPLAINTS)


@pytest.fixture(scope="module")
def fans() -> ProbeFile:
    return load(REAL_STYLE_FANS)


def test_the_crafted_complaints_have_their_columns_and_at_least_80_rows_over_10_brands(crafted: ProbeFile) -> None:
    assert crafted.kind_column == "kind"
    assert len(crafted.probes) >= 80
    assert len({p.brand for p in crafted.probes}) >= 10
    assert len({p.id for p in crafted.probes}) == len(crafted.probes)
    assert not any(p.rewardable for p in crafted.probes)  # no kind named like a label a fan would get


def test_the_real_style_posts_have_their_columns_and_at_least_120_rows_over_10_brands(fans: ProbeFile) -> None:
    assert fans.kind_column == "label"
    assert len(fans.probes) >= 120
    assert len({p.brand for p in fans.probes}) >= 10
    assert len({p.id for p in fans.probes}) == len(fans.probes)
    assert set(Counter(p.kind for p in fans.probes)) == set(LABELS)  # every label, none other


@pytest.mark.parametrize("path", [CRAFTED_COMPLAINTS, REAL_STYLE_FANS], ids=lambda p: p.name)
def test_a_probe_file_is_split_dev_and_heldout_about_half_and_half_and_has_a_fresh_split(path: Path) -> None:
    probes = load(path).probes
    splits = Counter(p.split for p in probes)
    assert set(splits) == set(Split)
    assert 0.4 <= splits[Split.HELDOUT] / (splits[Split.DEV] + splits[Split.HELDOUT]) <= 0.6
    assert splits[Split.FRESH] >= FRESH_ROWS[path.name]
    assert len({p.brand for p in probes if p.split is Split.FRESH}) >= 6


def test_no_brand_is_in_two_splits_in_either_file(crafted: ProbeFile, fans: ProbeFile) -> None:
    splits: dict[str, set[Split]] = {}
    for probe in (*crafted.probes, *fans.probes):
        splits.setdefault(_squashed(probe.brand), set()).add(probe.split)
    assert {brand: s for brand, s in splits.items() if len(s) > 1} == {}


def test_every_trick_is_in_every_split_and_the_fresh_split_has_three_of_each(crafted: ProbeFile) -> None:
    kinds = {s: Counter(p.kind for p in crafted.probes if p.split is s) for s in Split}
    assert [(kind, s.value) for s in Split for kind in TRICKS if kind not in kinds[s]] == []
    assert set(kinds[Split.DEV]) == set(kinds[Split.HELDOUT])  # the first two splits share their kinds
    assert set(kinds[Split.DEV]) | set(FRESH_TRICKS) == set(kinds[Split.FRESH])  # ... and the fresh one has them all
    assert {kind: n for kind, n in kinds[Split.FRESH].items() if n < 3} == {}


def test_the_fresh_real_style_posts_have_every_label_and_at_least_30_sincere_praise(fans: ProbeFile) -> None:
    labels = Counter(p.kind for p in fans.probes if p.split is Split.FRESH)
    assert set(labels) == set(LABELS)
    assert labels["praise"] + labels["mild_praise"] >= 30


def test_training_and_calibration_read_only_the_dev_split_of_the_probe_sets() -> None:
    """The held-out and fresh splits are for reporting only: never trained, tuned or calibrated on."""
    scripts = Path(__file__).resolve().parents[2] / "scripts" / "judgement"
    for name in ("train.py", "head.py", "calibrate.py"):
        source = (scripts / name).read_text(encoding="utf-8")
        assert [s for s in Split if s is not Split.DEV and f"Split.{s.name}" in source] == [], name


def test_the_long_crafted_complaints_turn_after_the_128_tokens_the_model_reads(crafted: ProbeFile) -> None:
    """Their last sentences (the complaint) are cut off before the model sees them."""
    tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))  # as the encoder reads: cut at MAX_TOKENS
    tokenizer.enable_truncation(MAX_TOKENS)
    long = [p for p in crafted.probes if p.kind == "long_praise_complaint_past_128_tokens"]
    assert len(long) >= 9
    assert {s: sum(p.split is s for p in long) >= 3 for s in Split} == dict.fromkeys(Split, True)
    for probe in long:
        text = prepare(probe.text, BrandMasker(brand_terms(probe.brand)))
        window_end = tokenizer.encode(text).offsets[-2][1]  # the end of the last token before [SEP]
        assert len(tokenizer.encode(text).ids) == MAX_TOKENS
        assert window_end < len(text) - 300, probe.id  # each complaint is under 300 characters


def test_no_probe_brand_is_a_brand_of_the_synthetic_set(crafted: ProbeFile, fans: ProbeFile) -> None:
    if not SYNTHETIC.is_dir():
        pytest.skip(f"the team's reference data is not beside the project ({SYNTHETIC})")
    synthetic = {
        _squashed(line.split("\t")[2])
        for path in SYNTHETIC.glob("*.tsv")
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
        if line.count("\t") >= 3
    }
    ours = {_squashed(p.brand) for p in (*crafted.probes, *fans.probes)}
    assert len(synthetic) > 100
    assert ours & synthetic == set()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("id\tkind\tbrand\ttext\n", "header must be"),
        ("id\tkind\tbrand\ttext\tsplit\ncc-1\tdeadpan\tAcme\tgreat.\n", ":2: expected 5"),
        ("id\tkind\tbrand\ttext\tsplit\ncc-1\tdeadpan\tAcme\tgreat.\ttrain\n", "split must be one of dev, heldout, fresh"),
        ("id\tlabel\tbrand\ttext\tsplit\nf-1\tpositive\tAcme\tgreat\tdev\n", "label 'positive' is not one of"),
    ],
)
def test_a_malformed_probe_file_is_refused_with_the_line_and_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "probe.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProbeFileError, match=re.escape(message)):
        load(path)


def test_the_report_counts_bands_per_kind_and_lists_the_complaints_that_reached_auto(tmp_path: Path) -> None:
    path = tmp_path / "probe.tsv"
    path.write_text(
        "id\tkind\tbrand\ttext\tsplit\n"
        "cc-1\tdeadpan\tAcme\tanother burnt one. fantastic.\theldout\n"
        "cc-2\tdeadpan\tAcme\tanother late one. superb.\theldout\n"
        "cc-3\treversal_at_end\tAcme\tbest ever. jk.\theldout\n",
        encoding="utf-8",
    )
    probes = load(path)
    judged = [
        Sentiment(label=SentimentLabel.POSITIVE, score=0.9, confidence=0.95, provider="classifier", band=Band.AUTO, praise=0.95),
        Sentiment(
            label=SentimentLabel.MIXED,
            score=0.1,
            confidence=0.8,
            provider="classifier",
            vetoes=(Veto.SARCASM,),
            praise=0.9,
            sarcasm=0.8,
        ),
        Sentiment(label=SentimentLabel.POSITIVE, score=0.5, confidence=0.6, provider="classifier", band=Band.REVIEW, praise=0.6),
    ]
    text = report(probes, judged)
    assert "== heldout: 3 posts, 1 brands ==" in text
    assert re.search(r"^deadpan\s+1\s+0\s+1\s+2$", text, re.MULTILINE)
    assert re.search(r"^reversal_at_end\s+0\s+1\s+0\s+1$", text, re.MULTILINE)
    assert "never to be rewarded, reached auto: 1 of 3" in text
    assert "cc-1 [deadpan] praise 0.95" in text
    assert "cc-2" not in text
    assert "== dev" not in text
