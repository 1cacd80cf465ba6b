"""Who may be given something: the brand's eligibility policy, applied to every rule that
offers a sample. An excluded account (the brand's staff, a competitor) is never offered one;
an account younger than the minimum age, under the follower minimum, or mentioning the brand
in a burst is held for a person to review, with the reason shown in the review queue. A fact
nobody knows (Instagram shares no account age) holds nothing: the policy judges what is known.

The defaults are a cautious brand's: accounts under 30 days old and more than 5 mentions in
24 hours wait for review; no follower minimum (a small account can be a real fan). On the claim
page, a claim with an email or address another identity claimed with before waits for review
(``repeat_claimers``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from goodword.events import Event


class EligibilitySettings(BaseModel):
    """Settings `eligibility`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    excluded_accounts: list[str] = Field(
        default_factory=list, description="author ids or @handles never offered a sample (staff, competitors)"
    )
    min_followers: int | None = Field(default=None, ge=0, description="fewer followers: the offer waits for review")
    min_account_age_days: int | None = Field(
        default=30, ge=0, le=3650, description="a younger account (when known): the offer waits for review"
    )
    max_mentions_per_day: int | None = Field(
        default=5, ge=1, le=1000, description="more mentions by one identity in 24 hours: a burst, held for review"
    )
    repeat_claimers: Literal["hold", "refuse"] = Field(
        default="hold",
        description=(
            "a claim whose email or address another identity claimed with before: held for review, or refused"
            " (the identities are linked to one person either way)"
        ),
    )


def excluded(policy: EligibilitySettings, event: Event) -> str | None:
    """Why the author may never be offered anything, or None."""
    author = event.author
    if author is None or not policy.excluded_accounts:
        return None
    names = {author.id.lower(), *((f"@{author.handle.lower()}", author.handle.lower()) if author.handle else ())}
    hit = next((a for a in policy.excluded_accounts if a.strip().lower() in names), None)
    return f"eligibility: {hit} is an excluded account" if hit else None


def held(policy: EligibilitySettings, facts: dict[str, Any]) -> str | None:
    """Why an offer must wait for a person's review whatever the judge says, or None: read
    from the facts the rules saw (pipeline.process.event_facts)."""
    followers = facts.get("author.followers_count")
    if policy.min_followers is not None and followers is not None and followers < policy.min_followers:
        return f"{followers} followers, under the minimum of {policy.min_followers} (eligibility.min_followers)"
    age = facts.get("author.account_age_days")
    if policy.min_account_age_days is not None and age is not None and age < policy.min_account_age_days:
        return f"the account is {age:g} days old, under {policy.min_account_age_days} (eligibility.min_account_age_days)"
    burst = facts.get("person.mentions_last_24h") or 0
    if policy.max_mentions_per_day is not None and burst > policy.max_mentions_per_day:
        return f"{burst} mentions in 24 hours, over {policy.max_mentions_per_day}: a burst (eligibility.max_mentions_per_day)"
    return None
