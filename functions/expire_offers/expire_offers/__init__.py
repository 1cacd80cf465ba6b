"""Lambda function: the expiry schedule - offers not claimed in time, review items nobody decided, old claim addresses."""
