"""The ``recipient`` check: was the badge issued to the person the employer expects?"""

from __future__ import annotations

from typing import Any

from badges.ob3.build import Recipient, identity_matches
from badges.ob3.credential_fields import as_list, subject_of
from badges.ob3.verification_result import CheckRun


def check_recipient(credential: dict[str, Any], recipient: Recipient, run: CheckRun) -> bool:
    subject = subject_of(credential)
    matched = False
    if recipient.id is not None and subject.get("id") == recipient.id:
        matched = True
    if recipient.identity is not None:
        for identifier in as_list(subject.get("identifier")):
            if isinstance(identifier, dict) and identity_matches(
                identifier, recipient.identity, recipient.identity_type
            ):
                matched = True
    if matched:
        run.ok(
            "recipient",
            "Ce badge a bien été délivré à cette personne.",
            "The credential was issued to this recipient.",
        )
    else:
        run.fail(
            "recipient",
            "Ce badge n'a pas été délivré à cette personne.",
            "The credential was not issued to this recipient.",
        )
    return matched
