# ruff: noqa: E501 - the fixture items read best one per line
"""Test data for assessments, one line each: a small framework with an item of every type
(``make_framework``), a campaign over it (``make_campaign``), a session with hand-made
results (``make_session``), the shipped beginner diagnostic
(``make_premiers_pas``) and a campaign over one item of each type (``make_tour_campaign``); and
the form fields a browser posts for an answer (``form_fields``). Organisations and learners come
from ``tests/learners/factories.py``."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments import campaigns, content_io, path_progress
from assessments.content_io import ParsedFile
from assessments.demo import TOUR_ITEMS
from assessments.models import (
    AnswerStatus,
    AssessmentMode,
    AssessmentSession,
    Campaign,
    Competence,
    CompetenceResult,
    Framework,
    Item,
    ItemType,
    Referral,
    Response,
    SessionStatus,
)
from learners.database import utcnow
from learners.models import Learner, Organisation
from tests.learners.factories import make_organisation

FRAMEWORK: dict[str, Any] = {
    "slug": "essai",
    "title": {"fr": "Référentiel d'essai", "en": "Test framework"},
    "version": "1",
    "kind": "levels",
    "source_url": "https://exemple.fr/referentiel",
    "licence": "Etalab-2.0",
    "colour": "#1f5fa8",
    "cut_points": [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5],
    "occupation": {
        "esco_uri": "http://data.europa.eu/esco/occupation/c40a2919-48a9-40ea-b506-1f34f693496d",
        "name": "Développeur web",
    },
    "certification": {
        "register": "RNCP",
        "code": "RNCP37674",
        "title": "Développeur web",
        "valid_until": "2028-09-01",
        "url": "https://www.francecompetences.fr/recherche/rncp/37674/",
    },
    "domains": [
        {
            "code": "1",
            "title": {"fr": "Informations", "en": "Information"},
            "competences": [
                {
                    "code": "1.1",
                    "title": {"fr": "Chercher", "en": "Search"},
                    "description": {"fr": "Chercher une information.", "en": "Search."},
                    "levels": {"1": "Taper des mots dans un moteur.", "2": "Choisir un résultat."},
                    "alignments": [
                        {
                            "framework": "DigComp 2.2",
                            "code": "1.1",
                            "name": "Browsing, searching and filtering",
                            "url": "https://publications.jrc.ec.europa.eu/repository/handle/JRC128415",
                        }
                    ],
                },
                {"code": "1.2", "title": {"fr": "Gérer des données"}},
            ],
        },
        {
            "code": "4",
            "title": {"fr": "Sécurité"},
            "competences": [{"code": "4.1", "title": {"fr": "Se protéger"}}],
        },
    ],
}


def _item(uid: str, competence: str, level: int, kind: str, body: Any, key: Any, **extra) -> dict:
    item = {
        "id": uid,
        "competence": competence,
        "level": level,
        "type": kind,
        "instruction": f"Consigne de l'item {uid}.",
        "accessibility": {"blind": "ok", "colour_blind": "ok", "deaf": "na"},
        "status": "validated",
        "version": 1,
        "explanation": "Parce que.",
        "body": body,
        "key": key,
    }
    item.update(extra)
    return item


CHOICES = {
    "choices": [
        {"id": "a", "text": "Un"},
        {"id": "b", "text": "Deux"},
        {"id": "c", "text": "Trois"},
    ]
}

ITEMS: list[dict[str, Any]] = [
    _item("essai-1.1-001", "1.1", 1, "qcu", CHOICES, "b"),
    _item("essai-1.1-002", "1.1", 2, "qcm", CHOICES, ["a", "c"]),
    _item(
        "essai-1.1-003", "1.1", 2, "qroc", {"label": "Votre réponse"},
        ["Moteur de recherche", "moteur"], tolerance=["t1", "t2", "t3"],
    ),
    _item(
        "essai-1.1-004", "1.1", 3, "qrocm_ind",
        {"fields": [{"id": "f1", "label": "Ville"}, {"id": "f2", "label": "Code postal"}]},
        {"f1": ["Paris"], "f2": ["75001"]},
    ),
    _item(
        "essai-1.2-001", "1.2", 1, "qrocm_dep",
        {"fields": [{"id": "f1", "label": "Navigateur 1"}, {"id": "f2", "label": "Navigateur 2"}]},
        {"required": 2, "answers": [["chrome", "google chrome"], ["firefox"], ["edge"]]},
    ),
    _item("essai-1.2-002", "1.2", 2, "number", {"label": "Total", "unit": "€"}, {"value": 12.5, "tolerance": 0.01}),
    _item(
        "essai-1.2-003", "1.2", 3, "ordering",
        {"items": [{"id": "x", "text": "Allumer"}, {"id": "y", "text": "Se connecter"}, {"id": "z", "text": "Ouvrir"}]},
        ["x", "y", "z"],
    ),
    _item(
        "essai-1.2-004", "1.2", 2, "matching",
        {"left": [{"id": "l1", "text": "PDF"}, {"id": "l2", "text": "JPG"}],
         "right": [{"id": "r1", "text": "Image"}, {"id": "r2", "text": "Document"}]},
        {"l1": "r2", "l2": "r1"},
    ),
    _item(
        "essai-4.1-001", "4.1", 1, "task_webmail",
        {"mailbox": {"owner": "sam@exemple.fr", "messages": [
            {"id": "m1", "from": "caf@exemple.fr", "to": "sam@exemple.fr", "subject": "Dossier",
             "date": "2026-03-02T09:14", "body": "Envoyez votre CV.", "attachments": []},
            {"id": "m2", "from": "conseil@exemple.fr", "to": "sam@exemple.fr", "subject": "RDV",
             "date": "2026-03-03T10:00", "body": "Merci de transférer.", "attachments": [{"id": "p1", "name": "facture.pdf"}]},
        ], "files": [{"id": "cv", "name": "CV_Dupont.pdf"}]}},
        {"action": "forward", "message": "m2", "to": ["Conseiller@exemple.fr"], "attachments": ["cv"], "body_contains": ["CV"]},
    ),
    _item(
        "essai-4.1-002", "4.1", 2, "task_form",
        {"site": "Mes aides (fictif)", "situation": "Sam Dupont, né le 12 mai 1984, célibataire, touche le RSA.",
         "fields": [
             {"id": "nom", "label": "Nom", "kind": "text"},
             {"id": "naissance", "label": "Date de naissance", "kind": "date"},
             {"id": "situation", "label": "Situation", "kind": "radio",
              "options": [{"id": "celibataire", "text": "Célibataire"}, {"id": "marie", "text": "Marié"}]},
             {"id": "aides", "label": "Aides", "kind": "checkbox",
              "options": [{"id": "rsa", "text": "RSA"}, {"id": "apl", "text": "APL"}]},
         ]},
        {"nom": ["dupont"], "naissance": ["1984-05-12"], "situation": "celibataire", "aides": ["rsa"]},
    ),
    _item(
        "essai-4.1-003", "4.1", 3, "task_phishing",
        {"kind": "message", "samples": [
            {"id": "s1", "from": "impots@exemple.fr", "subject": "Votre avis", "body": "Consultez votre espace."},
            {"id": "s2", "from": "rembourse@arnaque.example", "subject": "Remboursement !", "body": "Cliquez vite", "url": "https://arnaque.example"},
        ]},
        ["s2"],
    ),
    _item(
        "essai-4.1-004", "4.1", 2, "task_procedure",
        {"situation": "Connectez-vous au site des impôts avec votre compte ameli.",
         "screens": [
            {"id": "s1", "site": "www.impots.gouv.fr", "title": "Votre espace particulier",
             "choices": [{"id": "fc", "text": "S'identifier avec FranceConnect", "next": "s2"},
                         {"id": "oubli", "text": "Mot de passe oublié", "next": "fin"}]},
            {"id": "s2", "site": "franceconnect.gouv.fr", "title": "Choisir un compte",
             "choices": [{"id": "ameli", "text": "ameli.fr", "next": "s3"},
                         {"id": "laposte", "text": "L'Identité Numérique La Poste", "next": "s3"}]},
            {"id": "s3", "site": "assure.ameli.fr", "title": "Code de sécurité",
             "message": {"kind": "sms", "from": "AMELI", "text": "Votre code de sécurité : 482913"},
             "fields": [{"id": "code", "label": "Code reçu par SMS", "kind": "text", "compare": "exact"}]},
            {"id": "fin", "title": "Mot de passe oublié",
             "choices": [{"id": "fermer", "text": "Fermer la page"}]},
         ]},
        {"s1": "fc", "s2": "ameli", "s3": {"code": ["482913"]}},
    ),
]  # fmt: skip


def framework_document(**changes: Any) -> dict[str, Any]:
    """The test framework as a file would hold it, with ``changes`` applied at the top level."""
    document = copy.deepcopy(FRAMEWORK)
    document.update(changes)
    return document


def items_document(items: list[dict] | None = None, **changes: Any) -> dict[str, Any]:
    document = {"framework": "essai", "competence": "1.1", "items": copy.deepcopy(items or ITEMS)}
    document.update(changes)
    return document


def doc(data: Any, name: str = "test.json") -> ParsedFile:
    """A document as parsed from a file (with line numbers)."""
    return content_io.parse_text(content_io.dump(data), name)


def make_framework(db: Session, items: list[dict] | None = None, **changes: Any) -> Framework:
    """Import the test framework and its items (every type), and return the framework."""
    content_io.import_documents(
        db,
        [
            doc(framework_document(**changes), "fw.json"),
            doc(items_document(items, framework=changes.get("slug", "essai")), "it.json"),
        ],
    )
    db.flush()
    return db.query(Framework).filter_by(slug=changes.get("slug", "essai")).one()


def make_campaign(
    db: Session,
    framework: Framework | None = None,
    *,
    mode: AssessmentMode = AssessmentMode.FIXED,
    item_uids: list[str] | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    organisation: Organisation | None = None,
    name: str = "Campagne d'essai",
    **assessment_options: Any,
) -> Campaign:
    """A campaign over the test framework (a fixed list of every item by default), in
    ``organisation`` (a new association when omitted)."""
    framework = framework or make_framework(db)
    if mode == AssessmentMode.FIXED and item_uids is None:
        item_uids = [item["id"] for item in ITEMS]
    assessment = campaigns.create_assessment(
        db,
        framework,
        "Évaluation d'essai",
        mode=mode,
        item_uids=item_uids,
        **assessment_options,
    )
    organisation = organisation or make_organisation(db, "Association Essai")
    return campaigns.create_campaign(
        db, assessment, organisation.id, name, opens_at=opens_at, closes_at=closes_at
    )


def make_session(
    db: Session,
    campaign: Campaign,
    learner: Learner,
    *,
    levels: dict[str, int] | None = None,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    deadline: datetime | None = None,
    seconds: list[int] | None = None,
    referral: Referral | None = None,
) -> AssessmentSession:
    """A session written as given, without the engine: hand-made results for pages and tables.

    Finished when ``finished_at`` is given, with ``levels`` (competence code → level; score 8
    per level); ``seconds`` gives one answered item (right) per entry, that long on screen."""
    started_at = started_at or utcnow()
    finished = finished_at is not None
    session = AssessmentSession(
        campaign=campaign,
        learner_id=learner.id,
        status=SessionStatus.FINISHED if finished else SessionStatus.IN_PROGRESS,
        seed=1,
        started_at=started_at,
        finished_at=finished_at,
        deadline=deadline,
        total_score=sum(8 * level for level in (levels or {}).values()) if finished else None,
        referral=referral,
    )
    db.add(session)
    db.flush()
    items = db.scalars(
        select(Item)
        .join(Competence)
        .where(Competence.framework_id == campaign.assessment.framework_id)
        .order_by(Item.id)
    ).all()
    for position, spent in enumerate(seconds or [], start=1):
        item = items[position - 1]
        db.add(
            Response(
                session_id=session.id,
                item_id=item.id,
                item_version=item.version,
                position=position,
                asked_at=started_at,
                answered_at=started_at + timedelta(seconds=spent),
                status=AnswerStatus.OK,
                answer=None,
                time_spent_ms=spent * 1000,
            )
        )
    competences = {
        c.code: c
        for c in db.scalars(
            select(Competence).where(Competence.framework_id == campaign.assessment.framework_id)
        )
    }
    for code, level in (levels or {}).items() if finished else ():
        db.add(
            CompetenceResult(
                session_id=session.id,
                competence_id=competences[code].id,
                theta=0.0,
                se=0.5,
                level=level,
                score=8 * level,
                answered=1,
                correct=1,
            )
        )
    db.flush()
    if finished:  # as ``sessions.finish`` does: the paths' first and last levels follow
        path_progress.refresh(db, [learner.id])
    db.expire(session, ["responses", "results"])
    return session


def make_premiers_pas(db: Session) -> Framework:
    """The beginner diagnostic (framework and items), as shipped."""
    root = content_io.CONTENT_DIR
    framework = db.scalar(select(Framework).where(Framework.slug == "premiers-pas"))
    if framework is None:
        content_io.import_paths(
            db,
            [root / "frameworks" / "premiers-pas.json", root / "items" / "premiers-pas"],
        )
        framework = db.scalar(select(Framework).where(Framework.slug == "premiers-pas"))
    return framework


# The tour plus four level-3 items of each competence: all right, a fixed list that shows what
# « autonome » asks of every competence (``scoring.AutonomeRule``), which the tour alone cannot.
AUTONOME_ITEMS = (*TOUR_ITEMS, *(
    f"premiers-pas-{code}"
    for code in (
        "1.1-009", "1.1-010", "1.1-020", "1.1-022", "1.2-008", "1.2-009", "1.2-019", "1.2-020",
        "1.3-007", "1.3-009", "1.3-020", "1.3-021", "2.1-010", "2.1-021", "2.1-022", "2.1-023",
        "2.2-007", "2.2-009", "2.2-021", "2.2-022", "3.1-006", "3.1-009", "3.1-010", "3.1-020",
    )
))  # fmt: skip


def make_tour_campaign(
    db: Session,
    org: Organisation,
    code: str = "TYPE-TEST",
    *,
    items: tuple[str, ...] = TOUR_ITEMS,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    time_limit_minutes: int | None = None,
) -> Campaign:
    """A fixed-list campaign over one item of each type (the demo's « Découverte »)."""
    framework = make_premiers_pas(db)
    assessment = campaigns.create_assessment(
        db,
        framework,
        "Découverte : une question de chaque sorte",
        mode=AssessmentMode.FIXED,
        item_uids=items,
        min_items=len(items),
        max_items=len(items),
        time_limit_minutes=time_limit_minutes,
        organisation_id=org.id,
    )
    return campaigns.create_campaign(
        db,
        assessment,
        org.id,
        "Tour",
        code=code,
        opens_at=opens_at,
        closes_at=closes_at,
    )


def make_answered_session(
    db: Session,
    campaign: Campaign,
    learner_id: int,
    answers: list[tuple[Item, AnswerStatus, int | None]],
) -> AssessmentSession:
    """A finished session of ``campaign`` whose responses are ``answers`` (item, how it ended,
    time spent in ms), written directly: statistics and calibration read only these rows."""
    session = AssessmentSession(
        campaign_id=campaign.id, learner_id=learner_id, status=SessionStatus.FINISHED, seed=1
    )
    db.add(session)
    db.flush()
    for position, (item, status, spent_ms) in enumerate(answers, start=1):
        db.add(
            Response(
                session_id=session.id,
                item_id=item.id,
                item_version=item.version,
                position=position,
                status=status,
                time_spent_ms=spent_ms,
            )
        )
    db.flush()
    return session


def form_fields(item: Item, response: Any) -> dict[str, Any]:
    """What a browser posts for ``response`` (FORMAT.md shape) on this item's page."""
    kind = ItemType(item.type)
    if kind is ItemType.QCU:
        return {"choice": response}
    if kind in (ItemType.QCM, ItemType.TASK_PHISHING):
        return {"choice": list(response)}
    if kind is ItemType.QROC:
        return {"text": response}
    if kind is ItemType.NUMBER:
        return {"number": response}
    if kind in (ItemType.QROCM_IND, ItemType.QROCM_DEP, ItemType.TASK_FORM):
        return {f"field-{name}": value for name, value in response.items()}
    if kind is ItemType.ORDERING:
        return {f"position-{entry}": str(i) for i, entry in enumerate(response, start=1)}
    if kind is ItemType.MATCHING:
        return {f"pair-{left}": right for left, right in response.items()}
    if kind is ItemType.TASK_PROCEDURE:
        return procedure_fields(response)
    fields: dict[str, Any] = {
        "mail_action": "done" if response["action"] == "open" else response["action"]
    }
    if "message" in response:
        fields["message"] = response["message"]
    to = response.get("to")
    if not to and response["action"] == "reply":
        # The reply page pre-fills the sender's address, as a browser would post it.
        to = _sender_address(item, response.get("message"))
    if to:
        fields["to"] = ", ".join(to) if isinstance(to, list) else to
    if response.get("attachments"):
        fields["attachment"] = list(response["attachments"])
    if response.get("body"):
        fields["mail_body"] = response["body"]
    return fields


def procedure_fields(response: dict[str, Any]) -> dict[str, Any]:
    """What a practice procedure's last page posts: each screen's choice, or its fields."""
    fields: dict[str, Any] = {}
    for screen, answer in response.items():
        if isinstance(answer, str):
            fields[f"step-{screen}"] = answer
            continue
        fields[f"step-{screen}"] = "ok"
        fields.update({f"step-{screen}-{name}": value for name, value in answer.items()})
    return fields


def _sender_address(item: Item, message_id: str | None) -> str | None:
    """The address in the ``From`` of ``message_id``, as the reply page fills it in."""
    for message in item.body.get("mailbox", {}).get("messages", []):
        if message.get("id") == message_id:
            return message["from"].split("<")[-1].rstrip(">").strip()
    return None


def make_own_framework(
    db: Session, org: Organisation | None, slug: str
) -> tuple[Framework, Competence, Item]:
    """A framework written in the studio by ``org`` (``None``: shipped, read-only) with one
    domain, one competence (1.1) and one draft single-choice item."""
    from assessments import authoring, item_authoring

    framework = authoring.create_framework(
        db, org.id if org else None, slug, authoring.FrameworkFields(title_fr=f"Référentiel {slug}")
    )
    domain = authoring.save_domain(db, framework, "1", "Domaine", None)
    competence = authoring.save_competence(
        db,
        framework,
        authoring.CompetenceFields(domain_id=domain.id, code="1.1", title_fr="Compétence"),
    )
    item = item_authoring.create_item(
        db,
        competence,
        {
            "level": 1,
            "type": "qcu",
            "instruction": "Choisissez A.",
            "accessibility": {"blind": "ok", "colour_blind": "ok", "deaf": "na"},
            "explanation": "A est juste.",
            "body": CHOICES,
            "key": "a",
        },
    ).item
    return framework, competence, item
