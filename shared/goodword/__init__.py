"""Goodword: hear every good word said about your brand, and say thank you.

The package is deployed as one Lambda layer and imported the same way by tests.
Pure logic lives in ``webhooks`` and ``events``; AWS access lives in ``storage`` and
``secrets`` only.
"""
