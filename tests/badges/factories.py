"""Test data for badges, one line each: an issuer with its keys (``make_issuer``) and an
achievement (``make_achievement``). Organisations and learners come from
``tests/learners/factories.py``, the beginner diagnostic from ``tests/assessments/factories.py``."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy.orm import Session

from badges import achievements, issuance, issuers
from badges.models import Achievement, Issuer
from badges.shipped import install_achievement, shipped_achievements
from learners.models import Learner, Organisation
from tests.assessments.factories import make_premiers_pas
from tests.learners.factories import make_organisation

KEK = "test-key-encryption-key-0123456789"
BASE_URL = "https://jalon.test"


def make_issuer(
    db: Session,
    org: Organisation | None = None,
    *,
    name: str = "Association Tremplin",
    kek: str = KEK,
    shipped: bool = False,
    **options,
) -> Issuer:
    """``org``'s issuer and its keys (a new association called ``name`` when ``org`` is omitted;
    an organisation's existing issuer is reused). ``shipped`` installs the beginner diagnostic
    and its shipped achievements, which awarding a tour campaign needs."""
    org = org or make_organisation(db, name)
    if shipped:
        make_premiers_pas(db)
    issuer = issuers.for_organisation(db, org) or issuers.create(db, org, kek, **options)
    if shipped:
        for entry in shipped_achievements():
            if entry["framework"] == "premiers-pas":
                install_achievement(db, issuer, entry)
    return issuer


def make_achievement(db: Session, issuer: Issuer | None = None, **values) -> Achievement:
    """An achievement of ``issuer`` (of a new issuer when omitted); ``values`` override the
    defaults, a messaging badge aligned on a rubric of eight levels."""
    fields = {
        "name": "Utiliser une messagerie",
        "description": "Sait envoyer, recevoir et classer des courriels.",
        "criteria_narrative": "Niveau 2 ou plus en « Interagir » au test de compétences.",
        "alignments": [
            {
                "targetName": "Interagir",
                "targetUrl": "https://pix.fr/competences/2.1",
                "targetCode": "2.1",
            }
        ],
        "result_descriptions": [
            {
                "id": "urn:jalon:rd:interagir",
                "name": "Interagir",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {"id": f"urn:jalon:rd:interagir:{n}", "name": f"Niveau {n}", "level": str(n)}
                    for n in range(1, 9)
                ],
            }
        ],
        "tags": ["numérique", "messagerie"],
    }
    fields.update(values)
    return achievements.create(db, issuer or make_issuer(db), **fields)


def tiny_png() -> bytes:
    """A 4×4 PNG: a badge image small enough for any test."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#1f5fa8").save(buffer, "PNG")
    return buffer.getvalue()


def issue(
    db: Session,
    achievement: Achievement,
    learner: Learner,
    award_key: str = "session:1:badge:1",
    **options,
) -> issuance.Issued:
    """``issuance.issue`` with the tests' base URL and key-encryption key."""
    return issuance.issue(
        db,
        achievement=achievement,
        learner=learner,
        award_key=award_key,
        base_url=BASE_URL,
        kek=KEK,
        **options,
    )
