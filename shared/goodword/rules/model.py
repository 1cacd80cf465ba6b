"""Rules and settings as marketers write them (YAML in rules/, one item per rule in
RulesTable). The JSON Schema exported from these models is docs/rules.schema.json."""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, HttpUrl, field_validator, model_validator
from pydantic import Tag as UnionTag

from goodword.eligibility import EligibilitySettings
from goodword.enrichment.fetches import EnrichmentSettings
from goodword.events import EventKind, Platform
from goodword.opt_out import OptOutSettings
from goodword.outbound.destinations import never_callable
from goodword.outbound.notify import NotifyFormat
from goodword.policy import DeliverLink
from goodword.rules.compliance import conditioning
from goodword.rules.conditions import MAX_LEAVES, Condition, count_leaves
from goodword.rules.templates import placeholders_in, validate_template
from goodword.sentiment.model import SentimentSettings
from goodword.work import MAX_ACTIONS

_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MAX_RULE_CHARS = 100_000  # a rule written out as JSON: its item and history item stay far under 400 KB


def _rule_id(value: str) -> str:
    if not _RULE_ID.fullmatch(value):
        raise ValueError(
            "a rule id is lower-case letters, digits and dashes, at most 63 of them, starting with a letter or a digit"
            " (e.g. first-mention-sample)"
        )
    return value


RuleId = Annotated[
    str,
    AfterValidator(_rule_id),
    Field(description="lower-case letters, digits and dashes", json_schema_extra={"pattern": f"^{_RULE_ID.pattern}$"}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Day(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class Triggers(_Model):
    kinds: list[EventKind] = Field(min_length=1, description="event kinds the rule considers")
    platforms: list[Platform] | None = Field(default=None, description="all platforms when left out")
    brand_accounts: list[str] | None = Field(default=None, description="all brand accounts when left out")

    @field_validator("kinds")
    @classmethod
    def _actionable(cls, kinds: list[EventKind]) -> list[EventKind]:
        if EventKind.REVOCATION in kinds:
            raise ValueError(
                "revocation is not a trigger kind: it records that a platform withdrew Goodword's access "
                "(see `goodword events list --kind revocation`); rules never act on it"
            )
        return kinds


class Hours(_Model):
    start: time = Field(alias="from")
    end: time = Field(alias="to", description="exclusive; earlier than `from` means overnight")


class Window(_Model):
    """When the rule is active, in the brand's time zone."""

    start_date: date | None = Field(default=None, alias="from_date")
    end_date: date | None = Field(default=None, alias="to_date", description="inclusive")
    days: list[Day] | None = None
    hours: Hours | None = None

    @model_validator(mode="after")
    def _dates(self) -> Window:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("to_date is before from_date")
        return self


class Review(StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"
    BY_BAND = "by_band"  # automatic in the judge's auto band, a person decides otherwise


class AutomaticAbove(_Model):
    automatic_above_confidence: float = Field(
        ge=0, le=1, description="automatic when sentiment confidence is at least this, else manual"
    )


class Delivery(StrEnum):
    AUTOMATIC = "automatic"  # the channel the platform allows for the event (next issue)
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"


_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")
_SHOP = re.compile(r"[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com")


class NotifyFulfilment(_Model):
    """A signed Standard Webhooks ``offer.claimed`` request to the brand's URL, with the claim
    (the claimant's name, email and address: this URL is where the brand ships from)."""

    kind: Literal["notify"] = "notify"
    url: HttpUrl | None = Field(
        default=None,
        description="https; receives the claim, signed. Left out: claims wait for a person (goodword claims mark-fulfilled)",
    )

    @field_validator("url")
    @classmethod
    def _https_public(cls, value: HttpUrl | None) -> HttpUrl | None:
        if value is None:
            return None
        host = value.host or ""
        if value.scheme != "https" and host not in _LOOPBACK_HOSTS:
            raise ValueError("the fulfilment URL must be https: it receives the claimant's name, email and address")
        if problem := never_callable(host):  # checked again, resolved, at every send
            raise ValueError(problem)
        return value


class CodePoolFulfilment(_Model):
    """A single-use code from the codes uploaded with ``goodword codes upload FILE --rule RULE``."""

    kind: Literal["code_pool"]


class ShopifyFulfilment(_Model):
    """A single-use discount code created in the brand's Shopify store (Admin GraphQL
    ``discountCodeBasicCreate``, usage limit 1), one per claim."""

    kind: Literal["shopify"]
    shop: str = Field(description="the store's myshopify.com domain, e.g. roaster.myshopify.com")
    percentage: float | None = Field(default=None, gt=0, le=100, description="percent off the order (100: free)")
    amount: float | None = Field(default=None, gt=0, le=100_000, description="a fixed amount off, in the store's currency")
    title: str = Field(
        default="Goodword thank-you", min_length=1, max_length=255, description="the discount's name in Shopify admin"
    )
    valid_days: int | None = Field(
        default=None, ge=1, le=365, description="the code ends this many days after the claim (never when left out)"
    )

    @field_validator("shop")
    @classmethod
    def _shop(cls, value: str) -> str:
        if not _SHOP.fullmatch(value.lower()):
            raise ValueError("shop is the store's myshopify.com domain, like roaster.myshopify.com (not its own domain)")
        return value.lower()

    @model_validator(mode="after")
    def _one_value(self) -> ShopifyFulfilment:
        if (self.percentage is None) == (self.amount is None):
            raise ValueError("a shopify fulfilment gives either percentage (e.g. 100 for free) or amount, not both or neither")
        return self


def _fulfilment_kind(value: Any) -> str | None:
    """The union's tag: ``kind``, notify when left out (the default fulfilment)."""
    kind = value.get("kind", "notify") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in ("notify", "code_pool", "shopify") else None


Fulfilment = Annotated[
    Annotated[NotifyFulfilment, UnionTag("notify")]
    | Annotated[CodePoolFulfilment, UnionTag("code_pool")]
    | Annotated[ShopifyFulfilment, UnionTag("shopify")],
    Discriminator(
        _fulfilment_kind,
        custom_error_type="fulfilment_kind",
        custom_error_message="unknown fulfilment kind; use notify, code_pool or shopify",
    ),
]

DEFAULT_ASK_MESSAGE = (
    "Thank you {author_handle}! We'd love to send you {product}, on us: send us a direct message and we'll answer with your link."
)
_CLAIM_PLACEHOLDERS = ("claim_link", "claim_code")


def _compliant(value: str) -> str:
    if problem := conditioning(value):
        raise ValueError(problem)
    return value


class OfferSample(_Model):
    product: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=1000, description="template; see the placeholders")
    delivery: Delivery = Delivery.AUTOMATIC
    deliver_link: DeliverLink | None = Field(
        default=None,
        description="reply | dm | ask_to_dm: where the claim link goes; left out: the platform's default (docs/rules.md)",
    )
    ask_message: str = Field(
        default=DEFAULT_ASK_MESSAGE,
        min_length=1,
        max_length=1000,
        description="the public reply when the link is not in it (ask_to_dm): asks the person to send a DM; no {claim_link}",
    )
    review: Review | AutomaticAbove = Review.MANUAL
    product_cost: float | None = Field(
        default=None, ge=0, description="cost of one sample (the unit cost), for budgets and reports"
    )
    claim_within_days: int = Field(default=14, ge=1, le=90, description="the offer expires unclaimed after this many days")
    fulfilment: Fulfilment = Field(
        default_factory=NotifyFulfilment, description="what happens when the person claims: notify, code_pool or shopify"
    )

    @field_validator("message")
    @classmethod
    def _template(cls, value: str) -> str:
        return _compliant(validate_template(value, offer=True))

    @field_validator("ask_message")
    @classmethod
    def _ask(cls, value: str) -> str:
        validate_template(value, offer=True)
        if given := [name for name in placeholders_in(value) if name in _CLAIM_PLACEHOLDERS]:
            raise ValueError(
                f"ask_message is the public reply that asks for a DM: {{{given[0]}}} would put the claim in it (use message)"
            )
        return _compliant(value)

    @model_validator(mode="after")
    def _agree(self) -> OfferSample:
        clash = {
            Delivery.REPLY: (DeliverLink.DM,),
            Delivery.DIRECT_MESSAGE: (DeliverLink.REPLY, DeliverLink.ASK_TO_DM),
        }.get(self.delivery, ())
        if self.deliver_link in clash:
            raise ValueError(
                f"delivery: {self.delivery.value} and deliver_link: {self.deliver_link.value} disagree;"
                " deliver_link alone says where the link goes (leave delivery out)"
            )
        return self


class Message(_Model):
    message: str = Field(min_length=1, max_length=1000)

    @field_validator("message")
    @classmethod
    def _template(cls, value: str) -> str:
        return validate_template(value, offer=False)


class Notify(_Model):
    url: HttpUrl = Field(description="receives a signed Standard Webhooks POST; public addresses only")
    message: str | None = Field(default=None, max_length=1000)
    format: NotifyFormat = Field(
        default=NotifyFormat.STANDARD,
        description="standard: Goodword's JSON; slack: a Slack incoming webhook's text and blocks (message, post, person, link)",
    )

    @field_validator("url")
    @classmethod
    def _never_internal(cls, value: HttpUrl) -> HttpUrl:
        # Checked again, resolved, at every send (goodword.outbound.destinations); refused here
        # already when the address is written out and can never be right.
        if problem := never_callable(value.host or ""):
            raise ValueError(problem)
        return value

    @field_validator("message")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        return None if value is None else validate_template(value, offer=False)


class Flag(_Model):
    """Put the post in the review queue for a person to answer; no offer, nothing is sent."""

    reason: str = Field(min_length=1, max_length=300, description="what the person should look at; placeholders allowed")

    @field_validator("reason")
    @classmethod
    def _template(cls, value: str) -> str:
        return validate_template(value, offer=False)


class Tag(_Model):
    label: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")


class Action(_Model):
    """Exactly one of the keys."""

    offer_sample: OfferSample | None = None
    reply: Message | None = None
    direct_message: Message | None = None
    notify: Notify | None = None
    tag: Tag | None = None
    flag: Flag | None = None

    @property
    def kind(self) -> str:
        return next(k for k in _ACTION_KINDS if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _one(self) -> Action:
        given = [k for k in _ACTION_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"each action has exactly one of {', '.join(_ACTION_KINDS)}")
        return self


_ACTION_KINDS = ("offer_sample", "reply", "direct_message", "notify", "tag", "flag")


class Scope(StrEnum):
    ACCOUNT = "account"  # one platform identity (x:@fan and instagram:@fan are two)
    PERSON = "person"  # every identity linked to the same person (goodword people link)


class OncePerPerson(_Model):
    days: int | None = Field(default=None, ge=1, le=3650, description="again after this many days (forever when left out)")
    scope: Scope | None = Field(default=None, description="account or person; person for offer_sample rules when left out")


class Limits(_Model):
    once_per_person: Literal["forever"] | OncePerPerson | None = Field(
        default="forever", description="'forever', {days: N, scope: account | person}, or null for no limit"
    )
    per_day: int | None = Field(default=None, ge=1, description="matches acted on per day (brand time zone)")
    per_week: int | None = Field(default=None, ge=1, description="per ISO week")
    total: int | None = Field(default=None, ge=1, description="for the rule's lifetime: the budget")


class Rule(_Model):
    id: RuleId
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    enabled: bool = True
    priority: int = Field(default=100, ge=0, le=10000, description="lower runs first")
    stop_after: bool = Field(default=False, description="when this rule acts, later rules do not run for the event")
    triggers: Triggers
    window: Window | None = None
    conditions: Condition | None = None
    actions: list[Action] = Field(min_length=1, max_length=MAX_ACTIONS)
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _bounded(self) -> Rule:
        if self.conditions is not None and count_leaves(self.conditions) > MAX_LEAVES:
            raise ValueError(f"conditions have more than {MAX_LEAVES} tests")
        if sum(1 for a in self.actions if a.offer_sample) > 1:
            raise ValueError("a rule makes at most one offer")
        if sum(1 for a in self.actions if a.flag) > 1:
            raise ValueError("a rule flags a post at most once")
        if (size := len(self.model_dump_json(by_alias=True, exclude_defaults=True))) > MAX_RULE_CHARS:
            raise ValueError(
                f"the rule is {size:,} characters long written out; a rule holds at most {MAX_RULE_CHARS:,} characters"
            )
        return self


class BrandAccount(_Model):
    platform: Platform
    account_id: str = Field(min_length=1)
    handle: str | None = None


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _https(value: HttpUrl | None) -> HttpUrl | None:
    if value is not None and value.scheme != "https":
        raise ValueError("use an https:// address")
    return value


HttpsUrl = Annotated[HttpUrl, AfterValidator(_https)]


class Settings(_Model):
    """The brand's settings (RulesTable item pk=SETTINGS, sk=GLOBAL)."""

    brand_names: list[str] = Field(default_factory=list, description="masked before sentiment scoring")
    time_zone: str = "UTC"
    claim_link_base_url: HttpUrl | None = Field(
        default=None,
        description="where claim links point (the claim code is appended); left out: the stack's own claim page",
    )
    # The claim page (GET /claim/{code}): how the brand looks to a fan claiming a sample.
    brand_display_name: str | None = Field(
        default=None, min_length=1, max_length=80, description="the brand's name on the claim page (else the first brand_names)"
    )
    brand_logo_url: HttpsUrl | None = Field(default=None, description="an https:// image shown on the claim page")
    brand_colour: str = Field(default="#1f4e79", description="#rrggbb: the claim page's accent colour")
    privacy_notice_url: HttpsUrl | None = Field(
        default=None, description="https:// page the claim form's consent links to (what the brand does with the details)"
    )
    disclosure_wording: str = Field(
        default="#gifted",
        min_length=1,
        max_length=60,
        description="what the claim page asks a fan to add if they post about the gift (a disclosure, not a condition)",
    )
    sentiment: SentimentSettings = SentimentSettings()
    cooldown_days: int = Field(default=7, ge=0, le=365, description="at most one automated contact per person in this many days")
    paused: bool = Field(default=False, description="stop every rule at once")
    claim_address_retention_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="days after a claim is made that its address is kept, once the claim is settled (docs/operations.md)",
    )
    opt_out: OptOutSettings = Field(default_factory=OptOutSettings, description="what counts as a person asking to stop")
    eligibility: EligibilitySettings = Field(
        default_factory=EligibilitySettings, description="who may be offered a sample (every offer_sample rule)"
    )
    enrichment: EnrichmentSettings = Field(
        default_factory=EnrichmentSettings, description="fetching what platforms leave out of events (docs/events.md)"
    )
    review_expires_after_days: int | None = Field(
        default=14,
        ge=1,
        le=365,
        description="offers and flags waiting for review longer than this expire (nobody decided); null: they wait forever",
    )

    @field_validator("brand_colour")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not _COLOUR.fullmatch(value):
            raise ValueError("a colour is written #rrggbb, e.g. #1f4e79")
        return value.lower()

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)") from None
        return value
