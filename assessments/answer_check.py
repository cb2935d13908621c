"""What an answer to an item would get, for a trainer trying it in the item bank's preview.

The form is read and checked by the very code a learner's answer goes through
(:mod:`assessments.checking`): the verdict is ``check``'s, and the reasons say which accepted
answer and tolerance matched, or what was missing. Nothing is written: no session, no response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assessments import checking
from assessments.item_types.base import Reason
from assessments.models import AnswerStatus
from assessments.response_errors import InvalidResponse


@dataclass(frozen=True)
class Verdict:
    """``status`` as the learner's answer would be recorded (``skipped`` for « Je ne sais
    pas »), or ``refused``: the form must be fixed first, as the learner's page would say."""

    status: AnswerStatus | None
    response: Any = None
    reasons: list[Reason] = field(default_factory=list)
    refused: InvalidResponse | None = None

    @property
    def accepted(self) -> bool:
        return self.status is AnswerStatus.OK


def try_answer(item: checking.Checkable, form: Any, *, skip: bool = False) -> Verdict:
    """The verdict on what ``form`` (the fields the item's page posts) holds for ``item``."""
    if skip:
        return Verdict(AnswerStatus.SKIPPED, reasons=[Reason("skipped")])
    try:
        response = checking.read_form(item, form)
        status = checking.check(item, response)
        reasons = checking.explain(item, response)
    except InvalidResponse as error:
        return Verdict(None, refused=error)
    return Verdict(status, response, reasons)
