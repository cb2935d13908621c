"""Frameworks and items an organisation writes: ownership, the import's rules on every change,
versions, statuses, copies, organisation imports and exports."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assessments import authoring, item_authoring, org_content, sessions
from assessments.authoring import (
    AlignmentFields,
    CompetenceFields,
    ContentRejected,
    FrameworkFields,
)
from assessments.content_errors import ContentInvalid
from assessments.content_io import dump, export_item, parse_text
from assessments.models import (
    Competence,
    Framework,
    Item,
    ItemStatus,
    ItemVersion,
    Response,
)
from tests.assessments.factories import make_campaign, make_framework
from tests.learners.factories import make_learner, make_organisation

QCU = {
    "level": 2,
    "type": "qcu",
    "instruction": "Quel logiciel sert à naviguer sur internet ?",
    "accessibility": {"blind": "ok", "colour_blind": "ok", "deaf": "na"},
    "explanation": "Un navigateur affiche les sites.",
    "body": {"choices": [{"id": "a", "text": "Un navigateur"}, {"id": "b", "text": "Un tableur"}]},
    "key": "a",
}


def _own(db, org, slug="mon-metier"):
    framework = authoring.create_framework(db, org.id, slug, FrameworkFields(title_fr="Mon métier"))
    domain = authoring.save_domain(db, framework, "1", "Accueil", None)
    competence = authoring.save_competence(
        db,
        framework,
        CompetenceFields(
            domain_id=domain.id,
            code="1.1",
            title_fr="Accueillir",
            levels={1: ("Dire bonjour.", None), 3: ("Orienter une personne.", "Direct someone.")},
            alignments=[AlignmentFields("ESCO", url="http://data.europa.eu/esco/skill/abc")],
        ),
    )
    return framework, competence


def test_an_organisation_sees_shipped_and_own_frameworks_never_anothers(dbsession):
    db = dbsession
    shipped = make_framework(db)
    a, b = make_organisation(db, "A"), make_organisation(db, "B")
    own_a, _ = _own(db, a, "metier-a")
    own_b, _ = _own(db, b, "metier-b")
    seen = {s.framework.slug: s for s in authoring.frameworks_of(db, a.id)}
    assert set(seen) == {"essai", "metier-a"}
    assert seen["essai"].shipped and seen["essai"].items == 12
    assert not seen["metier-a"].shipped and seen["metier-a"].competences == 1
    assert authoring.visible_framework(db, a.id, shipped.id) is shipped
    with pytest.raises(authoring.FrameworkNotFound):
        authoring.visible_framework(db, a.id, own_b.id)
    with pytest.raises(authoring.ReadOnlyFramework):
        authoring.own_framework(db, a.id, shipped.id)
    assert authoring.own_framework(db, a.id, own_a.id) is own_a


def test_a_framework_written_in_forms_keeps_its_levels_and_alignments(dbsession):
    db = dbsession
    org = make_organisation(db, "A")
    framework, competence = _own(db, org)
    assert {d.level: d.text_fr for d in competence.levels} == {
        1: "Dire bonjour.",
        3: "Orienter une personne.",
    }
    assert competence.alignments[0].url == "http://data.europa.eu/esco/skill/abc"
    authoring.update_framework(
        db,
        framework,
        FrameworkFields(
            title_fr="Agent d'accueil",
            occupation_esco_uri="http://data.europa.eu/esco/occupation/123",
            certification_register="RS",
            certification_code="RS5678",
        ),
    )
    db.refresh(framework)
    assert framework.title_fr == "Agent d'accueil"
    assert framework.certification_code == "RS5678"
    assert framework.organisation_id == org.id


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        (FrameworkFields(title_fr="", occupation_esco_uri="https://x.fr"), "occupation.esco_uri"),
        (FrameworkFields(title_fr="X", certification_register="RNCP"), "certification.code"),
        (FrameworkFields(title_fr="X", colour="rouge"), "colour"),
    ],
)  # fmt: skip
def test_a_framework_change_the_import_would_refuse_is_refused_on_its_field(
    dbsession, fields, path
):
    db = dbsession
    org = make_organisation(db, "A")
    framework, _ = _own(db, org)
    with pytest.raises(ContentRejected) as refused:
        authoring.update_framework(db, framework, fields)
    assert path in [p for p, _ in refused.value.problems]
    db.refresh(framework)
    assert framework.title_fr == "Mon métier"


def test_slugs_and_codes_are_never_shared(dbsession):
    db = dbsession
    make_framework(db)
    org = make_organisation(db, "A")
    with pytest.raises(ContentRejected, match="déjà pris"):
        authoring.create_framework(db, org.id, "essai", FrameworkFields(title_fr="Copie"))
    with pytest.raises(ContentRejected, match="minuscules"):
        authoring.create_framework(db, org.id, "Mon Métier", FrameworkFields(title_fr="X"))
    framework, competence = _own(db, org)
    with pytest.raises(ContentRejected, match="déjà ce code"):
        authoring.save_competence(
            db,
            framework,
            CompetenceFields(domain_id=competence.domain_id, code="1.1", title_fr="Autre"),
        )


def test_a_new_item_is_a_draft_with_the_next_id_and_a_bad_key_writes_nothing(dbsession):
    db = dbsession
    org = make_organisation(db, "A")
    _, competence = _own(db, org)
    saved = item_authoring.create_item(db, competence, QCU)
    assert saved.item.uid == "mon-metier-1.1-001"
    assert saved.item.status == ItemStatus.DRAFT
    assert saved.item.organisation_id == org.id
    assert item_authoring.create_item(db, competence, QCU).item.uid == "mon-metier-1.1-002"
    with pytest.raises(ContentRejected) as refused:
        item_authoring.create_item(db, competence, {**QCU, "key": "z"})
    assert refused.value.problems == [("key", "choix inconnu : z")]
    with pytest.raises(ContentRejected) as refused:
        item_authoring.create_item(
            db, competence, {**QCU, "type": "number", "key": {"value": "douze"}}
        )
    assert "key.value" in [p for p, _ in refused.value.problems]
    assert len(db.scalars(select(Item).where(Item.competence_id == competence.id)).all()) == 2


def test_editing_a_validated_item_with_answers_makes_a_new_version_and_keeps_the_old(dbsession):
    db = dbsession
    campaign = make_campaign(db)
    item = db.scalar(select(Item).where(Item.uid == "essai-1.1-001"))
    learner = make_learner(db)
    session = sessions.start(db, campaign.code, learner)
    assert session.current_item_id == item.id
    sessions.answer(db, session, item.id, "b")
    assert item_authoring.has_answers(db, item)
    fields = {name: export_item(item).get(name) for name in item_authoring.EDITABLE}
    # A corrected explanation is no new meaning: same version.
    saved = item_authoring.update_item(db, item, {**fields, "explanation": "Mieux dit."})
    assert not saved.new_version and item.version == 1
    # A new key is: version 2, the first one kept for the answer already given.
    saved = item_authoring.update_item(db, item, {**fields, "key": "c"})
    assert saved.new_version and item.version == 2 and item.key == "c"
    kept = item_authoring.earlier_versions(db, item)
    assert [(v.version, v.content["key"]) for v in kept] == [(1, "b")]
    answer = db.scalar(select(Response).where(Response.item_id == item.id))
    assert (answer.item_version, answer.answer) == (1, "b")


def test_a_draft_is_edited_in_place(dbsession):
    db = dbsession
    org = make_organisation(db, "A")
    _, competence = _own(db, org)
    item = item_authoring.create_item(db, competence, QCU).item
    saved = item_authoring.update_item(db, item, {**QCU, "key": "b"})
    assert not saved.new_version and item.version == 1 and item.key == "b"
    assert db.scalars(select(ItemVersion)).all() == []


def test_statuses_go_draft_validated_archived_and_back(dbsession):
    db = dbsession
    org = make_organisation(db, "A")
    _, competence = _own(db, org)
    item = item_authoring.create_item(db, competence, QCU).item
    with pytest.raises(item_authoring.StatusChangeRefused):
        item_authoring.set_status(db, item, ItemStatus.DRAFT)
    item_authoring.set_status(db, item, ItemStatus.VALIDATED)
    item_authoring.set_status(db, item, ItemStatus.ARCHIVED)
    item_authoring.set_status(db, item, ItemStatus.VALIDATED)
    with pytest.raises(item_authoring.StatusChangeRefused):
        item_authoring.set_status(db, item, ItemStatus.DRAFT)
    assert item.status == ItemStatus.VALIDATED


def test_a_copy_belongs_to_the_organisation_with_its_items_as_drafts(dbsession):
    db = dbsession
    shipped = make_framework(db)
    org = make_organisation(db, "A")
    result = org_content.copy_framework(db, org.id, shipped, "essai-a", "Essai de A")
    copy = result.framework
    assert (copy.slug, copy.organisation_id, copy.title_fr) == ("essai-a", org.id, "Essai de A")
    assert [c.code for c in authoring_competences(db, copy)] == ["1.1", "1.2", "4.1"]
    items = db.scalars(select(Item).where(Item.organisation_id == org.id)).all()
    assert result.items == len(items) == 12
    assert {i.status for i in items} == {ItemStatus.DRAFT}
    first = next(i for i in items if i.uid == "essai-a-1.1-001")
    assert first.extra == {"copied_from": "essai-1.1-001@1"}
    # The shipped items are untouched.
    shipped_items = db.scalars(select(Item).where(Item.organisation_id.is_(None))).all()
    assert len(shipped_items) == 12 and {i.status for i in shipped_items} == {ItemStatus.VALIDATED}
    assert item_authoring.validate_drafts(db, copy) == 12


def authoring_competences(db, framework):
    return db.scalars(
        select(Competence)
        .where(Competence.framework_id == framework.id)
        .order_by(Competence.position)
    ).all()


def test_an_import_may_not_touch_shipped_or_another_organisations_content(dbsession):
    db = dbsession
    shipped = make_framework(db)
    org = make_organisation(db, "A")
    bundle = json.loads(org_content.export_own(shipped, db))
    with pytest.raises(ContentInvalid) as refused:
        org_content.import_for_organisation(db, org.id, [parse_text(dump(bundle), "f.json")])
    assert any("n'est pas à votre structure" in e.message for e in refused.value.errors)
    bundle["slug"] = "a-moi"
    with pytest.raises(ContentInvalid) as refused:
        org_content.import_for_organisation(db, org.id, [parse_text(dump(bundle), "f.json")])
    assert any("hors de votre structure" in e.message for e in refused.value.errors)
    assert db.scalar(select(Framework).where(Framework.slug == "a-moi")) is None


def test_a_dry_run_reports_and_writes_nothing_then_the_import_writes_it(dbsession):
    db = dbsession
    org = make_organisation(db, "A")
    framework, competence = _own(db, org)
    item_authoring.create_item(db, competence, QCU)
    bundle = json.loads(org_content.export_own(framework, db))
    bundle["slug"] = "mon-metier-2"
    for item in bundle["items"]:
        item["id"] = item["id"].replace("mon-metier", "mon-metier-2")
    documents = [parse_text(dump(bundle), "f.json")]
    report = org_content.import_for_organisation(db, org.id, documents, dry_run=True)
    assert report.frameworks_created == ["mon-metier-2@1"] and report.items_created == 1
    assert db.scalar(select(Framework).where(Framework.slug == "mon-metier-2")) is None
    org_content.import_for_organisation(db, org.id, documents)
    imported = db.scalar(select(Framework).where(Framework.slug == "mon-metier-2"))
    assert imported.organisation_id == org.id
    assert (
        db.scalar(select(Item).where(Item.uid == "mon-metier-2-1.1-001")).organisation_id == org.id
    )


def test_an_oversized_or_malformed_upload_is_refused_with_a_located_message():
    with pytest.raises(ContentInvalid, match="trop gros"):
        org_content.parse_upload(b"x" * 2000, "f.json", limit=1000)
    with pytest.raises(ContentInvalid, match="UTF-8"):
        org_content.parse_upload("é".encode("latin-1"), "f.json", limit=1000)
    with pytest.raises(ContentInvalid) as refused:
        org_content.parse_upload(b'{\n  "slug": "x",\n  oops\n}', "f.json", limit=1000)
    assert refused.value.errors[0].line == 3
