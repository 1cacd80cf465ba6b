"""goodword codes upload: single-use codes for a code_pool rule's pool."""

from __future__ import annotations

import click
from pydantic import ValidationError

from goodword.claims.codes import CodeFileError, read_codes
from goodword.claims.fulfilment.fulfil import CODE_POOL_EMPTY
from goodword.claims.states import ClaimState
from goodword.ports import ClaimStore
from goodword.rule_versions import StoredRule
from goodword.rules.model import CodePoolFulfilment, Rule
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, progress_bar
from goodword_cli.target import Target

CHUNK = 500  # codes per write request: progress on a large file, and a failure loses at most this many
MAX_HELD = 10_000  # held claims sent back to fulfilment in one upload


@click.group()
def codes() -> None:
    """Single-use codes that code_pool rules hand to the people who claim their offers."""


@codes.command("upload")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--rule", "rule_id", required=True, help="The rule whose pool gets the codes (its fulfilment is code_pool).")
@json_option
@pass_app
def upload(app: App, file: click.utils.LazyFile, rule_id: str, as_json: bool) -> None:
    """Add the codes in FILE (one per line; - reads stdin) to the rule's pool. Codes already
    in the pool are not added twice. Claims held because the pool was empty are sent back
    to fulfilment."""
    target = app.target()
    _check_rule(target.rules().get(rule_id), rule_id)
    try:
        read = read_codes(file.read())
    except CodeFileError as exc:
        raise CliError(f"{file.name}: {exc}", EXIT_PROBLEMS) from None
    store = target.claims()
    if store is None:
        raise CliError("this stack has no claims (it was deployed before them): deploy it again", EXIT_PROBLEMS)
    new = 0
    with progress_bar(as_json) as progress:
        task = progress.add_task("uploading", total=len(read.codes))
        for start in range(0, len(read.codes), CHUNK):
            chunk = read.codes[start : start + CHUNK]
            new += store.add_codes(rule_id, chunk)
            progress.advance(task, len(chunk))
    released = _release_held(target, store, rule_id)
    result = {
        "rule": rule_id,
        "new": new,
        "duplicates": len(read.codes) - new + read.repeated,
        "left": store.codes_left(rule_id),
        "released": released,
    }
    if as_json:
        emit_json(result)
        return
    console.print(
        f"{rule_id}: {new} new code(s), {result['duplicates']} duplicate(s) (already in the pool or repeated in the file); "
        f"{result['left']} code(s) left to hand out",
        markup=False,
    )
    if released:
        console.print(f"{released} claim(s) held for want of codes sent back to fulfilment", markup=False)


def _check_rule(stored: StoredRule | None, rule_id: str) -> None:
    definition = stored.definition if stored else None
    if not definition:
        raise CliError(f"no rule {rule_id!r} (goodword rules list shows them)", EXIT_PROBLEMS)
    try:
        rule = Rule.model_validate(definition)
    except ValidationError:
        raise CliError(
            f"rule {rule_id!r} is not valid as stored: fix it first (goodword rules pull, validate)", EXIT_PROBLEMS
        ) from None
    offers = [a.offer_sample for a in rule.actions if a.offer_sample]
    if not offers:
        raise CliError(
            f"rule {rule_id!r} makes no offer: codes go to an offer_sample rule with fulfilment code_pool", EXIT_PROBLEMS
        )
    if not isinstance(offers[0].fulfilment, CodePoolFulfilment):
        kind = offers[0].fulfilment.kind
        raise CliError(
            f"rule {rule_id!r} fulfils claims with {kind}, not code_pool: its codes would never be handed out", EXIT_PROBLEMS
        )


def _release_held(target: Target, store: ClaimStore, rule_id: str) -> int:
    """Claims held because the pool was empty go back to FulfilmentQueue: each takes a code now."""
    queue = target.fulfilment_queue()
    if queue is None:
        return 0
    held = store.list_claims(ClaimState.HELD, rule_id, MAX_HELD, personal=False)
    waiting = [c.id for c in held if c.held_because == CODE_POOL_EMPTY]
    for claim_id in waiting:
        queue.send_claim(claim_id)
    return len(waiting)
