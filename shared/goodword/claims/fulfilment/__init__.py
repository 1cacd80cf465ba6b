"""Fulfilment: what happens once a fan has claimed an offer, per the offer's rule
(``fulfilment:``, recorded on the offer when it was made).

- ``notify``: a signed Standard Webhooks ``offer.claimed`` request to the brand's URL, with the
  claim (``notify``); retried through the queue, then failed with the reason;
- ``code_pool``: a single-use code from the rule's pool (``ClaimStore.take_code``); an empty
  pool holds the claim (``code_pool_empty``) and raises the CodePoolEmpty alarm;
- ``shopify``: a single-use discount code created in the brand's store (``shopify``).

``fulfil.Fulfiller`` runs one claim through it on ports only (the handler gives it DynamoDB,
KMS, Secrets Manager and EventBridge; tests give it the in-memory adapters); every move is a
checked ``ClaimStore.move``, published with ``transition_detail`` (ids only).
"""
