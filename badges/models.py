"""Badge models (issuers, keys, achievements, credentials)."""
