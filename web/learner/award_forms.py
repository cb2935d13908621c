"""Forms of the results page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class AwardBadgesForm(FlaskForm):
    """« Réessayer »: issue the badges a finished session earned and has not received yet
    (only the CSRF token: the session is in the URL)."""
