"""Endorsements: the département and partner employers recognise associations' badges."""
