"""The ``slack`` entry of the PlatformCredentials secret (docs/operations.md, "Approve from
Slack"): where review notices go, and the signing secret their buttons' clicks are verified
with. Without the entry, nothing is posted and every click is refused."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SLACK_API = "https://slack.com/api"


class SlackConfig(BaseModel):
    """Either a bot token and a channel (chat.postMessage; the app needs ``chat:write``) or an
    incoming webhook URL (posts to the channel it was made for); the signing secret either way."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    signing_secret: str = Field(min_length=1)
    bot_token: str | None = None
    channel: str | None = None
    incoming_webhook_url: str | None = None
    api_base_url: str = SLACK_API  # PlatformCredentials' api_base_urls.slack: the local fake

    @model_validator(mode="after")
    def _somewhere_to_post(self) -> SlackConfig:
        if bool(self.bot_token) != bool(self.channel):
            raise ValueError("slack: bot_token and channel go together")
        if not self.bot_token and not self.incoming_webhook_url:
            raise ValueError("slack: give bot_token and channel, or incoming_webhook_url")
        if not self.api_base_url.startswith(("https://", "http://127.0.0.1")):  # the bot token is sent there
            raise ValueError("api_base_urls.slack must be https, or http://127.0.0.1 (a local fake)")
        return self


class SlackNotConfigured(Exception):
    """PlatformCredentials has no usable ``slack`` entry (the reason says which)."""


def slack_config(credentials: dict[str, Any]) -> SlackConfig:
    """The brand's Slack settings from PlatformCredentials, or SlackNotConfigured."""
    entry = credentials.get("slack")
    if not isinstance(entry, dict):
        raise SlackNotConfigured("PlatformCredentials has no slack entry")
    base = (credentials.get("api_base_urls") or {}).get("slack")
    try:
        return SlackConfig.model_validate({**entry, **({"api_base_url": base} if base else {})})
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise SlackNotConfigured(f"PlatformCredentials' slack entry is not usable: {problems}") from None
