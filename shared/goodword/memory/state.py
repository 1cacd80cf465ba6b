"""``InMemoryState``: StateTable's behaviour in dictionaries. Each claim's condition is checked
before any is applied, all or nothing, as a DynamoDB transaction does.

It starts empty (a backtest asks "what would these rules have done over these events") or
reads through to a live store without ever writing to it (``rules test``: "what would happen
now"): what it has not changed itself, it reads from there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from goodword.claims.states import ClaimState, check_claim_transition
from goodword.events import Event
from goodword.limits import Cap, Claim, ClaimResult, Contact, Cooldown, OncePerPerson, RecordWork, result_of
from goodword.people import Profile, handle_key, is_mention, person_key
from goodword.ports import LimitsView
from goodword.work import RejectReason, WorkKind, WorkRecord, WorkState, check_transition


def profile_from_facts(event: Event, facts: dict[str, Any], now: datetime) -> Profile:
    """A profile that gives back the profile facts the live pipeline recorded for the event."""
    earlier = "(an earlier event)"
    days = facts.get("profile.days_since_last_contact")
    return Profile(
        key=person_key(event) or "",
        first_seen=now.isoformat(),
        last_seen=now.isoformat(),
        first_event_id=event.event_id if facts.get("profile.is_new") else earlier,
        first_mention_event_id=event.event_id if facts.get("profile.is_first_mention") else earlier,
        # not the first praise, with praise counted: an earlier one was (decisions record the
        # profile's facts, not the person's)
        first_praise_event_id=event.event_id
        if facts.get("profile.is_first_praise")
        else (earlier if int(facts.get("profile.positive_mention_count") or 0) > 0 else None),
        mention_count=int(facts.get("profile.mention_count") or 0),
        positive_mention_count=int(facts.get("profile.positive_mention_count") or 0),
        offers_received=int(facts.get("profile.offers_received") or 0),
        last_contact_at=(now - timedelta(days=float(days))).isoformat() if days is not None else None,
        tags=frozenset(facts.get("profile.tags") or ()),
    )


class _Nothing:
    """An empty live store."""

    def profile(self, person: str) -> Profile | None:
        return None

    def has_seen(self, person: str, event_id: str) -> bool:
        return False

    def once_marker(self, person: str, rule_id: str) -> tuple[bool, int | None]:
        return False, None

    def cooldown_until(self, person: str) -> int | None:
        return None

    def cap_count(self, rule_id: str, period: str) -> int:
        return 0

    def get_work(self, key: str) -> WorkRecord | None:
        return None

    def suppressed(self, identity: str) -> bool:
        return False


class InMemoryState:
    def __init__(self, live: LimitsView | None = None, recorded_profiles: dict[str, dict[str, Any]] | None = None) -> None:
        self.live: LimitsView = live or _Nothing()
        self.recorded_profiles = recorded_profiles or {}
        self._profiles: dict[str, dict[str, Any]] = {}  # person -> Profile fields (partial until first seen)
        self._seen: set[tuple[str, str]] = set()
        self._once: dict[tuple[str, str], int | None] = {}
        self._cooldowns: dict[str, int] = {}
        self._caps: dict[tuple[str, str], int] = {}  # added here, on top of the live count
        self._handle_owners: dict[str, str] = {}
        self._work: dict[str, WorkRecord] = {}
        self._made: list[str] = []
        self._marks: dict[str, str] = {}
        self._identities: dict[str, set[str]] = {}  # person id -> linked identities
        self._rates: dict[str, int] = {}
        self._fetched: dict[str, tuple[bytes, int]] = {}
        self._mentions: dict[str, list[datetime]] = {}

    # --- reads ---------------------------------------------------------------------------

    def _profile_fields(self, person: str) -> dict[str, Any] | None:
        if person not in self._profiles:
            live = self.live.profile(person)
            if live is None:
                return None
            self._profiles[person] = _fields(live)
        return self._profiles[person]

    def profile(self, person: str) -> Profile | None:
        fields = self._profile_fields(person)
        return Profile(**fields) if fields and "first_seen" in fields else None

    def has_seen(self, person: str, event_id: str) -> bool:
        return (person, event_id) in self._seen or self.live.has_seen(person, event_id)

    def once_marker(self, person: str, rule_id: str) -> tuple[bool, int | None]:
        if (person, rule_id) in self._once:
            return True, self._once[(person, rule_id)]
        return self.live.once_marker(person, rule_id)

    def cooldown_until(self, person: str) -> int | None:
        return self._cooldowns[person] if person in self._cooldowns else self.live.cooldown_until(person)

    def cap_count(self, rule_id: str, period: str) -> int:
        return self.live.cap_count(rule_id, period) + self._caps.get((rule_id, period), 0)

    def suppressed(self, identity: str) -> bool:
        return self.live.suppressed(identity)  # erasure (which writes them) needs the live store

    # --- profiles ------------------------------------------------------------------------

    def record_event(self, event: Event, positive: bool, now: datetime) -> Profile | None:
        person = person_key(event)
        if person is None or event.author is None:
            return None
        if event.event_id in self.recorded_profiles:
            return profile_from_facts(event, self.recorded_profiles[event.event_id], now)
        if not self.has_seen(person, event.event_id):
            fields = dict(self._profile_fields(person) or {"key": person})
            fields.setdefault("first_seen", now.isoformat())
            fields.setdefault("first_event_id", event.event_id)
            fields["last_seen"] = now.isoformat()
            mention = is_mention(event)
            if mention:
                fields.setdefault("first_mention_event_id", event.event_id)
                if positive:
                    fields.setdefault("first_praise_event_id", event.event_id)
            fields["mention_count"] = fields.get("mention_count", 0) + (1 if mention else 0)
            fields["positive_mention_count"] = fields.get("positive_mention_count", 0) + (1 if mention and positive else 0)
            if event.author.followers_count is not None:
                fields["followers_count"] = event.author.followers_count
            self._profiles[person] = fields
            self._seen.add((person, event.event_id))
            if mention:
                self._mentions.setdefault(person, []).append(now)
        profile = self.profile(person)
        assert profile is not None  # noqa: S101 (a seen event has a profile)
        return profile

    def overturn_praise(self, person: str, event_id: str) -> bool:
        fields = self._profile_fields(person)
        if not fields or fields.get("first_praise_event_id") != event_id:
            return False
        self._profiles[person] = {k: v for k, v in fields.items() if k != "first_praise_event_id"}
        return True

    def mentions_since(self, person: str, since: datetime) -> int:
        return sum(1 for at in self._mentions.get(person, []) if at >= since)

    def tag(self, person: str, label: str) -> None:
        fields = dict(self._profile_fields(person) or {"key": person})
        fields["tags"] = frozenset({*fields.get("tags", ()), label})
        self._profiles[person] = fields

    def opt_out(self, person: str, now: datetime, why: str) -> Profile:
        fields = self._profile_fields(person)
        if fields is None or "first_seen" not in fields:
            raise KeyError(f"no profile {person}")
        if fields.get("opted_out_at") is None:  # the first request stands
            fields = {**fields, "opted_out_at": now.isoformat(), "opted_out_by": why}
        self._profiles[person] = fields
        return Profile(**fields)

    def opt_in(self, person: str) -> bool:
        fields = self._profile_fields(person)
        if not fields or fields.get("opted_out_at") is None:
            return False
        self._profiles[person] = {**fields, "opted_out_at": None, "opted_out_by": None}
        return True

    def link(self, identity: str, person_id: str) -> None:
        fields = self._profile_fields(identity) or {"key": identity}  # not seen yet: linked ahead
        self._profiles[identity] = {**fields, "person_id": person_id}
        self._identities.setdefault(person_id, set()).add(identity)
        for (owner, rule_id), expires in list(self._once.items()):
            if owner == identity:
                self._once.setdefault((person_id, rule_id), expires)  # the person's own marker stands

    def unlink(self, identity: str) -> bool:
        fields = self._profile_fields(identity)
        person_id = fields.get("person_id") if fields else None
        if fields is None or person_id is None:
            return False
        self._profiles[identity] = {**fields, "person_id": None}
        self._identities.get(person_id, set()).discard(identity)
        return True

    def handle_owner(self, platform: str, brand_account: str, handle: str, identity: str) -> str:
        # Handles claimed here only (the live store's are not read: a backtest links what it sees).
        return self._handle_owners.setdefault(handle_key(platform, brand_account, handle), identity)

    def identities(self, person_id: str) -> list[str]:
        return sorted(self._identities.get(person_id, set()))

    # --- claims --------------------------------------------------------------------------

    def claim(self, claims: Sequence[Claim]) -> ClaimResult:
        result = result_of(list(claims), [not self._holds(c) for c in claims])
        if result.ok:
            for claim in claims:
                self._apply(claim)
        return result

    def _holds(self, claim: Claim) -> bool:
        now = int(claim.now.timestamp()) if isinstance(claim, OncePerPerson | Cooldown) else 0
        if isinstance(claim, RecordWork):
            return self.get_work(claim.record.key) is None
        if isinstance(claim, OncePerPerson):
            acted, expires = self.once_marker(claim.person, claim.rule_id)
            return not acted or (claim.days is not None and expires is not None and expires < now)
        if isinstance(claim, Cooldown):
            until = self.cooldown_until(claim.person)
            return until is None or until <= now
        if isinstance(claim, Cap):
            return self.cap_count(claim.rule_id, claim.period) < claim.cap
        return True  # Contact

    def _apply(self, claim: Claim) -> None:
        if isinstance(claim, RecordWork):
            self._work[claim.record.key] = claim.record
            self._made.append(claim.record.key)
        elif isinstance(claim, OncePerPerson):
            self._once[(claim.person, claim.rule_id)] = claim.expires_at
        elif isinstance(claim, Cooldown) and claim.charge:
            self._cooldowns[claim.person] = claim.until
        elif isinstance(claim, Cap):
            self._caps[(claim.rule_id, claim.period)] = self._caps.get((claim.rule_id, claim.period), 0) + 1
        elif isinstance(claim, Contact):
            fields = dict(self._profile_fields(claim.person) or {"key": claim.person})
            fields["last_contact_at"] = claim.now.isoformat()
            fields["offers_received"] = fields.get("offers_received", 0) + (1 if claim.offer else 0)
            self._profiles[claim.person] = fields

    def count_claim(self, person: str) -> None:
        """A claim was stored for an offer to ``person`` (StateTable: ``claims_made``, in the claim's write)."""
        fields = dict(self._profile_fields(person) or {"key": person})
        fields["claims_made"] = fields.get("claims_made", 0) + 1
        self._profiles[person] = fields

    # --- work records ----------------------------------------------------------------------

    def get_work(self, key: str) -> WorkRecord | None:
        if key not in self._work:
            live = self.live.get_work(key)
            if live is None:
                return None
            self._work[key] = live
        return self._work[key]

    def made(self) -> list[WorkRecord]:
        """The offers and actions made here, in order (not those of the live store)."""
        return [self._work[key] for key in self._made]

    def list_work(
        self, states: Iterable[WorkState] | None = None, since: datetime | None = None, kind: WorkKind = WorkKind.OFFER_SAMPLE
    ) -> list[WorkRecord]:
        wanted = set(states or WorkState)
        start = since.astimezone(UTC).isoformat() if since else ""
        found = [r for r in self._work.values() if r.kind is kind and r.state in wanted and f"{r.created_at}#{r.id}" >= start]
        return sorted(found, key=lambda r: r.created_at, reverse=True)

    def mark_queued(self, record: WorkRecord, now: datetime) -> None:
        self._set(record, queued_at=now.isoformat())

    def decide(
        self,
        record: WorkRecord,
        to: WorkState,
        reviewer: str,
        reason: str | None,
        now: datetime,
        *,
        rejected_as: RejectReason | None = None,
        message: str | None = None,
        contact: Sequence[Contact | Cooldown] = (),
    ) -> bool:
        check_transition(WorkState.PENDING_REVIEW, to)
        current = self.get_work(record.key)
        if current is None or current.state is not WorkState.PENDING_REVIEW:
            return False
        extra: dict[str, Any] = {"reason": reason} if reason else {}
        if rejected_as is not None:
            extra["rejected_as"] = rejected_as
        if message is not None:
            extra["message"] = message
        self._set(current, state=to, reviewed_by=reviewer, reviewed_at=now.isoformat(), **extra)
        for claim in contact:  # a person approved it: counted whatever the cooldown says
            self._apply(claim)
        return True

    def start_sending(self, record: WorkRecord, attempt: str, now: datetime) -> bool:
        current = self.get_work(record.key)
        if current is None:
            return False
        holds = current.state is WorkState.APPROVED or (current.state is WorkState.SENDING and current.attempt_id == attempt)
        if holds:
            self._set(current, state=WorkState.SENDING, attempt_id=attempt, attempt_started_at=now.isoformat())
        return holds

    def finish(self, record: WorkRecord, attempt: str, to: WorkState, now: datetime, **fields: Any) -> bool:
        check_transition(WorkState.SENDING, to)
        current = self.get_work(record.key)
        if current is None or current.attempt_id != attempt:
            return False
        self._set(current, state=to, finished_at=now.isoformat(), **fields)
        return True

    def release(self, record: WorkRecord, attempt: str) -> bool:
        current = self.get_work(record.key)
        if current is None or current.attempt_id != attempt:
            return False
        self._set(current, state=WorkState.APPROVED, attempt_id=None, attempt_started_at=None)
        return True

    def mark_announced(self, record: WorkRecord, now: datetime) -> None:
        self._set(record, announced_at=now.isoformat())

    def update_work(self, key: str, **fields: Any) -> WorkRecord | None:
        """Set fields on a stored record (the claims adapter moves an offer's ``claim_state``);
        None when there is no such record."""
        current = self.get_work(key)
        if current is None:
            return None
        self._set(current, **fields)
        return self._work[key]

    def _set(self, record: WorkRecord, **fields: Any) -> None:
        current = self._work.get(record.key, record)
        self._work[record.key] = current.model_copy(update=fields)

    # --- send limits -----------------------------------------------------------------------

    def mark_once(self, mark: str, owner: str) -> bool:
        return self._marks.setdefault(mark, owner) == owner

    def cached(self, fetch_key: str, now: datetime) -> bytes | None:
        body, expires_at = self._fetched.get(fetch_key, (b"", 0))
        return body if expires_at > now.timestamp() else None

    def remember(self, fetch_key: str, body: bytes, expires_at: int) -> None:
        self._fetched[fetch_key] = (body, expires_at)

    def count_rate(self, counter: str, limit: int, expires_at: int) -> bool:
        if self._rates.get(counter, 0) >= limit:
            return False
        self._rates[counter] = self._rates.get(counter, 0) + 1
        return True

    # --- claim expiry (goodword.claims.expiry; issue 23) ------------------------------------

    def unclaimed_offers(self, made_by: datetime) -> list[WorkRecord]:
        by = made_by.astimezone(UTC).isoformat()
        return [
            r
            for r in self.list_work([WorkState.SENT])
            if r.created_at <= by and r.claim_state in (None, ClaimState.OFFERED.value)
        ]

    def expire_offer(self, offer: WorkRecord, now: datetime) -> bool:
        check_claim_transition(ClaimState.OFFERED, ClaimState.EXPIRED)
        current = self.get_work(offer.key)
        if current is None or current.state is not WorkState.SENT or current.claim_state not in (None, ClaimState.OFFERED.value):
            return False
        self._set(current, claim_state=ClaimState.EXPIRED.value)
        return True


def _fields(profile: Profile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in profile.__dataclass_fields__}
