"""A person's personal data out of every table, on request (`goodword people erase`, the
console's people page).

Every identity linked to the person goes: each event they wrote keeps only what makes it a
count (kind, platform, times, what the rules decided), its raw payload is deleted, the work
made for them keeps its kind, rule, state, product and cost (an offer still waiting for
review is rejected: there is nobody left to send it to), and their profiles, markers,
cooldowns, links, the judge's examples of their posts and the platform answers enrichment
cached for their events are deleted, and so are their claims (the name, email and address
they gave for a sample, and the keyed hashes that recognise a repeat claimer; the offer keeps
its claim state, a count). Caps, the report's
totals and the budget still add up. The work is found by whom it was made for (a scan of
StateTable's work records), not only through decisions, which expire. A person who had asked to
stop leaves a suppression entry: a keyed hash of the identity that names nobody, so their
STOP holds when they write again. The erasure itself is recorded (when, by whom, how much)
without saying whom. Running it again erases nothing more and succeeds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from goodword.enrichment.fetches import possible
from goodword.event_items import event_from_item
from goodword.people import identity_parts
from goodword.person_work import work_for
from goodword.services.stores import Stores
from goodword.work import ERASED_PERSON, RejectReason, WorkState

ERASED_REASON = "the person was erased"  # an offer waiting for review when they were


@dataclass
class Erased:
    identities: int = 0
    events: int = 0
    work: int = 0
    state_items: int = 0
    claims: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.events or self.state_items or self.work or self.claims)

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


def linked(stores: Stores, identity: str) -> list[str]:
    """The identity and every identity linked to it: all of them are erased."""
    profile = stores.state.profile(identity)
    people = stores.state.identities(profile.person_id) if profile and profile.person_id else []
    return sorted({identity, *people})


def preview(stores: Stores, identity: str) -> list[str]:
    """What ``erase`` would remove, in words, without changing anything."""
    state, events = stores.state, stores.events
    identities = linked(stores, identity)
    event_count, work_count, waiting, opted_out = 0, 0, 0, False
    for each in identities:
        parts = identity_parts(each)
        if parts is None:
            continue
        event_ids = events.authored_by(*parts)
        event_count += len(event_ids)
        decided = events.decisions_for(event_ids)
        theirs = [r for r in work_for(state, [each], decided) if r.person != ERASED_PERSON]
        work_count += len(theirs)
        waiting += sum(1 for r in theirs if r.state is WorkState.PENDING_REVIEW)
        opted_out = opted_out or bool((seen := state.profile(each)) and seen.opted_out)
    claims = len(stores.claims.claim_ids_for(identities)) if stores.claims is not None else 0
    found = [
        f"{len(identities)} identit{'y' if len(identities) == 1 else 'ies'}: {', '.join(identities)}",
        f"{event_count} event(s): their text, author and raw payloads (counts stay)",
        f"{work_count} offer(s) and action(s): who they were for (kind, rule, state and cost stay)",
        "their profiles, links, markers, cooldowns and the judge's examples of their posts",
        f"{claims} claim(s): the name, email and address given",
    ]
    if waiting:
        found.append(f"{waiting} offer(s) waiting for review: rejected, as there is nobody left to send them to")
    if opted_out:
        found.append("their STOP stays, as a keyed hash that names nobody")
    return found


def erase(stores: Stores, identity: str, by: str) -> Erased:
    state, events = stores.state, stores.events
    at = datetime.now(UTC)
    now = at.isoformat()
    profile = state.profile(identity)
    identities = linked(stores, identity)
    erased = Erased(identities=len(identities))
    claims = stores.claims
    if claims is not None:  # first: a claim is found by who made it, whatever happens below
        erased.claims = sum(claims.erase(claim_id) for claim_id in claims.claim_ids_for(identities))
    for each in identities:
        parts = identity_parts(each)
        if parts is None:
            continue  # not an identity key (the command checks what it is given)
        platform, brand_account, author_id = parts
        event_ids = events.authored_by(platform, brand_account, author_id)
        decided = events.decisions_for(event_ids)
        if (stopped := state.profile(each)) is not None and stopped.opted_out:
            state.suppress(each, now)  # their STOP outlives them, naming nobody
        for record in work_for(state, [each], decided):  # found by who it is for too: decisions expire
            if record.person != ERASED_PERSON:
                if record.state is WorkState.PENDING_REVIEW:  # nobody left to send it to: out of review
                    state.decide(record, WorkState.REJECTED, by, ERASED_REASON, at, rejected_as=RejectReason.OTHER)
                state.scrub_work(record, now)
                erased.work += 1
        for item in events.events(event_ids).values():  # what enrichment fetched for them, cached
            for fetch in possible(event_from_item(item)):
                erased.state_items += state.erase_keys(fetch.cache_key)
        for event_id in event_ids:
            events.scrub(event_id, now, decided.get(event_id))
            state.delete_example(event_id)
        erased.events += len(event_ids)
        erased.state_items += state.erase_keys(each)
    if profile and profile.person_id:
        erased.state_items += state.erase_keys(profile.person_id)
    if erased.anything:
        state.record_erasure(uuid.uuid4().hex, now, by, erased.as_json())
    return erased
