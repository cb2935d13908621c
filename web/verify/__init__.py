"""Public badge URLs: credentials, issuer profiles, achievements, status lists, did:web."""
