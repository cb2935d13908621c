"""A step that raises is a fault of ours: logged without personal data, reported as an internal
error — never as a forged, malformed or revoked badge, never as an exception to the caller."""

from __future__ import annotations

import logging

import pytest

from badges.ob3 import internal_errors, verify, verify_status
from badges.ob3.build import Recipient, StatusEntry
from badges.ob3.verify import CheckStatus, Verdict, verify_bytes, verify_credential

from .credentials import NOW, STATUS_URL, local_resolver, signed_credential

HOLDER_NAME = "Camille Martin"  # in the exception's message: must never reach the log


def _raiser(*_args, **_kwargs):
    raise RuntimeError(f"unexpected shape near {HOLDER_NAME}")


@pytest.mark.parametrize(
    ("module", "function", "step"),
    [
        (verify, "check_context", "context"),
        (verify, "check_type", "type"),
        (verify, "check_jsonld", "jsonld"),
        (verify, "check_schema", "schema"),
        (verify, "check_proof", "proof"),
        (verify, "check_status", "status"),
        (verify, "check_dates", "dates"),
    ],
)
def test_a_step_that_raises_is_logged_and_reported_as_internal_error(
    monkeypatch, caplog, module, function, step
):
    monkeypatch.setattr(module, function, _raiser)
    with caplog.at_level(logging.ERROR, logger=internal_errors.LOGGER_NAME):
        result = verify_credential(signed_credential(), resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.INTERNAL_ERROR
    assert result.label_fr == "Vérification impossible (erreur interne)"
    assert result.label_en == "Verification impossible (internal error)"
    failed = result.check(step)
    assert failed.status is CheckStatus.ERROR
    assert failed.message_fr == "Vérification impossible (erreur interne)."
    assert result.to_dict()["verdict"] == "internal_error"
    [record] = [r for r in caplog.records if r.name == internal_errors.LOGGER_NAME]
    assert record.levelno == logging.ERROR
    logged = record.getMessage()
    assert repr(step) in logged and "RuntimeError" in logged and "_raiser" in logged
    assert HOLDER_NAME not in logged and "jalon.example" not in logged
    assert record.exc_info is None  # the traceback's last line would quote the message


def test_the_other_steps_still_run_and_report_their_findings(monkeypatch, caplog):
    monkeypatch.setattr(verify, "check_status", _raiser)
    result = verify_credential(signed_credential(), resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.INTERNAL_ERROR
    assert result.check("proof").status is CheckStatus.PASSED
    assert result.check("valid_from").status is CheckStatus.PASSED


def test_a_forged_badge_stays_forged_when_a_later_step_raises(monkeypatch, caplog):
    """Definite findings win: an error elsewhere never hides a broken signature."""
    credential = signed_credential()
    credential["credentialSubject"]["achievement"]["name"] = "Administrer un réseau"
    monkeypatch.setattr(verify, "check_dates", _raiser)
    result = verify_credential(credential, resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.INVALID_SIGNATURE


def test_reading_the_input_that_raises_is_an_internal_error(monkeypatch, caplog):
    monkeypatch.setattr(verify, "decode_bytes", _raiser)
    monkeypatch.setattr(verify, "parse_text", _raiser)
    with caplog.at_level(logging.ERROR, logger=internal_errors.LOGGER_NAME):
        from_file = verify_bytes(b'{"a": 1}')
        from_text = verify_credential('{"a": 1}')
    for result in (from_file, from_text):
        assert result.verdict is Verdict.INTERNAL_ERROR
        assert result.check("format").status is CheckStatus.ERROR
    assert [r.getMessage().split(" failed")[0] for r in caplog.records] == [
        "verification step 'format'",
        "verification step 'format'",
    ]


def test_issuer_lookup_that_raises_is_logged_but_does_not_change_the_verdict(caplog):
    with caplog.at_level(logging.ERROR, logger=internal_errors.LOGGER_NAME):
        result = verify_credential(
            signed_credential(), resolver=local_resolver(), now=NOW, is_known_issuer=_raiser
        )
    assert result.verdict is Verdict.VALID  # whether Jalon knows the issuer is beside validity
    assert result.issuer_known is None
    assert result.check("issuer_known").status is CheckStatus.ERROR
    assert "'issuer_known'" in caplog.records[0].getMessage()


def test_recipient_check_that_raises_is_an_internal_error(monkeypatch, caplog):
    monkeypatch.setattr(verify, "check_recipient", _raiser)
    result = verify_credential(
        signed_credential(),
        resolver=local_resolver(),
        now=NOW,
        recipient=Recipient(identity="a@example.org"),
    )
    assert result.verdict is Verdict.INTERNAL_ERROR and result.recipient_match is None


def test_an_unreadable_status_list_is_unknown_but_a_failing_fetcher_is_an_internal_error(caplog):
    credential = signed_credential(status=StatusEntry(STATUS_URL, 3))

    def unreachable(url):
        raise OSError("network down")

    unknown = verify_credential(
        credential, resolver=local_resolver(), status_fetcher=unreachable, now=NOW
    )
    assert unknown.verdict is Verdict.STATUS_UNKNOWN
    assert caplog.records == []
    assert OSError in verify_status.UNREADABLE_LIST

    def broken(url):
        raise AttributeError("a bug in the fetcher")

    with caplog.at_level(logging.ERROR, logger=internal_errors.LOGGER_NAME):
        faulty = verify_credential(
            credential, resolver=local_resolver(), status_fetcher=broken, now=NOW
        )
    assert faulty.verdict is Verdict.INTERNAL_ERROR
    assert faulty.check("status").status is CheckStatus.ERROR
    assert "AttributeError" in caplog.records[0].getMessage()
