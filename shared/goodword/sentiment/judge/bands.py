"""Calibrated probabilities to a band (pure logic; the cut points come from the model card).

* ``auto``: praise at or above the cut whose precision was at least 0.95 on held-out real
  tweets, the brand-post praise head agreeing, in English, with no veto: the offer may go
  out alone.
* ``review``: likely positive about the brand (mild praise included), not sure enough to
  send alone (or not in English): a person decides. Either reading may open it: the
  tweet-sentiment one (``positive``) or the brand-post one (``brand_positive``).
* ``none``: not praise, or vetoed: sounds sarcastic, or sounds like a complaint. A veto
  always wins over praise: a vetoed post is never rewarded (docs/judgement.md says how
  many sarcastic complaints the vetoes still miss).

``auto`` needs two readings to agree: the praise probability (the tweet-sentiment head,
calibrated on real tweets) and the brand-post praise head (a logistic regression over the
sentence embedding, fitted on brand posts), each at or above its own cut; when the second
disagrees, the post waits for review (veto ``not_praise``).

The praise a verdict reports is the judge's last word on "does this post sincerely praise
the brand": the praise probability, lowered to what held the post back when something did
(1 - sarcasm or 1 - complaint when that veto fired; the brand-post praise head when it kept
the post from ``auto``). So a post in ``auto`` reports praise at or above the auto cut, and
a vetoed or held-back one never does.
"""

from __future__ import annotations

from dataclasses import dataclass

from goodword.sentiment.judge.calibration import Cuts, Probabilities
from goodword.sentiment.judge.language import ENGLISH
from goodword.sentiment.model import Band, SentimentLabel, Veto


@dataclass(frozen=True)
class Verdict:
    band: Band
    vetoes: tuple[Veto, ...]
    label: SentimentLabel
    confidence: float
    praise: float  # the praise to report: lowered to what held the post back (reported_praise)


def reported_praise(p: Probabilities, cuts: Cuts) -> float:
    """The probability that the post sincerely praises the brand, after everything the judge
    knows: the praise probability, at most 1 - sarcasm when the sarcasm veto fires, at most
    1 - complaint when the complaint veto fires (sincere praise is neither), and at most the
    brand-post praise head when that head is what kept the post from ``auto`` (praise at the
    auto cut, the head below its own)."""
    praise = p.praise
    if p.sarcasm >= cuts.sarcasm_veto:
        praise = min(praise, 1.0 - p.sarcasm)
    if p.complaint >= cuts.complaint_veto:
        praise = min(praise, 1.0 - p.complaint)
    if praise >= cuts.auto and p.brand_praise < cuts.brand_praise:
        praise = min(praise, p.brand_praise)
    return round(praise, 4)


def verdict(p: Probabilities, cuts: Cuts, language: str, has_text: bool = True) -> Verdict:
    praise = reported_praise(p, cuts)
    if not has_text:
        return Verdict(Band.NONE, (Veto.NO_TEXT,), SentimentLabel.NEUTRAL, 1.0, praise)
    vetoes: list[Veto] = []
    if p.sarcasm >= cuts.sarcasm_veto:
        vetoes.append(Veto.SARCASM)
    if p.complaint >= cuts.complaint_veto:
        vetoes.append(Veto.COMPLAINT)
    if vetoes:
        # A complaint is negative (support rules pick it up). Sarcasm alone, with no complaint
        # behind it, is doubtful rather than unhappy (the irony signal also fires on
        # exaggerated praise): mixed, never rewarded, not sent to support either.
        label = SentimentLabel.NEGATIVE if Veto.COMPLAINT in vetoes else SentimentLabel.MIXED
        return Verdict(Band.NONE, tuple(vetoes), label, round(max(p.sarcasm, p.complaint), 4), praise)
    if p.praise >= cuts.auto:
        waits = (Veto.LANGUAGE,) if language != ENGLISH else ()
        if p.brand_praise < cuts.brand_praise:  # auto's second key: the brand-post praise head must agree
            waits = (*waits, Veto.NOT_PRAISE)
        return Verdict(Band.REVIEW if waits else Band.AUTO, waits, SentimentLabel.POSITIVE, p.praise, praise)
    if p.positive >= cuts.review or p.brand_positive >= cuts.brand_positive:
        return Verdict(Band.REVIEW, (), SentimentLabel.POSITIVE, max(p.positive, p.brand_positive), praise)
    return Verdict(Band.NONE, (), _label(p), round(1 - max(p.praise, p.complaint), 4), praise)


def _label(p: Probabilities) -> SentimentLabel:
    """The old label for posts that are not praise enough for a band."""
    if p.complaint >= 0.5:
        return SentimentLabel.NEGATIVE
    if p.praise >= 0.25 and p.complaint >= 0.25:
        return SentimentLabel.MIXED
    return SentimentLabel.NEUTRAL
