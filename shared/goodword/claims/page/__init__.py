"""The claim page a fan opens from an offer's link: ``GET /claim/{code}`` shows the brand, the
product, the post it thanks and a form; ``POST /claim/{code}`` stores the claim. Pure: the
handler (functions/claim_page) gives it the stores, the bus and the queue as ports.

``flow`` answers one request (size, throttle, CSRF, bots, validation, repeat claimers, the
claim, the bus, the fulfilment queue); ``form`` is the form's model; ``csrf`` the signed
form tokens and receipts; ``render`` the Jinja2 templates (autoescape on) and the security
headers every answer carries.
"""
