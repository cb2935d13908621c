"""An organisation's own frameworks: which it sees, creating one, copying a shipped one, and
editing titles, alignments, domains and competences (with their level descriptors).

Shipped frameworks (``organisation_id`` empty) are read-only: an organisation copies one to
change it. Every change is checked with the content import's own rules
(``content_validation.check_framework``) on the framework's file shape, so a framework written
in forms always exports and imports back; a refusal lists ``(JSON path, French message)``
problems the studio puts on its fields. Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assessments.content_export import framework_fields
from assessments.content_parsing import ParsedFile
from assessments.content_storage import DEFAULT_CUT_POINTS
from assessments.content_validation import SLUG, Checker, check_framework
from assessments.models import (
    Alignment,
    Competence,
    Domain,
    Framework,
    FrameworkKind,
    Item,
    ItemStatus,
    LevelDescriptor,
)

LEVELS = range(1, 9)
FIRST_VERSION = "1"

Problem = tuple[str, str]  # (JSON path in the file shape, French message)
_PLACEHOLDER_DOMAIN = {
    "code": "0",
    "title": {"fr": "-"},
    "competences": [{"code": "0", "title": {"fr": "-"}}],
}


class FrameworkNotFound(LookupError):
    """No such framework, or another organisation's: the page answers 404."""


class ReadOnlyFramework(PermissionError):
    """A shipped framework: it can be read and copied, never changed (403)."""


class ContentRejected(ValueError):
    """The change breaks the content rules; ``problems`` says where and why, in French."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class FrameworkSummary:
    """One line of the organisation's list of frameworks."""

    framework: Framework
    shipped: bool
    competences: int
    items: int
    drafts: int


@dataclass
class FrameworkFields:
    """What the framework form edits (everything else stays as it is)."""

    title_fr: str
    title_en: str | None = None
    colour: str | None = None
    source_url: str | None = None
    occupation_esco_uri: str | None = None
    occupation_name: str | None = None
    certification_register: str | None = None
    certification_code: str | None = None
    certification_title: str | None = None
    certification_url: str | None = None
    certification_valid_until: date | None = None


@dataclass
class AlignmentFields:
    framework: str
    code: str | None = None
    name: str | None = None
    url: str | None = None


@dataclass
class CompetenceFields:
    """A competence as its form gives it: levels 1–8 as (French, English) texts."""

    domain_id: int
    code: str
    title_fr: str
    title_en: str | None = None
    description_fr: str | None = None
    description_en: str | None = None
    levels: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    alignments: list[AlignmentFields] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Which frameworks an organisation sees


def frameworks_of(db: Session, organisation_id: int) -> list[FrameworkSummary]:
    """The shipped frameworks (latest edition of each) and the organisation's own, by title."""
    latest_shipped = (
        select(func.max(Framework.id))
        .where(Framework.organisation_id.is_(None))
        .group_by(Framework.slug)
    )
    frameworks = db.scalars(
        select(Framework)
        .where(or_(Framework.id.in_(latest_shipped), Framework.organisation_id == organisation_id))
        .order_by(Framework.organisation_id.is_(None), Framework.title_fr)
    ).all()
    return [summary_of(db, f) for f in frameworks]


def summary_of(db: Session, framework: Framework) -> FrameworkSummary:
    competences = db.scalar(
        select(func.count()).select_from(Competence).where(Competence.framework_id == framework.id)
    )
    counts = dict(
        db.execute(
            select(Item.status, func.count())
            .join(Competence, Item.competence_id == Competence.id)
            .where(Competence.framework_id == framework.id)
            .group_by(Item.status)
        ).all()
    )
    return FrameworkSummary(
        framework=framework,
        shipped=framework.organisation_id is None,
        competences=competences or 0,
        items=sum(counts.values()),
        drafts=counts.get(ItemStatus.DRAFT, 0),
    )


def visible_framework(db: Session, organisation_id: int, framework_id: int) -> Framework:
    """A shipped framework or one of the organisation's; another's is :class:`FrameworkNotFound`."""
    framework = db.get(Framework, framework_id)
    if framework is None or framework.organisation_id not in (None, organisation_id):
        raise FrameworkNotFound(framework_id)
    return framework


def own_framework(db: Session, organisation_id: int, framework_id: int) -> Framework:
    """One of the organisation's frameworks, to change; shipped ones are read-only."""
    framework = visible_framework(db, organisation_id, framework_id)
    if framework.organisation_id is None:
        raise ReadOnlyFramework(framework_id)
    return framework


def own_competence(db: Session, framework: Framework, competence_id: int) -> Competence:
    competence = db.get(Competence, competence_id)
    if competence is None or competence.framework_id != framework.id:
        raise FrameworkNotFound(competence_id)
    return competence


def own_domain(db: Session, framework: Framework, domain_id: int) -> Domain:
    domain = db.get(Domain, domain_id)
    if domain is None or domain.framework_id != framework.id:
        raise FrameworkNotFound(domain_id)
    return domain


# ---------------------------------------------------------------------------------------------
# Checks with the import's rules


def check_document(data: Mapping[str, Any]) -> list[Problem]:
    """Problems of a framework in its file shape, with the import's rules. A framework still
    without a domain is checked as if it had one (the studio adds domains after creating it)."""
    if not data.get("domains"):
        data = {**data, "domains": [_PLACEHOLDER_DOMAIN]}
    checker = Checker(ParsedFile("formulaire", data, {}))
    check_framework(checker, data)
    return [(e.path, e.message) for e in checker.errors]


def slug_taken(db: Session, slug: str) -> bool:
    return db.scalar(select(func.count()).where(Framework.slug == slug)) > 0


def check_new_slug(db: Session, slug: str) -> None:
    if not SLUG.match(slug or ""):
        raise ContentRejected(
            [("slug", "minuscules, chiffres et tirets seulement (64 au plus), ex. « mon-metier »")]
        )
    if slug_taken(db, slug):
        raise ContentRejected([("slug", "ce code est déjà pris : choisissez-en un autre")])


# ---------------------------------------------------------------------------------------------
# Writing


def _apply(framework: Framework, fields: FrameworkFields) -> None:
    framework.title_fr, framework.title_en = fields.title_fr, fields.title_en or None
    framework.colour = fields.colour or None
    framework.source_url = fields.source_url or None
    framework.occupation_esco_uri = fields.occupation_esco_uri or None
    framework.occupation_name = (
        (fields.occupation_name or None) if fields.occupation_esco_uri else None
    )
    framework.certification_register = fields.certification_register or None
    registered = bool(fields.certification_register)
    framework.certification_code = (fields.certification_code or None) if registered else None
    framework.certification_title = (fields.certification_title or None) if registered else None
    framework.certification_url = (fields.certification_url or None) if registered else None
    framework.certification_valid_until = fields.certification_valid_until if registered else None


def _with_fields(data: Mapping[str, Any], fields: FrameworkFields) -> dict[str, Any]:
    """A framework's file shape with the form's fields in place (to check before writing)."""
    data = dict(data)
    data["title"] = {"fr": fields.title_fr, "en": fields.title_en or None}
    for name, value in (("colour", fields.colour), ("source_url", fields.source_url)):
        data[name] = value or None
    data["occupation"] = (
        {"esco_uri": fields.occupation_esco_uri, "name": fields.occupation_name or None}
        if fields.occupation_esco_uri
        else None
    )
    if fields.certification_register:
        note = (data.get("certification") or {}).get("note")
        valid_until = fields.certification_valid_until
        data["certification"] = {
            "register": fields.certification_register,
            "code": fields.certification_code or None,
            "title": fields.certification_title or None,
            "url": fields.certification_url or None,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "note": note,
        }
    else:
        data["certification"] = None
    return {k: v for k, v in data.items() if v is not None}


def _refuse_problems(data: Mapping[str, Any]) -> None:
    problems = check_document(data)
    if problems:
        raise ContentRejected(problems)


def create_framework(
    db: Session, organisation_id: int, slug: str, fields: FrameworkFields
) -> Framework:
    """A new, empty framework (levels 1–8, default cut points) owned by the organisation."""
    check_new_slug(db, slug)
    framework = Framework(
        slug=slug,
        version=FIRST_VERSION,
        kind=FrameworkKind.LEVELS,
        cut_points=list(DEFAULT_CUT_POINTS),
        organisation_id=organisation_id,
    )
    _refuse_problems(_with_fields(framework_fields(framework), fields))
    _apply(framework, fields)
    db.add(framework)
    db.flush()
    return framework


def update_framework(db: Session, framework: Framework, fields: FrameworkFields) -> None:
    """New titles and alignments (ESCO occupation, RNCP/RS certification); nothing is written
    when the result breaks a content rule."""
    _refuse_problems(_with_fields(framework_fields(framework), fields))
    _apply(framework, fields)
    db.flush()


def save_domain(
    db: Session,
    framework: Framework,
    code: str,
    title_fr: str,
    title_en: str | None,
    domain: Domain | None = None,
) -> Domain:
    """Add a domain, or rename one; two domains of a framework never share a code."""
    clash = db.scalar(
        select(Domain).where(Domain.framework_id == framework.id, Domain.code == code)
    )
    if clash is not None and clash is not domain:
        raise ContentRejected([("code", "un domaine a déjà ce code dans ce référentiel")])
    if domain is None:
        position = len(framework.domains)
        domain = Domain(framework=framework, code=code, position=position)
        db.add(domain)
    domain.code, domain.title_fr, domain.title_en = code, title_fr, title_en or None
    db.flush()
    return domain


def save_competence(
    db: Session,
    framework: Framework,
    fields: CompetenceFields,
    competence: Competence | None = None,
) -> Competence:
    """Add or edit a competence with its level descriptors and alignments, checked with the
    import's rules; on a refusal nothing is written."""
    domain = own_domain(db, framework, fields.domain_id)
    clash = db.scalar(
        select(Competence).where(
            Competence.framework_id == framework.id, Competence.code == fields.code
        )
    )
    if clash is not None and clash is not competence:
        raise ContentRejected([("code", "une compétence a déjà ce code dans ce référentiel")])
    problems = _competence_problems(fields)
    if problems:
        raise ContentRejected(problems)
    with db.begin_nested():
        if competence is None:
            position = db.scalar(
                select(func.count())
                .select_from(Competence)
                .where(Competence.framework_id == framework.id)
            )
            competence = Competence(framework_id=framework.id, position=position)
            db.add(competence)
        competence.domain_id = domain.id
        competence.code = fields.code
        competence.title_fr, competence.title_en = fields.title_fr, fields.title_en or None
        competence.description_fr = fields.description_fr or None
        competence.description_en = fields.description_en or None
        db.flush()
        _write_levels(competence, fields.levels)
        competence.alignments.clear()
        db.flush()
        for a in fields.alignments:
            competence.alignments.append(
                Alignment(
                    framework_name=a.framework,
                    code=a.code or None,
                    name=a.name or None,
                    url=a.url or None,
                )
            )
        db.flush()
    return competence


def _competence_problems(fields: CompetenceFields) -> list[Problem]:
    """The competence alone in a one-competence framework, checked with the import's rules;
    paths come back relative to the competence (``levels.3``, ``alignments[0]``)."""
    competence: dict[str, Any] = {
        "code": fields.code,
        "title": {"fr": fields.title_fr, "en": fields.title_en},
        "levels": {
            str(level): {"fr": fr, "en": en} for level, (fr, en) in fields.levels.items() if fr
        },
        "alignments": [{k: v for k, v in vars(a).items() if v} for a in fields.alignments],
    }
    if fields.description_fr:
        competence["description"] = {"fr": fields.description_fr, "en": fields.description_en}
    data = {
        "slug": "formulaire",
        "version": "1",
        "title": {"fr": "-"},
        "kind": "levels",
        "cut_points": DEFAULT_CUT_POINTS,
        "domains": [{"code": "0", "title": {"fr": "-"}, "competences": [competence]}],
    }
    prefix = "domains[0].competences[0]."
    return [(path.removeprefix(prefix), message) for path, message in check_document(data)]


def _write_levels(competence: Competence, levels: Mapping[int, tuple[str, str | None]]) -> None:
    current = {d.level: d for d in competence.levels}
    for level in LEVELS:
        fr, en = levels.get(level, ("", None))
        descriptor = current.get(level)
        if not fr:
            if descriptor is not None:
                competence.levels.remove(descriptor)
        elif descriptor is None:
            competence.levels.append(LevelDescriptor(level=level, text_fr=fr, text_en=en or None))
        else:
            descriptor.text_fr, descriptor.text_en = fr, en or None


def competence_fields(competence: Competence) -> CompetenceFields:
    """A stored competence as its form shows it."""
    return CompetenceFields(
        domain_id=competence.domain_id,
        code=competence.code,
        title_fr=competence.title_fr,
        title_en=competence.title_en,
        description_fr=competence.description_fr,
        description_en=competence.description_en,
        levels={d.level: (d.text_fr, d.text_en) for d in competence.levels},
        alignments=[
            AlignmentFields(a.framework_name, a.code, a.name, a.url) for a in competence.alignments
        ],
    )
