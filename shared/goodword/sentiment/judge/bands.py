"""Calibrated probabilities to a band (pure logic; the cut points come from the model card).

* ``auto``: praise at or above the cut whose precision was at least 0.95 on every held-out
  calibration source, in English, with no veto: the offer may go out alone.
* ``review``: likely positive about the brand (mild praise included), not sure enough to
  send alone (or not in English): a person decides.
* ``none``: not praise, or vetoed: sounds sarcastic, or sounds like a complaint. A veto
  always wins over praise: a vetoed post is never rewarded (docs/judgement.md says how
  many sarcastic complaints the vetoes still miss).

``auto`` needs two readings to agree: the praise probability (the tweet-sentiment head,
calibrated on real tweets) and the brand-post head, whose "not praise of the brand" must
stay below its cut; when it does not, the post waits for review.
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


def verdict(p: Probabilities, cuts: Cuts, language: str, has_text: bool = True) -> Verdict:
    if not has_text:
        return Verdict(Band.NONE, (Veto.NO_TEXT,), SentimentLabel.NEUTRAL, 1.0)
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
        return Verdict(Band.NONE, tuple(vetoes), label, round(max(p.sarcasm, p.complaint), 4))
    if p.praise >= cuts.auto:
        waits = (Veto.LANGUAGE,) if language != ENGLISH else ()
        if p.not_praise >= cuts.not_praise_veto:  # auto's second key: the brand-post reading must agree
            waits = (*waits, Veto.NOT_PRAISE)
        return Verdict(Band.REVIEW if waits else Band.AUTO, waits, SentimentLabel.POSITIVE, p.praise)
    if p.positive >= cuts.review:
        return Verdict(Band.REVIEW, (), SentimentLabel.POSITIVE, p.positive)
    return Verdict(Band.NONE, (), _label(p), round(1 - max(p.praise, p.complaint), 4))


def _label(p: Probabilities) -> SentimentLabel:
    """The old label for posts that are not praise enough for a band."""
    if p.complaint >= 0.5:
        return SentimentLabel.NEGATIVE
    if p.praise >= 0.25 and p.complaint >= 0.25:
        return SentimentLabel.MIXED
    return SentimentLabel.NEUTRAL
