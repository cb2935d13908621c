"""Demo data for the beneficiary's journey, assessment side: the shipped content, the demo
assessments and their open campaigns with fixed codes, one per demo association.

Called by ``jalon demo`` after the accounts (``learners/demo.py``) and before the issuers and
achievements (``badges/demo.py``). Idempotent: content is re-imported only when it changed
(``content_io`` compares), assessments and campaigns are matched by title and code, so running
it again adds only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments import campaigns, content_io
from assessments.frameworks import get_framework
from assessments.models import Assessment, AssessmentMode, Campaign
from learners import demo
from learners.models import Organisation

# One item of every type, from the beginner diagnostic: a short tour (and the e2e journey).
TOUR_ITEMS = (
    "premiers-pas-1.1-001",  # qcu
    "premiers-pas-1.3-008",  # qcm
    "premiers-pas-1.2-005",  # qroc
    "premiers-pas-2.1-011",  # qrocm_ind
    "premiers-pas-2.2-010",  # qrocm_dep
    "premiers-pas-1.3-014",  # number
    "premiers-pas-1.1-007",  # ordering
    "premiers-pas-1.2-006",  # matching
    "premiers-pas-2.1-009",  # task_webmail
    "premiers-pas-2.2-005",  # task_form
    "premiers-pas-3.1-004",  # task_phishing
    "premiers-pas-2.2-201",  # task_procedure
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
    competences: tuple[str, ...] | None = None  # a campaign targeted at some competences


ASSESSMENTS = (
    DemoAssessment("PREM", "premiers-pas", "Premiers pas numériques", min_items=10, max_items=24),
    DemoAssessment("CRCN", "crcn", "Compétences numériques (CRCN)", min_items=16, max_items=32),
    # Targeted at the competences of one per-competence badge (« Sécurité numérique — Novice
    # (CRCN) »: 4.1 and 4.2), so a session gathers the answers per competence its evidence rule
    # asks; the results page's advice (« Pour obtenir ce badge, passez l'évaluation … ») names
    # it when a whole-framework session did not.
    DemoAssessment(
        "SECU",
        "crcn",
        "Sécurité numérique (CRCN 4.1 et 4.2) : évaluation ciblée pour le badge",
        min_items=16,
        max_items=24,
        competences=("4.1", "4.2"),
    ),
    DemoAssessment("DEVW", "dev-web", "Développeur·euse web : les bases"),
    DemoAssessment("FTTH", "fibre-optique", "Technicien·ne fibre optique : les bases"),
    DemoAssessment("DATA", "data-analyste", "Data analyste : les bases"),
    DemoAssessment(
        "DCTR",
        "datacenter-cloud",
        "Technicien·ne data center : les bases",
        min_items=14,
        max_items=28,
    ),
    DemoAssessment(
        "SYSR",
        "systemes-reseaux",
        "Technicien·ne systèmes et réseaux : les bases",
        min_items=14,
        max_items=28,
    ),
    DemoAssessment(
        "MEDN",
        "mediation-numerique",
        "Médiateur·trice numérique : les bases",
        min_items=14,
        max_items=28,
    ),
    DemoAssessment(
        "ASDI",
        "assistant-digital",
        "Assistant·e digital·e : les bases",
        min_items=14,
        max_items=28,
    ),
    DemoAssessment(
        "ANGL",
        "anglais-numerique",
        "Anglais professionnel du numérique (A1 à B1)",
        min_items=12,
        max_items=24,
    ),
    DemoAssessment(
        "ANDD",
        "anglais-dev-data",
        "Anglais professionnel — développement web et données (A1 à B1)",
        min_items=12,
        max_items=24,
    ),
    DemoAssessment(
        "ANTE",
        "anglais-telecoms",
        "Anglais professionnel : fibre, télécoms et data center (A1 à B1)",
        min_items=12,
        max_items=24,
    ),
    DemoAssessment(
        "ANMA",
        "anglais-mediation",
        "Anglais professionnel de la médiation numérique et de l'assistanat (A1 à B1)",
        min_items=12,
        max_items=24,
    ),
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


def existing_campaigns(db: Session) -> list[DemoCampaign]:
    """The demo campaigns this database holds: the codes a demo learner can type."""
    existing = set(db.scalars(select(Campaign.code)))
    return [c for c in demo_campaigns() if campaigns.normalise_code(c.code) in existing]


def load_content(db: Session) -> content_io.ImportReport:
    """Every shipped framework and item bank (what ``jalon assess load-content`` does)."""
    root = content_io.CONTENT_DIR
    return content_io.import_paths(db, [root / "frameworks", root / "items"])


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
        get_framework(db, spec.framework),
        spec.title,
        mode=spec.mode,
        competence_codes=spec.competences,
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


def load(db: Session) -> list[DemoCampaign]:
    """Content, then the demo assessments and campaigns of each demo association present."""
    load_content(db)
    for organisation in demo.associations(db):
        for spec in ASSESSMENTS:
            assessment = _assessment(db, spec, organisation)
            _campaign(db, assessment, organisation, campaign_code(spec.key, organisation.name))
    db.flush()
    return demo_campaigns()
