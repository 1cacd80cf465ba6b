"""Outbound: the documented platform requests (pure builders), one HTTP transport with
timeouts, and the classification of answers into sent / retry / failed."""
