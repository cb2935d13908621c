"""What a breakdown's keys are called: action titles, porteurs' names, communes, target jobs,
competences. Structures and programmes only — a person is never a key of any breakdown."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.models import Competence
from learners.communes import name_of
from learners.models import Action, Organisation
from learners.target_jobs import target_jobs


def _ids(keys: Iterable[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def names(db: Session, dimension: str, keys: Iterable[str]) -> dict[str, str]:
    """Key → name for the dimensions whose keys are data (ids or codes); {} for the others,
    whose values the caller words itself (sex, age band, status, typology, year)."""
    keys = list(keys)
    if dimension == "action":
        rows = db.execute(select(Action.id, Action.title).where(Action.id.in_(_ids(keys))))
        return {str(i): title for i, title in rows}
    if dimension == "porteur":
        query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(_ids(keys)))
        return {str(i): name for i, name in db.execute(query)}
    if dimension == "commune":
        return {k: name_of(k) or k for k in keys if k}
    if dimension == "metier":
        jobs = target_jobs()
        return {k: jobs.get(k, k) for k in keys}
    return {}


def competence_titles(db: Session, ids: Iterable[int]) -> dict[int, str]:
    """Competence id → « 1.1 Mener une recherche… »."""
    query = select(Competence.id, Competence.code, Competence.title_fr).where(
        Competence.id.in_(list(ids))
    )
    return {i: f"{code} {title}" for i, code, title in db.execute(query)}


def organisation_of_action(db: Session, action_id: int) -> int | None:
    """The porteur of an action (None when there is no such action)."""
    return db.scalar(select(Action.organisation_id).where(Action.id == action_id))


def porteurs(db: Session) -> list[tuple[int, str]]:
    """The organisations that carry at least one action, by name: (id, name)."""
    query = (
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(select(Action.organisation_id)))
        .order_by(Organisation.name)
    )
    return [(i, name) for i, name in db.execute(query)]
