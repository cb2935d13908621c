"""The item bank as an organisation's staff browse it: which items they may use, filtered by
framework, competence, level, type, status and accessibility, one page at a time.

Which items an organisation may use is decided once, in :func:`usable_by`, and which it owns
(may re-calibrate, later edit) in :func:`owned_by`: every page, the preview and the calibration
go through them, so another organisation's own items are never found (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, joinedload

from assessments.models import (
    Accessibility,
    Competence,
    Framework,
    Item,
    ItemStatus,
    ItemType,
    shipped_or_own,
)
from learners.pagination import Page, paginate

INSTRUCTION_CHARS = 120

# Accessibility tags a trainer can ask for: the item works for people with this impairment.
ACCESS_TAGS = {
    "blind": Item.access_blind,
    "colour_blind": Item.access_colour_blind,
    "deaf": Item.access_deaf,
}


class ItemNotInBank(LookupError):
    """No item with this uid that the organisation may use."""


def usable_by(organisation_id: int) -> ColumnElement[bool]:
    """Items the organisation may use: the shipped bank (no owner) and its own items."""
    return shipped_or_own(Item, organisation_id)


def owned_by(organisation_id: int) -> ColumnElement[bool]:
    """Items the organisation owns (their parameters are its to change); shipped items are
    read-only, owned by none."""
    return Item.organisation_id == organisation_id


@dataclass(frozen=True)
class BankFilters:
    """What the bank page's query string asks for; ``None`` (or empty) means any."""

    framework_id: int | None = None
    competence_id: int | None = None
    level: int | None = None
    type: ItemType | None = None
    status: ItemStatus | None = None
    accessible_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankRow:
    """One line of the bank list."""

    uid: str
    version: int
    framework: str
    competence_code: str
    competence_title: str
    level: int
    type: ItemType
    status: ItemStatus
    instruction: str
    access_blind: Accessibility
    access_colour_blind: Accessibility
    access_deaf: Accessibility


def _short(text: str, limit: int = INSTRUCTION_CHARS) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _row(item: Item) -> BankRow:
    competence = item.competence
    return BankRow(
        uid=item.uid,
        version=item.version,
        framework=competence.framework.title_fr,
        competence_code=competence.code,
        competence_title=competence.title_fr,
        level=item.level,
        type=item.type,
        status=item.status,
        instruction=_short(item.instruction),
        access_blind=item.access_blind,
        access_colour_blind=item.access_colour_blind,
        access_deaf=item.access_deaf,
    )


def _query(organisation_id: int, filters: BankFilters) -> Select:
    query = (
        select(Item)
        .join(Competence, Competence.id == Item.competence_id)
        .where(usable_by(organisation_id))
        .options(joinedload(Item.competence).joinedload(Competence.framework))
    )
    if filters.framework_id is not None:
        query = query.where(Competence.framework_id == filters.framework_id)
    if filters.competence_id is not None:
        query = query.where(Item.competence_id == filters.competence_id)
    if filters.level is not None:
        query = query.where(Item.level == filters.level)
    if filters.type is not None:
        query = query.where(Item.type == filters.type)
    if filters.status is not None:
        query = query.where(Item.status == filters.status)
    for tag in filters.accessible_to:
        query = query.where(ACCESS_TAGS[tag] != Accessibility.KO)
    return query.order_by(Competence.framework_id, Competence.position, Item.level, Item.uid)


def browse(
    db: Session,
    organisation_id: int,
    filters: BankFilters,
    page: int | None = 1,
    per_page: int | None = None,
) -> Page[BankRow]:
    """One page of the items the organisation may use that match ``filters``."""
    found = paginate(db, _query(organisation_id, filters), page, per_page)
    return Page(
        items=[_row(item) for item in found.items],
        number=found.number,
        per_page=found.per_page,
        total=found.total,
    )


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer: frameworks, and the competences of the framework chosen."""

    frameworks: list[Framework]
    competences: list[Competence]


def filter_choices(
    db: Session, organisation_id: int, framework_id: int | None = None
) -> FilterChoices:
    """Frameworks that have items the organisation may use, and (once one is chosen) its
    competences; with no framework chosen, no competence list (it would be hundreds long)."""
    with_items = (
        select(Competence.framework_id)
        .join(Item, Item.competence_id == Competence.id)
        .where(usable_by(organisation_id))
    )
    frameworks = list(
        db.scalars(
            select(Framework)
            .where(Framework.id.in_(with_items))
            .order_by(Framework.title_fr, Framework.id)
        )
    )
    competences: list[Competence] = []
    if framework_id is not None:
        competences = list(
            db.scalars(
                select(Competence)
                .where(Competence.framework_id == framework_id)
                .order_by(Competence.position, Competence.id)
            )
        )
    return FilterChoices(frameworks, competences)


def get_item(db: Session, organisation_id: int, uid: str) -> Item:
    """The item ``uid`` if the organisation may use it, else :class:`ItemNotInBank`."""
    item = db.scalar(select(Item).where(Item.uid == uid[:100], usable_by(organisation_id)))
    if item is None:
        raise ItemNotInBank(uid)
    return item
