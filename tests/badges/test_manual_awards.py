"""Manual awards with evidence, the files they rest on, and suspending / reinstating them."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from sqlalchemy import select

from badges import evidence_files, manual_awards, revocation, verification
from badges.achievements import AchievementNotFound
from badges.models import EvidenceFile
from badges.ob3 import schema
from badges.ob3.verify import Verdict
from learners.models import AuditEvent, Role
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.learners.factories import make_learner, make_organisation, make_user


def png_bytes(size=(40, 30), **info) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG", **info)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Appareil-Secret"  # Make
    Image.new("RGB", (32, 32), (0, 90, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def setting(dbsession):
    org = make_organisation(dbsession, "Association Tremplin")
    issuer = make_issuer(dbsession, org)
    achievement = make_achievement(dbsession, issuer, name="Soudure au plateau technique")
    learner = make_learner(dbsession, org, login="amina")
    trainer = make_user(dbsession, Role.TRAINER, org, login="formatrice@tremplin.example")
    dbsession.commit()
    return org, achievement, learner, trainer


def _award(dbsession, setting, **evidence):
    org, achievement, learner, trainer = setting
    return manual_awards.award(
        dbsession,
        achievement=achievement,
        learner=learner,
        evidence=manual_awards.Evidence(**evidence),
        actor=trainer,
        organisation_id=org.id,
        base_url=BASE_URL,
        kek=KEK,
    )


def test_manual_award_with_file_passes_the_schema_verifies_and_names_the_file(dbsession, setting):
    checked = evidence_files.check(pdf_bytes(), "../../rapport de stage.pdf")
    credential = _award(
        dbsession,
        setting,
        narrative="Soudure réussie en atelier.",
        url="https://ex.fr/p",
        file=checked,
    )
    dbsession.commit()
    document = json.loads(credential.signed_json)
    assert schema.validate(document) == []
    assert verification.verify_stored(dbsession, credential, base_url=BASE_URL).verdict is (
        Verdict.VALID
    )
    stored = dbsession.scalar(select(EvidenceFile))
    assert stored.credential_id == credential.id
    assert stored.filename == "rapport de stage.pdf"
    ids = [e.get("id") for e in document["evidence"]]
    assert evidence_files.url(stored.public_id, BASE_URL) in ids
    assert "https://ex.fr/p" in ids
    assert "rapport de stage" not in credential.signed_json  # the name stays private
    assert credential.awarded_by_id == setting[3].id
    event = dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "credential.awarded"))
    assert event.actor_id == setting[3].id and event.target_id == credential.public_id


def test_second_award_of_a_standing_badge_is_refused_until_revoked(dbsession, setting):
    first = _award(dbsession, setting, narrative="Premier constat.")
    dbsession.commit()
    with pytest.raises(manual_awards.AlreadyHolds):
        _award(dbsession, setting, narrative="Encore.")
    dbsession.rollback()
    revocation.revoke(dbsession, first, "Erreur de saisie", base_url=BASE_URL, kek=KEK)
    dbsession.commit()
    assert _award(dbsession, setting, narrative="Encore.").public_id != first.public_id


def test_award_needs_something_to_rest_on_and_an_http_url(dbsession, setting):
    with pytest.raises(manual_awards.NothingToRestOn):
        _award(dbsession, setting, narrative="   ")
    with pytest.raises(manual_awards.InvalidEvidenceUrl):
        _award(dbsession, setting, url="javascript:alert(1)")


def test_pdf_with_a_script_or_an_embedded_file_is_refused():
    for add in (
        lambda w: w.add_open_action(
            DictionaryObject(
                {
                    NameObject("/S"): NameObject("/JavaScript"),
                    NameObject("/JS"): TextStringObject("1"),
                }
            )
        ),
        lambda w: w.add_attachment("virus.exe", b"MZ"),
        # No telltale word in the bytes: found in the document's structure.
        lambda w: w.root_object.__setitem__(NameObject("/AA"), DictionaryObject()),
    ):
        writer = PdfWriter()
        writer.add_blank_page(width=100, height=100)
        add(writer)
        out = io.BytesIO()
        writer.write(out)
        with pytest.raises(evidence_files.EvidenceRefused) as raised:
            evidence_files.check(out.getvalue(), "doc.pdf")
        assert raised.value.refusal is evidence_files.Refusal.ACTIVE_PDF


def test_phone_photo_is_turned_upright_by_its_orientation_tag():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    Image.new("RGB", (40, 20), (0, 0, 0)).save(out, "JPEG", exif=exif)
    checked = evidence_files.check(out.getvalue(), "photo.jpg")
    with Image.open(io.BytesIO(checked.data)) as picture:
        assert picture.size == (20, 40)
        assert 0x0112 not in picture.getexif()


def test_images_are_reencoded_without_their_metadata():
    checked = evidence_files.check(jpeg_with_exif(), "photo.JPG")
    assert checked.media_type == "image/jpeg"
    assert b"Appareil-Secret" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as picture:
        assert picture.size == (32, 32)
    assert evidence_files.check(png_bytes(), "x.png").filename == "x.png"


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b"", evidence_files.Refusal.EMPTY),
        (b"MZ\x90\x00 not a document", evidence_files.Refusal.NOT_ALLOWED),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", evidence_files.Refusal.NOT_ALLOWED),
        (b"\x89PNG\r\n\x1a\nbroken", evidence_files.Refusal.BROKEN_IMAGE),
        (b"%PDF-1.7 nothing else", evidence_files.Refusal.BROKEN_PDF),
        (
            b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript >> >>",
            evidence_files.Refusal.ACTIVE_PDF,
        ),
        (b"%PDF-" + b"0" * (evidence_files.MAX_BYTES), evidence_files.Refusal.TOO_LARGE),
    ],
)
def test_files_are_judged_by_their_content(data, refusal):
    with pytest.raises(evidence_files.EvidenceRefused) as raised:
        evidence_files.check(data, "rapport.pdf")
    assert raised.value.refusal is refusal


def test_evidence_opens_for_holder_and_staff_only_and_hiding_keeps_it_to_the_holder(
    dbsession, setting
):
    org, _achievement, learner, trainer = setting
    _award(dbsession, setting, narrative="Vu.", file=evidence_files.check(png_bytes(), "a.png"))
    stranger_org = make_organisation(dbsession, "Autre association")
    stranger = make_user(dbsession, Role.TRAINER, stranger_org, login="autre@ex.example")
    other_learner = make_learner(dbsession, org, login="bob")
    dbsession.commit()
    stored = dbsession.scalar(select(EvidenceFile))
    assert evidence_files.readable_by(stored, learner.user)
    assert evidence_files.readable_by(stored, trainer)
    assert not evidence_files.readable_by(stored, stranger)
    assert not evidence_files.readable_by(stored, other_learner.user)
    evidence_files.set_hidden(dbsession, stored, True)
    assert evidence_files.readable_by(stored, learner.user)
    assert not evidence_files.readable_by(stored, trainer)


def test_suspend_and_reinstate_need_a_reason_are_journaled_and_revocation_is_final(
    dbsession, setting
):
    org, _achievement, _learner, trainer = setting
    credential = _award(dbsession, setting, narrative="Vu.")
    dbsession.commit()
    change = dict(actor=trainer, organisation_id=org.id, base_url=BASE_URL, kek=KEK)
    with pytest.raises(revocation.ReasonRequired):
        revocation.change(dbsession, credential, "suspend", " ", **change)
    with pytest.raises(revocation.NotSuspended):
        revocation.change(dbsession, credential, "reinstate", "Rien à lever", **change)
    revocation.change(dbsession, credential, "suspend", "Contrôle en cours", **change)
    assert verification.recorded_verdict(credential) is Verdict.SUSPENDED
    assert credential.suspension_reason == "Contrôle en cours"
    with pytest.raises(revocation.AlreadySuspended):
        revocation.change(dbsession, credential, "suspend", "Encore", **change)
    revocation.change(dbsession, credential, "reinstate", "Contrôle terminé", **change)
    assert verification.recorded_verdict(credential) is Verdict.VALID
    revocation.change(dbsession, credential, "revoke", "Fraude constatée", **change)
    with pytest.raises(revocation.AlreadyRevoked):
        revocation.change(dbsession, credential, "reinstate", "Pardon", **change)
    dbsession.commit()
    journal = dbsession.execute(
        select(AuditEvent.action, AuditEvent.reason).order_by(AuditEvent.id)
    ).all()
    assert [tuple(j) for j in journal[1:]] == [
        ("credential.suspended", "Contrôle en cours"),
        ("credential.reinstated", "Contrôle terminé"),
        ("credential.revoked", "Fraude constatée"),
    ]
    result = verification.verify_stored(dbsession, credential, base_url=BASE_URL)
    assert result.verdict is Verdict.REVOKED  # the re-signed status list says so


def test_credential_of_another_organisation_is_not_found(dbsession, setting):
    org, *_ = setting
    credential = _award(dbsession, setting, narrative="Vu.")
    other = make_organisation(dbsession, "Autre")
    dbsession.commit()
    assert manual_awards.credential_of(dbsession, org.id, credential.public_id) == credential
    with pytest.raises(LookupError):
        manual_awards.credential_of(dbsession, other.id, credential.public_id)
    with pytest.raises(AchievementNotFound):
        manual_awards.achievement_of(dbsession, other.id, credential.achievement.public_id)


def test_a_draft_or_an_earlier_version_cannot_be_awarded(dbsession, setting):
    org, achievement, *_ = setting
    assert manual_awards.achievement_of(dbsession, org.id, achievement.public_id) == achievement
    achievement.is_draft = True
    dbsession.commit()
    with pytest.raises(AchievementNotFound):
        manual_awards.achievement_of(dbsession, org.id, achievement.public_id)
    achievement.is_draft, achievement.is_archived = False, True  # replaced by a newer version
    dbsession.commit()
    with pytest.raises(AchievementNotFound):
        manual_awards.achievement_of(dbsession, org.id, achievement.public_id)
