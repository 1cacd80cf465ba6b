"""The compliance guard on offer messages (pure): an offer thanks a person for what they
already said; it never makes the gift depend on a post, review, tag or share still to come,
nor on what it says. Such a message is refused when the rule is validated, with the reason.

The US FTC's rule on consumer reviews, 16 CFR § 465.4, makes it unlawful to give
"compensation or other incentives in exchange for, or conditioned expressly or implicitly on,
the writing or creation of consumer reviews expressing a particular sentiment"; the
platforms' own rules forbid rewarding engagement (X's developer terms, Meta's promotion
guidelines). Goodword's offer is a surprise thank-you, so the guard goes further than the
rule: any condition on a future post is refused. Guidance, not legal advice (docs/rules.md).

The word lists below are the whole guard; a false refusal shows the words it matched, so the
marketer can rephrase. Three kinds of wording are refused:

1. an action to come tied to the gift: "post a review to get…", "tag us and we'll send…",
   "share this for a free…", "retweet to win…";
2. a condition: "if you post…", "once you tag us…", "in exchange for a review";
3. a sentiment asked for: "leave 5 stars…", "give us a positive review…".

Thank-yous for what was said pass: "Thanks for the kind words! A bag on us: {claim_link}",
"Loved your review, here's a bag on us", "Thanks for the 5 stars!".
"""

from __future__ import annotations

import re
import unicodedata

RULE = "16 CFR § 465.4"

# What a person could be asked to do next (base forms: "thanks for sharing" is no ask).
ACTIONS = (
    "post",
    "share",
    "tag",
    "review",
    "rate",
    "repost",
    "retweet",
    "quote",
    "mention",
    "comment",
    "reply",
    "like",
    "follow",
    "subscribe",
    "leave",
    "write",
    "give",
    "drop",
    "tell",
)
# What ties the action to the gift, after it ("tag us and we'll send").
REWARD_LINKS = (
    "to get",
    "to receive",
    "to claim",
    "to win",
    "to unlock",
    "to earn",
    "to enter",
    "to qualify",
    "and get",
    "and receive",
    "and claim",
    "and win",
    "and we'll",
    "and we will",
    "and we'd",
    "and we send",
    "and you'll get",
    "and you will get",
    "for a free",
    "for your free",
    "for a chance",
    "for a gift",
    "for a sample",
    "for a discount",
    "in exchange",
    "in return",
)
# A condition before the action ("if you post").
CONDITIONS = ("if you", "once you", "when you", "after you", "as soon as you", "provided you", "only if you")
# A sentiment a review could be asked to have ("a glowing review", "5 stars").
SENTIMENTS = (
    "positive",
    "good",
    "great",
    "glowing",
    "nice",
    "kind",
    "favourable",
    "favorable",
    "awesome",
    "amazing",
    "top",
    "best",
    "5-star",
    "5 star",
    "five-star",
    "five star",
)
REVIEW_WORDS = ("review", "reviews", "rating", "ratings", "feedback", "words", "things", "comment", "comments", "post", "posts")
# Verbs that ask for it ("leave us a glowing review", "rate us 5 stars").
SENTIMENT_ASKS = ("leave", "give", "write", "drop", "post", "rate", "say", "share")
# A word before an action word that makes it no ask: a noun ("thanks for the post") or a
# statement ("we'd like to").
NOT_AN_ASK = ("the", "your", "a", "an", "this", "that", "my", "our", "his", "her", "their", "its", "d", "would", "we", "i")


def _any(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


_SENTENCE = r"[^.!?\n]{0,60}?"  # a few words on, within one sentence
_STARS = r"(?:5|five)[- ]stars?"
_LIKED = r"(?:" + _STARS + "|" + _any(SENTIMENTS) + r"\s+" + _any(REVIEW_WORDS) + r")"
_ASK = re.compile(r"\b" + _any(ACTIONS) + r"\b" + _SENTENCE + r"\b" + _any(REWARD_LINKS) + r"\b")
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_CONDITION = re.compile(r"\b" + _any(CONDITIONS) + r"(?:\s+[\w']+){0,2}?\s+" + _any(ACTIONS) + r"\b")
_EXCHANGE = re.compile(r"\bin (?:exchange|return) for\b")
_SENTIMENT = re.compile(r"\b" + _any(SENTIMENT_ASKS) + r"\b(?:\s+[\w']+){0,3}?\s+" + _LIKED + r"\b")
_FOR_SENTIMENT = re.compile(r"\bfor (?:a|an|every|each|any)\s+" + _LIKED + r"\b")


def _normal(message: str) -> str:
    """One spelling: compatibility forms folded (full-width, styled letters), curly
    apostrophes straight, one space between words, lower case."""
    text = unicodedata.normalize("NFKC", message).replace("\u2019", "'").replace("\u2018", "'")
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")  # zero-width and direction marks
    return " ".join(text.split()).lower()


def conditioning(message: str) -> str | None:
    """Why an offer message may not be sent (it conditions the gift on a future post or a
    sentiment), quoting the words found; None for a thank-you."""
    text = _normal(message)
    if found := _SENTIMENT.search(text) or _FOR_SENTIMENT.search(text):
        return (
            f"the message asks for a sentiment ({found.group(0)!r}): {RULE} bans incentives conditioned on reviews "
            "that express a particular sentiment; thank the person for what they already said (docs/rules.md)"
        )
    for pattern in (_EXCHANGE, _CONDITION):
        if found := pattern.search(text):
            return _future(found.group(0))
    position = 0
    while found := _ASK.search(text, position):
        before = _WORD_BEFORE.search(text, 0, found.start())
        if before is None or before.group(1) not in NOT_AN_ASK:
            return _future(found.group(0))
        position = found.start() + 1
    return None


def _future(words: str) -> str:
    return (
        f"the message makes the gift depend on a post, review, tag or share to come ({words!r}): an offer thanks a "
        f"person for what they already said ({RULE} bans incentives conditioned on a review's sentiment, and the "
        "platforms ban rewarding engagement); see docs/rules.md"
    )
