"""The review queue: offers a rule held for a person (``review: manual``, below its
``automatic_above_confidence``, or held by the eligibility policy) and posts a rule flagged,
each with what a reviewer needs beside it; and the decision on one of them.

``decide`` is the one entry the command, the console's API and Slack's buttons call, so a
decision means the same wherever it is made: an approved offer counts as a contact and is
queued to be sent once; a rejection is no contact; an approval teaches the judge the post is
praise, a rejection as not praise that it is not (and gives the rule's once-per-person limit
back). The state table's conditional move from ``pending_review`` decides a race: of two
approvals (a double click, the console and Slack at once) one wins, the other is a Conflict."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from goodword.events import EventKind, Platform
from goodword.holds import offer_review, why_pending
from goodword.limits import Contact, Cooldown, approved_contact
from goodword.message_edits import EditContext, edited_message
from goodword.opt_out import contact_refusal
from goodword.outbound.notify import post_url
from goodword.people import Profile
from goodword.policy import Channel, DeliverLink, capability
from goodword.rules.engine import RuleBook
from goodword.rules.templates import PLACEHOLDERS, placeholders_in
from goodword.sentiment.examples import ExampleSource
from goodword.sentiment.explain import describe
from goodword.sentiment.model import Sentiment
from goodword.services.errors import Conflict, Invalid, NotFound, Problem, Refused, ServiceError
from goodword.services.judgement import record_example
from goodword.services.since import since as since_of
from goodword.services.stores import Stores
from goodword.work import REVIEWED, RejectReason, WorkKind, WorkRecord, WorkState

Decision = Literal["approve", "reject"]
_CLAIM = ("claim_link", "claim_code")


@dataclass(frozen=True)
class EditLimits:
    """What an edited message may hold: the placeholders it may use, those it must keep (the
    claim the rule's message gives the person), and the platform's length limit."""

    placeholders: list[str]
    must_keep: list[str]
    max_length: int | None  # None: the channel is not known

    def as_json(self) -> dict[str, Any]:
        return {"placeholders": self.placeholders, "must_keep": self.must_keep, "max_length": self.max_length}


@dataclass(frozen=True)
class ReviewItem:
    """A waiting offer or flag with what a reviewer sees beside it."""

    record: WorkRecord
    event: dict[str, Any]  # the stored event ({} when it is gone)
    sentiment: Sentiment | None  # the judgement the rules saw (the event's decisions record)
    profile: Profile | None
    opted_out: str | None  # asked to stop after the offer was made: approval is refused
    identities: list[str]  # every identity linked to the person (the person's own first)
    claims_total: int  # claims made over every linked identity
    why_held: str
    edit: EditLimits | None  # None: a flag, nothing to edit

    @property
    def event_text(self) -> str | None:
        text = self.event.get("text")
        return str(text) if text is not None else None

    def judgement(self) -> dict[str, Any] | None:
        s = self.sentiment
        if s is None:
            return None
        return {
            "praise": s.praise,
            "sarcasm": s.sarcasm,
            "band": s.band.value,
            "label": s.label.value,
            "words": describe(s),
            "second_opinion": s.reason,
        }

    def person(self) -> dict[str, Any]:
        author, profile = self.event.get("author") or {}, self.profile
        followers = profile.followers_count if profile and profile.followers_count is not None else author.get("followers_count")
        return {
            "person": self.record.person,
            "handle": self.record.author_handle,
            "name": author.get("name"),
            "followers_count": followers,
            "account_created_at": author.get("created_at"),
            "first_seen": profile.first_seen if profile else None,
            "mention_count": profile.mention_count if profile else None,
            "positive_mention_count": profile.positive_mention_count if profile else None,
            "offers_received": profile.offers_received if profile else None,
            "claims_total": self.claims_total,
            "linked_identities": [i for i in self.identities if i != self.record.person],
            "opted_out": self.opted_out,
        }

    def as_json(self) -> dict[str, Any]:
        """The console's ReviewItem (docs/console-api.md)."""
        return {
            **self.record.fields(),
            "event_text": self.event_text,
            "post_url": post_url(self.record),
            "why_held": self.why_held,
            "judgement": self.judgement(),
            "person": self.person(),
            "edit": self.edit.as_json() if self.edit else None,
        }


@dataclass(frozen=True)
class Queue:
    offers: list[ReviewItem]
    flags: list[ReviewItem]

    def as_json(self) -> dict[str, Any]:
        return {"offers": [o.as_json() for o in self.offers], "flags": [f.as_json() for f in self.flags]}


def pending(stores: Stores) -> Queue:
    """The offers and flags waiting for a person, newest first, each with its context."""
    book = stores.rules_loader()
    return Queue(
        offers=_with_context(stores, stores.state.list_work([WorkState.PENDING_REVIEW], kind=WorkKind.OFFER_SAMPLE), book),
        flags=_with_context(stores, stores.state.list_work([WorkState.PENDING_REVIEW], kind=WorkKind.FLAG), book),
    )


def _with_context(stores: Stores, records: list[WorkRecord], book: RuleBook) -> list[ReviewItem]:
    if not records:
        return []
    events = stores.events.events(r.event_id for r in records)
    decisions = stores.events.decisions_for(r.event_id for r in records)
    profiles = stores.state.profiles(r.person for r in records)
    reviews: dict[tuple[str, int], Any] = {}
    found = []
    for record in sorted(records, key=lambda r: r.created_at, reverse=True):
        profile = profiles.get(record.person)
        decided = decisions.get(record.event_id)
        sentiment = decided.sentiment if decided else None
        identities = stores.state.identities(profile.person_id) if profile and profile.person_id else [record.person]
        others = [i for i in identities if i != record.person]
        linked = stores.state.profiles(others) if others else {}
        claims = (profile.claims_made if profile else 0) + sum(p.claims_made for p in linked.values())
        event = events.get(record.event_id, {})
        if (record.rule_id, record.rule_version) not in reviews:
            reviews[(record.rule_id, record.rule_version)] = _review_of(stores, record)
        found.append(
            ReviewItem(
                record=record,
                event=event,
                sentiment=sentiment,
                profile=profile,
                opted_out=contact_refusal(profile),
                identities=[record.person, *others],
                claims_total=claims,
                why_held=why_pending(record, reviews[(record.rule_id, record.rule_version)], sentiment),
                edit=_limits(record, _rule_message(book, record)) if record.is_offer else None,
            )
        )
    return found


def _review_of(stores: Stores, record: WorkRecord) -> Any:
    """The review setting of the rule version that made ``record`` (None: not stored)."""
    live = stores.rules.get(record.rule_id)
    if live is not None and live.version == record.rule_version:
        return offer_review(live.definition, record)
    versions = {r.version: r for r in stores.rules.history(record.rule_id)}
    rule = versions.get(record.rule_version)
    return offer_review(rule.definition, record) if rule else None


def _rule_message(book: RuleBook, record: WorkRecord) -> str | None:
    """The live rule's offer message (None: the rule is gone)."""
    rule = next((c.rule for c in book.rules if c.rule.id == record.rule_id), None)
    offer = next((a.offer_sample for a in rule.actions if a.offer_sample), None) if rule else None
    return offer.message if offer else None


def _limits(record: WorkRecord, rule_message: str | None) -> EditLimits:
    """What ``edited_message`` will accept for this offer, for a form to say before it is sent."""
    asks_for_dm = record.deliver_link == DeliverLink.ASK_TO_DM
    names = [n for n in PLACEHOLDERS if not (asks_for_dm and n in _CLAIM)]
    used: set[str] = set()
    if rule_message is not None:
        with contextlib.suppress(ValueError):
            used = set(placeholders_in(rule_message))
    elif record.claim_link and record.claim_link in (record.message or ""):
        used = {"claim_link"}
    keep = [] if asks_for_dm else [n for n in _CLAIM if n in used and getattr(record, n)]
    return EditLimits(placeholders=names, must_keep=keep, max_length=_max_length(record))


def _max_length(record: WorkRecord) -> int | None:
    if record.channel is None:
        return None
    try:
        found = capability(Platform(record.platform), Channel(record.channel), EventKind(record.event_kind))
    except ValueError:
        return None
    return found.max_length if found else None


# --- a decision -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """The offer or flag after a decision, and whether it went to the actions queue now."""

    record: WorkRecord
    queued: bool
    decided: bool  # False: an earlier approval had stopped before queueing (finish_queueing)

    @property
    def id(self) -> str:
        return self.record.id

    def as_json(self) -> dict[str, Any]:
        return {"id": self.record.id, "state": self.record.state.value, "queued": self.queued}


def find(stores: Stores, offer_id: str) -> WorkRecord:
    """The offer or flag with this id; NotFound for anything else."""
    record = stores.state.find_work(offer_id.strip())
    if record is None:
        raise NotFound(f"no offer or flag {offer_id} (see `goodword review list`)")
    if record.kind not in REVIEWED:
        raise NotFound(f"{record.id} is a {record.kind.value}, not an offer or a flag (see `goodword review list`)")
    return record


def decide(
    stores: Stores,
    offer_id: str,
    decision: Decision,
    who: str,
    *,
    message: str | None = None,
    because: str | None = None,
    reason: str | None = None,
) -> Decided:
    """Approve or reject a waiting offer, or mark a flag done or dismiss it. ``message``: an
    approved offer's edited message (the rule's placeholders, checked); ``because``: why an
    offer is rejected (a RejectReason's value, needed for a waiting offer); ``reason``: a note.

    NotFound: no such offer or flag. Invalid: a bad message or reason. Refused: the person
    asked to stop while the offer waited. Conflict: it is no longer waiting for review."""
    if decision not in ("approve", "reject"):
        raise Invalid([Problem("decision", f"{decision!r}: approve or reject")])
    record = find(stores, offer_id)
    if decision == "approve":
        edited = _edited(stores, record, message) if message is not None else None
        return _approve(stores, record, who, edited)
    rejected_as = _reject_reason(record, because)
    return _reject(stores, record, who, rejected_as, reason)


def _reject_reason(record: WorkRecord, because: str | None) -> RejectReason | None:
    if record.is_flag:
        return None  # a flag is dismissed: no reason kind
    if because is None:
        if record.state is WorkState.PENDING_REVIEW:
            reasons = "|".join(r.value for r in RejectReason)
            raise Invalid([Problem("because", f"say why the offer is rejected: {reasons} (only not-praise teaches the judge)")])
        return None
    try:
        return RejectReason(because)
    except ValueError:
        raise Invalid([Problem("because", f"{because!r}: one of {', '.join(r.value for r in RejectReason)}")]) from None


def _edited(stores: Stores, record: WorkRecord, template: str) -> str:
    """The reviewer's message, checked against the rule's placeholders and the platform's limit."""
    if not record.is_offer:
        raise Invalid([Problem("message", f"{record.id} is a flag: there is no message to edit")])
    loader = stores.rules_loader
    event = stores.events.events([record.event_id]).get(record.event_id, {})
    account = loader.account(record.platform, record.brand_account)
    context = EditContext(
        rule_message=_rule_message(loader(), record),
        author_name=(event.get("author") or {}).get("name"),
        brand_handle=account.handle if account else None,
    )
    try:
        return edited_message(template, record, context)
    except ValueError as exc:
        raise Invalid([Problem("message", str(exc))]) from None


def _approve(stores: Stores, record: WorkRecord, who: str, message: str | None) -> Decided:
    state, now = stores.state, datetime.now(UTC)
    contact: list[Contact | Cooldown] = []
    if record.is_offer:
        profile = state.profile(record.person)
        if stopped := contact_refusal(profile):  # the person wrote STOP while the offer waited
            raise Refused(f"{record.id} not approved: {stopped}; reject it")
        # held, the offer was no contact; approved, it is one (its count and the cooldown)
        cooldown_days = stores.rules_loader().settings.cooldown_days
        contact = approved_contact(record.person, profile.person_id if profile else None, True, cooldown_days, now)
    decided = state.decide(record, WorkState.APPROVED, who, None, now, message=message, contact=contact)
    current = state.get_work(record.key) or record
    if not decided:  # someone decided first (a double click, the console and Slack at once)
        raise Conflict(f"{record.id} is {current.state_label}, not waiting for review")
    if record.is_offer:
        _learn(stores, record, True, who)
    queued = _queue(stores, current)
    return Decided(queued or current, queued=queued is not None, decided=True)


def finish_queueing(stores: Stores, offer_id: str) -> Decided | None:
    """Queue an approved offer whose approval stopped before it reached the actions queue (the
    command's `review approve` again does it); None when there is none to queue. A duplicate
    message is harmless: the actions function sends each offer once."""
    record = find(stores, offer_id)
    queued = _queue(stores, record)
    return Decided(queued, queued=True, decided=False) if queued else None


def _queue(stores: Stores, record: WorkRecord) -> WorkRecord | None:
    """The approved offer, queued to be sent; None when it is not waiting to be queued."""
    if not record.waiting_to_queue:
        return None
    stores.queue.send([record.queue_message()])
    queued_at = datetime.now(UTC)
    stores.state.mark_queued(record, queued_at)
    return record.model_copy(update={"queued_at": queued_at.isoformat()})


def _reject(stores: Stores, record: WorkRecord, who: str, rejected_as: RejectReason | None, reason: str | None) -> Decided:
    state = stores.state
    decided = state.decide(record, WorkState.REJECTED, who, reason, datetime.now(UTC), rejected_as=rejected_as)
    current = state.get_work(record.key) or record
    if not decided:
        raise Conflict(f"{record.id} is {current.state_label}, not waiting for review")
    if record.is_offer and rejected_as is RejectReason.NOT_PRAISE:
        _not_praise(stores, record, who)
    return Decided(current, queued=False, decided=True)


def _not_praise(stores: Stores, record: WorkRecord, who: str) -> None:
    """A rejection teaches the judge only when the post is not praise. Then it is not the
    person's first praise either, and the offer the judge's mistake made does not use up the
    rule's once-per-person limit: their first real praise can be offered. Other reasons say
    nothing of the post, and the limit stays used."""
    state = stores.state
    _learn(stores, record, False, who)
    state.overturn_praise(record.person, record.event_id)
    profile = state.profile(record.person)
    owners = [record.person, *([profile.person_id] if profile and profile.person_id else [])]
    state.release_once(owners, record.rule_id, record.created_at)


def _learn(stores: Stores, record: WorkRecord, praise: bool, who: str) -> None:
    """A decision is a labelled example for the judge (`goodword judgement retrain`)."""
    with contextlib.suppress(ServiceError):  # the event is gone (retention) or has no text: nothing to learn from
        record_example(stores, record.event_id, praise, ExampleSource.REVIEW, who)


# --- offers, whatever their state -------------------------------------------------------------------


def list_offers(stores: Stores, state: str | None = None, since: str | datetime = "7d") -> list[WorkRecord]:
    """Offers made since then, in one state or all, newest first."""
    states: Iterable[WorkState] | None = None
    if state:
        try:
            states = [WorkState(state)]
        except ValueError:
            raise Invalid([Problem("state", f"{state!r}: one of {', '.join(s.value for s in WorkState)}")]) from None
    start = since if isinstance(since, datetime) else since_of(since)
    return stores.state.list_work(states, since=start, kind=WorkKind.OFFER_SAMPLE)
