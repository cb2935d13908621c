"""Exceptions raised by the Open Badges 3.0 core.

Domain code raises these precise errors; verification functions catch them and turn them into
a failed check with a human sentence, so a tampered or malformed credential never becomes a 500.
"""

from __future__ import annotations


class Ob3Error(Exception):
    """Base class for every error of the Open Badges 3.0 core."""


class UnknownContext(Ob3Error):
    """A JSON-LD context URL that is not vendored in ``ob_schemas/contexts`` (never fetched)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context not available offline: {url!r}")
        self.url = url


class InvalidJsonLd(Ob3Error):
    """The document is not valid JSON-LD (syntax error reported by the processor)."""


class JsonLdSafeModeError(InvalidJsonLd):
    """Expansion would drop or mangle data: undefined term, relative IRI, dropped value."""


class InvalidKey(Ob3Error):
    """A key (multikey, did:key, raw bytes) that cannot be decoded into the expected key type."""
