"""Achievements an organisation designs in the studio: drafts, publishing, and new versions.

A new achievement starts as a draft (never awarded) and is published once the trainer has seen
its preview. Changing an achievement nobody holds yet changes it in place; changing one that
has been issued publishes a **new version**: a new row pointing to the one it replaces, which is
archived. Later awards use the new version; the credentials issued earlier keep the
achievement they were signed with (its ``/achievements/<id>`` still answers), so they verify
as before. The award rule travels to the new version unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessments.campaign_creation import frameworks_for
from assessments.models import Competence, Framework
from badges import achievements, awarding, images, issuers
from badges.achievements import AchievementNotFound, InvalidAchievement
from badges.image_uploads import PNG, BadgeImage
from badges.models import Achievement, Credential, Issuer
from learners.models import Organisation
from learners.pagination import DEFAULT_PER_PAGE, Page, paginate

# The OB 3.0 ``achievementType`` enumeration (its labels in French are in the web layer).
ACHIEVEMENT_TYPES = (
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MEDALLION_SIZE = 300  # as the shipped badges: sharp on a phone, small inside a credential
MAX_LABEL = 18
MAX_SUBLABEL = 28
MAX_VALIDITY_MONTHS = 120


class VersionReplaced(RuntimeError):
    """The version being changed was replaced meanwhile (another edit published a new one)."""


@dataclass(frozen=True)
class Medallion:
    """The badge Jalon draws: a colour, an icon, a short label and an optional second line."""

    colour: str
    icon: str
    label: str
    sublabel: str = ""

    def problems(self) -> list[str]:
        found = []
        if not COLOUR.match(self.colour):
            found.append("colour")
        if self.icon not in images.ICONS:
            found.append("icon")
        if not self.label.strip() or len(self.label) > MAX_LABEL:
            found.append("label")
        if len(self.sublabel) > MAX_SUBLABEL:
            found.append("sublabel")
        return found

    def render(self) -> BadgeImage:
        design = images.BadgeDesign(self.colour, self.icon, self.label.strip(), self.sublabel)
        return BadgeImage(images.render_png(design, size=MEDALLION_SIZE), PNG)

    def as_dict(self) -> dict[str, str]:
        return {
            "colour": self.colour,
            "icon": self.icon,
            "label": self.label,
            "sublabel": self.sublabel,
        }


@dataclass(frozen=True)
class AchievementFields:
    """Everything the studio's form gives, checked already for shapes (see the form)."""

    name: str
    description: str
    criteria_narrative: str
    achievement_type: str
    image: BadgeImage
    image_alt: str
    medallion: Medallion | None = None
    alignments: Sequence[dict[str, Any]] = ()
    tags: Sequence[str] = ()
    validity_months: int | None = None
    result_descriptions: Sequence[dict[str, Any]] = field(default_factory=tuple)


@dataclass(frozen=True)
class AchievementSummary:
    achievement: Achievement
    credentials: int


@dataclass(frozen=True)
class Saved:
    achievement: Achievement
    new_version: bool


# ------------------------------------------------------------------------------ reading


def issuer_of(db: Session, organisation_id: int) -> Issuer | None:
    return db.scalar(select(Issuer).where(Issuer.organisation_id == organisation_id))


def issuer_for(db: Session, organisation: Organisation, kek: str | bytes) -> Issuer:
    """The organisation's issuer, created with its keys the first time it designs a badge."""
    return issuers.for_organisation(db, organisation) or issuers.create(db, organisation, kek)


def credential_count(db: Session, achievement: Achievement) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Credential)
            .where(Credential.achievement_id == achievement.id)
        )
        or 0
    )


def achievements_of(
    db: Session, organisation_id: int, page: int | None = 1
) -> Page[AchievementSummary]:
    """One page of the organisation's current achievements (drafts included, replaced versions
    left out), by name, with how many credentials each version issued."""
    issuer = issuer_of(db, organisation_id)
    if issuer is None:
        return Page(items=[], number=1, per_page=DEFAULT_PER_PAGE, total=0)
    found = paginate(
        db,
        select(Achievement)
        .where(Achievement.issuer_id == issuer.id, Achievement.is_archived.is_(False))
        .order_by(Achievement.name, Achievement.id),
        page,
    )
    counts = dict(
        db.execute(
            select(Credential.achievement_id, func.count())
            .where(Credential.achievement_id.in_([a.id for a in found.items]))
            .group_by(Credential.achievement_id)
        ).all()
    )
    return Page(
        items=[AchievementSummary(a, counts.get(a.id, 0)) for a in found.items],
        number=found.number,
        per_page=found.per_page,
        total=found.total,
    )


def own_achievement(db: Session, organisation_id: int, public_id: str) -> Achievement:
    """An achievement of the organisation's issuer; another organisation's is not found."""
    achievement = achievements.get(db, public_id)
    if achievement.issuer.organisation_id != organisation_id:
        raise AchievementNotFound(public_id)
    return achievement


def versions(db: Session, achievement: Achievement) -> list[Achievement]:
    """This version and the ones it replaced, newest first."""
    chain = [achievement]
    while chain[-1].previous_version_id is not None:
        chain.append(db.get(Achievement, chain[-1].previous_version_id))
    return chain


def latest_version(db: Session, achievement: Achievement) -> Achievement:
    """The version that replaced ``achievement`` last (itself when it is current)."""
    current = achievement
    while (
        newer := db.scalar(select(Achievement).where(Achievement.previous_version_id == current.id))
    ) is not None:
        current = newer
    return current


def competences_for(db: Session, organisation_id: int) -> list[Competence]:
    """Competences an achievement may align on: those of the shipped frameworks (latest
    edition) and of the organisation's own, framework by framework."""
    ids = [f.id for f in frameworks_for(db, organisation_id)]
    return list(
        db.scalars(
            select(Competence)
            .join(Framework, Competence.framework_id == Framework.id)
            .where(Competence.framework_id.in_(ids))
            .order_by(Framework.title_fr, Competence.position, Competence.code)
        )
    )


def competence_for(db: Session, organisation_id: int, competence_id: int) -> Competence:
    """One of :func:`competences_for`, else ``LookupError`` (another organisation's)."""
    for competence in competences_for(db, organisation_id):
        if competence.id == competence_id:
            return competence
    raise LookupError(competence_id)


def result_descriptions_of(db: Session, organisation_id: int, framework_id: int) -> list[dict]:
    """The competences and levels of a framework the organisation uses, as OB 3.0 result
    descriptions (those awarding fills in when a session earns the badge)."""
    for framework in frameworks_for(db, organisation_id):
        if framework.id == framework_id:
            return awarding.result_descriptions(framework)
    raise LookupError(framework_id)


# ------------------------------------------------------------------------------ writing


def _apply(achievement: Achievement, fields: AchievementFields) -> None:
    achievement.name = fields.name.strip()
    achievement.description = fields.description.strip()
    achievement.criteria_narrative = fields.criteria_narrative.strip()
    achievement.achievement_type = fields.achievement_type
    achievement.image_data = fields.image.data
    achievement.image_media_type = fields.image.media_type
    achievement.image_path = None
    achievement.image_alt = fields.image_alt.strip()
    achievement.design = fields.medallion.as_dict() if fields.medallion else None
    achievement.alignments = [dict(a) for a in fields.alignments]
    achievement.tags = list(fields.tags)
    achievement.validity_months = fields.validity_months
    achievement.result_descriptions = [dict(r) for r in fields.result_descriptions]


def check(fields: AchievementFields) -> None:
    """``InvalidAchievement`` listing what the domain refuses (the form checked shapes)."""
    errors = achievements.problems(
        fields.name,
        fields.description,
        fields.criteria_narrative,
        fields.alignments,
        fields.result_descriptions,
        None,
    )
    if fields.achievement_type not in ACHIEVEMENT_TYPES:
        errors.append("Type de badge inconnu.")
    if not fields.image_alt.strip():
        errors.append("Décrivez l'image du badge.")
    if fields.validity_months is not None and not 1 <= fields.validity_months <= 120:
        errors.append("Durée de validité entre 1 et 120 mois.")
    if errors:
        raise InvalidAchievement(errors)


def unsaved(fields: AchievementFields, public_id: str) -> Achievement:
    """The achievement as it would be, not added to the database: for the preview."""
    check(fields)
    achievement = Achievement(public_id=public_id, version=1, in_language="fr")
    _apply(achievement, fields)
    return achievement


def create(db: Session, issuer: Issuer, fields: AchievementFields) -> Achievement:
    """A new draft achievement of ``issuer`` (not awarded until published)."""
    check(fields)
    achievement = Achievement(issuer=issuer, is_draft=True, version=1, in_language="fr")
    _apply(achievement, fields)
    db.add(achievement)
    db.flush()
    return achievement


def update(db: Session, achievement: Achievement, fields: AchievementFields) -> Saved:
    """Change ``achievement``: in place while nobody holds it, else as a new published version
    (the old one archived, its credentials untouched)."""
    check(fields)
    # Row lock on PostgreSQL (SQLite writes one at a time): a concurrent edit that replaced
    # this version first is seen here; the unique ``previous_version_id`` is the backstop.
    db.refresh(achievement, with_for_update=True)
    if achievement.is_archived:
        raise VersionReplaced(achievement.public_id)
    if achievement.is_draft or credential_count(db, achievement) == 0:
        _apply(achievement, fields)
        db.flush()
        return Saved(achievement, new_version=False)
    successor = Achievement(
        issuer=achievement.issuer,
        previous_version_id=achievement.id,
        version=achievement.version + 1,
        is_draft=False,
        in_language=achievement.in_language,
        criteria_url=achievement.criteria_url,
        award_rules=dict(achievement.award_rules) if achievement.award_rules else None,
    )
    _apply(successor, fields)
    achievement.is_archived = True
    db.add(successor)
    db.flush()
    return Saved(successor, new_version=True)


def publish(db: Session, achievement: Achievement) -> bool:
    """Make a draft awardable; False when it was published already."""
    if not achievement.is_draft:
        return False
    achievement.is_draft = False
    db.flush()
    return True
