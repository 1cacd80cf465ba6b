"""goodword review list|approve|reject: the offers waiting for a person's decision."""

from __future__ import annotations

from typing import Any

import click

from goodword.sentiment.explain import describe
from goodword.services.errors import Conflict, Invalid, Refused
from goodword.services.review import Decision, ReviewItem, decide, finish_queueing, pending
from goodword.work import REVIEWED, RejectReason, WorkRecord, WorkState
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short, short_id
from goodword_cli.target import Target
from goodword_cli.work_ids import find_work


@click.group()
def review() -> None:
    """The review queue: offers a rule made with `review: manual` (or below its
    automatic_above_confidence), waiting for a person to approve or reject them, and posts a
    rule flagged for a person to answer (done or dismissed)."""


def _cli_json(item: ReviewItem) -> dict[str, Any]:
    """An offer or flag as `review list --json` prints it: the record, what the person said,
    the judgement the rules saw and what Goodword knows of them."""
    profile = item.profile
    sentiment = item.sentiment.model_dump(mode="json") if item.sentiment else None
    return {
        **item.record.fields(),
        "event_text": item.event_text,
        "sentiment": sentiment,
        "profile": {
            "mention_count": profile.mention_count if profile else None,
            "positive_mention_count": profile.positive_mention_count if profile else None,
            "offers_received": profile.offers_received if profile else None,
            "followers_count": profile.followers_count if profile else None,
            "first_seen": profile.first_seen if profile else None,
        },
        "opted_out": item.opted_out,
    }


@review.command("list")
@json_option
@pass_app
def list_pending(app: App, as_json: bool) -> None:
    """Offers and flagged posts waiting for review, oldest first, with what the person said,
    its sentiment and what Goodword knows of them."""
    queue = pending(app.target().stores())
    offers = sorted(queue.offers, key=lambda item: item.record.created_at)
    flags = sorted(queue.flags, key=lambda item: item.record.created_at)
    if as_json:
        emit_json({"offers": [_cli_json(offer) for offer in offers], "flags": [_cli_json(flag) for flag in flags]})
        return
    if not offers and not flags:
        console.print("The review queue is empty.")
        return
    _print_offers(offers)
    _print_flags(flags)


def _print_offers(offers: list[ReviewItem]) -> None:
    if not offers:
        return
    for context in offers:
        offer, sentiment, profile = context.record, context.sentiment, _cli_json(context)["profile"]
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


def _print_flags(flags: list[ReviewItem]) -> None:
    """Posts a rule put in the queue for a person to answer; nothing is attached or sent."""
    if not flags:
        return
    for context in flags:
        flag, sentiment = context.record, context.sentiment
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


def _finish(
    app: App,
    records: list[WorkRecord],
    decision: Decision,
    message: str | None = None,
    because: str | None = None,
    reason: str | None = None,
) -> None:
    """Decide each record (goodword.services.review.decide); the ones that could not be
    decided are reported together at the end."""
    target = app.target()
    stores, reviewer = target.stores(), target.who()
    problems = []
    for record in records:
        try:
            done = decide(stores, record.id, decision, reviewer, message=message, because=because, reason=reason)
        except Refused as exc:
            problems.append(exc.message)
            continue
        except Conflict as exc:
            # approved before, but the approval stopped before queueing: queue it now
            finished = finish_queueing(stores, record.id) if decision == "approve" else None
            if finished is None:
                problems.append(exc.message)
                continue
            done = finished
        except Invalid as exc:
            raise CliError(
                "; ".join(f"{_OPTIONS.get(p.path, p.path)}: {p.message}" for p in exc.problems), EXIT_PROBLEMS
            ) from None
        if done.queued:
            console.print(f"approved {record.id}: queued for sending (@{record.author_handle or record.author_id})")
        else:
            console.print(f"{done.record.state_label} {record.id}")
    if problems:
        raise CliError("; ".join(problems), EXIT_PROBLEMS)


_OPTIONS = {"message": "--message", "because": "--because"}


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
    records = _resolve(app.target(), ids)
    if template is not None:
        if len(records) != 1:
            raise CliError("--message edits one offer: give one id", EXIT_PROBLEMS)
        if records[0].is_flag:
            raise CliError(f"{records[0].id} is a flag: there is no message to edit", EXIT_PROBLEMS)
    _finish(app, records, "approve", message=template)


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
    _finish(app, records, "reject", because=because, reason=reason)
