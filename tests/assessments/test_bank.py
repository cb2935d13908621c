"""The item bank's domain: browsing with filters and pages, finding an item, its statistics over
one organisation's answers, and calibrating from them (fits stored, shipped items untouched)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from assessments import bank, bank_calibration
from assessments.item_statistics import item_statistics
from assessments.models import AnswerStatus, Item, ItemFit, ItemStatus, ItemType
from learners.models import Organisation
from tests.assessments.factories import ITEMS, make_answered_session, make_campaign
from tests.learners.factories import make_learner


def uids(page) -> list[str]:
    return [row.uid for row in page.items]


def test_browse_pages_through_the_bank_in_framework_order(dbsession):
    campaign = make_campaign(dbsession)
    org = campaign.organisation_id
    first = bank.browse(dbsession, org, bank.BankFilters(), page=1, per_page=4)
    last = bank.browse(dbsession, org, bank.BankFilters(), page=3, per_page=4)
    assert first.total == len(ITEMS) and first.pages == 3
    assert len(first.items) == 4 and len(last.items) == len(ITEMS) - 8
    assert set(uids(first)).isdisjoint(uids(last))
    row = next(r for r in first.items if r.uid == "essai-1.1-001")
    assert (row.competence_code, row.level, row.type, row.status) == (
        "1.1",
        1,
        ItemType.QCU,
        ItemStatus.VALIDATED,
    )
    assert row.framework == "Référentiel d'essai"


def test_browse_filters_combine(dbsession):
    campaign = make_campaign(dbsession)
    item = dbsession.scalar(select(Item).where(Item.uid == "essai-1.2-002"))
    item.access_blind, item.status = "ko", ItemStatus.DRAFT
    dbsession.flush()
    org = campaign.organisation_id
    competence = item.competence_id

    def found(**asked) -> set[str]:
        return set(uids(bank.browse(dbsession, org, bank.BankFilters(**asked), per_page=200)))

    assert found(competence_id=competence) == {
        "essai-1.2-001",
        "essai-1.2-002",
        "essai-1.2-003",
        "essai-1.2-004",
    }
    assert found(competence_id=competence, level=2) == {"essai-1.2-002", "essai-1.2-004"}
    assert found(status=ItemStatus.DRAFT) == {"essai-1.2-002"}
    assert "essai-1.2-002" not in found(accessible_to=("blind",))
    assert "essai-1.2-002" in found(accessible_to=("colour_blind", "deaf"))
    assert found(type=ItemType.MATCHING, level=3) == set()


def test_filter_choices_offer_frameworks_with_items_and_the_chosen_ones_competences(dbsession):
    campaign = make_campaign(dbsession)
    choices = bank.filter_choices(dbsession, campaign.organisation_id)
    assert [f.slug for f in choices.frameworks] == ["essai"] and choices.competences == []
    chosen = bank.filter_choices(dbsession, campaign.organisation_id, choices.frameworks[0].id)
    assert [c.code for c in chosen.competences] == ["1.1", "1.2", "4.1"]


def test_get_item_finds_a_usable_item_and_refuses_an_unknown_one(dbsession):
    campaign = make_campaign(dbsession)
    assert bank.get_item(dbsession, campaign.organisation_id, "essai-1.1-003").type == "qroc"
    with pytest.raises(bank.ItemNotInBank):
        bank.get_item(dbsession, campaign.organisation_id, "essai-9.9-999")


def _item(db, uid: str) -> Item:
    return db.scalar(select(Item).where(Item.uid == uid))


def test_statistics_are_hand_computable_and_skip_other_versions_and_organisations(dbsession):
    campaign = make_campaign(dbsession)
    org = dbsession.get(Organisation, campaign.organisation_id)
    item = _item(dbsession, "essai-1.1-001")
    answers = [
        (AnswerStatus.OK, 4000),
        (AnswerStatus.OK, 6000),
        (AnswerStatus.KO, 8000),
        (AnswerStatus.SKIPPED, 2000),
        (AnswerStatus.TIMED_OUT, None),
    ]
    for number, (status, spent) in enumerate(answers):
        learner = make_learner(dbsession, org, login=f"s{number}")
        make_answered_session(dbsession, campaign, learner.id, [(item, status, spent)])
    # Not counted: a question asked and not answered yet, another organisation's answer.
    make_answered_session(dbsession, campaign, make_learner(dbsession).id, [(item, None, None)])
    other = make_campaign(dbsession)
    make_answered_session(
        dbsession, other, make_learner(dbsession).id, [(item, AnswerStatus.OK, 1000)]
    )

    stats = item_statistics(dbsession, org.id, item)
    assert (stats.answers, stats.correct, stats.skipped, stats.timed_out) == (5, 2, 1, 1)
    assert stats.success_rate == pytest.approx(0.4)
    assert stats.skipped_share == pytest.approx(0.2)
    assert stats.mean_seconds == pytest.approx(5.0)  # (4 + 6 + 8 + 2) / 4 timed answers
    assert stats.misfit is None

    item.version = 2  # an edited item is a new question: the old answers no longer count
    dbsession.flush()
    edited = item_statistics(dbsession, org.id, item)
    assert edited.answers == 0 and edited.success_rate is None and edited.mean_seconds is None


def _answer_everything(
    db, campaign, persons: int, seed: int = 1, mean: float = 0.0, truth: dict | None = None
) -> None:
    """2PL answers to every test item: abilities N(mean, 1), ``truth`` uid → (a, b) (default
    a = 1 and b spread from -1.5 to 1.5)."""
    rng = np.random.default_rng(seed)
    items = [_item(db, raw["id"]) for raw in ITEMS]
    spread = np.linspace(-1.5, 1.5, len(items))
    a = np.array([truth[i.uid][0] for i in items]) if truth else 1.0
    difficulty = np.array([truth[i.uid][1] for i in items]) if truth else spread
    org = campaign.organisation_id
    for number, theta in enumerate(rng.normal(mean, 1.0, size=persons)):
        right = rng.random(len(items)) < 1 / (1 + np.exp(-a * (theta - difficulty)))
        learner = make_learner(db, login=f"cal-{org}-{number}")
        answers = [
            (item, AnswerStatus.OK if ok else AnswerStatus.KO, 3000)
            for item, ok in zip(items, right, strict=True)
        ]
        make_answered_session(db, campaign, learner.id, answers)


def test_calibration_stores_each_items_fit_for_the_organisation_and_keeps_shipped_a_b(
    dbsession,
):
    campaign = make_campaign(dbsession)
    _answer_everything(dbsession, campaign, 80)
    before = {i.uid: (i.a, i.b) for i in dbsession.scalars(select(Item))}
    calls = []
    summary = bank_calibration.calibrate_organisation(
        dbsession,
        campaign.organisation_id,
        min_answers=50,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert summary.answers == 80 * len(ITEMS) and summary.persons == 80
    # Every item is shipped: all are anchors (held, fit computed), none is re-estimated.
    assert summary.calibrated == 0 and summary.applied == 0
    assert summary.anchors == len(ITEMS) and summary.scale == "anchors"
    assert calls and calls[0] == (1, bank_calibration.MAX_ITERATIONS)
    fits = dbsession.scalars(select(ItemFit)).all()
    assert len(fits) == len(ITEMS)
    assert all(f.organisation_id == campaign.organisation_id and not f.applied for f in fits)
    assert {f.item_id for f in fits if f.misfit} == {
        _item(dbsession, uid).id for uid in summary.misfits
    }
    assert {i.uid: (i.a, i.b) for i in dbsession.scalars(select(Item))} == before
    held = {fit.item_id: (fit.a, fit.b) for fit in fits}
    assert held == {i.id: (i.a, i.b) for i in dbsession.scalars(select(Item))}

    again = bank_calibration.calibrate_organisation(
        dbsession, campaign.organisation_id, min_answers=50
    )
    assert again.anchors == len(ITEMS)
    assert len(dbsession.scalars(select(ItemFit)).all()) == len(ITEMS)  # updated, not added


def test_a_beginner_group_calibrates_own_items_on_the_shipped_items_scale(dbsession):
    campaign = make_campaign(dbsession)
    own = {"essai-1.1-003": -2.0, "essai-1.2-003": -1.0, "essai-4.1-003": 0.0}
    for uid in own:
        if not _owned_by(dbsession, _item(dbsession, uid), campaign.organisation_id):
            return
    truth = {
        i.uid: (1.0, own[i.uid]) if i.uid in own else (i.a, i.b)
        for i in dbsession.scalars(select(Item))
    }
    _answer_everything(dbsession, campaign, 400, seed=4, mean=-1.5, truth=truth)
    summary = bank_calibration.calibrate_organisation(
        dbsession, campaign.organisation_id, min_answers=50
    )
    assert summary.scale == "anchors" and summary.anchors == len(ITEMS) - len(own)
    assert summary.calibrated == len(own)
    assert summary.population_mean == pytest.approx(-1.5, abs=0.25)
    fits = {f.item_id: f for f in dbsession.scalars(select(ItemFit))}
    errors = np.array([fits[_item(dbsession, uid).id].b - b for uid, b in own.items()])
    # Without anchors the group would be N(0, 1) and every b about 1.5 too high.
    assert abs(errors.mean()) < 0.3 and np.abs(errors).max() < 0.6


def test_calibration_ignores_other_organisations_answers(dbsession):
    campaign, other = make_campaign(dbsession), make_campaign(dbsession)
    _answer_everything(dbsession, other, 60)
    summary = bank_calibration.calibrate_organisation(
        dbsession, campaign.organisation_id, min_answers=10
    )
    assert summary.answers == 0 and summary.calibrated == 0
    assert dbsession.scalars(select(ItemFit)).all() == []


def _owned_by(db, item: Item, organisation_id: int) -> bool:
    """Give ``item`` an owner; False while items carry none (before the studio's authoring)."""
    if "organisation_id" not in Item.__table__.c:
        return False
    db.execute(
        Item.__table__.update()
        .where(Item.__table__.c.id == item.id)
        .values(organisation_id=organisation_id)
    )
    db.expire_all()
    return True


def test_another_organisations_own_items_are_not_in_its_bank(dbsession):
    mine, theirs = make_campaign(dbsession), make_campaign(dbsession)
    item = _item(dbsession, "essai-1.1-001")
    if not _owned_by(dbsession, item, theirs.organisation_id):
        assert "essai-1.1-001" in uids(
            bank.browse(dbsession, mine.organisation_id, bank.BankFilters(), per_page=200)
        )  # every item is shipped, so usable by all
        return
    with pytest.raises(bank.ItemNotInBank):
        bank.get_item(dbsession, mine.organisation_id, "essai-1.1-001")
    rows = bank.browse(dbsession, mine.organisation_id, bank.BankFilters(), per_page=200)
    assert "essai-1.1-001" not in uids(rows) and len(rows.items) == len(ITEMS) - 1
    assert bank.get_item(dbsession, theirs.organisation_id, "essai-1.1-001").id == item.id


def test_calibration_saves_a_b_only_on_the_organisations_own_fitting_items(dbsession):
    campaign = make_campaign(dbsession)
    own = _item(dbsession, "essai-1.1-003")
    owned = _owned_by(dbsession, own, campaign.organisation_id)
    _answer_everything(dbsession, campaign, 80)
    summary = bank_calibration.calibrate_organisation(
        dbsession, campaign.organisation_id, min_answers=50
    )
    saved = {i.uid for i in dbsession.scalars(select(Item).where(Item.calibrated_at.is_not(None)))}
    fits_well = "essai-1.1-003" not in summary.misfits
    assert saved == ({"essai-1.1-003"} if owned and fits_well else set())
    assert summary.applied == len(saved)
