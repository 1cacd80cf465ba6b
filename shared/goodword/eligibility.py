"""Who may be given something: the brand's eligibility policy, applied to every rule that
offers a sample. An excluded account (the brand's staff, a competitor) is never offered one;
an account under the follower minimum is held for a person to review, with the reason shown
in the review queue. A follower count the platform did not send holds nothing: the policy
judges what is known."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from goodword.events import Event


class EligibilitySettings(BaseModel):
    """Settings `eligibility`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    excluded_accounts: list[str] = Field(
        default_factory=list, description="author ids or @handles never offered a sample (staff, competitors)"
    )
    min_followers: int | None = Field(default=None, ge=0, description="fewer followers: the offer waits for review")


def excluded(policy: EligibilitySettings, event: Event) -> str | None:
    """Why the author may never be offered anything, or None."""
    author = event.author
    if author is None or not policy.excluded_accounts:
        return None
    names = {author.id.lower(), *((f"@{author.handle.lower()}", author.handle.lower()) if author.handle else ())}
    hit = next((a for a in policy.excluded_accounts if a.strip().lower() in names), None)
    return f"eligibility: {hit} is an excluded account" if hit else None


def held(policy: EligibilitySettings, event: Event) -> str | None:
    """Why an offer must wait for a person's review whatever the judge says, or None."""
    followers = event.author.followers_count if event.author else None
    if policy.min_followers is not None and followers is not None and followers < policy.min_followers:
        return f"{followers} followers, under the minimum of {policy.min_followers} (eligibility.min_followers)"
    return None
