"""The content errors issue 12 found in review stay fixed: each shipped item is checked with the
answers the review showed were wrongly accepted or wrongly refused."""

from __future__ import annotations

import json

import pytest

from assessments.checking import ItemData, check
from assessments.content_io import CONTENT_DIR
from assessments.models import AnswerStatus
from assessments.response_errors import InvalidResponse

OK, KO = AnswerStatus.OK, AnswerStatus.KO


def shipped(uid: str) -> dict:
    slug = uid.rsplit("-", 2)[0]
    for path in sorted((CONTENT_DIR / "items" / slug).glob("*.json")):
        for data in json.loads(path.read_text(encoding="utf-8"))["items"]:
            if data["id"] == uid:
                return data
    raise LookupError(uid)


def item(uid: str) -> ItemData:
    data = shipped(uid)
    return ItemData(data["type"], data["body"], data["key"], data.get("tolerance"), uid)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("125", OK), ("125,00", OK), ("125 €", OK), ("135 euros", KO), ("1,25", KO), ("12,5", KO)],
)
def test_crcn_1_3_010_compares_the_difference_as_a_number(typed, expected):
    assert check(item("crcn-1.3-010"), {"f1": "mars", "f2": typed}) is expected


def test_crcn_2_4_007_reads_the_salary_and_hours_as_numbers():
    actualisation = item("crcn-2.4-007")
    right = {"recherche": "oui", "travail": "oui", "heures": "20", "salaire": "240",
             "formation": "non"}  # fmt: skip
    assert check(actualisation, right) is OK
    assert check(actualisation, {**right, "salaire": "240,00"}) is OK
    assert check(actualisation, {**right, "salaire": "240,00 €", "heures": "20 h"}) is OK
    for wrong in ("24000", "24 000", "2,40", "24 000 €"):
        assert check(actualisation, {**right, "salaire": wrong}) is KO, wrong
    with pytest.raises(InvalidResponse):
        check(actualisation, {**right, "heures": "vingt heures et demie"})
    assert "actualisation" in shipped("crcn-2.4-007")["instruction"]
