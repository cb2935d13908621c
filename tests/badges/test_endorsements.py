"""Endorsements: who may endorse, what is signed, what later badges carry, and withdrawal.

Each endorsed badge is verified by Jalon (``badges.verification``); the embedded endorsement is
verified too and never changes the badge's own verdict.
"""

from __future__ import annotations

import copy
import json

import pytest

from badges import endorsements, issuance, verification
from badges.models import KeyState
from badges.ob3.verification_result import EndorsementState
from badges.ob3.verify import Verdict
from learners.models import OrganisationKind, Role
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.learners.factories import make_learner, make_organisation, make_user


def make_endorsement(db, achievement, organisation=None, comment="Utile pour nos recrutements."):
    """An endorsement of ``achievement`` by a partner employer (a new one when omitted)."""
    organisation = organisation or make_organisation(db, "Transports Durand", _employer())
    return endorsements.endorse(
        db, organisation, achievement, comment, actor=None, base_url=BASE_URL, kek=KEK
    )


def _employer() -> OrganisationKind:
    return OrganisationKind.EMPLOYEUR


def _issue(db, achievement, key: str):
    learner = make_learner(db)
    return issuance.issue(
        db, achievement=achievement, learner=learner, award_key=key, base_url=BASE_URL, kek=KEK
    ).credential


def test_endorsement_is_a_signed_endorsement_credential_about_the_achievement(dbsession):
    achievement = make_achievement(dbsession)
    endorsement = make_endorsement(dbsession, achievement)
    signed = json.loads(endorsement.signed_json)

    assert signed["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert signed["credentialSubject"] == {
        "id": f"{BASE_URL}/achievements/{achievement.public_id}",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Utile pour nos recrutements.",
    }
    assert signed["issuer"]["name"] == "Transports Durand"
    assert signed["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["credentialStatus"]["statusPurpose"] == "revocation"
    result = verification.verify_credential(dbsession, signed, base_url=BASE_URL)
    assert result.verdict is Verdict.VALID, result.to_dict()


def test_endorser_key_is_sealed_at_rest(dbsession):
    endorsement = make_endorsement(dbsession, make_achievement(dbsession))
    keys = endorsement.issuer.keys
    assert keys and all(k.state is KeyState.ACTIVE for k in keys)
    assert all(b"PRIVATE KEY" not in k.encrypted_private_key for k in keys)


def test_later_credentials_carry_the_endorsement_and_earlier_ones_are_unchanged(dbsession):
    achievement = make_achievement(dbsession)
    before = _issue(dbsession, achievement, "before")
    endorsement = make_endorsement(dbsession, achievement)
    after = _issue(dbsession, achievement, "after")

    earlier = json.loads(before.signed_json)["credentialSubject"]["achievement"]
    later = json.loads(after.signed_json)["credentialSubject"]["achievement"]
    assert "endorsement" not in earlier
    assert later["endorsement"] == [json.loads(endorsement.signed_json)]

    result = verification.verify_stored(dbsession, after, base_url=BASE_URL)
    assert result.verdict is Verdict.VALID, result.to_dict()
    [check] = result.endorsements
    assert check.state is EndorsementState.VALID
    assert (check.endorser_name, check.target) == ("Transports Durand", "achievement")
    assert check.comment == "Utile pour nos recrutements."
    assert check.endorser_known is True


def test_withdrawn_endorsement_leaves_later_badges_and_shows_withdrawn_in_earlier(dbsession):
    achievement = make_achievement(dbsession)
    endorsement = make_endorsement(dbsession, achievement)
    endorsed = _issue(dbsession, achievement, "endorsed")
    endorsements.withdraw(dbsession, endorsement, "Partenariat terminé", base_url=BASE_URL, kek=KEK)
    later = _issue(dbsession, achievement, "later")

    assert "endorsement" not in json.loads(later.signed_json)["credentialSubject"]["achievement"]
    result = verification.verify_stored(dbsession, endorsed, base_url=BASE_URL)
    assert result.verdict is Verdict.VALID  # the badge itself stays valid
    [check] = result.endorsements
    assert check.state is EndorsementState.INVALID
    assert check.verdict is Verdict.REVOKED
    assert "retirée" in check.reason_fr
    with pytest.raises(endorsements.AlreadyWithdrawn):
        endorsements.withdraw(dbsession, endorsement, "encore", base_url=BASE_URL, kek=KEK)


def test_tampered_embedded_endorsement_is_invalid_but_not_the_badge_verdict(dbsession):
    achievement = make_achievement(dbsession)
    endorsement = make_endorsement(dbsession, achievement)
    tampered = copy.deepcopy(json.loads(endorsement.signed_json))
    tampered["credentialSubject"]["endorsementComment"] = "Le meilleur badge du monde"

    result = verification.verify_credential(dbsession, tampered, base_url=BASE_URL)
    assert result.verdict is Verdict.INVALID_SIGNATURE


def test_department_and_employer_admins_may_endorse_associations_may_not(dbsession):
    achievement = make_achievement(dbsession)
    departement = make_organisation(dbsession, "Département", OrganisationKind.DEPARTEMENT)
    association = make_organisation(dbsession, "Autre association")
    assert endorsements.may_endorse(departement)
    assert not endorsements.may_endorse(association)
    with pytest.raises(endorsements.NotAnEndorser):
        make_endorsement(dbsession, achievement, association)
    make_endorsement(dbsession, achievement, departement)
    with pytest.raises(endorsements.AlreadyEndorsed):
        make_endorsement(dbsession, achievement, departement)
    staff = make_user(dbsession, Role.DEPARTMENT, departement)
    assert endorsements.department_organisation(staff) is departement


def test_own_or_archived_badges_and_empty_comments_are_refused(dbsession):
    employer = make_organisation(dbsession, "Employeur", OrganisationKind.EMPLOYEUR)
    own = make_achievement(dbsession, make_issuer(dbsession, employer))
    with pytest.raises(endorsements.CannotEndorse):
        make_endorsement(dbsession, own, employer)
    archived = make_achievement(dbsession)
    archived.is_archived = True
    with pytest.raises(endorsements.CannotEndorse):
        make_endorsement(dbsession, archived, employer)
    platform = make_organisation(dbsession, "Plateforme", OrganisationKind.PLATFORM)
    with pytest.raises(endorsements.CannotEndorse):
        make_endorsement(
            dbsession, make_achievement(dbsession, make_issuer(dbsession, platform)), employer
        )
    with pytest.raises(endorsements.CommentRequired):
        make_endorsement(dbsession, make_achievement(dbsession), employer, comment="  ")


def test_endorsable_lists_associations_badges_not_yet_endorsed(dbsession):
    employer = make_organisation(dbsession, "Employeur", OrganisationKind.EMPLOYEUR)
    first = make_achievement(dbsession, name="Badge un")
    make_achievement(dbsession, name="Badge deux")
    make_achievement(dbsession, make_issuer(dbsession, employer), name="Badge de l'employeur")
    names = {a.name for a in endorsements.endorsable(dbsession, employer)}
    assert names == {"Badge un", "Badge deux"}
    make_endorsement(dbsession, first, employer)
    assert {a.name for a in endorsements.endorsable(dbsession, employer)} == {"Badge deux"}


def test_another_organisations_endorsement_is_not_found(dbsession):
    endorsement = make_endorsement(dbsession, make_achievement(dbsession))
    other = make_organisation(dbsession, "Autre employeur", OrganisationKind.EMPLOYEUR)
    with pytest.raises(endorsements.EndorsementNotFound):
        endorsements.get_for(dbsession, other, endorsement.public_id)
    assert endorsements.get_for(dbsession, endorsement.organisation, endorsement.public_id)


def test_withdrawal_changes_the_stamp_of_the_badges_page_cache(dbsession):
    achievement = make_achievement(dbsession)
    endorsement = make_endorsement(dbsession, achievement)
    credential = _issue(dbsession, achievement, "cached")
    before = verification.stamp(dbsession, credential)
    endorsements.withdraw(dbsession, endorsement, "Fin", base_url=BASE_URL, kek=KEK)
    assert verification.stamp(dbsession, credential) != before
