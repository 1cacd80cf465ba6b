"""Lambda function: fulfils claims from FulfilmentQueue (notify, code pool, Shopify)."""
