"""Lambda function: the claim page a fan opens from an offer's link (GET/POST /claim/{code})."""
