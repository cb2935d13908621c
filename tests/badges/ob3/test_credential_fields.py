"""The tolerant field readers the verifier and the verification pages share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from badges.ob3.credential_fields import (
    achievement_of,
    parse_date,
    subject_of,
    valid_from_of,
    valid_until_of,
)

MAY_2 = datetime(2025, 5, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2025-05-02T10:00:00Z",
        "2025-05-02T10:00:00z",
        " 2025-05-02T10:00:00Z ",
        "2025-05-02T10:00:00",
    ],
)
def test_dates_in_utc_with_either_z_or_none(text):
    assert parse_date(text) == MAY_2


def test_dates_with_an_offset_keep_it_and_bad_values_read_as_none():
    paris = parse_date("2025-05-02T12:00:00+02:00")
    assert paris == MAY_2 and paris.utcoffset() == timedelta(hours=2)
    assert paris.tzinfo == timezone(timedelta(hours=2))
    for bad in (None, 20250502, "", "hier", ["2025-05-02T10:00:00Z"]):
        assert parse_date(bad) is None


def test_validity_reads_vc2_names_then_vc1_names():
    assert valid_from_of({"validFrom": "2025-05-02T10:00:00z"}) == MAY_2
    assert valid_from_of({"issuanceDate": "2025-05-02T10:00:00Z"}) == MAY_2
    assert valid_until_of({"expirationDate": "2025-05-02T10:00:00z"}) == MAY_2
    both = {"validUntil": "2025-05-02T10:00:00Z", "expirationDate": "2099-01-01T00:00:00Z"}
    assert valid_until_of(both) == MAY_2
    assert valid_from_of({}) is None and valid_until_of({"validUntil": 3}) is None


def test_subject_and_achievement_read_as_empty_when_mistyped():
    achievement = {"name": "Soudure"}
    credential = {"credentialSubject": {"achievement": achievement}}
    assert subject_of(credential) == {"achievement": achievement}
    assert achievement_of(credential) is achievement
    for odd in ({}, {"credentialSubject": [1]}, {"credentialSubject": {"achievement": "x"}}):
        assert achievement_of(odd) == {}
    assert subject_of({"credentialSubject": "did:example:1"}) == {}
