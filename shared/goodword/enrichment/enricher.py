"""Complete an event: each needed fetch from the cache or the platform (paced by the
per-platform rate limiter), and the event as it now stands, with its enrichment state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from goodword.enrichment.answers import NO_PERMISSION, RATE_LIMITED, TIMEOUT, Answer, Found, Later, Missing, read
from goodword.enrichment.fetches import EnrichmentSettings, Fetch
from goodword.enrichment.requests import build
from goodword.events import Author, Enrichment, EnrichmentState, Event
from goodword.outbound.platform_requests import HttpRequest, RequestError
from goodword.outbound.transport import HttpResponse, TransportError
from goodword.pacing import RateCounter, read_windows, wait_seconds

MAX_DELAY_SECONDS = 900  # SQS's longest visibility delay; retries go on at this pace
# An event that has its text and author is judged after this many tries even if a read that
# only adds facts (an X users lookup) still fails: a mention is not held back a day for them.
OPTIONAL_ATTEMPTS = 3


class FetchCache(Protocol):
    """Answers already fetched, per object, until they expire (StateTable FETCH# items)."""

    def cached(self, key: str, now: datetime) -> bytes | None: ...

    def remember(self, key: str, body: bytes, expires_at: int) -> None: ...


def backoff(attempts: int) -> int:
    """Seconds before retry ``attempts`` + 1 when the platform named no time: 30 s doubling to 15 min."""
    return int(min(MAX_DELAY_SECONDS, 30 * 2 ** max(0, attempts - 1)))


class Enricher:
    def __init__(
        self,
        credentials: Callable[[], dict[str, Any]],
        http: Callable[[HttpRequest], HttpResponse],
        cache: FetchCache,
        rates: RateCounter,
        clock: Callable[[], datetime],
    ) -> None:
        self.credentials, self.http, self.cache, self.rates, self.clock = credentials, http, cache, rates, clock

    def enrich(self, event: Event, fetches: Sequence[Fetch], settings: EnrichmentSettings) -> Event:
        """The event with what was found merged in, and its enrichment state: waiting (with
        when to retry) if any fetch must be retried, else enriched or unavailable (final)."""
        now = self.clock()
        attempts = (event.enrichment.attempts if event.enrichment else 0) + 1
        answers = [(fetch, self._answer(fetch, now, settings)) for fetch in fetches]
        merged = merge(event, [a for _, a in answers if isinstance(a, Found)])
        fetched = tuple(f.kind.value for f, a in answers if isinstance(a, Found))
        later = [a for _, a in answers if isinstance(a, Later)]
        if later and attempts >= OPTIONAL_ATTEMPTS and all(not f.completes_text for f, a in answers if isinstance(a, Later)):
            answers = [(f, Missing(a.reason, a.detail) if isinstance(a, Later) else a) for f, a in answers]
            later = []
        if later:
            wait = max(int(a.seconds) if a.seconds is not None else backoff(attempts) for a in later)
            state = Enrichment(
                state=EnrichmentState.WAITING,
                reason=later[0].reason,
                detail=later[0].detail[:500] or None,
                attempts=attempts,
                retry_at=now + timedelta(seconds=min(MAX_DELAY_SECONDS, max(1, wait))),
                fetched=fetched,
            )
        else:
            missing = [a for _, a in answers if isinstance(a, Missing)]
            state = Enrichment(
                state=EnrichmentState.UNAVAILABLE if missing else EnrichmentState.ENRICHED,
                reason=missing[0].reason if missing else None,
                detail=(missing[0].detail[:500] or None) if missing else None,
                attempts=attempts,
                enriched_at=now,
                fetched=fetched,
            )
        return merged.model_copy(update={"enrichment": state})

    def _answer(self, fetch: Fetch, now: datetime, settings: EnrichmentSettings) -> Answer:
        body = self.cache.cached(fetch.cache_key, now)
        if body is not None:
            return read(fetch, HttpResponse(200, {}, body), now)
        credentials = self.credentials()
        try:
            request = build(fetch, credentials, credentials.get("api_base_urls"))
        except RequestError as exc:
            return Missing(NO_PERMISSION, str(exc))
        wait = self._pace(fetch, now)
        if wait:
            return Later(RATE_LIMITED, f"Goodword's pace for {fetch.platform} reads is reached", wait)
        try:
            response = self.http(request)
        except TransportError as exc:
            return Later(TIMEOUT, f"no answer from {fetch.platform}: {exc}")
        answer = read(fetch, response, now)
        if isinstance(answer, Found) and settings.cache_hours:
            self.cache.remember(fetch.cache_key, response.body, int((now + timedelta(hours=settings.cache_hours)).timestamp()))
        return answer

    def _pace(self, fetch: Fetch, now: datetime) -> int:
        """0 when within every read window (and counted); else seconds to wait."""
        return wait_seconds(self.rates, f"read#{fetch.platform}#{fetch.brand_account}", read_windows(fetch.platform), now)


def merge(event: Event, found: Sequence[Found]) -> Event:
    """What was fetched fills what the event lacks; what the platform delivered stays."""
    text, author, refs = event.text, event.author, event.refs
    for answer in found:
        text = text or answer.text
        if answer.permalink and not refs.permalink:
            refs = refs.model_copy(update={"permalink": answer.permalink})
        if author is None and answer.author.get("id"):
            author = Author.model_validate(answer.author)
        elif author is not None:
            current = author.model_dump()
            updates = {k: v for k, v in answer.author.items() if k != "id" and current.get(k) is None}
            author = Author.model_validate({**current, **updates})
    return Event.model_validate({**event.model_dump(), "raw": event.raw, "text": text, "author": author, "refs": refs})
