"""Demo data, assessment and badge side: what ``jalon demo`` loads after the accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from assessments import demo as assessments_demo
from assessments.models import Assessment, Campaign
from badges import demo as badges_demo
from badges.models import Achievement, Issuer
from badges.shipped import install_achievement, shipped_achievements
from learners import demo as learners_demo
from tests.badges.factories import KEK, make_achievement, make_issuer


def _counts(db) -> tuple[int, ...]:
    return tuple(
        db.scalar(select(func.count()).select_from(model))
        for model in (Assessment, Campaign, Issuer, Achievement)
    )


def test_nothing_to_attach_to_without_the_demo_associations(dbsession):
    assert assessments_demo.existing_campaigns(dbsession) == []
    assessments_demo.load(dbsession)
    badges_demo.load(dbsession, kek=KEK)
    assert _counts(dbsession) == (0, 0, 0, 0)


def test_each_association_gets_its_campaigns_issuer_and_achievements_once(dbsession):
    learners_demo.load_demo(dbsession)
    assessments_demo.load(dbsession)
    badges_demo.load(dbsession, kek=KEK)
    dbsession.commit()
    associations = len(learners_demo.ASSOCIATIONS)
    per_association = len(assessments_demo.ASSESSMENTS)
    expected = (
        associations * per_association,
        associations * per_association,
        associations,
        associations * len(shipped_achievements()),
    )
    assert _counts(dbsession) == expected
    shown = assessments_demo.existing_campaigns(dbsession)
    assert [c.code for c in shown] == [c.code for c in assessments_demo.demo_campaigns()]
    assert "TYPE-PA33" in {c.code for c in shown}
    assessments_demo.load(dbsession)
    badges_demo.load(dbsession, kek=KEK)
    dbsession.commit()
    assert _counts(dbsession) == expected


def test_the_demo_badge_and_person_are_made_once(dbsession):
    issuer = make_issuer(dbsession)
    achievement = badges_demo.demo_achievement(dbsession, issuer)
    learner = badges_demo.demo_learner(dbsession)
    assert badges_demo.demo_achievement(dbsession, issuer).id == achievement.id
    assert badges_demo.demo_learner(dbsession).id == learner.id
    assert achievement.image_data.startswith(b"\x89PNG")
    assert not learner.user.is_active  # the fictitious person can never log in


def test_a_renamed_shipped_badge_archives_the_one_it_replaces_for_its_issuer_only(dbsession):
    """Issue 12 renamed badges; an install that already had the old name must not award both."""
    issuer = make_issuer(dbsession, shipped=True)
    other = make_issuer(dbsession, name="Autre association")
    old = make_achievement(dbsession, issuer, name="Premiers pas — ancien nom")
    elsewhere = make_achievement(dbsession, other, name="Premiers pas — ancien nom")
    entry = next(a for a in shipped_achievements() if a["slug"] == "premiers-pas-autonome")
    renamed = {**entry, "name": "Premiers pas — nouveau nom", "replaces": [old.name]}
    installed = install_achievement(dbsession, issuer, renamed)
    dbsession.flush()
    assert (old.is_archived, installed.is_archived, elsewhere.is_archived) == (True, False, False)
    assert install_achievement(dbsession, issuer, renamed).id == installed.id


def test_every_shipped_framework_has_a_demo_campaign_a_learner_can_start(dbsession):
    from assessments import content_io, sessions
    from tests.learners.factories import make_learner

    learners_demo.load_demo(dbsession)
    assessments_demo.load(dbsession)
    dbsession.commit()
    shipped = {path.stem for path in (content_io.CONTENT_DIR / "frameworks").glob("*.json")}
    by_framework = {c.assessment.framework.slug: c for c in dbsession.scalars(select(Campaign))}
    assert set(by_framework) == shipped
    learner = make_learner(dbsession)
    for slug, campaign in sorted(by_framework.items()):
        session = sessions.start(dbsession, campaign.code, learner)
        assert session.current_item is not None, slug
        assert session.current_item.competence.framework.slug == slug


def test_the_security_demo_campaign_is_the_one_the_badge_advice_names(dbsession):
    """A whole-CRCN demo session at the security badge's levels but without its evidence is
    told to take the demo campaign targeted at 4.1 and 4.2 of its own association."""
    from assessments import campaigns
    from assessments.models import Campaign
    from badges import evidence_advice
    from learners.database import utcnow
    from learners.models import Organisation
    from tests.assessments.factories import make_session
    from tests.learners.factories import make_learner

    learners_demo.load_demo(dbsession)
    assessments_demo.load(dbsession)
    badges_demo.load(dbsession, kek=KEK)
    by_code = {c.code: c for c in dbsession.scalars(select(Campaign))}
    targeted = by_code[campaigns.normalise_code("SECU-PA33")]
    assert targeted.assessment.competence_codes == ["4.1", "4.2"]
    whole = by_code[campaigns.normalise_code("CRCN-PA33")]
    learner = make_learner(dbsession, dbsession.get(Organisation, whole.organisation_id))
    session = make_session(
        dbsession, whole, learner, levels={"4.1": 3, "4.2": 3}, finished_at=utcnow()
    )
    advice = {a.badge: a for a in evidence_advice.advice(dbsession, session)}
    security = advice["Sécurité numérique — Novice (CRCN)"]
    assert (security.campaign_code, security.campaign_name) == (targeted.code, targeted.name)
    assert "ciblée pour le badge" in security.campaign_name


def test_a_shipped_badge_is_not_tagged_with_a_certification_whose_registration_has_ended(
    dbsession,
):
    """Issue 13: RNCP37682 ended on 01-09-2026 and no renewal could be confirmed; a badge
    installed afterwards does not carry its number as if it were current."""
    from datetime import date

    from tests.assessments.factories import make_framework

    certification = {"register": "RNCP", "code": "RNCP37682", "title": "TSSR",
                     "valid_until": "2026-09-01"}  # fmt: skip
    framework = make_framework(dbsession, certification=certification)
    issuer = make_issuer(dbsession, shipped=True)
    entry = {
        **next(a for a in shipped_achievements() if a["slug"] == "datacenter-cloud-evaluation"),
        "framework": "essai",
        "rule": {"framework": "essai", "conditions": [{"type": "completion"}]},
    }
    ended = install_achievement(dbsession, issuer, {**entry, "slug": "essai-echu", "name": "Échue"})
    framework.certification_valid_until = date(2999, 12, 31)
    current = install_achievement(
        dbsession, issuer, {**entry, "slug": "essai-en-vigueur", "name": "En vigueur"}
    )
    assert "RNCP37682" not in ended.tags
    assert "RNCP37682" in current.tags
