"""The documented fields conditions can test. Facts are a flat dict built per event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from goodword.events import EventKind, Platform
from goodword.sentiment.model import Band, SentimentLabel, Veto


class FieldType(StrEnum):
    TEXT = "text"  # free text: keyword and regex operators
    STRING = "string"  # ids, enums, handles: equality and membership
    NUMBER = "number"
    BOOLEAN = "boolean"
    TAGS = "tags"  # a list of labels: membership


@dataclass(frozen=True)
class FieldSpec:
    type: FieldType
    description: str
    canonical: bool = False  # values are always lower-case already: equality needs no case folding
    values: tuple[str, ...] = ()  # a closed set: a condition may name only these (any case)
    shape: tuple[re.Pattern[str], str] | None = None  # or values of this form: (pattern, what it means)


def _values(kind: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


# BCP 47 as platforms send it: en, es, pt-BR, zh-Hant, und (undetermined)
LANGUAGE_CODE = (re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", re.IGNORECASE), "a language code like en, es, pt-br or und")


FIELDS: dict[str, FieldSpec] = {
    "event.kind": FieldSpec(
        FieldType.STRING,
        "mention, reply, quote, comment, share, like, follow, unfollow, direct_message",
        canonical=True,
        values=_values(EventKind),
    ),
    "event.platform": FieldSpec(
        FieldType.STRING, "x, instagram, facebook, linkedin, twitch, mastodon, bluesky", canonical=True, values=_values(Platform)
    ),
    "event.brand_account": FieldSpec(FieldType.STRING, "the brand account the event concerns"),
    "event.text": FieldSpec(FieldType.TEXT, "what the person wrote (empty for follows and likes)"),
    "event.lang": FieldSpec(FieldType.STRING, "language code, when the platform says", shape=LANGUAGE_CODE),
    "event.is_edit": FieldSpec(FieldType.BOOLEAN, "the event is an edit of an earlier post or comment (X, Facebook)"),
    "event.edited_after_offer": FieldSpec(
        FieldType.BOOLEAN, "the event edits a post that was offered a sample (not rejected): a reward-then-edit"
    ),
    "event.may_ask_to_stop": FieldSpec(
        FieldType.STRING, "the word by which the post may ask to stop, when unsure (contact waits for review); else empty"
    ),
    "author.id": FieldSpec(FieldType.STRING, "the person's id on the platform"),
    "author.handle": FieldSpec(FieldType.STRING, "the person's handle, without @"),
    "author.followers_count": FieldSpec(FieldType.NUMBER, "followers, when the platform sends it"),
    "author.followers": FieldSpec(FieldType.NUMBER, "followers, when the platform sends it or enrichment fetched it"),
    "author.following": FieldSpec(FieldType.NUMBER, "accounts the person follows, when known"),
    "author.account_age_days": FieldSpec(FieldType.NUMBER, "days since the account was created, when known (X)"),
    "author.verified": FieldSpec(FieldType.BOOLEAN, "the platform marks the account verified, when known"),
    "author.default_profile": FieldSpec(
        FieldType.BOOLEAN, "the account still has the default picture (a throwaway sign), when known"
    ),
    "author.is_private": FieldSpec(FieldType.BOOLEAN, "a protected or private account, or a post only connections see"),
    "author.accepts_dms": FieldSpec(FieldType.BOOLEAN, "the brand can send the person a direct message (X), when known"),
    "author.has_blocked_brand": FieldSpec(FieldType.BOOLEAN, "the person blocked the brand (X)"),
    "profile.is_first_mention": FieldSpec(FieldType.BOOLEAN, "this event is the person's first mention of the brand"),
    "profile.is_first_praise": FieldSpec(
        FieldType.BOOLEAN,
        "this event is the identity's first praise: the first mention the judge labelled positive (band auto or review)"
        " that no reviewer rejected as not praise",
    ),
    "profile.is_new": FieldSpec(FieldType.BOOLEAN, "Goodword had never seen this person before this event"),
    "profile.mention_count": FieldSpec(
        FieldType.NUMBER, "mentions, replies, quotes and comments so far, this one included (an edit is not a new one)"
    ),
    "profile.positive_mention_count": FieldSpec(FieldType.NUMBER, "of those, labelled positive"),
    "profile.offers_received": FieldSpec(FieldType.NUMBER, "offers made to this person so far"),
    "profile.days_since_last_contact": FieldSpec(FieldType.NUMBER, "days since the last automated contact (absent if never)"),
    "profile.tags": FieldSpec(FieldType.TAGS, "labels given by tag actions"),
    "person.mentions_last_24h": FieldSpec(
        FieldType.NUMBER, "mentions, replies, quotes and comments by this identity in the last 24 hours, this one included"
    ),
    "person.offers_total": FieldSpec(FieldType.NUMBER, "offers made to the person, over every linked identity"),
    "person.claims_total": FieldSpec(
        FieldType.NUMBER, "claims the person made on the claim page (held ones too), over every linked identity"
    ),
    "person.praised_before": FieldSpec(
        FieldType.BOOLEAN,
        "the person praised the brand before this event, on any linked identity (praise: as profile.is_first_praise)",
    ),
    "person.opted_out": FieldSpec(FieldType.BOOLEAN, "the person asked not to be contacted (STOP): no rule contacts them"),
    "sentiment.band": FieldSpec(
        FieldType.STRING,
        "auto (send alone), review (a person decides) or none: the judge's advice",
        canonical=True,
        values=_values(Band),
    ),
    "sentiment.praise": FieldSpec(
        FieldType.NUMBER, "0 .. 1, calibrated: the post genuinely praises the brand (after the vetoes and second key)"
    ),
    "sentiment.complaint": FieldSpec(FieldType.NUMBER, "0 .. 1, calibrated: a complaint, sarcastic or not"),
    "sentiment.sarcasm": FieldSpec(FieldType.NUMBER, "0 .. 1, calibrated: sounds sarcastic or ironic"),
    "sentiment.vetoes": FieldSpec(
        FieldType.TAGS, "why the post is not in a higher band: sarcasm, complaint, language, not_praise...", values=_values(Veto)
    ),
    "sentiment.label": FieldSpec(
        FieldType.STRING,
        "positive, negative, neutral or mixed (from the band: auto and review are positive)",
        canonical=True,
        values=_values(SentimentLabel),
    ),
    "sentiment.score": FieldSpec(FieldType.NUMBER, "-1 .. 1 (the judge: praise minus complaint)"),
    "sentiment.confidence": FieldSpec(FieldType.NUMBER, "0 .. 1 (the judge: the probability behind the label)"),
}
