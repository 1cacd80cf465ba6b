"""The shape of the webhook secret kept in Secrets Manager (pure model, no AWS access).

Every secret may be a string or a list of strings: during a rotation list the new and
the old value, and a delivery signed with either is accepted.

    {
      "x":        {"consumer_secret": "..."},
      "meta":     {"app_secret": "...", "verify_token": "..."},
      "linkedin": {"client_secret": "..."},
      "twitch":   {"secret": "..."},
      "standard": {"secret": "whsec_..."}
    }
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from goodword.signing import standard_webhooks_key


def _as_tuple(value: object) -> object:
    if isinstance(value, str):
        return (value,)
    return value


SecretList = Annotated[tuple[str, ...], BeforeValidator(_as_tuple), Field(min_length=1)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class XSecrets(_Section):
    consumer_secret: SecretList


class MetaSecrets(_Section):
    app_secret: SecretList
    verify_token: str = Field(min_length=1)


class LinkedInSecrets(_Section):
    client_secret: SecretList


class TwitchSecrets(_Section):
    secret: SecretList

    @field_validator("secret")
    @classmethod
    def _length(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Twitch refuses subscription secrets outside 10..100 characters.
        if any(not 10 <= len(s) <= 100 for s in value):
            raise ValueError("Twitch secrets are 10 to 100 characters")
        return value


class StandardSecrets(_Section):
    secret: SecretList

    @field_validator("secret")
    @classmethod
    def _whsec(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for s in value:
            standard_webhooks_key(s)
        return value


class WebhookSecrets(BaseModel):
    """All platforms' webhook secrets. A platform left out is not configured (503)."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    x: XSecrets | None = None
    meta: MetaSecrets | None = None
    linkedin: LinkedInSecrets | None = None
    twitch: TwitchSecrets | None = None
    standard: StandardSecrets | None = None
