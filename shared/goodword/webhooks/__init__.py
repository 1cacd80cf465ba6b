"""Webhook verification and normalization: pure code, no AWS access."""
