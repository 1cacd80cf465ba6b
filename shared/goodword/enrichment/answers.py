"""What a platform's answer to a read means (pure): found (the text and author it gives),
missing for good (deleted, private, no permission: judged with what the event has), or
later (rate limited, a platform error: retried, never dropped)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from goodword.enrichment.fetches import Fetch, FetchKind
from goodword.outbound.transport import HttpResponse, judge
from goodword.platform_json import Json, opt_id, opt_int, opt_obj, opt_text
from goodword.x_users import v2_user_facts

# Reasons recorded on the event (docs/events.md lists them).
NO_PERMISSION = "no_permission"
DELETED = "deleted"
PRIVATE = "private"
REFUSED = "refused"
RATE_LIMITED = "rate_limited"
PLATFORM_ERROR = "platform_error"
TIMEOUT = "timeout"
UNREADABLE = "unreadable"

# Graph API error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
_META_RATE_LIMITED = {4, 17, 32, 613} | set(range(80001, 80015))
_META_PERMISSION = {10, 102, 190} | set(range(200, 300))
_META_TRANSIENT = {1, 2}
_META_MISSING_SUBCODE = 33  # "does not exist, cannot be loaded due to missing permissions"


@dataclass(frozen=True)
class Found:
    text: str | None
    author: dict[str, Any] = field(default_factory=dict)  # Author fields; empty: no author given
    permalink: str | None = None


@dataclass(frozen=True)
class Missing:
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Later:
    reason: str
    detail: str = ""
    seconds: float | None = None  # what the platform asked for; None: back off


Answer = Found | Missing | Later


def read(fetch: Fetch, response: HttpResponse, now: datetime) -> Answer:
    body = response.json()
    error = _meta_error(body) if fetch.platform in ("instagram", "facebook") else None
    if error is not None:
        return error
    verdict = judge(response, now)
    if verdict.outcome == "retry":
        reason = RATE_LIMITED if response.status == 429 else PLATFORM_ERROR
        return Later(reason, verdict.detail, verdict.retry_after if response.status == 429 else None)
    if verdict.outcome == "failed":
        return Missing(_status_reason(response.status), verdict.detail[:300])
    if not isinstance(body, dict):
        return Later(UNREADABLE, f"{response.status} with a body that is not a JSON object")
    return _found(fetch, body)


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return NO_PERMISSION
    if status in (404, 410):
        return DELETED
    return REFUSED


def _meta_error(body: Any) -> Answer | None:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    code, subcode = error.get("code"), error.get("error_subcode")
    detail = f"Graph API error {code}: {str(error.get('message') or '')[:240]}"
    if code in _META_RATE_LIMITED:
        return Later(RATE_LIMITED, detail)
    if code in _META_TRANSIENT or error.get("is_transient") is True:
        return Later(PLATFORM_ERROR, detail)
    if code in _META_PERMISSION:
        return Missing(NO_PERMISSION, detail)
    if code == 100 and subcode == _META_MISSING_SUBCODE:
        return Missing(DELETED, detail)
    return Missing(REFUSED, detail)


def _found(fetch: Fetch, body: dict[str, Any]) -> Answer:  # noqa: PLR0911 (one return per kind)
    if fetch.kind is FetchKind.INSTAGRAM_MENTIONED_COMMENT:
        return _instagram(body, "mentioned_comment", "text", lambda c: opt_obj(c, "media"))
    if fetch.kind is FetchKind.INSTAGRAM_MENTIONED_MEDIA:
        return _instagram(body, "mentioned_media", "caption", lambda m: m)
    if fetch.kind is FetchKind.FACEBOOK_OBJECT:
        sender = opt_obj(body, "from")
        sender_id = opt_id(sender, "id")
        poster: dict[str, Any] = {"id": sender_id, "name": opt_text(sender, "name", 512)} if sender_id else {}
        return Found(opt_text(body, "message"), poster, opt_text(body, "permalink_url", 512))
    if fetch.kind is FetchKind.LINKEDIN_POST:
        if body.get("lifecycleState") == "DELETED":
            return Missing(DELETED, "the post's lifecycleState is DELETED")
        author_urn = opt_text(body, "author", 256)
        visibility = body.get("visibility")
        author: dict[str, Any] = {"id": author_urn} if author_urn else {}
        if author and isinstance(visibility, str):
            author["is_private"] = visibility != "PUBLIC"
        return Found(opt_text(body, "commentary"), author)
    if fetch.kind is FetchKind.LINKEDIN_COMMENT:
        actor = opt_text(body, "actor", 256)
        return Found(opt_text(opt_obj(body, "message"), "text"), {"id": actor} if actor else {})
    return _x_user(body)


def _instagram(body: dict[str, Any], key: str, words: str, linked: Callable[[Json], Json]) -> Answer:
    """A mentioned comment or caption: its words, its author's username, its permalink."""
    found = opt_obj(body, key)
    if not found:
        return Missing(DELETED, f"the answer has no {key}")
    username = opt_text(found, "username", 256)
    author = {"id": username, "handle": username} if username else {}
    return Found(opt_text(found, words), author, opt_text(linked(found), "permalink", 512))


def _x_user(body: dict[str, Any]) -> Answer:
    data = opt_obj(body, "data")
    if not data:
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        title, detail = str(first.get("title") or ""), str(first.get("detail") or "")[:240]
        if "Not Found" in title:
            return Missing(DELETED, detail or title)
        if title:
            return Missing(PRIVATE if "protected" in detail.lower() else NO_PERMISSION, detail or title)
        return Later(UNREADABLE, "the users lookup answer has neither data nor errors")
    facts = {k: v for k, v in v2_user_facts(data).items() if v is not None}
    followers = opt_int(opt_obj(data, "public_metrics"), "followers_count")
    if followers is not None:
        facts["followers_count"] = followers
    verified_type = opt_text(data, "verified_type", 32)
    if verified_type and "verified" not in facts:
        facts["verified"] = verified_type != "none"
    handle, name = opt_text(data, "username", 256), opt_text(data, "name", 512)
    return Found(None, {**facts, **({"handle": handle} if handle else {}), **({"name": name} if name else {})})
