"""Settings that reach code through environment variables set in template.yaml."""

from __future__ import annotations

import os
from functools import cache
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from goodword.validation import describe_validation_error


class SettingsError(RuntimeError):
    pass


class ReceiverSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    events_table_name: str = Field(min_length=1)
    webhook_secret_id: str = Field(min_length=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=6_000_000)
    raw_payload_retention_days: int = Field(default=30, ge=1, le=3650)
    secrets_cache_seconds: int = Field(default=300, ge=0, le=3600)


M = TypeVar("M", bound=BaseModel)


def _from_environment(model: type[M]) -> M:
    """Parsed on first use, not at import (callers cache it for the container's life)."""
    env = {name: os.environ[name.upper()] for name in model.model_fields if name.upper() in os.environ}
    try:
        return model.model_validate(env)
    except ValidationError as exc:
        raise SettingsError(f"{model.__name__} environment is invalid: {describe_validation_error(exc)}") from None


@cache
def receiver_settings() -> ReceiverSettings:
    return _from_environment(ReceiverSettings)


class PipelineSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    events_table_name: str = Field(min_length=1)
    rules_table_name: str = Field(min_length=1)
    state_table_name: str = Field(min_length=1)
    actions_queue_url: str = Field(min_length=1)
    rules_cache_seconds: int = Field(default=120, ge=0, le=3600)
    decision_retention_days: int = Field(default=90, ge=1, le=3650)
    # Enrichment (goodword.enrichment): without these, events are judged as delivered.
    enrichment_queue_url: str | None = None
    credentials_secret_id: str | None = None
    enrichment_timeout_seconds: float = Field(default=3.0, gt=0, le=10)  # x BatchSize 5: inside the timeout
    # The stack's own claim page (https://<api>/claim/): offers link there unless settings'
    # claim_link_base_url names another page.
    claim_page_url: str | None = None


@cache
def pipeline_settings() -> PipelineSettings:
    return _from_environment(PipelineSettings)


class ActionsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    state_table_name: str = Field(min_length=1)
    actions_queue_url: str = Field(min_length=1)
    credentials_secret_id: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    actions_mode: Literal["dry_run", "live"] = "dry_run"
    max_receives: int = Field(default=5, ge=1, le=100)
    # Lets notify actions reach loopback and private addresses: the local stack and tests only.
    notify_allow_private_networks: bool = False


@cache
def actions_settings() -> ActionsSettings:
    return _from_environment(ActionsSettings)


class ExpirySettings(BaseModel):
    """The expiry schedule's function (functions/expire_offers)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    state_table_name: str = Field(min_length=1)
    rules_table_name: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    claims_table_name: str = Field(min_length=1)  # retention: the settled claims' address fields
    fulfilment_queue_url: str = Field(min_length=1)  # claims left claimed, queued again


@cache
def expiry_settings() -> ExpirySettings:
    return _from_environment(ExpirySettings)


class RedemptionSettings(BaseModel):
    """The redemption endpoint's function (functions/redeem_claim)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    state_table_name: str = Field(min_length=1)
    claims_table_name: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    shop_webhook_secret_id: str = Field(min_length=1)
    secrets_cache_seconds: int = Field(default=300, ge=0, le=3600)


@cache
def redemption_settings() -> RedemptionSettings:
    return _from_environment(RedemptionSettings)


class FulfilmentSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    claims_table_name: str = Field(min_length=1)
    claims_key_id: str = Field(min_length=1)
    state_table_name: str = Field(min_length=1)
    fulfilment_queue_url: str = Field(min_length=1)
    credentials_secret_id: str = Field(min_length=1)
    claim_hash_key_id: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    max_receives: int = Field(default=5, ge=1, le=100)  # FulfilmentQueue's maxReceiveCount
    # Lets notify fulfilment reach loopback and private addresses: the local stack and tests only.
    notify_allow_private_networks: bool = False


@cache
def fulfilment_settings() -> FulfilmentSettings:
    return _from_environment(FulfilmentSettings)


class ClaimPageSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    claims_table_name: str = Field(min_length=1)
    state_table_name: str = Field(min_length=1)
    events_table_name: str = Field(min_length=1)  # the post an offer thanks (its text)
    rules_table_name: str = Field(min_length=1)  # the brand's settings (name, logo, colour...)
    claims_key_id: str = Field(min_length=1)  # KMS: the claimant's fields, encrypted field by field
    claim_hash_key_id: str = Field(min_length=1)  # the secret: repeat claimers' hashes, form tokens
    fulfilment_queue_url: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    rules_cache_seconds: int = Field(default=120, ge=0, le=3600)
    max_body_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)
    lookups_per_minute: int = Field(default=30, ge=1, le=10_000)
    min_fill_seconds: float = Field(default=3.0, ge=0, le=60)


@cache
def claim_page_settings() -> ClaimPageSettings:
    return _from_environment(ClaimPageSettings)


class SlackSettings(BaseModel):
    """Approve from Slack's functions (functions/slack_interactions): the notices and the clicks.
    The clicks' function also builds the review service's stores (aws.stores.from_environment)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    state_table_name: str = Field(min_length=1)
    events_table_name: str = Field(min_length=1)
    credentials_secret_id: str = Field(min_length=1)
    secrets_cache_seconds: int = Field(default=300, ge=0, le=3600)
    # Lets the incoming webhook and response_url reach loopback: the local stack and tests only.
    notify_allow_private_networks: bool = False


@cache
def slack_settings() -> SlackSettings:
    return _from_environment(SlackSettings)


class ConsoleSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    console_user_pool_client_id: str = Field(min_length=1)  # the console's Cognito app client (sign-in)


@cache
def console_settings() -> ConsoleSettings:
    return _from_environment(ConsoleSettings)
