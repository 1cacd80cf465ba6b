"""The body a `notify` action POSTs (pure), in the rule's format:

- ``standard``: Goodword's own JSON (``type: goodword.notify``), for a receiver of your own;
- ``slack``: what a Slack incoming webhook shows (``text`` and ``blocks``,
  https://api.slack.com/messaging/webhooks): the rule's message, the post, the person, and a
  link to the post. The post is escaped as Slack asks (``&``, ``<``, ``>``), so a fan who writes
  ``<!channel>`` or ``<https://x|a link>`` cannot ping the channel or disguise a link.

Both are signed the same way (Standard Webhooks headers); where it is sent is checked by
goodword.outbound.destinations."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from urllib.parse import quote

from goodword.platform_ids import has_shape
from goodword.work import WorkRecord

SLACK_TEXT_LIMIT = 3000  # characters of one section block's text
_LINK = re.compile(r"https://[^\s<>|]{1,500}")  # a URL that cannot leave Slack's <url|label>


class NotifyFormat(StrEnum):
    STANDARD = "standard"
    SLACK = "slack"


def body(record: WorkRecord) -> bytes:
    if record.notify_format == NotifyFormat.SLACK:
        return json.dumps(slack(record), ensure_ascii=False).encode()
    return json.dumps(
        {
            "type": "goodword.notify",
            "message": record.message,
            "text": record.text,
            "platform": record.platform,
            "author_handle": record.author_handle,
            "event_id": record.event_id,
            "rule_id": record.rule_id,
        }
    ).encode()


def post_url(record: WorkRecord) -> str | None:
    """The public address of the post, where its ids say it (or enrichment fetched it)."""
    refs, platform = record.refs, record.platform
    post = refs.get("post_id")
    if _LINK.fullmatch(refs.get("permalink", "")):
        return refs["permalink"]
    if not post or not has_shape(platform, post):
        return None
    if platform == "x":
        return f"https://x.com/i/web/status/{post}"
    if platform == "facebook":
        return f"https://www.facebook.com/{post}"
    if platform == "linkedin":
        return f"https://www.linkedin.com/feed/update/{quote(post, safe=':')}/"
    return None


def _escaped(words: str) -> str:
    """Slack's mrkdwn control characters as entities (what Slack asks of literal text)."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(words: str, limit: int = SLACK_TEXT_LIMIT) -> str:
    return words if len(words) <= limit else words[: limit - 1] + "…"


def slack(record: WorkRecord) -> dict[str, object]:
    person = f"@{record.author_handle}" if record.author_handle else (record.author_id or "someone")
    headline = record.message or f"A {record.event_kind.replace('_', ' ')} on {record.platform} matched {record.rule_id}"
    said = " ".join((record.text or "").split())  # one paragraph: a quote block per line otherwise
    where = post_url(record)
    kind, platform = _escaped(record.event_kind.replace("_", " ")), _escaped(record.platform)
    about = f"*{_escaped(person)}* · {kind} on {platform} · rule `{_escaped(record.rule_id)}`"
    if where:
        about += f" · <{where}|open the post>"
    blocks: list[dict[str, object]] = [{"type": "section", "text": {"type": "mrkdwn", "text": _cut(_escaped(headline))}}]
    if said:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut("> " + _escaped(said))}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(about)}]})
    fallback = f"{headline} ({person}: {said})" if said else f"{headline} ({person})"
    return {"text": _cut(_escaped(fallback)), "blocks": blocks, "unfurl_links": False}
