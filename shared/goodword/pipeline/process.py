"""One event through the rules: remember the person, evaluate the rules, charge the limits
and record the work atomically, queue what is approved, record every decision.

Retries are safe at every step: the profile counts an event once, work records are keyed by
event + rule + action, and a record found again is queued again only if it never was (the
actions function dedupes on the idempotency key)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from goodword.decisions import Decisions, RuleDecision
from goodword.eligibility import excluded, held
from goodword.events import Event, Platform
from goodword.limits import Cap, Claim, Contact, Cooldown, OncePerPerson, RecordWork
from goodword.linking import LinkError, link, spread
from goodword.observability import logger
from goodword.opt_out import ADDRESSED, NOTHING, StopVerdict, contact_refusal, hear
from goodword.people import Profile, person_key
from goodword.policy import Channel, DeliverLink, automatic_channel, link_placement, offer_channel, refusal
from goodword.ports import DecisionLog, RulesSource, StateStore, WorkQueue
from goodword.rules.engine import CompiledRule, Decision, Outcome, RuleBook, evaluate
from goodword.rules.model import Action, AutomaticAbove, Review, Rule, Scope, Settings
from goodword.rules.policy_check import channel_of
from goodword.rules.templates import render
from goodword.sentiment.model import Band, Sentiment, SentimentLabel
from goodword.work import WorkKind, WorkRecord, WorkState, claim_code, work_id, work_key

_CONTACT = ("offer_sample", "reply", "direct_message")


@dataclass
class EventResult:
    event_id: str
    sentiment: Sentiment | None
    profile: Profile | None
    facts: dict[str, Any] = field(default_factory=dict)  # what the rules saw
    decisions: list[Decision] = field(default_factory=list)


def event_facts(
    event: Event,
    profile: Profile | None,
    sentiment: Sentiment | None,
    now: datetime,
    person: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The flat facts rules test (rules/fields.py). ``person``: what Goodword's memory says
    beyond the profile (person_facts); left out, those facts are not known."""
    author = event.author
    created = author.created_at if author else None
    facts: dict[str, Any] = {
        "event.kind": event.kind.value,
        "event.platform": event.platform.value,
        "event.brand_account": event.brand_account,
        "event.text": event.text or "",
        "event.lang": event.lang,
        "event.is_edit": event.refs.edits is not None,
        "author.id": author.id if author else None,
        "author.handle": author.handle if author else None,
        "author.followers_count": author.followers_count if author else None,
        "author.has_blocked_brand": author.has_blocked_brand if author else False,
        "author.followers": author.followers_count if author else None,
        "author.following": author.following_count if author else None,
        "author.account_age_days": round((now - created).total_seconds() / 86400, 1) if created else None,
        "author.verified": author.verified if author else None,
        "author.default_profile": author.default_profile if author else None,
        "author.is_private": author.is_private if author else None,
        "author.accepts_dms": author.accepts_dms if author else None,
        "sentiment.label": sentiment.label.value if sentiment else None,
        "sentiment.score": sentiment.score if sentiment else None,
        "sentiment.confidence": sentiment.confidence if sentiment else None,
        "sentiment.band": sentiment.band.value if sentiment else None,
        "sentiment.praise": sentiment.praise if sentiment else None,
        "sentiment.complaint": sentiment.complaint if sentiment else None,
        "sentiment.sarcasm": sentiment.sarcasm if sentiment else None,
        "sentiment.vetoes": [v.value for v in sentiment.vetoes] if sentiment else [],
    }
    facts.update(
        profile.facts(event.event_id, now)
        if profile
        else {
            "profile.is_first_mention": False,
            "profile.is_first_praise": False,
            "profile.is_new": False,
            "person.opted_out": False,
        }
    )
    facts.update(person or {})  # without Goodword's memory (the engine bench): not known
    return facts


def person_facts(state: StateStore, profile: Profile | None, now: datetime, event_id: str = "") -> dict[str, Any]:
    """Recent mentions of this identity; offers made, claims made and praise given before
    ``event_id`` over every identity linked to the person."""
    if profile is None:
        return {
            "person.mentions_last_24h": 0,
            "person.offers_total": 0,
            "person.claims_total": 0,
            "person.praised_before": False,
        }
    profiles = [profile]
    if profile.person_id:
        others = [k for k in state.identities(profile.person_id) if k != profile.key]
        profiles += [p for k in others if (p := state.profile(k)) is not None]
    return {
        "person.mentions_last_24h": state.mentions_since(profile.key, now - timedelta(hours=24)),
        "person.offers_total": sum(p.offers_received for p in profiles),
        "person.claims_total": sum(p.claims_made for p in profiles),
        "person.praised_before": any(p.praised_before(event_id) for p in profiles),
    }


class Pipeline:
    """Decides events. Depends on ports only: the handler gives it DynamoDB and SQS, a
    backtest gives it the in-memory adapters. It emits no metrics: its results say what
    happened, and the handler counts them."""

    def __init__(
        self,
        rules: RulesSource,
        state: StateStore,
        decisions: DecisionLog,
        queue: WorkQueue,
        decision_retention: timedelta,
        clock: Callable[[], datetime],
        claim_page_url: str | None = None,
    ) -> None:
        self.rules = rules
        self.state = state
        self.decisions = decisions
        self.queue = queue
        self.decision_retention = decision_retention
        self.clock = clock
        self.claim_page_url = claim_page_url  # the stack's own claim page: links point there unless settings say

    def _same_username(self, event: Event, profile: Profile, now: datetime) -> Profile:
        """Instagram names one person two ways: a comment's author by the Instagram-scoped id
        (``from.id``), a mention's, once enriched, by the username alone (the mentioned_comment
        and mentioned_media reads give no id). The first identity to show a username on a brand
        account owns it; another identity showing it there is linked to that one: one person,
        one sample."""
        author = event.author
        if event.platform is not Platform.INSTAGRAM or author is None or not author.handle:
            return profile
        owner = self.state.handle_owner(event.platform.value, event.brand_account, author.handle, profile.key)
        if owner == profile.key or (profile.person_id and owner in self.state.identities(profile.person_id)):
            return profile
        try:
            link(self.state, owner, profile.key, now)
        except LinkError:  # the owner's profile was erased: this identity stands alone
            return profile
        return self.state.profile(profile.key) or profile

    def process(self, event: Event, sentiment: Sentiment | None) -> EventResult:
        now = self.clock()
        book = self.rules()
        positive = sentiment is not None and sentiment.label is SentimentLabel.POSITIVE
        profile = self.state.record_event(event, positive, now)
        if profile is not None:
            profile = self._same_username(event, profile, now)
        heard = hear(event.text, book.settings.opt_out) if event.kind in ADDRESSED else NOTHING
        stop = heard.said if heard.verdict is StopVerdict.STOP else None
        if stop and profile is not None and not profile.opted_out:
            profile = self.state.opt_out(profile.key, now, f"said {stop!r} in {event.event_id}")
            spread(self.state, profile, now)  # and on every identity linked to the person
        profile = self._suppressed_again(profile, event, now)
        memory = {
            **person_facts(self.state, profile, now, event.event_id),
            "event.edited_after_offer": self._offered_before_edit(event, book),
            "event.may_ask_to_stop": heard.said if heard.verdict is StopVerdict.UNSURE else None,
        }
        facts = event_facts(event, profile, sentiment, now, memory)
        result = EventResult(event.event_id, sentiment, profile, facts)
        stopped_by: str | None = None
        for compiled, matched in evaluate(book, facts, now):
            decision = matched
            if matched.outcome is Outcome.MATCHED:
                if stopped_by:
                    decision = matched.becomes(Outcome.STOPPED, f"{stopped_by} acted and stops later rules")
                else:
                    decision = self._act(compiled, matched, event, profile, sentiment, book.settings, now, facts)
                    if decision.outcome is Outcome.ACTED and compiled.rule.stop_after:
                        stopped_by = compiled.rule.id
            result.decisions.append(decision)
        record = Decisions(
            decided_at=now,
            sentiment=sentiment,
            profile={k: v for k, v in facts.items() if k.startswith("profile.")},
            decisions=tuple(RuleDecision.of(d) for d in result.decisions),
            opted_out=stop or None,
        )
        self.decisions.record_decisions(event, record, self.decision_retention)
        logger.info(
            "event decided",
            extra={"event_id": event.event_id, "decisions": {d.rule_id: d.outcome.value for d in result.decisions}},
        )
        return result

    def _suppressed_again(self, profile: Profile | None, event: Event, now: datetime) -> Profile | None:
        """A person who asked to stop and was then erased comes back as a new profile: their
        suppression entry opts it out again (only new profiles are looked up: one read)."""
        if profile is None or profile.opted_out or profile.first_event_id != event.event_id:
            return profile
        if not self.state.suppressed(profile.key):
            return profile
        return self.state.opt_out(profile.key, now, "asked to stop before an erasure (suppression entry)")

    def _offered_before_edit(self, event: Event, book: RuleBook) -> bool:
        """Whether this event edits a post that was offered a sample (not rejected)."""
        if not event.refs.edits:
            return False
        original = f"{event.platform.value}#{event.brand_account}#{event.refs.edits}"
        keys = [
            work_key(WorkKind.OFFER_SAMPLE, work_id(original, compiled.rule.id, index))
            for compiled in book.rules
            for index, action in enumerate(compiled.rule.actions)
            if action.offer_sample
        ]
        return any(record is not None and record.state is not WorkState.REJECTED for record in map(self.state.get_work, keys))

    # --- acting ---------------------------------------------------------------------------

    def _act(
        self,
        compiled: CompiledRule,
        decision: Decision,
        event: Event,
        profile: Profile | None,
        sentiment: Sentiment | None,
        settings: Settings,
        now: datetime,
        facts: dict[str, Any],
    ) -> Decision:
        """Charge the limits and record the work in one transaction: the rule's decision
        (acted, or why not)."""
        rule = compiled.rule
        person = person_key(event)
        if person is None or event.author is None:
            erased = event.erased_at is not None
            why = "no author: the person was erased" if erased else "the platform sent no author to act for (ids only)"
            return decision.becomes(Outcome.LIMITED, why)
        channels = _may_contact(rule, event, profile, settings, facts)
        if isinstance(channels, tuple):
            return decision.becomes(*channels)
        linked = profile.person_id if profile is not None and profile.person_id else None
        once_key = linked if linked and once_scope(rule) is Scope.PERSON else person
        records: list[WorkRecord] = []
        for index, action in enumerate(rule.actions):
            if action.kind in _CONTACT and index not in channels:
                continue  # held (above)
            channel = channels.get(index)
            record = self._record(action, index, rule, compiled.version, event, person, sentiment, settings, now, facts, channel)
            if record is not None:
                if channel is not None:
                    record = record.model_copy(update={"channel": channel.value})
                records.append(record)
        # A contact is what goes out now: an offer held for review is none until a person
        # approves it (`goodword review approve` charges it then); the cooldown still holds it.
        contacting = [r for r in records if r.channel is not None and r.state is WorkState.APPROVED]
        # the cooldown is the person's: a contact on X cools their linked Instagram identity too
        claims: list[Claim] = self._limits(rule, linked or person, once_key, bool(channels), bool(contacting), settings, now)
        claims += [RecordWork(r) for r in records]
        if contacting:
            claims.append(Contact(person, now, offer=any(r.is_offer for r in contacting)))
        claim = self.state.claim(claims)
        if claim.blocked_by:
            return decision.becomes(Outcome.LIMITED, claim.blocked_by)
        for action in rule.actions:
            if action.tag:
                self.state.tag(person, action.tag.label)
        if claim.already_done:  # a retry: re-read what was recorded, queue what never was
            records = [r for r in (self.state.get_work(r.key) for r in records) if r is not None]
        self._queue([r for r in records if r.waiting_to_queue], now)
        return decision.becomes(Outcome.ACTED, "; ".join(f"{r.kind.value} {r.id} {r.state.value}" for r in records) or "tagged")

    def _queue(self, records: list[WorkRecord], now: datetime) -> None:
        if records:
            self.queue.send([r.queue_message() for r in records])
            for record in records:
                self.state.mark_queued(record, now)

    def _limits(
        self, rule: Rule, cool_key: str, once_key: str, contact: bool, charge: bool, settings: Settings, now: datetime
    ) -> list[Claim]:
        """The claims that charge the rule's limits (all or none, with the work); the cooldown
        is only checked when no contact goes out now (``charge``)."""
        claims: list[Claim] = []
        if rule.limits.once_per_person is not None:
            days = None if rule.limits.once_per_person == "forever" else rule.limits.once_per_person.days
            claims.append(OncePerPerson(once_key, rule.id, days, now))
        if contact and settings.cooldown_days:
            claims.append(Cooldown(cool_key, settings.cooldown_days, now, charge=charge))
        return claims + self._caps(rule, settings, now)

    def _caps(self, rule: Rule, settings: Settings, now: datetime) -> list[Claim]:
        local = now.astimezone(ZoneInfo(settings.time_zone))
        year, week, _ = local.isocalendar()
        caps = [
            (rule.limits.per_day, f"DAY#{local.date().isoformat()}", "daily"),
            (rule.limits.per_week, f"WEEK#{year}-W{week:02d}", "weekly"),
            (rule.limits.total, "TOTAL", "total"),
        ]
        return [Cap(rule.id, period, cap, label) for cap, period, label in caps if cap]

    def _record(
        self,
        action: Action,
        index: int,
        rule: Rule,
        version: int,
        event: Event,
        person: str,
        sentiment: Sentiment | None,
        settings: Settings,
        now: datetime,
        facts: dict[str, Any],
        channel: Channel | None = None,
    ) -> WorkRecord | None:
        if action.tag:
            return None
        identifier = work_id(event.event_id, rule.id, index)
        author = event.author
        account = self.rules.account(event.platform.value, event.brand_account)
        values: dict[str, Any] = {
            "author_handle": f"@{author.handle}" if author and author.handle else (author.name if author else ""),
            "author_name": (author.name or author.handle) if author else "",
            "brand_handle": f"@{account.handle}" if account and account.handle else "",
            "platform": event.platform.value,
        }
        base: dict[str, Any] = {
            "id": identifier,
            "event_kind": event.kind.value,
            "event_time": event.occurred_at.isoformat(),
            "rule_id": rule.id,
            "rule_version": version,
            "event_id": event.event_id,
            "person": person,
            "platform": event.platform.value,
            "brand_account": event.brand_account,
            "author_id": author.id if author else None,
            "author_handle": author.handle if author else None,
            "refs": event.refs.model_dump(exclude_none=True),
            "created_at": now.isoformat(),
            "idempotency_key": identifier,
        }
        if action.offer_sample:
            offer = action.offer_sample
            code = claim_code()
            link = claim_link(settings, self.claim_page_url, code)
            hold = contact_hold(settings, facts)
            state = WorkState.APPROVED if _automatic(offer.review, sentiment) and not hold else WorkState.PENDING_REVIEW
            offer_values = {**values, "product": offer.product, "claim_link": link, "claim_code": code}
            said, link_message = render(offer.message, offer_values), None
            placed = None
            if channel is not None:  # where the claim link goes (deliver_link)
                placed = link_placement(channel, offer.deliver_link)
                if placed is DeliverLink.ASK_TO_DM:  # the public reply asks for a DM; the link waits for it
                    said, link_message = render(offer.ask_message, offer_values), said
            return WorkRecord(
                held_because=hold,
                **base,
                kind=WorkKind.OFFER_SAMPLE,
                state=state,
                claim_code=code,
                claim_link=link,
                product=offer.product,
                product_cost=offer.product_cost,
                delivery=offer.delivery.value,
                message=said,
                link_message=link_message,
                deliver_link=placed.value if placed else None,
                claim_within_days=offer.claim_within_days,
                fulfilment=offer.fulfilment.model_dump(mode="json", exclude_none=True),
            )
        if action.flag:  # for a person to answer: waits in the review queue, never queued to send
            return WorkRecord(
                **base, kind=WorkKind.FLAG, state=WorkState.PENDING_REVIEW, flag_reason=render(action.flag.reason, values)
            )
        message = action.reply or action.direct_message
        fields: dict[str, Any] = {}
        if message is not None:
            fields["message"] = render(message.message, values)
        if action.notify:
            fields["url"] = str(action.notify.url)
            fields["message"] = render(action.notify.message, values) if action.notify.message else None
            fields["text"] = event.text
            fields["notify_format"] = action.notify.format.value
        return WorkRecord(**base, **fields, kind=WorkKind(action.kind), state=WorkState.APPROVED)


FALLBACK_CLAIM_LINK_BASE = "https://example.com/claim/"  # no stack to point at (a backtest, `rules test`)


def claim_link(settings: Settings, claim_page_url: str | None, code: str) -> str:
    """The link an offer carries: ``claim_link_base_url`` when the brand set one (its own page),
    else the stack's claim page (``GET /claim/{code}``)."""
    base = str(settings.claim_link_base_url) if settings.claim_link_base_url else claim_page_url or FALLBACK_CLAIM_LINK_BASE
    return f"{base.rstrip('/')}/{code}"


def _automatic(review: Review | AutomaticAbove, sentiment: Sentiment | None) -> bool:
    """Whether an offer goes out without a person's review."""
    if review is Review.AUTOMATIC:
        return True
    if sentiment is None:
        return False
    if review is Review.BY_BAND:
        return sentiment.band is Band.AUTO
    return (
        isinstance(review, AutomaticAbove)
        and sentiment.confidence >= review.automatic_above_confidence
        and not sentiment.vetoes  # never a post the judge keeps from auto (e.g. not English)
    )


def once_scope(rule: Rule) -> Scope:
    """Whose once-per-person limit: the person across linked identities for a giveaway, one
    platform identity otherwise, unless the rule says."""
    once = rule.limits.once_per_person
    if once is not None and once != "forever" and once.scope is not None:
        return once.scope
    return Scope.PERSON if any(a.offer_sample for a in rule.actions) else Scope.ACCOUNT


def _may_contact(
    rule: Rule, event: Event, profile: Profile | None, settings: Settings, facts: dict[str, Any]
) -> dict[int, Channel] | tuple[Outcome, str]:
    """The channels of the rule's contact actions that may go ahead (an offer to a held
    account waits for review; a reply or message to one is not made), or why the rule may
    not contact the person at all."""
    channels = contact_channels(rule, event)
    if isinstance(channels, str):
        return Outcome.REFUSED, f"platform policy: {channels}"
    if any(a.offer_sample for a in rule.actions) and (why_not := excluded(settings.eligibility, event)):
        return Outcome.REFUSED, why_not
    if channels and (stopped := contact_refusal(profile)):
        return Outcome.REFUSED, stopped
    hold = contact_hold(settings, facts) if channels else None
    if hold:  # a reply or message has no review queue: to a held account, none is made
        channels = {i: c for i, c in channels.items() if rule.actions[i].offer_sample}
        if not channels:
            return Outcome.LIMITED, f"held: {hold}; a reply or message is never sent while held"
    return channels


def contact_hold(settings: Settings, facts: dict[str, Any]) -> str | None:
    """Why contact must wait for a person's review whatever the judge says, or None: a post
    that may ask to stop (unsure wording), or the eligibility policy."""
    if maybe := facts.get("event.may_ask_to_stop"):
        return f"the post may ask to stop ({maybe!r}): a person reads it first (opt_out)"
    return held(settings.eligibility, facts)


def contact_channels(rule: Rule, event: Event) -> dict[int, Channel] | str:
    """The channel of each contact action for this event, or why one of them has none."""
    channels: dict[int, Channel] = {}
    for index, action in enumerate(rule.actions):
        if action.kind in _CONTACT:
            channel, reason = _channel(action, event)
            if channel is None:
                return str(reason)
            channels[index] = channel
    return channels


def _channel(action: Action, event: Event) -> tuple[Channel | None, str | None]:
    """The channel a contact action will use for this event, or why there is none."""
    wanted = channel_of(action)
    if action.offer_sample:  # where its claim link goes (deliver_link) decides its channel too
        chosen = wanted if isinstance(wanted, Channel) else None
        return offer_channel(event.platform, event.kind, action.offer_sample.deliver_link, chosen)
    channel = automatic_channel(event.platform, event.kind) if wanted is None else wanted
    reason = refusal(event.platform, event.kind, channel if isinstance(channel, Channel) else None)
    if reason or not isinstance(channel, Channel):
        return None, reason or f"no channel may answer a {event.kind.value} on {event.platform.value}"
    return channel, None
