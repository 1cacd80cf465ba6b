"""Which Goodword the command talks to: a deployed stack (its CloudFormation outputs name
the tables and queue) or the local stack (its status page gives the local AWS endpoint and
the stack name, then the same outputs are read there). Commands reach its stores only
through the adapters ``Target`` builds: nothing else in the command builds one."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from goodword.aws import clients
from goodword.aws.actions_queue import ActionsQueue
from goodword.aws.bedrock import bedrock_within
from goodword.aws.claims_table import ClaimsTable
from goodword.aws.console_users import ConsoleUsers
from goodword.aws.event_bus import EventBus
from goodword.aws.events_table import EventsTable
from goodword.aws.fulfilment_queue import FulfilmentQueue
from goodword.aws.rules_store import RulesStore, SettingsStore, who
from goodword.aws.rules_table import RulesLoader
from goodword.aws.state_table import StateTable
from goodword.aws.webhook_secrets import SecretLoader
from goodword.pipeline.scoring import Scorer
from goodword.sentiment.providers import providers
from goodword.services.stores import Stores

DEFAULT_LOCAL_URL = "http://127.0.0.1:3000"
_FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


class TargetError(RuntimeError):
    """The stack or the local stack cannot be found or read."""


@dataclass(frozen=True)
class Target:
    description: str  # for messages: "stack goodword-prod (eu-west-1)"
    events_table: str
    rules_table: str
    state_table: str
    actions_queue_url: str
    webhook_base_url: str = ""  # where platforms deliver: {webhook_base_url}/{platform}
    webhook_secret_id: str = ""  # the platforms' webhook secrets (to sign test deliveries)
    claims_table: str = ""  # empty: a stack made before claims (issue 23)
    claims_key: str = ""  # ClaimsKey's ARN: decrypts claimants' fields
    event_bus_name: str = ""  # where claim moves are published (goodword claims mark-fulfilled)
    fulfilment_queue_url: str = ""  # claims to fulfil (codes upload sends held claims back)
    console_user_pool_id: str = ""  # the console's users (Cognito); empty: a stack made before the console

    # The stack's stores, through the data layer's adapters.
    def events(self) -> EventsTable:
        return EventsTable(self.events_table)

    def state(self) -> StateTable:
        return StateTable(self.state_table)

    def claims(self) -> ClaimsTable | None:
        """The claims, when the stack has them."""
        return ClaimsTable(self.claims_table, self.state_table, self.claims_key) if self.claims_table else None

    def bus(self) -> EventBus | None:
        """The stack's event bus (a claim a person moves is published there, as the stack's are)."""
        return EventBus(self.event_bus_name) if self.event_bus_name else None

    def fulfilment_queue(self) -> FulfilmentQueue | None:
        return FulfilmentQueue(self.fulfilment_queue_url) if self.fulfilment_queue_url else None

    def console_users(self) -> ConsoleUsers | None:
        """The people who sign in to the console, when the stack has a console."""
        return ConsoleUsers(self.console_user_pool_id) if self.console_user_pool_id else None

    def rules(self) -> RulesStore:
        """The rules as stored, with their versions and history (to read and write them)."""
        return RulesStore(self.rules_table)

    def settings(self) -> SettingsStore:
        """The brand's settings and accounts as stored, and the judge's adapter."""
        return SettingsStore(self.rules_table)

    def rules_loader(self) -> RulesLoader:
        """The settings and rules as the pipeline compiles them, read afresh (no caching)."""
        return RulesLoader(self.rules_table, 0)

    def queue(self) -> ActionsQueue:
        return ActionsQueue(self.actions_queue_url)

    def stores(self) -> Stores:
        """Everything the services (goodword.services) reach, as the console's API has them."""
        return Stores(
            events=self.events(),
            state=self.state(),
            rules=self.rules(),
            settings=self.settings(),
            rules_loader=self.rules_loader(),
            queue=self.queue(),
            claims=self.claims(),
            bus=self.bus(),
            fulfilment_queue=self.fulfilment_queue(),
        )

    def who(self) -> str:
        """Who is writing (kept with each change): the AWS identity when there is one, and the
        local user name."""
        return who()

    def webhook_secrets(self) -> SecretLoader[dict[str, Any]]:
        """The platforms' webhook secrets (to sign test deliveries), read afresh."""
        return SecretLoader(self.webhook_secret_id, 0, dict)

    # The sentiment providers and the second opinion, with their AWS clients (ports only below).
    def scorer(self, second_opinion: bool = True) -> Scorer:
        return Scorer(providers(comprehend=clients.comprehend), bedrock_within if second_opinion else None)


def resolve(stack: str | None, local: bool, local_url: str | None, region: str | None, profile: str | None) -> Target:
    if stack and local:
        raise TargetError("choose one target: --stack NAME or --local, not both")
    if local:
        return _local(local_url or os.environ.get("GOODWORD_LOCAL_URL") or DEFAULT_LOCAL_URL)
    stack = stack or os.environ.get("GOODWORD_STACK")
    if not stack:
        raise TargetError("choose a target: --stack NAME (a deployed stack), or --local (make serve); or set GOODWORD_STACK")
    if profile:
        os.environ["AWS_PROFILE"] = profile
    if region:
        os.environ["AWS_DEFAULT_REGION"] = region
    clients.reset()
    return from_stack_outputs(stack)


def _local(url: str) -> Target:
    status_url = f"{url.rstrip('/')}/__local/status"
    try:
        with urllib.request.urlopen(status_url, timeout=5) as response:  # noqa: S310 (a local http URL the user gave)
            status = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TargetError(
            f"no local stack answers at {url} ({getattr(exc, 'reason', exc)}); start one with `make serve`, "
            "or give its address with --local-url / GOODWORD_LOCAL_URL"
        ) from None
    os.environ.update(_FAKE_CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    os.environ["AWS_ENDPOINT_URL"] = status["aws_endpoint_url"]
    os.environ["AWS_DEFAULT_REGION"] = status.get("region", "us-east-1")
    clients.reset()
    target = from_stack_outputs(status["stack"])
    return replace(target, description=f"local stack at {url}", webhook_base_url=status["webhook_base_url"])


_OUTPUTS = {
    "events_table": "EventsTableName",
    "rules_table": "RulesTableName",
    "state_table": "StateTableName",
    "actions_queue_url": "ActionsQueueUrl",
}


def from_stack_outputs(stack: str) -> Target:
    try:
        cloudformation = clients.cloudformation()
        region = cloudformation.meta.region_name
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except NoRegionError:
        raise TargetError("no AWS region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION") from None
    except NoCredentialsError:
        raise TargetError("no AWS credentials: pass --profile or configure credentials (aws configure / aws sso login)") from None
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", str(exc))
        if "does not exist" in message:
            raise TargetError(f"stack {stack!r} not found in {region} (check --region and --profile)") from None
        raise TargetError(f"cannot read stack {stack!r}: {message}") from None
    except BotoCoreError as exc:
        raise TargetError(f"cannot reach AWS to read stack {stack!r}: {exc}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    missing = [key for key in _OUTPUTS.values() if key not in outputs]
    if missing:
        raise TargetError(f"stack {stack!r} is not a Goodword stack (no output {', '.join(missing)})")
    values = {name: outputs[key] for name, key in _OUTPUTS.items()}
    return Target(
        f"stack {stack} ({region})",
        **values,
        webhook_base_url=outputs.get("WebhookBaseUrl", "").rstrip("/"),
        webhook_secret_id=outputs.get("WebhookSecretArn", ""),
        claims_table=outputs.get("ClaimsTableName", ""),
        claims_key=outputs.get("ClaimsKeyArn", ""),
        event_bus_name=outputs.get("EventBusName", ""),
        fulfilment_queue_url=outputs.get("FulfilmentQueueUrl", ""),
        console_user_pool_id=outputs.get("ConsoleUserPoolId", ""),
    )
