"""Assessment models (frameworks, items, campaigns, sessions)."""
