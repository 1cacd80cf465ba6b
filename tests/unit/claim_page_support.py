"""A claim page on the in-memory ports, and what a browser sends it: the unit tests' harness."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from goodword.claims.page import csrf
from goodword.claims.page.flow import ClaimPage, Limits, OfferTerms, Outcome, Services
from goodword.claims.page.http import PageRequest
from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.limits import RecordWork
from goodword.memory.claims import InMemoryClaims
from goodword.memory.state import InMemoryState
from goodword.rules.model import Settings
from goodword.work import WorkKind, WorkRecord, WorkState

NOW = datetime(2026, 5, 4, 12, 0, 30, tzinfo=UTC)
SECRET = b"unit-test-claim-hash-key"
KEYS = csrf.Keys.derive(SECRET)
POST_TEXT = "Honestly the best cold brew in town, thank you North Roast!"


@dataclass
class Config:
    settings_: Settings = field(default_factory=lambda: Settings(brand_names=["North Roast"]))
    terms_: dict[str, OfferTerms] = field(default_factory=dict)

    def settings(self) -> Settings:
        return self.settings_

    def terms(self, rule_id: str) -> OfferTerms:
        return self.terms_.get(rule_id, OfferTerms())


def offer(n: int = 1, **fields: Any) -> WorkRecord:
    code = fields.pop("claim_code", f"code{n:04d}-abcdefghijklmn"[:22])
    base: dict[str, Any] = {
        "id": f"offer{n}",
        "kind": WorkKind.OFFER_SAMPLE,
        "state": WorkState.SENT,
        "event_id": f"x:{n}",
        "event_kind": "mention",
        "event_time": (NOW - timedelta(days=1)).isoformat(),
        "rule_id": "first-praise",
        "rule_version": 1,
        "person": f"PERSON#x#brand#{n}",
        "platform": "x",
        "brand_account": "brand",
        "author_id": str(n),
        "author_handle": f"fan{n}",
        "created_at": (NOW - timedelta(days=1)).isoformat(),
        "finished_at": (NOW - timedelta(days=1)).isoformat(),
        "idempotency_key": f"offer{n}",
        "claim_code": code,
        "product": "a bag of Ethiopia Guji",
    }
    return WorkRecord(**{**base, **fields})


@dataclass
class Harness:
    people: InMemoryState = field(default_factory=InMemoryState)
    config: Config = field(default_factory=Config)
    published: list[dict[str, Any]] = field(default_factory=list)
    fulfilled: list[str] = field(default_factory=list)
    now: datetime = NOW
    limits: Limits = field(default_factory=Limits)
    posts: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.claims = InMemoryClaims(self.people)
        self.build()

    def build(self) -> None:
        """The page on these ports (again, after a test changed the limits)."""
        self.page = ClaimPage(
            Services(
                claims=self.claims,
                people=self.people,
                settings=self.config.settings,
                post_text=lambda event_id: self.posts.get(event_id, POST_TEXT),
                bus=self,
                fulfil=self.fulfilled.append,
                hash_key=SECRET,
                clock=lambda: self.now,
                limits=self.limits,
                terms=lambda offer: self.config.terms(offer.rule_id),
            )
        )

    def add(self, n: int = 1, **fields: Any) -> WorkRecord:
        """An offer sent to fan ``n``, whose post the state store has seen (their profile)."""
        made = offer(n, **fields)
        author = Author(id=made.author_id or str(n), handle=made.author_handle)
        event = Event(
            platform=Platform.X,
            kind=EventKind.MENTION,
            natural_id=f"tweet:{n}",
            brand_account="brand",
            occurred_at=NOW - timedelta(days=1),
            received_at=NOW - timedelta(days=1),
            source="x",
            author=author,
            text=POST_TEXT,
            refs=EventRefs(post_id=str(n)),
        )
        self.people.record_event(event, positive=True, now=NOW - timedelta(days=1))
        assert self.people.claim([RecordWork(made)]).ok
        return made

    def publish(self, detail: dict[str, Any]) -> None:
        self.published.append(detail)

    def get(self, code: str, cookies: dict[str, str] | None = None, client: str = "203.0.113.7") -> Outcome:
        return self.page.handle(PageRequest("GET", code, {"host": "claims.example"}, cookies or {}, b"", client, True))

    def post(
        self,
        code: str,
        fields: dict[str, str],
        *,
        headers: dict[str, str] | None = None,
        client: str = "203.0.113.7",
        body: bytes | None = None,
    ) -> Outcome:
        data = body if body is not None else urlencode(fields).encode()
        sent = {
            "host": "claims.example",
            "content-type": "application/x-www-form-urlencoded",
            "origin": "https://claims.example",
            **(headers or {}),
        }
        return self.page.handle(PageRequest("POST", code, sent, {}, data, client, True))

    def token(self, code: str, seconds_ago: float = 30) -> str:
        return csrf.form_token(KEYS, code, self.now - timedelta(seconds=seconds_ago))

    def claim(self, code: str, fields: dict[str, str] | None = None, **kwargs: Any) -> Outcome:
        return self.post(code, {"csrf": self.token(code), **(fields or ADDRESS)}, **kwargs)


ADDRESS = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "address_line1": "12 St James's Square",
    "address_line2": "",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "region": "",
    "country": "GB",
    "consent": "yes",
    "website": "",
}


def receipt_cookies(outcome: Outcome) -> dict[str, str]:
    found = {}
    for cookie in outcome.response.cookies:
        name, _, rest = cookie.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


def text(outcome: Outcome) -> str:
    """The page's words, tags and the stylesheet left out."""
    body = re.sub(r"<style>.*?</style>", "", outcome.response.body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())
