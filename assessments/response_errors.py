"""Why a learner's response is refused before it is judged right or wrong.

A response that does not have the shape its item expects (nothing chosen, an unknown choice,
text where a list is due, two steps at the same place) is never stored nor counted: it raises
:class:`InvalidResponse`, whose stable ``code`` the web layer turns into a translated message
shown on ``field``, the form field that needs fixing.
"""

from __future__ import annotations

# Every ``InvalidResponse.code`` raised while a form is read or a response checked (the web
# layer has a message for each; a test keeps this list and the raising code in step).
RESPONSE_ERROR_CODES = (
    "address_missing", "addresses_expected", "choice_expected", "choices_expected",
    "date_expected", "duplicate_choice", "duplicate_position", "empty", "fields_empty",
    "fields_expected", "form_empty", "incomplete_order", "incomplete_pairs",
    "message_not_opened", "nothing_ticked", "number_empty", "number_expected", "pairs_expected",
    "position_expected", "procedure_expected", "procedure_unfinished", "step_choice_expected",
    "step_empty", "task_expected", "text_expected", "too_long", "unknown_action",
    "unknown_choice", "unknown_field", "unknown_message", "unknown_step",
)  # fmt: skip


class InvalidResponse(ValueError):
    """The response has not the shape the item expects; ``code`` is stable, ``message`` French.

    ``field`` names the form field the message belongs to (``choices``, ``field-nom``…); the
    item's type fills it in when the error leaves :mod:`assessments.checking`.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
