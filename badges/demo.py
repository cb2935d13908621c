"""Demo data, badge side: an issuer per demo association with the shipped achievements, and
the stand-alone demo badge that ``jalon badges issue --demo`` delivers to a fictitious person.

Idempotent: issuers are matched by organisation, achievements by issuer and name, the demo
person by login, so running it again adds only what is missing. The demo badges certify
nothing real.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges import achievements, issuers
from badges.images import BadgeDesign, render_png
from badges.models import Achievement, Issuer
from badges.shipped import install_achievement, shipped_achievements
from learners import demo
from learners.accounts import find_by_login
from learners.models import Learner, Organisation, User

DEMO_LOGIN = "demo-badges"
DEMO_ACHIEVEMENT = "Premiers pas numériques — diagnostic réalisé"


def _issuer(db: Session, organisation: Organisation, kek: str | bytes) -> Issuer:
    return issuers.for_organisation(db, organisation) or issuers.create(
        db,
        organisation,
        kek,
        description="Association de démonstration : ses badges ne certifient rien de réel.",
    )


def load(db: Session, *, kek: str | bytes) -> None:
    """An issuer (keys sealed with ``kek``) and the shipped achievements for each demo
    association present; the frameworks must be loaded first (``assessments.demo.load``)."""
    entries = shipped_achievements()
    for organisation in demo.associations(db):
        issuer = _issuer(db, organisation, kek)
        for entry in entries:
            install_achievement(db, issuer, entry)
    db.flush()


def demo_achievement(db: Session, issuer: Issuer) -> Achievement:
    """The demo badge of ``issuer`` (created on first use), awarded on finishing the beginner
    diagnostic."""
    found = db.scalar(
        select(Achievement).where(
            Achievement.issuer_id == issuer.id, Achievement.name == DEMO_ACHIEVEMENT
        )
    )
    if found is not None:
        return found
    image = render_png(BadgeDesign(colour="#1f6f5c", icon="cursor", label="Premiers pas"))
    return achievements.create(
        db,
        issuer,
        name=DEMO_ACHIEVEMENT,
        description=(
            "La personne a passé le diagnostic « Premiers pas numériques » jusqu'au bout : "
            "souris ou écran tactile, clavier, courriel, formulaires en ligne, sécurité."
        ),
        criteria_narrative="Terminer le diagnostic « Premiers pas numériques ».",
        achievement_type="Assessment",
        image_data=image,
        image_media_type="image/png",
        image_alt="Badge rond avec une flèche de souris, bandeau « Premiers pas ».",
        tags=["numérique", "démonstration"],
        award_rules={"framework": "premiers-pas", "conditions": [{"type": "completion"}]},
    )


def demo_learner(db: Session) -> Learner:
    """A fictitious beneficiary for the demo badge; its account can never log in."""
    user = find_by_login(db, DEMO_LOGIN)
    if user is not None and user.learner is not None:
        return user.learner
    user = User(
        username=DEMO_LOGIN,
        display_name="Camille Martin (démonstration)",
        password_hash="!",  # noqa: S106 -- never matches: this account cannot log in
        is_active=False,
    )
    learner = Learner(user=user, display_name="Camille Martin (démonstration)")
    db.add(learner)
    db.flush()
    return learner
