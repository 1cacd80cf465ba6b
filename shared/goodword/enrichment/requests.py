"""Exactly the documented read request for each fetch (pure: no network). Sources:
platforms.md §2.4 (Instagram mentioned_comment / mentioned_media, Graph v26.0), §2.5
(Page objects), §3.3 (LinkedIn Posts and Social Actions APIs), §1.5 (X users lookup)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from goodword.enrichment.fetches import Fetch, FetchKind
from goodword.events import Platform
from goodword.outbound.platform_requests import BASE_URLS, HttpRequest, RequestError
from goodword.platform_ids import LINKEDIN_COMMENT_ID, misshapen

INSTAGRAM_COMMENT_FIELDS = "id,text,timestamp,username,media{id,permalink}"
INSTAGRAM_MEDIA_FIELDS = "id,caption,timestamp,username,permalink,media_type"
FACEBOOK_FIELDS = "id,message,from,created_time,permalink_url"
X_USER_FIELDS = "created_at,public_metrics,verified,verified_type,protected,receives_your_dm,profile_image_url"
LINKEDIN_HEADERS = {"linkedin-version": "202601", "x-restli-protocol-version": "2.0.0"}

# Which credential section and token each platform's reads use (docs/operations.md).
TOKENS = {
    "instagram": ("instagram", "access_token"),
    "facebook": ("facebook", "page_access_token"),
    "linkedin": ("linkedin", "access_token"),
    "x": ("x", "bearer_token"),  # app-only suffices for public user fields; else the user token
}


def _segment(value: str) -> str:
    return quote(value, safe="")


def token_for(platform: str, credentials: dict[str, Any]) -> str:
    """The token that reads for ``platform``, or RequestError saying what is missing."""
    section, name = TOKENS[platform]
    values = credentials.get(section)
    if not isinstance(values, dict):
        raise RequestError(f"no {section} section in PlatformCredentials")
    token = values.get(name) or (values.get("user_access_token") if platform == "x" else None)
    if not isinstance(token, str) or not token:
        raise RequestError(f"no {section}.{name} in PlatformCredentials")
    return token


def _check_ids(fetch: Fetch) -> None:
    """Refuse (RequestError) an id without its platform's shape: it would leave its place in
    the path (``..``) or in the Graph field expansion (``1){id},name,business_discovery…``)."""
    platform = Platform(fetch.platform)
    problems = [misshapen(platform, fetch.brand_account, "the brand account")]
    if fetch.kind is FetchKind.LINKEDIN_COMMENT:
        problems.append(misshapen(platform, fetch.parent_id or "", "the comment's post"))
        if not LINKEDIN_COMMENT_ID.fullmatch(fetch.object_id):
            problems.append("the comment id must be the id part of a LinkedIn comment URN")
    else:
        problems.append(misshapen(platform, fetch.object_id, "the object id"))
    problem = next((p for p in problems if p), None)
    if problem:
        raise RequestError(f"{problem}; not fetched")


def build(fetch: Fetch, credentials: dict[str, Any], base_urls: dict[str, str] | None = None) -> HttpRequest:
    _check_ids(fetch)
    urls = {**BASE_URLS, **(base_urls or {})}
    auth = {"authorization": f"Bearer {token_for(fetch.platform, credentials)}"}
    account, target = _segment(fetch.brand_account), fetch.object_id
    if fetch.kind is FetchKind.INSTAGRAM_MENTIONED_COMMENT:
        fields = f"mentioned_comment.comment_id({target}){{{INSTAGRAM_COMMENT_FIELDS}}}"
        return HttpRequest("GET", f"{urls['graph']}/{account}?{urlencode({'fields': fields})}", auth)
    if fetch.kind is FetchKind.INSTAGRAM_MENTIONED_MEDIA:
        fields = f"mentioned_media.media_id({target}){{{INSTAGRAM_MEDIA_FIELDS}}}"
        return HttpRequest("GET", f"{urls['graph']}/{account}?{urlencode({'fields': fields})}", auth)
    if fetch.kind is FetchKind.FACEBOOK_OBJECT:
        return HttpRequest("GET", f"{urls['graph']}/{_segment(target)}?{urlencode({'fields': FACEBOOK_FIELDS})}", auth)
    if fetch.kind is FetchKind.LINKEDIN_POST:
        return HttpRequest("GET", f"{urls['linkedin']}/rest/posts/{_segment(target)}", {**auth, **LINKEDIN_HEADERS})
    if fetch.kind is FetchKind.LINKEDIN_COMMENT:
        post = _segment(fetch.parent_id or "")
        url = f"{urls['linkedin']}/rest/socialActions/{post}/comments/{_segment(target)}"
        return HttpRequest("GET", url, {**auth, **LINKEDIN_HEADERS})
    return HttpRequest("GET", f"{urls['x']}/2/users/{_segment(target)}?{urlencode({'user.fields': X_USER_FIELDS})}", auth)
