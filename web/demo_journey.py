"""Demo data for the beneficiary's journey: shipped content, assessments, open campaigns with
fixed codes, an issuer per association and the shipped achievements with their images.

Called by ``jalon demo`` after the accounts are loaded. Idempotent: content is re-imported only
when it changed (``content_io`` compares), and assessments, campaigns, issuers and achievements
are matched by title, code, organisation and name, so running it again adds only what is
missing. Flask-free (a SQLAlchemy session and two settings), so tests call it directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments import campaigns, content_io
from assessments.models import Assessment, AssessmentMode, Campaign, Framework
from badges import achievements, awarding, images, issuers
from badges.models import Achievement, Issuer
from learners import demo
from learners.models import Organisation

ACHIEVEMENTS_FILE = Path(awarding.__file__).parent / "content" / "achievements.json"
BADGE_SIZE = 300  # pixels: sharp on a phone, small enough to ride inside every credential

# One item of every type, from the beginner diagnostic: a short tour (and the e2e journey).
TOUR_ITEMS = (
    "premiers-pas-1.1-001",  # qcu
    "premiers-pas-1.3-008",  # qcm
    "premiers-pas-1.2-005",  # qroc
    "premiers-pas-2.1-011",  # qrocm_ind
    "premiers-pas-2.2-010",  # qrocm_dep
    "premiers-pas-1.3-006",  # number
    "premiers-pas-1.1-007",  # ordering
    "premiers-pas-1.2-006",  # matching
    "premiers-pas-2.1-009",  # task_webmail
    "premiers-pas-2.2-005",  # task_form
    "premiers-pas-3.1-004",  # task_phishing
)


@dataclass(frozen=True)
class DemoAssessment:
    key: str
    framework: str
    title: str
    mode: AssessmentMode = AssessmentMode.ADAPTIVE
    min_items: int = 10
    max_items: int = 24
    items: tuple[str, ...] | None = None


ASSESSMENTS = (
    DemoAssessment("PREM", "premiers-pas", "Premiers pas numériques", min_items=10, max_items=20),
    DemoAssessment("CRCN", "crcn", "Compétences numériques (CRCN)", min_items=16, max_items=32),
    DemoAssessment("DEVW", "dev-web", "Développeur·euse web : les bases"),
    DemoAssessment("FTTH", "fibre-optique", "Technicien·ne fibre optique : les bases"),
    DemoAssessment("DATA", "data-analyste", "Data analyste : les bases"),
    DemoAssessment(
        "TYPE",
        "premiers-pas",
        "Découverte : une question de chaque sorte",
        mode=AssessmentMode.FIXED,
        min_items=len(TOUR_ITEMS),
        max_items=len(TOUR_ITEMS),
        items=TOUR_ITEMS,
    ),
)

# Campaign codes printed by `jalon demo` and in the README: <assessment>-<association>.
ASSOCIATION_SUFFIX = {demo.PASSERELLE[0]: "PA33", demo.ATELIERS[0]: "AT77"}


def campaign_code(assessment_key: str, organisation_name: str) -> str:
    return f"{assessment_key}-{ASSOCIATION_SUFFIX[organisation_name]}"


@dataclass(frozen=True)
class DemoCampaign:
    code: str
    title: str
    organisation: str


def demo_campaigns() -> list[DemoCampaign]:
    return [
        DemoCampaign(campaign_code(a.key, org), a.title, org)
        for org in ASSOCIATION_SUFFIX
        for a in ASSESSMENTS
    ]


def load_content(db: Session) -> content_io.ImportReport:
    """Every shipped framework and item bank (what ``jalon assess load-content`` does)."""
    root = content_io.CONTENT_DIR
    return content_io.import_paths(db, [root / "frameworks", root / "items"])


def _framework(db: Session, slug: str) -> Framework:
    found = db.scalars(
        select(Framework).where(Framework.slug == slug).order_by(Framework.id.desc()).limit(1)
    ).first()
    if found is None:
        raise LookupError(f"framework {slug} not loaded")
    return found


def _assessment(db: Session, spec: DemoAssessment, organisation: Organisation) -> Assessment:
    found = db.scalar(
        select(Assessment).where(
            Assessment.organisation_id == organisation.id, Assessment.title == spec.title
        )
    )
    if found is not None:
        return found
    return campaigns.create_assessment(
        db,
        _framework(db, spec.framework),
        spec.title,
        mode=spec.mode,
        item_uids=spec.items,
        min_items=spec.min_items,
        max_items=spec.max_items,
        organisation_id=organisation.id,
    )


def _campaign(db: Session, assessment: Assessment, organisation: Organisation, code: str) -> None:
    normalised = campaigns.normalise_code(code)
    if db.scalar(select(Campaign.id).where(Campaign.code == normalised)) is None:
        campaigns.create_campaign(
            db, assessment, organisation.id, f"{assessment.title} (démo)", code=code
        )


def _issuer(db: Session, organisation: Organisation, kek: str | bytes) -> Issuer:
    return issuers.for_organisation(db, organisation) or issuers.create(
        db,
        organisation,
        kek,
        description="Association de démonstration : ses badges ne certifient rien de réel.",
    )


def shipped_achievements() -> list[dict[str, Any]]:
    return json.loads(ACHIEVEMENTS_FILE.read_text(encoding="utf-8"))["achievements"]


def install_achievement(db: Session, issuer: Issuer, entry: dict[str, Any]) -> Achievement:
    """One shipped achievement for ``issuer`` (matched by name), drawn in its framework's colour
    and describing the framework's competences and levels."""
    found = db.scalar(
        select(Achievement).where(
            Achievement.issuer_id == issuer.id, Achievement.name == entry["name"]
        )
    )
    if found is not None:
        return found
    framework = _framework(db, entry["framework"])
    design = images.BadgeDesign(
        colour=framework.colour or "#1f5fa8",
        icon=entry["design"]["icon"],
        label=entry["design"]["label"],
        sublabel=entry["design"].get("sublabel", ""),
    )
    tags = [framework.title_fr]
    if framework.certification_code:
        tags.append(framework.certification_code)
    return achievements.create(
        db,
        issuer,
        name=entry["name"],
        description=entry["description"],
        criteria_narrative=entry["criteria"],
        achievement_type=entry.get("achievement_type", "Badge"),
        image_data=images.render_png(design, size=BADGE_SIZE),
        image_media_type="image/png",
        image_alt=entry["alt"],
        result_descriptions=awarding.result_descriptions(framework),
        tags=tags,
        award_rules=entry["rule"],
    )


def load(db: Session, *, kek: str | bytes) -> list[DemoCampaign]:
    """Content, assessments, campaigns, issuers and achievements for the demo associations."""
    load_content(db)
    entries = shipped_achievements()
    for name in ASSOCIATION_SUFFIX:
        organisation = db.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is None:
            continue
        for spec in ASSESSMENTS:
            assessment = _assessment(db, spec, organisation)
            _campaign(db, assessment, organisation, campaign_code(spec.key, name))
        issuer = _issuer(db, organisation, kek)
        for entry in entries:
            install_achievement(db, issuer, entry)
    db.flush()
    return demo_campaigns()
