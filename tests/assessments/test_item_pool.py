"""The worker's cache of a bank's light rows is good only while nothing wrote to the bank: an
item edited, calibrated, withdrawn or moved (by the ORM or by a bulk UPDATE) gives its
framework a new stamp, and the next answer reads the bank again."""

from __future__ import annotations

from sqlalchemy import select, update

from assessments import campaigns, item_pool
from assessments.models import Framework, Item, ItemStatus
from tests.assessments.factories import make_framework
from tests.learners.factories import make_organisation


def test_writing_an_item_restamps_its_framework_and_the_cache_sees_the_change(dbsession):
    framework = make_framework(dbsession)
    assessment = campaigns.create_assessment(dbsession, framework, "Essai")
    dbsession.commit()
    stamp = framework.bank_stamp
    before = item_pool.adaptive_candidates(dbsession, assessment)

    make_organisation(dbsession, "Sans rapport")  # a flush that leaves the bank alone
    dbsession.commit()
    assert framework.bank_stamp == stamp
    assert item_pool.adaptive_candidates(dbsession, assessment) is before  # from the cache

    item = dbsession.scalar(select(Item).where(Item.id == before[0].id))
    item.a = 2.5  # a calibration, through the ORM
    dbsession.commit()
    assert framework.bank_stamp != stamp
    assert item_pool.adaptive_candidates(dbsession, assessment)[0].a == 2.5

    stamp = framework.bank_stamp
    dbsession.execute(update(Item).where(Item.id == item.id).values(status=ItemStatus.DRAFT))
    dbsession.commit()
    assert dbsession.get(Framework, framework.id).bank_stamp != stamp
    assert not item_pool.adaptive_candidates(dbsession, assessment)[0].usable
