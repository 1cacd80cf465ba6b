"""goodword review list|approve|reject: the offers waiting for a person's decision."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import click

from goodword.aws.judgement_store import ExampleSource
from goodword.aws.rules_store import who
from goodword.sentiment.explain import describe
from goodword.work import WorkRecord, WorkState
from goodword_cli.app import App, pass_app
from goodword_cli.commands.judgement import record_example
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short, short_id
from goodword_cli.target import Target
from goodword_cli.work_ids import find_work


@click.group()
def review() -> None:
    """The review queue: offers a rule made with `review: manual` (or below its
    automatic_above_confidence), waiting for a person to approve or reject them."""


def pending_with_context(target: Target) -> list[tuple[WorkRecord, dict[str, Any]]]:
    """Pending offers, each with the event's text, its sentiment and the person's profile."""
    offers = target.state().list_work([WorkState.PENDING_REVIEW])
    events = target.events().events(o.event_id for o in offers)
    decisions = target.events().decisions_for(o.event_id for o in offers)
    profiles = target.state().profiles(o.person for o in offers)
    found = []
    for offer in offers:
        profile = profiles.get(offer.person)
        context = {
            "event_text": events.get(offer.event_id, {}).get("text"),
            "sentiment": (decisions.get(offer.event_id) or {}).get("sentiment"),
            "profile": {
                "mention_count": profile.mention_count if profile else None,
                "positive_mention_count": profile.positive_mention_count if profile else None,
                "offers_received": profile.offers_received if profile else None,
                "followers_count": profile.followers_count if profile else None,
                "first_seen": profile.first_seen if profile else None,
            },
        }
        found.append((offer, context))
    return found


@review.command("list")
@json_option
@pass_app
def list_pending(app: App, as_json: bool) -> None:
    """Offers waiting for review, oldest first, with what the person said, its sentiment and
    what Goodword knows of them."""
    offers = sorted(pending_with_context(app.target()), key=lambda pair: pair[0].created_at)
    if as_json:
        emit_json({"offers": [{**offer.fields(), **context} for offer, context in offers]})
        return
    if not offers:
        console.print("The review queue is empty.")
        return
    for offer, context in offers:
        sentiment = context["sentiment"] or {}
        profile = context["profile"]
        person = f"@{offer.author_handle or offer.author_id}"
        console.print(
            f"[bold]{short_id(offer.id)}[/bold]  {offer.created_at[:16].replace('T', ' ')}  {offer.platform}  {person}"
            f"  rule {offer.rule_id}  {offer.product or ''}"
        )
        console.print(f'  said:    "{short(context["event_text"], 86)}"', markup=False)
        if sentiment:
            console.print(f"  judgement: {describe(sentiment)}", markup=False)
        if offer.held_because:
            console.print(f"  held:    {offer.held_because}", markup=False)
        console.print(
            f"  profile: {profile.get('mention_count') or 0} mention(s), {profile.get('positive_mention_count') or 0} positive, "
            f"{profile.get('offers_received') or 0} offer(s) received"
            + (f", {profile['followers_count']} followers" if profile.get("followers_count") is not None else "")
        )
        console.print(f'  offer:   "{offer.message or ""}"', markup=False)
    console.print(
        f"{len(offers)} offer(s) waiting. `goodword review approve ID...` or `goodword review reject ID... --reason TEXT`."
    )


def _resolve(target: Target, ids: tuple[str, ...]) -> list[WorkRecord]:
    """Offers by full id or by a unique prefix of at least 6 characters."""
    found = [find_work(target.state(), i, "offer", "goodword review list") for i in ids]
    for record in found:
        if not record.is_offer:
            raise CliError(f"{record.id} is a {record.kind.value}, not an offer (see `goodword review list`)", EXIT_PROBLEMS)
    return found


def _learn(target: Target, record: WorkRecord, praise: bool, reviewer: str) -> None:
    """A decision is a labelled example for the judge (`goodword judgement retrain`)."""
    with contextlib.suppress(CliError):  # the event is gone (retention) or has no text: nothing to learn from
        record_example(target, record.event_id, praise, ExampleSource.REVIEW, reviewer)


def _finish(app: App, ids: tuple[str, ...], to: WorkState, reason: str | None) -> None:
    target = app.target()
    reviewer = who()
    state, queue = target.state(), target.queue()
    problems = []
    for record in _resolve(target, ids):
        decided = state.decide(record, to, reviewer, reason, datetime.now(UTC))
        if decided:
            _learn(target, record, to is WorkState.APPROVED, reviewer)
        current = state.get_work(record.key) or record
        if to is WorkState.APPROVED and current.waiting_to_queue:
            # approved (now, or by an earlier approve that stopped before queueing): queue it;
            # the actions function sends each offer once whatever the number of messages
            queue.send([current.queue_message()])
            state.mark_queued(current, datetime.now(UTC))
            console.print(f"approved {record.id}: queued for sending (@{record.author_handle or record.author_id})")
        elif decided:
            console.print(f"{to.value} {record.id}")
        else:
            problems.append(f"{record.id} is {current.state_label}, not waiting for review")
    if problems:
        raise CliError("; ".join(problems), EXIT_PROBLEMS)


@review.command()
@click.argument("ids", nargs=-1, required=True)
@pass_app
def approve(app: App, ids: tuple[str, ...]) -> None:
    """Approve offers (full ids, or unique prefixes of 6+ characters): each goes to the
    actions queue and is sent once."""
    _finish(app, ids, WorkState.APPROVED, None)


@review.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", help="Why (kept with the offer).")
@pass_app
def reject(app: App, ids: tuple[str, ...], reason: str | None) -> None:
    """Reject offers: nothing is sent. The person's once-per-person limit stays used."""
    _finish(app, ids, WorkState.REJECTED, reason)
