"""Lambda function: receive platform webhooks, verify, normalize, store, answer."""
