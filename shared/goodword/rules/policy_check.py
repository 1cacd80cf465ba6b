"""Save-time policy: a rule whose contact actions a platform forbids after its triggers is
refused with the reason (the actions function checks each send again)."""

from __future__ import annotations

from goodword.events import EventKind, Platform
from goodword.policy import MATRIX, PRODUCES, Channel, offer_channel, refusal
from goodword.rules.model import Action, Delivery, Rule


def channel_of(action: Action) -> Channel | bool | None:
    """The channel an action uses; None for "automatic"; False for no contact at all."""
    if action.offer_sample:
        return {Delivery.AUTOMATIC: None, Delivery.REPLY: Channel.REPLY, Delivery.DIRECT_MESSAGE: Channel.DIRECT_MESSAGE}[
            action.offer_sample.delivery
        ]
    if action.reply:
        return Channel.REPLY
    if action.direct_message:
        return Channel.DIRECT_MESSAGE
    return False  # notify, tag, flag: internal (a flag asks a person; nothing is sent)


def policy_problems(rule: Rule) -> list[str]:
    """Platforms a rule names explicitly must support its actions; a rule for all platforms
    is checked on the platforms Goodword can contact people on (elsewhere each send is
    refused with its reason)."""
    explicit = rule.triggers.platforms is not None
    platforms = list(rule.triggers.platforms) if rule.triggers.platforms else list(MATRIX)
    problems: list[str] = []
    for index, action in enumerate(rule.actions):
        channel = channel_of(action)
        if channel is False:
            continue
        for platform in platforms:
            if platform not in MATRIX and not explicit:
                continue
            for kind in _kinds(rule, platform):
                wanted = channel if isinstance(channel, Channel) else None
                if action.offer_sample:  # where its claim link goes decides its channel too
                    reason = offer_channel(platform, kind, action.offer_sample.deliver_link, wanted)[1]
                else:
                    reason = refusal(platform, kind, wanted)
                if reason and f"actions[{index}].{action.kind}: {reason}" not in problems:
                    problems.append(f"actions[{index}].{action.kind}: {reason}")
    return problems


def _kinds(rule: Rule, platform: Platform) -> list[EventKind]:
    produced = PRODUCES.get(platform)
    return [k for k in rule.triggers.kinds if produced is None or k in produced]
