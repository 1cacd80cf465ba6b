"""A reviewer's edit of a held offer's message (``goodword review approve ID --message``),
checked before it is approved: the same placeholders as the rule's message, the claim the
rule's message gives the person kept, and within what the platform's channel allows. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from goodword.events import EventKind, Platform
from goodword.policy import Channel, DeliverLink, capability
from goodword.rules.compliance import conditioning
from goodword.rules.templates import placeholders_in, render, validate_template
from goodword.work import WorkRecord

_CLAIM = ("claim_link", "claim_code")  # what lets the person claim the offer


@dataclass(frozen=True)
class EditContext:
    """What the edit is filled with and checked against, beyond the offer itself."""

    rule_message: str | None  # the rule's message template; None when the rule is gone
    author_name: str | None = None
    brand_handle: str | None = None


def edited_message(template: str, record: WorkRecord, context: EditContext) -> str:
    """The message as it will be sent; ValueError saying what is wrong otherwise."""
    if not template.strip():
        raise ValueError("the message is empty")
    validate_template(template, offer=True)  # unknown or malformed placeholders
    values = {
        "author_handle": f"@{record.author_handle}" if record.author_handle else "",
        "author_name": context.author_name or record.author_handle or "",
        "product": record.product or "",
        "claim_link": record.claim_link or "",
        "claim_code": record.claim_code or "",
        "brand_handle": f"@{context.brand_handle}" if context.brand_handle else "",
        "platform": record.platform,
    }
    if problem := conditioning(template):
        raise ValueError(problem)
    message = render(template, values)
    if record.deliver_link == DeliverLink.ASK_TO_DM:  # a public reply asking for a DM: the link waits for the DM
        if given := [name for name in _CLAIM if name in placeholders_in(template)]:
            raise ValueError(f"this offer's reply asks the person to send a DM: {{{given[0]}}} would put the claim in it")
        return _within_channel(message, record)
    used = set(placeholders_in(context.rule_message)) if context.rule_message is not None else set()
    if context.rule_message is None and record.claim_link and record.claim_link in (record.message or ""):
        used.add("claim_link")  # the rule is gone: keep what the held message gave
    for name in _CLAIM:
        if name in used and values[name] and values[name] not in message:
            raise ValueError(f"the message must keep {{{name}}}: the rule's message gives the person it to claim the offer")
    return _within_channel(message, record)


def _within_channel(message: str, record: WorkRecord) -> str:
    if record.channel is not None:
        found = capability(Platform(record.platform), Channel(record.channel), EventKind(record.event_kind))
        if found is not None and len(message) > found.max_length:
            raise ValueError(
                f"the message is {len(message)} characters; {record.platform} {record.channel} allows {found.max_length}"
            )
    return message
