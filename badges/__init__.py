"""Open Badges 3.0: achievements, issuers, credentials, proofs, verification, status lists."""
