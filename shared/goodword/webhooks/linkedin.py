"""LinkedIn organization social action notifications: challengeCode validation,
X-LI-Signature, notifications[]. See platforms.md §3."""

from __future__ import annotations

import re
from datetime import datetime

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from goodword.observability import logger
from goodword.platform_json import Json, opt_id, opt_obj, opt_text, parse_time
from goodword.signing import hex_hmac, linkedin_signature, matches_any
from goodword.webhooks.adapter import Delivery, PlatformAdapter
from goodword.webhooks.errors import InvalidSignatureError
from goodword.webhooks.payload import array, id_text, obj, text
from goodword.webhooks.request import WebhookRequest, WebhookResponse
from goodword.webhooks.secrets import LinkedInSecrets

SIGNATURE_HEADER = "x-li-signature"
_KINDS = {
    "SHARE_MENTION": EventKind.MENTION,
    "COMMENT": EventKind.COMMENT,
    "LIKE": EventKind.LIKE,
    "SHARE": EventKind.SHARE,
}


# LinkedIn's challengeCode is a UUID (platforms.md §3.1). The handshake answers only that shape:
# its answer is hex(HMAC(client_secret, code)), so answering for arbitrary text would hand out
# hex(HMAC(client_secret, body)) for any body an attacker chooses.
CHALLENGE_CODE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def signature_variants(secret: str, body: bytes) -> dict[str, str]:
    """The readings of X-LI-Signature we accept (platforms.md §3.2 calls the documentation ambiguous).

    - ``prefixed_body``, hex(HMAC(secret, "hmacsha256=" + body)): the literal reading of the docs.
      No handshake produces it: the handshake's message is a bare UUID, never "hmacsha256=...".
    - ``prefixed_header``, "hmacsha256=" + hex(HMAC(secret, body)): what some public
      implementations expect. Its HMAC is the one the handshake computes, so it is accepted only
      for a body the handshake would refuse to answer (anything but a UUID). The two domains are
      disjoint, so a handshake answer can never verify a delivery.

    The bare hex(HMAC(secret, body)) reading is not accepted: it *is* a handshake answer.
    """
    variants = {"prefixed_body": linkedin_signature(secret, body)}
    if not CHALLENGE_CODE.fullmatch(body.decode("latin-1")):
        variants["prefixed_header"] = "hmacsha256=" + hex_hmac(secret, body)
    return variants


class LinkedInAdapter(PlatformAdapter[LinkedInSecrets]):
    name = "linkedin"
    methods = ("GET", "POST")

    def handshake(self, request: WebhookRequest, secrets: LinkedInSecrets) -> WebhookResponse:
        code = self.handshake_parameter(request, "challengeCode", CHALLENGE_CODE, "a UUID")
        return WebhookResponse.json(200, {"challengeCode": code, "challengeResponse": hex_hmac(secrets.client_secret[0], code)})

    def verify(self, request: WebhookRequest, secrets: LinkedInSecrets, now: datetime) -> None:
        presented = self.required_header(request, SIGNATURE_HEADER)
        matched = [
            variant
            for secret in secrets.client_secret
            for variant, expected in signature_variants(secret, request.body).items()
            if matches_any(presented, [expected])
        ]
        if not matched:
            raise InvalidSignatureError(f"{SIGNATURE_HEADER} does not match the body")
        # Which reading LinkedIn really uses is unconfirmed: record it for operators.
        logger.info("LinkedIn signature verified", extra={"signature_variant": matched[0]})

    def read(self, request: WebhookRequest) -> Delivery:
        body = obj(request.json(), "body")
        delivery = Delivery()
        for index, item in enumerate(array(body.get("notifications"), "notifications")):
            path = f"notifications[{index}]"
            notification = obj(item, path)
            action = notification.get("action")
            kind = _KINDS.get(action) if isinstance(action, str) else None
            notification_id = id_text(notification, "notificationId", path)
            brand = text(notification, "organizationalEntity", path)
            if kind is None:
                delivery.ignored[f"linkedin.{action}"[:64]] += 1  # ADMIN_COMMENT, COMMENT_EDIT, ...
                continue
            activity = text(notification, "generatedActivity", path) if kind is not EventKind.LIKE else None
            delivery.events.append(
                Event(
                    platform=Platform.LINKEDIN,
                    source="linkedin",
                    kind=kind,
                    natural_id=f"notification:{notification_id}",
                    brand_account=brand,
                    occurred_at=parse_time(notification.get("lastModifiedAt"), request.received_at),
                    received_at=request.received_at,
                    author=_actor(notification),
                    text=_text(notification),
                    refs=EventRefs(
                        post_id=opt_id(notification, "sourcePost"),
                        comment_id=activity if kind is EventKind.COMMENT else None,
                        conversation_id=activity,
                    ),
                    raw=notification,
                )
            )
        return delivery


def _decorated(notification: Json) -> Json:
    decorated = opt_obj(notification, "decoratedGeneratedActivity")
    return opt_obj(decorated, "comment") or opt_obj(decorated, "share") or decorated


def _actor(notification: Json) -> Author | None:
    decorated = _decorated(notification)
    actor = opt_id(decorated, "actor") or opt_id(decorated, "owner")
    return Author(id=actor) if actor else None


def _text(notification: Json) -> str | None:
    decorated = _decorated(notification)
    return opt_text(decorated, "text") or opt_text(opt_obj(decorated, "message"), "text")
