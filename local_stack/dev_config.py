"""The development configuration (local_stack/local-dev.json): obviously fake secrets and
settings, loaded into the local stack's secrets and tables at start."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from goodword.aws import clients
from goodword.aws.codec import to_dynamodb
from goodword.aws.console_users import ConsoleUsers
from goodword.aws.rules_store import RulesStore
from goodword_cli import rule_files
from local_stack.aws import client
from local_stack.deploy import Deployment

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = Path(__file__).resolve().parent / "local-dev.json"


def load(path: Path = DEFAULT) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(), parse_float=Decimal)
    return document


def webhook_secrets(path: Path = DEFAULT) -> dict[str, Any]:
    secrets: dict[str, Any] = load(path)["secrets"]["WebhookSecret"]
    return secrets


def apply(document: dict[str, Any], deployment: Deployment, fulfilment_url: str | None = None) -> list[str]:
    """Fill the stack's secrets and tables, by logical id. Returns what was loaded.
    ``fulfilment_url``: the local stack's fake brand, which the notify fulfilment URLs listed in
    ``rules.fulfilment_urls_served_locally`` are replaced with (rules/ names the brand's real
    shop; locally nobody is there)."""
    loaded = []
    for logical_id, value in document.get("secrets", {}).items():
        client("secretsmanager").put_secret_value(
            SecretId=deployment.physical(logical_id), SecretString=json.dumps(value, default=str)
        )
        loaded.append(f"secret {logical_id}")
    for logical_id, items in document.get("tables", {}).items():
        for item in items:  # an empty table's fixed items (RulesTable's settings and accounts), as given
            client("dynamodb").put_item(TableName=deployment.physical(logical_id), Item=to_dynamodb(item))
        loaded.append(f"{len(items)} item(s) in {logical_id}")
    if users := console_users(document, deployment):
        pool = deployment.physical(document["console_users"]["pool"])
        for user in users:
            ConsoleUsers(pool, client("cognito-idp")).add(user["email"], user["group"], user["password"])
        loaded.append(f"{len(users)} console user(s) in {document['console_users']['pool']}")
    rules = document.get("rules")
    if rules:
        paths = sorted(p for directory in rules["directories"] for p in (ROOT / directory).glob("*.yaml"))
        clients.reset()  # the layer's cached clients: point them at this stack's endpoint
        store = RulesStore(deployment.physical(rules["table"]))
        served = set(rules.get("fulfilment_urls_served_locally") or ()) if fulfilment_url else set()
        local = 0
        for path in paths:
            # as `goodword rules push` writes them: version 1, with its history entry
            definition = rule_files.load(path).definition or {}
            local += serve_fulfilment_locally(definition, served, str(fulfilment_url))
            store.write(str(definition["id"]), definition, None, "push", path.name, f"local stack ({path.parent.name}/)")
        loaded.append(f"{len(paths)} rule(s) from {', '.join(rules['directories'])} in {rules['table']}")
        if local:
            loaded.append(f"{local} notify fulfilment(s) sent to the local fake brand at {fulfilment_url}")
    return loaded


def console_users(document: dict[str, Any], deployment: Deployment) -> list[dict[str, str]]:
    """The development users of the console ({email, group, password}) the configuration
    names, when the stack has their user pool (a template without one: none)."""
    section = document.get("console_users") or {}
    if not section or section.get("pool") not in deployment.resources:
        return []
    return [{"email": str(u["email"]), "group": str(u["group"]), "password": str(u["password"])} for u in section["users"]]


def serve_fulfilment_locally(definition: dict[str, Any], served: set[str], local_url: str) -> int:
    """Point the rule's notify fulfilments whose URL is in ``served`` at ``local_url`` (in
    place); how many."""
    changed = 0
    for action in definition.get("actions") or ():
        fulfilment = (action.get("offer_sample") or {}).get("fulfilment") if isinstance(action, dict) else None
        if isinstance(fulfilment, dict) and fulfilment.get("kind", "notify") == "notify" and fulfilment.get("url") in served:
            fulfilment["url"] = local_url
            changed += 1
    return changed


def notify_secret(deployment: Deployment) -> str | None:
    """PlatformCredentials' notify signing key, as the stack loaded it (the fake brand verifies
    the fulfilment requests with it)."""
    if "PlatformCredentials" not in deployment.resources:
        return None
    answer = client("secretsmanager").get_secret_value(SecretId=deployment.physical("PlatformCredentials"))
    secret = (json.loads(answer.get("SecretString") or "{}").get("notify") or {}).get("secret")
    return str(secret) if secret else None


def point_reads_at(deployment: Deployment, base_urls: dict[str, str]) -> str | None:
    """Send every platform read (enrichment) to the local fake platforms: PlatformCredentials'
    ``api_base_urls`` get their addresses (what was there for other hosts stays)."""
    if "PlatformCredentials" not in deployment.resources:
        return None  # a template without Goodword's credentials (the local stack's own tests)
    secret_id = deployment.physical("PlatformCredentials")
    secrets = client("secretsmanager")
    current = json.loads(secrets.get_secret_value(SecretId=secret_id).get("SecretString") or "{}")
    current["api_base_urls"] = {**current.get("api_base_urls", {}), **base_urls}
    secrets.put_secret_value(SecretId=secret_id, SecretString=json.dumps(current, default=str))
    return f"platform reads ({', '.join(sorted(base_urls))}) answered by the local fake platforms"
