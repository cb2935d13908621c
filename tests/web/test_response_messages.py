"""Every way a response can be refused has its message for the learner, in French and English."""

from __future__ import annotations

from flask_babel import force_locale

from assessments.response_errors import RESPONSE_ERROR_CODES
from web.learner.assessment import RESPONSE_MESSAGES


def test_every_refused_response_has_a_french_message_and_its_english(app):
    assert set(RESPONSE_MESSAGES) == set(RESPONSE_ERROR_CODES)
    with app.test_request_context():
        for code, message in RESPONSE_MESSAGES.items():
            with force_locale("fr"):
                french = str(message)
            with force_locale("en"):
                english = str(message)
            assert french and english and french != english, code
