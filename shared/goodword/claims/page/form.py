"""The claim form: what a fan types, validated field by field. Errors are said in plain words
and never repeat the input (they are shown beside the field, and nothing personal reaches a
log). A reward that is a code (a code pool, a Shopify discount) asks for the email only;
a sample to ship asks for the name and the address too."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from goodword.claims.page.countries import country_codes
from goodword.claims.records import Claimant

# A plain address: ASCII local part and domain labels, so it can be mailed and hashed the same
# way every time (an internationalised address is refused with a clear message).
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_POSTAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,19}")

ADDRESS_FIELDS = ("name", "email", "address_line1", "address_line2", "city", "postal_code", "region", "country", "consent")
EMAIL_FIELDS = ("email", "consent")
OPTIONAL = frozenset({"address_line2", "region"})
MAX_LENGTH = {
    "name": 100,
    "email": 254,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "postal_code": 20,
    "region": 100,
    "country": 2,
    "consent": 3,
}
LABELS = {
    "name": "Full name",
    "email": "Email",
    "address_line1": "Address",
    "address_line2": "Address line 2 (optional)",
    "city": "Town or city",
    "postal_code": "Postcode / ZIP",
    "region": "State, county or region (optional)",
    "country": "Country",
    "consent": "Consent",
}


def _clean(value: str, field: str) -> str:
    """Trimmed, spaces collapsed; control characters and over-long values refused."""
    text = " ".join(value.split())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise ValueError("Please use letters, digits and ordinary punctuation only.")
    if len(text) > MAX_LENGTH[field]:
        raise ValueError(f"Please keep this under {MAX_LENGTH[field]} characters.")
    if not text and field not in OPTIONAL:
        raise ValueError("Please fill this in." if field != "country" else "Please choose your country.")
    return text


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    email: str = ""
    consent: str = ""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        text = _clean(value, "email")
        if not _EMAIL.fullmatch(text):
            raise ValueError("Please enter an email address like name@example.com.")
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: str) -> str:
        if value != "yes":
            raise ValueError("Please tick the box to agree, so we can send your gift.")
        return value


class EmailForm(_Form):
    """The reward is a code: it is shown on the page (and the brand may email it)."""


class AddressForm(_Form):
    name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    postal_code: str = ""
    region: str = ""
    country: str = ""

    @field_validator("name", "address_line1", "address_line2", "city", "region")
    @classmethod
    def _text(cls, value: str, info: ValidationInfo) -> str:
        return _clean(value, str(info.field_name))

    @field_validator("postal_code")
    @classmethod
    def _postal(cls, value: str) -> str:
        text = _clean(value, "postal_code")
        if not _POSTAL.fullmatch(text):
            raise ValueError("Please use letters, digits, spaces and dashes only.")
        return text.upper()

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        text = _clean(value, "country").upper()
        if text not in country_codes():
            raise ValueError("Please choose your country from the list.")
        return text


@dataclass(frozen=True)
class FormResult:
    """A valid claimant, or the errors by field (and what was typed, to show it again)."""

    claimant: Claimant | None
    errors: dict[str, str]
    values: dict[str, str]


def fields_for(code_reward: bool) -> tuple[str, ...]:
    return EMAIL_FIELDS if code_reward else ADDRESS_FIELDS


def validate(raw: Mapping[str, str], code_reward: bool) -> FormResult:
    wanted = fields_for(code_reward)
    values = {name: str(raw.get(name, ""))[: MAX_LENGTH[name] * 4] for name in wanted}
    model: type[_Form] = EmailForm if code_reward else AddressForm
    try:
        form = model.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors(include_input=False, include_url=False):
            field = str(error["loc"][0]) if error["loc"] else "form"
            message = str(error["msg"]).removeprefix("Value error, ")
            errors.setdefault(field, message)
        return FormResult(None, errors, values)
    data = form.model_dump()
    claimant = Claimant(
        name=data.get("name") or "",
        email=data["email"],
        address_line1=data.get("address_line1") or None,
        address_line2=data.get("address_line2") or None,
        city=data.get("city") or None,
        postal_code=data.get("postal_code") or None,
        region=data.get("region") or None,
        country=data.get("country") or None,
    )
    return FormResult(claimant, {}, values)
