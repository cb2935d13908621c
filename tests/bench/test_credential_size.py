"""Benchmark: the size of a signed credential, typical (the beginner diagnostic's badge and its
results) and a CRCN badge reporting all 16 competences, with the bytes each part weighs.

Figures are printed, never asserted; ``-s`` shows them.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assessments import content_io
from assessments.models import Framework
from badges import shipped
from badges.models import Achievement
from tests.badges.factories import issue, make_issuer
from tests.bench.test_issuance_speed import typical_results
from tests.learners.factories import make_learner


def size(value) -> int:
    """Bytes of ``value`` as the credential stores it (compact JSON, UTF-8)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def parts(credential: dict) -> list[tuple[str, int]]:
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    descriptions = achievement.get("resultDescription", [])
    rows = [(key, size(value)) for key, value in credential.items() if key != "credentialSubject"]
    rows += [
        (f"subject.{key}", size(value)) for key, value in subject.items() if key != "achievement"
    ]
    rows += [
        (f"achievement.{key}", size(value))
        for key, value in achievement.items()
        if key != "resultDescription"
    ]
    rows.append(("achievement.resultDescription", size(descriptions)))
    if descriptions:
        first = descriptions[0]
        rows += [(f"  first resultDescription.{k}", size(v)) for k, v in first.items()]
    if subject.get("result"):
        rows.append(("  one result", size(subject["result"][0])))
    return rows


def report(label: str, stored: str) -> str:
    credential = json.loads(stored)
    lines = [
        f"\n{label}: {len(stored.encode('utf-8'))} bytes stored "
        f"({size(credential)} compact), {len(credential['credentialSubject'].get('result', []))} "
        "results"
    ]
    lines += [f"  {name:<44}{n:7d}" for name, n in parts(credential)]
    return "\n".join(lines)


def crcn_achievement(db, issuer) -> Achievement:
    root = content_io.CONTENT_DIR
    if db.scalar(select(Framework).where(Framework.slug == "crcn")) is None:
        content_io.import_paths(db, [root / "frameworks" / "crcn.json"])
    entry = next(e for e in shipped.shipped_achievements() if e["framework"] == "crcn")
    return shipped.install_achievement(db, issuer, entry)


@pytest.mark.bench
def test_credential_sizes(dbsession):
    issuer = make_issuer(dbsession, shipped=True)
    learner = make_learner(dbsession)
    typical = dbsession.scalars(
        select(Achievement).where(Achievement.issuer_id == issuer.id).order_by(Achievement.id)
    ).first()
    crcn = crcn_achievement(dbsession, issuer)
    dbsession.commit()
    figures = []
    for label, achievement in (("typical", typical), ("CRCN, all competences", crcn)):
        results = typical_results(achievement)
        credential = issue(
            dbsession, achievement, learner, f"size:{achievement.id}", results=results
        ).credential
        dbsession.commit()
        figures.append(report(label, credential.signed_json))
    print("\n".join(figures))
    crcn_results = [
        r
        for r in json.loads(credential.signed_json)["credentialSubject"]["result"]
        if ":competence:" in r["resultDescription"]
    ]
    assert len(crcn_results) == 16
