"""Enrichment: completing an event the platform delivered with ids only (Instagram mentions,
LinkedIn notifications, Facebook mentions without a message, X authors without account
facts) from the platforms' documented read APIs, before it is judged (docs/events.md)."""
