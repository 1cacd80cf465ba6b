"""Score a probe set with the shipped judge and say where each kind of post lands.

``python -m scripts.judgement.probe tests/fixtures/judgement/crafted_complaints.tsv``

A probe file (tests/fixtures/judgement/PROBES.md) is a TSV with the header
``id<TAB>kind|label<TAB>brand<TAB>text<TAB>split``: the crafted complaints name the trick
in ``kind``, the real-style posts carry one of the synthetic set's eight labels in
``label``. Each post is judged as ``goodword score --brand BRAND`` judges it (the default
settings, that brand's names masked, the provider the pipeline uses). Printed per split:
the bands per kind or label, the posts that must never be rewarded but reached ``auto``
(with praise and vetoes), and the praise the judge left in ``none``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dev_support.paths import FIXTURES
from goodword.sentiment.judge import calibration
from goodword.sentiment.model import Band, Sentiment, SentimentSettings
from scripts.judgement.datasets import brand_terms

PROBES = FIXTURES / "judgement"
CRAFTED_COMPLAINTS = PROBES / "crafted_complaints.tsv"
REAL_STYLE_FANS = PROBES / "real_style_fans.tsv"

LABELS = ("praise", "mild_praise", "sarcastic_complaint", "complaint", "mixed", "question", "neutral", "praise_other")
REWARDABLE = ("praise", "mild_praise")  # every other label, and every crafted complaint, must never reach auto
BANDS = (Band.AUTO, Band.REVIEW, Band.NONE)


class Split(StrEnum):
    DEV = "dev"  # for tuning and training: the only split training or tuning may read
    HELDOUT = "heldout"  # for reporting only
    FRESH = "fresh"  # evaluation only, written before any model scored it (2026-12-04); reporting only


class ProbeFileError(ValueError):
    pass


@dataclass(frozen=True)
class Probe:
    id: str
    kind: str  # the trick (crafted complaints) or the label (real-style posts)
    brand: str
    text: str
    split: Split

    @property
    def rewardable(self) -> bool:
        return self.kind in REWARDABLE


@dataclass(frozen=True)
class ProbeFile:
    path: Path
    kind_column: str  # "kind" or "label"
    probes: tuple[Probe, ...]


def load(path: Path) -> ProbeFile:
    """The file's rows, typed; a clear error naming the line for anything malformed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ProbeFileError(f"{path}: empty")
    header = lines[0].split("\t")
    if len(header) != 5 or header[0] != "id" or header[1] not in ("kind", "label") or header[2:] != ["brand", "text", "split"]:
        raise ProbeFileError(f"{path}:1: header must be id, kind or label, brand, text, split (tab-separated), not {header}")
    probes: list[Probe] = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 5 or not all(f.strip() for f in fields):
            raise ProbeFileError(f"{path}:{number}: expected 5 non-empty tab-separated fields, got {len(fields)}")
        id_, kind, brand, text, split = fields
        if split not in {s.value for s in Split}:
            raise ProbeFileError(f"{path}:{number}: split must be one of {', '.join(s.value for s in Split)}, not {split!r}")
        if header[1] == "label" and kind not in LABELS:
            raise ProbeFileError(f"{path}:{number}: label {kind!r} is not one of {', '.join(LABELS)}")
        probes.append(Probe(id_, kind, brand, text, Split(split)))
    return ProbeFile(path, header[1], tuple(probes))


def judge(probes: Sequence[Probe]) -> list[Sentiment]:
    """Each post judged as `goodword score --brand NAME...` judges it (the default settings,
    the provider the pipeline uses), one batch per brand, its names as a brand would
    configure them (``datasets.brand_terms``: as written and run together, like the handle)."""
    from goodword.sentiment.providers import provider_for  # noqa: PLC0415 (training reads the files without boto3)

    results: dict[int, Sentiment] = {}
    by_brand: dict[str, list[int]] = {}
    for i, probe in enumerate(probes):
        by_brand.setdefault(probe.brand, []).append(i)
    for brand, indexes in by_brand.items():
        provider = provider_for(SentimentSettings(brand_terms=brand_terms(brand)))
        for i, sentiment in zip(indexes, provider.analyze([probes[i].text for i in indexes]), strict=True):
            results[i] = sentiment
    return [results[i] for i in range(len(probes))]


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _line(probe: Probe, s: Sentiment) -> str:
    vetoes = ",".join(v.value for v in s.vetoes) or "no veto"
    text = probe.text if len(probe.text) <= 110 else probe.text[:107] + "..."
    return (
        f"  {probe.id} [{probe.kind}] praise {_number(s.praise)} complaint {_number(s.complaint)} "
        f"sarcasm {_number(s.sarcasm)} ({vetoes})\n      {text}"
    )


def report(probe_file: ProbeFile, judged: Sequence[Sentiment]) -> str:
    out = [f"{probe_file.path.name}: {len(probe_file.probes)} posts, judge {calibration.load().version}"]
    for split in Split:
        rows = [(p, s) for p, s in zip(probe_file.probes, judged, strict=True) if p.split is split]
        if not rows:
            continue
        brands = sorted({p.brand for p, _ in rows})
        out.append(f"\n== {split.value}: {len(rows)} posts, {len(brands)} brands ==")
        counts = Counter((p.kind, s.band) for p, s in rows)
        present = {p.kind for p, _ in rows}
        kinds = [k for k in LABELS if k in present] if probe_file.kind_column == "label" else sorted(present)
        width = max(len(k) for k in [*kinds, probe_file.kind_column, "all"])
        out.append(f"{probe_file.kind_column:<{width}}  " + "  ".join(f"{b.value:>6}" for b in BANDS) + "   total")
        for kind in kinds:
            cells = [counts[(kind, b)] for b in BANDS]
            out.append(f"{kind:<{width}}  " + "  ".join(f"{c:>6}" for c in cells) + f"  {sum(cells):>6}")
        totals = [sum(1 for _, s in rows if s.band is b) for b in BANDS]
        out.append(f"{'all':<{width}}  " + "  ".join(f"{c:>6}" for c in totals) + f"  {len(rows):>6}")
        unrewardable = [(p, s) for p, s in rows if not p.rewardable]
        missed = [(p, s) for p, s in unrewardable if s.band is Band.AUTO]
        out.append(f"\nnever to be rewarded, reached auto: {len(missed)} of {len(unrewardable)}")
        out.extend(_line(p, s) for p, s in missed)
        praise = [(p, s) for p, s in rows if p.kind == "praise"]
        if praise:
            left = [(p, s) for p, s in praise if s.band is Band.NONE]
            out.append(f"\npraise left in none: {len(left)} of {len(praise)}")
            out.extend(_line(p, s) for p, s in left)
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="+", type=Path, help="probe TSV files (tests/fixtures/judgement/*.tsv)")
    args = parser.parse_args(argv)
    for i, path in enumerate(args.files):
        probe_file = load(path)
        print(("\n" if i else "") + report(probe_file, judge(probe_file.probes)))


if __name__ == "__main__":
    main()
