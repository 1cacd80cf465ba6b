"""A judgement in words a marketer understands ("sounds sarcastic: 0.83"), for the CLI's
rule tests, event details and review list. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goodword.sentiment.model import Band, Sentiment, Veto

BAND_WORDS = {
    Band.AUTO: "auto: genuine praise, safe to reward without a person",
    Band.REVIEW: "review: likely praise, a person decides",
    Band.NONE: "none: not for a reward",
}


def veto_words(sentiment: Sentiment) -> list[str]:
    words = []
    for veto in sentiment.vetoes:
        if veto is Veto.SARCASM:
            words.append(f"sounds sarcastic: {sentiment.sarcasm or 0:.2f}")
        elif veto is Veto.COMPLAINT:
            words.append(f"sounds like a complaint: {sentiment.complaint or 0:.2f}")
        elif veto is Veto.LANGUAGE:
            words.append(f"not in English ({sentiment.language or 'unknown'}): waits for a person")
        elif veto is Veto.NOT_PRAISE:
            words.append("may not be praise of the brand itself (sarcasm, praise of something else): waits for a person")
        elif veto is Veto.NO_TEXT:
            words.append("no text to judge")
        elif veto is Veto.SECOND_OPINION:
            words.append(f"second opinion: {sentiment.reason or 'not praise'}")
    return words


def describe(value: Sentiment | dict[str, Any]) -> str:
    sentiment = value if isinstance(value, Sentiment) else Sentiment.model_validate(value)
    if sentiment.praise is None:
        text = (
            f"{sentiment.label.value}, score {sentiment.score:+.2f} (confidence {sentiment.confidence:.2f}, {sentiment.provider})"
        )
        if sentiment.guards:
            text += f", guards {', '.join(g.value for g in sentiment.guards)}"
        return text
    parts = [BAND_WORDS[sentiment.band], f"praise {sentiment.praise:.2f}", f"complaint {sentiment.complaint or 0:.2f}"]
    parts.extend(veto_words(sentiment))
    if sentiment.reason and Veto.SECOND_OPINION not in sentiment.vetoes:
        parts.append(f"second opinion: {sentiment.reason}")
    return "; ".join(parts)


def short_judgement(value: Sentiment | Mapping[str, Any]) -> str:
    """The band and praise for the judge's records (``auto, praise 0.97``); label and score for
    older providers' (``positive, score +0.80``): every number says what it is."""
    sentiment = value.model_dump(mode="json") if isinstance(value, Sentiment) else value
    if sentiment.get("praise") is not None:
        vetoes = f" ({', '.join(sentiment['vetoes'])})" if sentiment.get("vetoes") else ""
        return f"{sentiment.get('band')}, praise {float(sentiment['praise']):.2f}{vetoes}"
    return f"{sentiment['label']}, score {float(sentiment['score']):+.2f}"
