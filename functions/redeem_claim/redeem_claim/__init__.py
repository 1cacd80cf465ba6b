"""Lambda function: the shop says a fulfilled sample was used (POST /claims/{claim_id}/redeemed)."""
