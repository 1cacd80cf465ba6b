"""Goodword: hear every good word said about your brand, and say thank you.

The package is deployed as one Lambda layer and imported the same way by tests.
AWS access (boto3) lives in ``aws`` only; everything else is plain Python behind the
protocols of ``ports`` (tests/unit/test_layers.py holds it).

- ``webhooks``: one module per platform (handshake, verify, read into events) and ``receive``,
  one delivery start to finish.
- ``pipeline``: a batch decided (its intake), one event through the rules, and the apply_rules
  handler's routing; ``rules``: rule models, conditions, templates;
  ``sentiment``: the judge and the other providers, and the Bedrock second opinion.
- ``enrichment``: what an event lacks and the platform reads that complete it.
- ``claims``: an offer after it is sent: the claim page's records and states, fulfilment,
  expiry and redemption.
- ``actions``: performing one offer or action exactly once; ``outbound``: the platforms'
  documented requests, the HTTP transport and what answers mean.
- ``services``: what a marketer does, once, for the command, the console's API and Slack
  (rules, settings, report, review, people) over the stores; ``backtest`` (what rules would have
  done to stored events) and ``reporting`` (the report's numbers), pure, beneath them.
- ``slack``: approve from Slack: an offer entering review posted to the brand's channel, its
  buttons' clicks verified and decided through the review service.
- ``aws``: the adapters of the ports on DynamoDB, SQS, EventBridge, Secrets Manager and
  Bedrock; ``memory``: the same ports in plain Python (backtests, ``rules test``, fast tests).
- Records and models: ``events`` (the canonical Event), ``event_items`` (its DynamoDB layout),
  ``work`` (offers and actions), ``decisions``, ``rule_versions`` (rules and settings as
  stored), ``limits``, ``people``, ``person_work`` (what was made for a person), ``ports``.
- Policies: ``policy`` (platform capabilities), ``eligibility``, ``opt_out``, ``linking``,
  ``message_edits``, ``holds`` (why an offer waits for review).
- ``console_users``: the console's users and groups (the Cognito pool behind sign-in).
- Platform knowledge shared by receiving, enrichment and sending: ``signing``, ``pacing``,
  ``platform_ids``, ``platform_json``, ``x_users``.
- ``settings``, ``validation``, ``observability``.
"""
