"""One-line makers for badge tests: organisation, issuer (with keys), achievement, learner."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from badges import achievements, issuers
from badges.models import Achievement, Issuer
from learners.models import Learner, Organisation, OrganisationKind, User

KEK = "test-key-encryption-key-0123456789"
BASE_URL = "https://jalon.test"


def gen_organisation(session: Session, name: str = "Association Tremplin") -> Organisation:
    organisation = Organisation(name=name, kind=OrganisationKind.ASSOCIATION)
    session.add(organisation)
    session.flush()
    return organisation


def gen_issuer(session: Session, name: str = "Association Tremplin", **kwargs) -> Issuer:
    return issuers.create(session, gen_organisation(session, name), KEK, **kwargs)


def gen_achievement(session: Session, issuer: Issuer | None = None, **kwargs) -> Achievement:
    values = {
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
    values.update(kwargs)
    return achievements.create(session, issuer or gen_issuer(session), **values)


def gen_learner(session: Session, name: str = "Samira Dupont", email: str | None = None) -> Learner:
    user = User(
        username=f"learner-{uuid.uuid4().hex[:10]}",
        email=email,
        display_name=name,
        password_hash="x",
    )
    learner = Learner(user=user, display_name=name)
    session.add(learner)
    session.flush()
    return learner
