"""goodword claims list|show|mark-fulfilled|refuse: what fans claimed, and a person saying a
sample went out, or refusing a held or failed claim. `list` shows ids, states, rules and times
only; `show` decrypts the claimant (name, email, address) and says so on stderr;
`mark-fulfilled` and `refuse` record who."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from goodword.claims.records import ClaimRecord
from goodword.claims.states import ClaimState
from goodword.ports import ClaimStore
from goodword.services import claims as service
from goodword.services.claims import claim_state_of, listed
from goodword.work import WorkRecord
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, EXIT_TARGET, CliError, console, emit_json, json_option, short_id, table
from goodword_cli.service_errors import refusals
from goodword_cli.target import Target
from goodword_cli.work_ids import find_work

STATES = [s.value for s in service.LISTABLE]


@click.group()
def claims() -> None:
    """Claims fans made on the claim page: their state (claimed, held, fulfilled, failed,
    refused, redeemed), the rule, the times. Personal fields only with `show`."""


def _store(target: Target) -> ClaimStore:
    store = target.claims()
    if store is None:
        raise CliError(f"{target.description} has no claims table (deployed before claims: update the stack)", EXIT_TARGET)
    return store


def _claim_offer(app: App, claim_id: str) -> WorkRecord:
    """The offer whose claim this is (a claim's id is its offer's id: the full id or a prefix)."""
    offer = find_work(app.target().state(), claim_id, what="claim", hint="goodword claims list")
    if not offer.is_offer or claim_state_of(offer) is None:
        why = "it expired unclaimed" if offer.claim_state == ClaimState.EXPIRED.value else "nobody has claimed it"
        raise CliError(f"no claim {claim_id}: {why}", EXIT_PROBLEMS)
    return offer


@claims.command("list")
@click.option("--state", type=click.Choice(STATES, case_sensitive=False), help="Only claims in this state.")
@click.option("--rule", "rule_id", help="Only claims of this rule.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True, help="At most this many, newest first.")
@json_option
@pass_app
def list_claims(app: App, state: str | None, rule_id: str | None, limit: int, as_json: bool) -> None:
    """Claims, newest first: ids, states, rule and times (no name, email or address)."""
    target = app.target()
    _store(target)
    with refusals():
        found = service.list_claims(target.stores(), ClaimState(state) if state else None, rule_id, limit)
    if as_json:
        emit_json({"claims": [listed(c) for c in found]})
        return
    table(
        "Claims" + (f" ({state})" if state else ""),
        ["claimed (UTC)", "id", "state", "rule", "platform", "fulfilment", "fulfilled / redeemed (UTC)", "held because"],
        [
            (
                _when(c.created_at),
                short_id(c.id),
                c.state.value,
                c.rule_id,
                c.platform,
                c.fulfilment.value,
                " / ".join(_when(t) for t in (c.fulfilled_at, c.redeemed_at) if t),
                c.held_because or "",
            )
            for c in found
        ],
        empty="none",
        whole=["id", "state", "rule"],
    )
    if found:
        console.print("(ids shortened: `goodword claims show ID` takes them as printed; --json prints them whole)")


@claims.command()
@click.argument("claim_id")
@json_option
@pass_app
def show(app: App, claim_id: str, as_json: bool) -> None:
    """One claim, with the claimant's name, email and address decrypted (KMS: each read is
    in CloudTrail). A full id or a unique prefix of 6 or more characters."""
    target = app.target()
    store = _store(target)
    offer = _claim_offer(app, claim_id)
    click.echo(
        f"goodword: decrypting the claimant of {offer.id} (name, email, address) with the stack's ClaimsKey; "
        "this is personal data: do not paste it where it does not belong",
        err=True,
    )
    found = store.get(offer.id)
    if found is None:
        raise CliError(f"no claim {offer.id}: it was erased (goodword people erase)", EXIT_PROBLEMS)
    if as_json:
        emit_json(found.model_dump(mode="json", exclude={"email_hash", "address_hash"}))
        return
    _print(found)


def _print(claim: ClaimRecord) -> None:
    console.print(f"[bold]claim {claim.id}[/bold]: {claim.state.value}")
    values = listed(claim) | {"person": claim.person, "reward_code": claim.reward_code, "consent_at": claim.consent_at}
    for key, value in values.items():
        if key not in ("id", "state") and value is not None:
            console.print(f"  {key:20} {value}", markup=False)
    if claim.claimant is None:
        console.print("  claimant             (erased)")
        return
    console.print("  claimant (decrypted)", markup=False)
    for key, value in claim.claimant.model_dump().items():
        if value is not None:
            console.print(f"    {key:18} {value}", markup=False)
    if claim.address_erased_at:
        console.print(f"    address            erased {claim.address_erased_at} (claim_address_retention_days)", markup=False)


@claims.command("mark-fulfilled")
@click.argument("claim_id")
@pass_app
def mark_fulfilled_command(app: App, claim_id: str) -> None:
    """A person sent the sample: a claimed, held or failed claim becomes fulfilled, recording
    who and when, and the move is published on the stack's event bus."""
    target = app.target()
    _store(target)
    offer = _claim_offer(app, claim_id)
    with refusals():
        marked = service.mark_fulfilled(target.stores(), offer.id, target.who(), datetime.now(UTC))
    console.print(marked.message, markup=False)


@claims.command("refuse")
@click.argument("claim_id")
@pass_app
def refuse_command(app: App, claim_id: str) -> None:
    """A person decided a held or failed claim is not to be sent (a repeat claimer, say): it
    becomes refused, recording who, and the move is published on the stack's event bus."""
    target = app.target()
    _store(target)
    offer = _claim_offer(app, claim_id)
    with refusals():
        done = service.refuse(target.stores(), offer.id, target.who(), datetime.now(UTC))
    console.print(done.message, markup=False)


def _when(moment: str | None) -> str:
    return (moment or "")[:16].replace("T", " ")
