"""Claims: what happens to an offer after it is sent, until the sample reaches the fan.

A fan opens the claim link (``GET /claim/{code}``), fills the form and the stack stores a
claim; fulfilment (a signed request to the brand, a code from a pool, a Shopify discount)
follows, then expiry, redemption and the report's outcome columns. ``states`` holds the
only moves; ``records`` the typed claim and the claimant's personal fields; ``hashing`` the
repeat-claimer hashes; ``retention`` when an address is erased; ``lookups`` the claim page's
throttle counters; ``expiry`` what the schedule expires (unclaimed offers, undecided reviews)
and ``redemption`` the shop's signed "redeemed".
"""
