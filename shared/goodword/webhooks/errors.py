"""Errors a delivery can be answered with. Each maps to one HTTP status and a short code.

Messages name the problem and never echo secrets or signature values.
"""

from __future__ import annotations


class WebhookError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class UnknownPlatformError(WebhookError):
    status, code = 404, "unknown_platform"


class MethodNotAllowedError(WebhookError):
    status, code = 405, "method_not_allowed"


class PayloadTooLargeError(WebhookError):
    status, code = 413, "payload_too_large"


class MissingSignatureError(WebhookError):
    status, code = 401, "missing_signature"


class InvalidSignatureError(WebhookError):
    status, code = 401, "invalid_signature"


class StaleTimestampError(WebhookError):
    status, code = 401, "stale_timestamp"


class InvalidTimestampError(WebhookError):
    status, code = 401, "invalid_timestamp"


class VerifyTokenMismatchError(WebhookError):
    status, code = 403, "verify_token_mismatch"


class MissingParameterError(WebhookError):
    status, code = 400, "missing_parameter"


class InvalidParameterError(WebhookError):
    """A handshake parameter that is not the shape the platform documents."""

    status, code = 400, "invalid_parameter"


class InvalidJsonError(WebhookError):
    status, code = 400, "invalid_json"


class InvalidPayloadError(WebhookError):
    """Correctly signed, valid JSON, but not the platform's documented shape."""

    status, code = 400, "invalid_payload"


class NotConfiguredError(WebhookError):
    """The operator has not configured this platform's secret: retryable once fixed."""

    status, code = 503, "platform_not_configured"


class StorageUnavailableError(WebhookError):
    """Events could not be durably written: the platform must retry."""

    status, code = 503, "storage_unavailable"


class SecretsUnavailableError(WebhookError):
    """Secrets Manager could not be read, or the secret is not valid: retryable."""

    status, code = 503, "secrets_unavailable"
