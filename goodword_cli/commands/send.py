"""goodword send: one signed test delivery to the target's webhook, as a platform sends it,
so trying a rule needs no signing script."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import click

from goodword.events import EventKind, Platform
from goodword.ports import SecretsUnavailable
from goodword_cli.app import App, pass_app
from goodword_cli.commands.events import platform_choice
from goodword_cli.deliveries import X_KINDS, X_UNSENDABLE, AuthorFacts, Post, build
from goodword_cli.output import EXIT_PROBLEMS, EXIT_TARGET, CliError, console, emit_json, json_option

KINDS = [k.value for k in EventKind]


@click.command()
@click.option("--platform", "platform_name", type=platform_choice(), required=True, help="The platform the post is on.")
@click.option("--kind", type=click.Choice(KINDS, case_sensitive=False), default="mention", show_default=True)
@click.option("--text", help="What the person wrote (a mention names the brand: @handle is added when missing).")
@click.option("--author", default="goodword_tester", show_default=True, help="The person's handle (with or without @).")
@click.option("--account", help="The brand account it is for (default: the platform's first configured account).")
@click.option("--followers", type=click.IntRange(min=0), help="author.followers: the person's followers.")
@click.option("--following", type=click.IntRange(min=0), help="author.following: accounts the person follows.")
@click.option("--account-age-days", type=click.IntRange(min=0), help="author.account_age_days: how old the account is.")
@click.option("--verified/--not-verified", default=None, help="author.verified (default: left out, as when not known).")
@click.option("--default-profile/--custom-profile", default=None, help="author.default_profile: never changed the picture.")
@click.option("--private/--public", default=None, help="author.is_private: a protected or private account.")
@click.option("--accepts-dms/--no-dms", default=None, help="author.accepts_dms (not in X's payloads: other platforms).")
@click.option("--blocked-brand", is_flag=True, help="author.has_blocked_brand: the person blocked the brand.")
@json_option
@pass_app
def send(
    app: App,
    platform_name: str,
    kind: str,
    text: str | None,
    author: str,
    account: str | None,
    followers: int | None,
    following: int | None,
    account_age_days: int | None,
    verified: bool | None,
    default_profile: bool | None,
    private: bool | None,
    accepts_dms: bool | None,
    blocked_brand: bool,
    as_json: bool,
) -> None:
    """Sign and deliver one test event to the target's webhook (--local or --stack), and
    print the stored event's id: `goodword events show ID` then shows what the rules did.

    The person's facts (--followers, --verified, --account-age-days...) travel in the
    payload as the platform sends them, so a rule testing author.* can be tried end to end."""
    target = app.target()
    platform, event_kind = Platform(platform_name), EventKind(kind)
    facts = AuthorFacts(followers, following, verified, account_age_days, default_profile, private, accepts_dms, blocked_brand)
    if platform is Platform.X and event_kind in X_KINDS and any(getattr(facts, f) is not None for f in X_UNSENDABLE):
        raise CliError("X's webhook payload does not carry --accepts-dms/--no-dms (a users lookup fetches it)", EXIT_PROBLEMS)
    if event_kind in (EventKind.MENTION, EventKind.REPLY, EventKind.COMMENT, EventKind.QUOTE) and not text:
        raise CliError(f"a {kind} needs --text: what the person wrote", EXIT_PROBLEMS)
    accounts = [a for (p, _), a in target.rules_loader().accounts().items() if p == platform.value]
    chosen = next((a for a in accounts if a.account_id == account), None) if account else (accounts[0] if accounts else None)
    if account is None and chosen is None:
        raise CliError(
            f"no {platform.value} account is configured: give --account ID (or add one: `goodword accounts add`)", EXIT_PROBLEMS
        )
    if not target.webhook_base_url or not target.webhook_secret_id:
        raise CliError(
            f"{target.description} does not say where its webhook is (outputs WebhookBaseUrl, WebhookSecretArn)", EXIT_TARGET
        )
    try:
        webhook_secrets = target.webhook_secrets()()
    except SecretsUnavailable as exc:
        raise CliError(f"cannot read the webhook secret {target.webhook_secret_id}: {exc}", EXIT_TARGET) from None
    brand_account = account or (chosen.account_id if chosen else "")
    post = Post(platform, event_kind, text, author.removeprefix("@"), brand_account, chosen.handle if chosen else None, facts)
    try:
        delivery = build(post, webhook_secrets)
    except (KeyError, TypeError):
        webhook = "x" if platform is Platform.X else "standard"
        raise CliError(f"the webhook secret has no {webhook} secret to sign with (docs/operations.md)", EXIT_TARGET) from None
    url = f"{target.webhook_base_url.rstrip('/')}/{delivery.webhook}"
    if not url.startswith(("https://", "http://")):
        raise CliError(f"the webhook URL {url!r} is not http(s)", EXIT_TARGET)
    request = urllib.request.Request(url, data=delivery.body, method="POST", headers=delivery.headers)  # noqa: S310 (https or the local stack)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the target's own webhook URL)
            status, answer = response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise CliError(f"{url} answered {error.code}: {error.read().decode(errors='replace')[:300]}", EXIT_PROBLEMS) from None
    except (urllib.error.URLError, OSError) as exc:
        raise CliError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}", EXIT_TARGET) from None
    stored = int(answer.get("stored", 0)) + int(answer.get("duplicates", 0))
    if as_json:
        emit_json({"event_id": delivery.event_id if stored else None, "status": status, "answer": answer, "webhook": url})
        return
    if not stored:
        raise CliError(f"{url} accepted the delivery but stored no event: {answer}", EXIT_PROBLEMS)
    console.print(f"delivered to {url}: stored event {delivery.event_id}", markup=False)
    console.print(f"see what the rules did: goodword events show '{delivery.event_id}'", markup=False)
