"""The Slack messages (Block Kit, https://api.slack.com/reference/block-kit/blocks): an offer
waiting for review, with its buttons, and the same message once someone decided. Pure.

Every word a fan or a marketer wrote is escaped as Slack asks (``&``, ``<``, ``>``), so a post
saying ``<!channel>`` cannot ping the channel. The buttons' ``block_id`` and ``action_id`` name
the offer (``review:<id>``, ``approve:<id>``...) and each button's ``value`` is the offer id:
a click says what it decides about which offer without anything stored beside the message.

Reject comes as two buttons because the reasons differ in what follows: *not praise* tells
the judge it was wrong and gives the rule's once-per-person limit back; *other* only says no.
(``not-eligible`` and ``duplicate`` stay in the console and the command.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from goodword.outbound.notify import post_url
from goodword.people import Profile
from goodword.sentiment.explain import describe
from goodword.sentiment.model import Sentiment
from goodword.work import RejectReason, WorkRecord

TEXT_LIMIT = 3000  # characters of a section's text
FALLBACK_LIMIT = 500  # the notification's text (``text``), shown where blocks are not
BLOCK_PREFIX = "review:"


class Choice(StrEnum):
    """A button: what it decides, and why for a rejection."""

    APPROVE = "approve"
    REJECT_NOT_PRAISE = "reject-not-praise"
    REJECT_OTHER = "reject-other"

    @property
    def decision(self) -> str:
        return "approve" if self is Choice.APPROVE else "reject"

    @property
    def because(self) -> str | None:
        return {Choice.REJECT_NOT_PRAISE: RejectReason.NOT_PRAISE.value, Choice.REJECT_OTHER: RejectReason.OTHER.value}.get(self)


def action_id(choice: Choice, offer_id: str) -> str:
    return f"{choice.value}:{offer_id}"


def parse_action_id(value: str) -> tuple[Choice, str] | None:
    """(the button, the offer id) of one of our buttons' ``action_id``; None for any other."""
    choice, _, offer_id = value.partition(":")
    if not offer_id or choice not in {c.value for c in Choice}:
        return None
    return Choice(choice), offer_id


def escaped(words: str) -> str:
    """Literal text in mrkdwn: Slack's control characters as the entities Slack asks for."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(words: str, limit: int = TEXT_LIMIT) -> str:
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _quoted(words: str) -> str:
    return "\n".join("> " + line for line in escaped(words).splitlines() or [""])


@dataclass(frozen=True)
class ReviewNotice:
    """What the reviewer sees: the offer, the post, the person, the judgement."""

    offer: WorkRecord
    event_text: str | None
    sentiment: Sentiment | None
    profile: Profile | None

    @property
    def who(self) -> str:
        return f"@{self.offer.author_handle}" if self.offer.author_handle else (self.offer.author_id or "someone")


def notice(review: ReviewNotice) -> dict[str, Any]:
    """The message posted when an offer enters review: ``text`` (notifications) and ``blocks``."""
    offer, profile = review.offer, review.profile
    what = f"{offer.product or 'an offer'} for {review.who} on {offer.platform}"
    headline = f"*Offer waiting for review:* {escaped(what)} · rule `{escaped(offer.rule_id)}`"
    blocks: list[dict[str, Any]] = [_section(headline)]
    said = _quoted(" ".join((review.event_text or "").split()) or "(no text)")
    if where := post_url(offer):
        said += f"\n<{where}|open the post>"
    blocks.append(_section(said))
    person = [f"*Person:* {escaped(review.who)}"]
    if profile is not None:
        if profile.followers_count is not None:
            person.append(f"*Followers:* {profile.followers_count:,}")
        person.append(f"*Mentions:* {profile.mention_count} ({profile.positive_mention_count} positive)")
        person.append(f"*Offers received:* {profile.offers_received}")
    blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in person]})
    judged = describe(review.sentiment) if review.sentiment else "not recorded (the event's decisions expired)"
    blocks.append(_context(f"*Judgement:* {escaped(judged)}"))
    if offer.held_because:
        blocks.append(_context(f"*Held:* {escaped(offer.held_because)}"))
    blocks.append(_section("*Would send:*\n" + _quoted(without_claim_link(offer) or "(the rule's message)")))
    blocks.append(buttons(offer.id))
    fallback = f"Offer waiting for review: {what}: {' '.join((review.event_text or '').split())}"
    return {"text": _cut(escaped(fallback), FALLBACK_LIMIT), "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def without_claim_link(offer: WorkRecord) -> str:
    """The message with its claim link as ``[claim link]``: the link is the fan's key to the
    claim page, and a Slack channel is no place for it (the event bus never carries it either)."""
    message = offer.message or ""
    return message.replace(offer.claim_link, "[claim link]") if offer.claim_link else message


def buttons(offer_id: str) -> dict[str, Any]:
    def button(choice: Choice, label: str, style: str | None) -> dict[str, Any]:
        found: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": label},
            "action_id": action_id(choice, offer_id),
            "value": offer_id,
        }
        return {**found, "style": style} if style else found

    return {
        "type": "actions",
        "block_id": f"{BLOCK_PREFIX}{offer_id}",
        "elements": [
            button(Choice.APPROVE, "Approve", "primary"),
            button(Choice.REJECT_NOT_PRAISE, "Reject: not praise", "danger"),
            button(Choice.REJECT_OTHER, "Reject: other", None),
        ],
    }


def decided(original: list[dict[str, Any]], outcome: str, keep_buttons: bool = False) -> list[dict[str, Any]]:
    """The notice's blocks as posted, its buttons taken away (unless the offer still waits),
    and a line saying what happened (already escaped by ``outcome_line``)."""
    kept = [b for b in original if keep_buttons or not str(b.get("block_id", "")).startswith(BLOCK_PREFIX)]
    return [*kept, _context(outcome)]


def outcome_line(state: str, who: str | None, at: str | None, first: bool) -> str:
    """``Approved by slack:ana at 2026-12-04 10:32 UTC`` (or "Already approved by ..." for a
    click that came second)."""
    words = {"approved": "approved", "rejected": "rejected", "expired": "expired"}.get(state, state.replace("_", " "))
    when = _when(at)
    line = (
        f"{words.capitalize() if first else 'Already ' + words}" + (f" by {who}" if who else "") + (f" at {when}" if when else "")
    )
    return ("✅ " if state == "approved" and first else "") + escaped(line)


def _when(at: str | None) -> str | None:
    if not at:
        return None
    try:
        return datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return at


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text)}]}
