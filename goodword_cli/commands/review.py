"""goodword review list|approve|reject: the offers waiting for a person's decision."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import click

from goodword.limits import Contact, Cooldown, approved_contact
from goodword.message_edits import EditContext, edited_message
from goodword.opt_out import contact_refusal
from goodword.people import Profile
from goodword.sentiment.examples import ExampleSource
from goodword.sentiment.explain import describe
from goodword.sentiment.model import Sentiment
from goodword.work import REVIEWED, RejectReason, WorkKind, WorkRecord, WorkState
from goodword_cli.app import App, pass_app
from goodword_cli.commands.judgement import record_example
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short, short_id
from goodword_cli.target import Target
from goodword_cli.work_ids import find_work


@click.group()
def review() -> None:
    """The review queue: offers a rule made with `review: manual` (or below its
    automatic_above_confidence), waiting for a person to approve or reject them, and posts a
    rule flagged for a person to answer (done or dismissed)."""


@dataclass(frozen=True)
class Context:
    """What a reviewer sees beside a waiting offer or flag."""

    event_text: str | None
    sentiment: Sentiment | None  # the judgement the rules saw (the event's decisions record)
    profile: dict[str, Any]
    opted_out: str | None

    def as_json(self) -> dict[str, Any]:
        sentiment = self.sentiment.model_dump(mode="json") if self.sentiment else None
        return {"event_text": self.event_text, "sentiment": sentiment, "profile": self.profile, "opted_out": self.opted_out}


def pending_with_context(target: Target, kind: WorkKind = WorkKind.OFFER_SAMPLE) -> list[tuple[WorkRecord, Context]]:
    """Pending offers (or flags), each with the event's text, its sentiment and the person's profile."""
    offers = target.state().list_work([WorkState.PENDING_REVIEW], kind=kind)
    events = target.events().events(o.event_id for o in offers)
    decisions = target.events().decisions_for(o.event_id for o in offers)
    profiles = target.state().profiles(o.person for o in offers)
    found = []
    for offer in offers:
        profile = profiles.get(offer.person)
        decided = decisions.get(offer.event_id)
        context = Context(
            event_text=events.get(offer.event_id, {}).get("text"),
            sentiment=decided.sentiment if decided else None,
            profile={
                "mention_count": profile.mention_count if profile else None,
                "positive_mention_count": profile.positive_mention_count if profile else None,
                "offers_received": profile.offers_received if profile else None,
                "followers_count": profile.followers_count if profile else None,
                "first_seen": profile.first_seen if profile else None,
            },
            opted_out=contact_refusal(profile),  # asked to stop after the offer was made: approval is refused
        )
        found.append((offer, context))
    return found


@review.command("list")
@json_option
@pass_app
def list_pending(app: App, as_json: bool) -> None:
    """Offers and flagged posts waiting for review, oldest first, with what the person said,
    its sentiment and what Goodword knows of them."""
    target = app.target()
    offers = sorted(pending_with_context(target), key=lambda pair: pair[0].created_at)
    flags = sorted(pending_with_context(target, WorkKind.FLAG), key=lambda pair: pair[0].created_at)
    if as_json:
        emit_json(
            {
                "offers": [{**offer.fields(), **context.as_json()} for offer, context in offers],
                "flags": [{**flag.fields(), **context.as_json()} for flag, context in flags],
            }
        )
        return
    if not offers and not flags:
        console.print("The review queue is empty.")
        return
    _print_offers(offers)
    _print_flags(flags)


def _print_offers(offers: list[tuple[WorkRecord, Context]]) -> None:
    if not offers:
        return
    for offer, context in offers:
        sentiment, profile = context.sentiment, context.profile
        person = f"@{offer.author_handle or offer.author_id}"
        console.print(
            f"[bold]{short_id(offer.id)}[/bold]  {offer.created_at[:16].replace('T', ' ')}  {offer.platform}  {person}"
            f"  rule {offer.rule_id}  {offer.product or ''}"
        )
        console.print(f'  said:    "{short(context.event_text, 86)}"', markup=False)
        if sentiment:
            console.print(f"  judgement: {describe(sentiment)}", markup=False)
        if offer.held_because:
            console.print(f"  held:    {offer.held_because}", markup=False)
        if context.opted_out:
            console.print(f"  STOP:    {context.opted_out}: cannot be approved, reject it", markup=False)
        console.print(
            f"  profile: {profile.get('mention_count') or 0} mention(s), {profile.get('positive_mention_count') or 0} positive, "
            f"{profile.get('offers_received') or 0} offer(s) received"
            + (f", {profile['followers_count']} followers" if profile.get("followers_count") is not None else "")
        )
        console.print(f'  offer:   "{offer.message or ""}"', markup=False)
    console.print(
        f"{len(offers)} offer(s) waiting. `goodword review approve ID... [--message TEXT]` or"
        " `goodword review reject ID... --because not-praise|not-eligible|duplicate|other`."
    )


def _print_flags(flags: list[tuple[WorkRecord, Context]]) -> None:
    """Posts a rule put in the queue for a person to answer; nothing is attached or sent."""
    if not flags:
        return
    for flag, context in flags:
        sentiment = context.sentiment
        person = f"@{flag.author_handle or flag.author_id}"
        console.print(f"[bold]{flag.id}[/bold]  {flag.created_at[:16]}  {flag.platform}  {person}  rule {flag.rule_id}  flag")
        console.print(f'  said:    "{short(context.event_text, 110)}"', markup=False)
        if sentiment:
            console.print(f"  judgement: {describe(sentiment)}", markup=False)
        console.print(f"  flagged: {flag.flag_reason or ''}", markup=False)
    console.print(
        f"{len(flags)} flagged post(s) waiting for a person to answer them on the platform."
        " `goodword review approve ID...` marks one done, `goodword review reject ID...` dismisses it."
    )


def _resolve(target: Target, ids: tuple[str, ...]) -> list[WorkRecord]:
    """Offers and flags by full id or by a unique prefix of at least 6 characters."""
    found = [find_work(target.state(), i, "offer or flag", "goodword review list") for i in ids]
    for record in found:
        if record.kind not in REVIEWED:
            raise CliError(
                f"{record.id} is a {record.kind.value}, not an offer or a flag (see `goodword review list`)", EXIT_PROBLEMS
            )
    return found


def _learn(target: Target, record: WorkRecord, praise: bool, reviewer: str) -> None:
    """A decision is a labelled example for the judge (`goodword judgement retrain`)."""
    with contextlib.suppress(CliError):  # the event is gone (retention) or has no text: nothing to learn from
        record_example(target, record.event_id, praise, ExampleSource.REVIEW, reviewer)


@dataclass(frozen=True)
class _Verdict:
    to: WorkState
    reason: str | None = None
    rejected_as: RejectReason | None = None
    message: str | None = None  # approve --message, already checked and filled in


def _finish(app: App, records: list[WorkRecord], verdict: _Verdict) -> None:
    target = app.target()
    reviewer = target.who()
    state, queue = target.state(), target.queue()
    cooldown_days = target.rules_loader()().settings.cooldown_days if verdict.to is WorkState.APPROVED else 0
    problems = []
    for record in records:
        now = datetime.now(UTC)
        stopped = contact_refusal(state.profile(record.person)) if verdict.to is WorkState.APPROVED and record.is_offer else None
        if stopped:  # the person wrote STOP while the offer waited: nothing may reach them
            problems.append(f"{record.id} not approved: {stopped}; reject it")
            continue
        contact: list[Contact | Cooldown] = []
        if verdict.to is WorkState.APPROVED and record.is_offer:
            # held, the offer was no contact; approved, it is one (its count and the cooldown)
            profile = state.profile(record.person)
            contact = approved_contact(record.person, profile.person_id if profile else None, True, cooldown_days, now)
        decided = state.decide(
            record,
            verdict.to,
            reviewer,
            verdict.reason,
            now,
            rejected_as=None if record.is_flag else verdict.rejected_as,
            message=verdict.message,
            contact=contact,
        )
        if decided and record.is_offer:
            _teach(target, state, record, verdict, reviewer)
        current = state.get_work(record.key) or record
        if verdict.to is WorkState.APPROVED and current.waiting_to_queue:
            # approved (now, or by an earlier approve that stopped before queueing): queue it;
            # the actions function sends each offer once whatever the number of messages
            queue.send([current.queue_message()])
            state.mark_queued(current, datetime.now(UTC))
            console.print(f"approved {record.id}: queued for sending (@{record.author_handle or record.author_id})")
        elif decided:
            console.print(f"{current.state_label} {record.id}")
        else:
            problems.append(f"{record.id} is {current.state_label}, not waiting for review")
    if problems:
        raise CliError("; ".join(problems), EXIT_PROBLEMS)


class OverturnsPraise(Protocol):
    """StateTable (``Target.state``), as a rejection for not being praise needs it."""

    def profile(self, person: str) -> Profile | None: ...

    def overturn_praise(self, person: str, event_id: str) -> bool: ...

    def release_once(self, owners: Iterable[str], rule_id: str, claimed_at: str) -> bool: ...


def _teach(target: Target, state: OverturnsPraise, record: WorkRecord, verdict: _Verdict, reviewer: str) -> None:
    """An approval is praise; a rejection teaches the judge only when the post is not praise.
    Then it is not the person's first praise either, and the offer the judge's mistake made
    does not use up the rule's once-per-person limit: their first real praise can be offered.
    Other reasons say nothing of the post, and the limit stays used."""
    if verdict.to is WorkState.APPROVED:
        _learn(target, record, True, reviewer)
    elif verdict.rejected_as is RejectReason.NOT_PRAISE:
        _learn(target, record, False, reviewer)
        state.overturn_praise(record.person, record.event_id)
        profile = state.profile(record.person)
        owners = [record.person, *([profile.person_id] if profile and profile.person_id else [])]
        state.release_once(owners, record.rule_id, record.created_at)


def _edited(target: Target, record: WorkRecord, template: str) -> str:
    """The reviewer's message, checked against the rule's placeholders and the platform's limit."""
    if not record.is_offer:
        raise CliError(f"{record.id} is a flag: there is no message to edit", EXIT_PROBLEMS)
    loader = target.rules_loader()
    rule = next((c.rule for c in loader().rules if c.rule.id == record.rule_id), None)
    offer = next((a.offer_sample for a in rule.actions if a.offer_sample), None) if rule else None
    event = target.events().events([record.event_id]).get(record.event_id, {})
    account = loader.account(record.platform, record.brand_account)
    context = EditContext(
        rule_message=offer.message if offer else None,
        author_name=(event.get("author") or {}).get("name"),
        brand_handle=account.handle if account else None,
    )
    try:
        return edited_message(template, record, context)
    except ValueError as exc:
        raise CliError(f"--message: {exc}", EXIT_PROBLEMS) from None


@review.command()
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--message",
    "template",
    help="Send this instead of the offer's message (one offer; the rule's {placeholders} may be used, its claim link kept).",
)
@pass_app
def approve(app: App, ids: tuple[str, ...], template: str | None) -> None:
    """Approve offers (full ids, or unique prefixes of 6+ characters): each goes to the
    actions queue and is sent once, and counts as a contact from now. For a flagged post:
    mark it done (nothing is sent)."""
    target = app.target()
    records = _resolve(target, ids)
    message = None
    if template is not None:
        if len(records) != 1:
            raise CliError("--message edits one offer: give one id", EXIT_PROBLEMS)
        message = _edited(target, records[0], template)
    _finish(app, records, _Verdict(WorkState.APPROVED, message=message))


@review.command()
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--because",
    type=click.Choice([r.value for r in RejectReason]),
    help="Why: not-praise (the judge was wrong: it learns from it), not-eligible, duplicate or other. Needed for offers.",
)
@click.option("--reason", help="A note (kept with the offer or flag).")
@pass_app
def reject(app: App, ids: tuple[str, ...], because: str | None, reason: str | None) -> None:
    """Reject offers: nothing is sent, and it is no contact (no cooldown, no offer counted).
    Only `--because not-praise` teaches the judge, and gives the rule's once-per-person limit
    back (the person's real first praise can still be offered); for other reasons it stays
    used. For a flagged post: dismiss it."""
    records = _resolve(app.target(), ids)
    if because is None and any(r.is_offer and r.state is WorkState.PENDING_REVIEW for r in records):
        raise CliError(
            "say why the offer is rejected: --because not-praise|not-eligible|duplicate|other"
            " (only not-praise teaches the judge)",
            EXIT_PROBLEMS,
        )
    _finish(app, records, _Verdict(WorkState.REJECTED, reason, RejectReason(because) if because else None))
