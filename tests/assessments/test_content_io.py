"""Content import/export: round trip, idempotence, version rules, and bad files that import
nothing while saying where the problem is."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from assessments import content_io, frameworks
from assessments.content_io import ContentInvalid, import_documents, import_paths
from assessments.models import Competence, Framework, Item, ItemStatus
from tests.assessments.factories import (
    ITEMS,
    doc,
    framework_document,
    items_document,
    make_framework,
)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def errors_of(db, *documents) -> list:
    with pytest.raises(ContentInvalid) as caught:
        import_documents(db, list(documents))
    db.rollback()
    assert count(db, Framework) == 0 and count(db, Item) == 0, "nothing may be imported"
    return caught.value.errors


def test_import_stores_the_framework_with_its_metadata(dbsession):
    framework = make_framework(dbsession)
    dbsession.commit()
    assert framework.title_fr == "Référentiel d'essai"
    assert framework.certification_code == "RNCP37674"
    assert framework.certification_valid_until.isoformat() == "2028-09-01"
    assert framework.occupation_esco_uri.endswith("c40a2919-48a9-40ea-b506-1f34f693496d")
    assert [c.code for c in frameworks.competences(dbsession, framework)] == ["1.1", "1.2", "4.1"]
    search = frameworks.get_competence(dbsession, framework, "1.1")
    assert frameworks.level_descriptor(dbsession, search, 2) == "Choisir un résultat."
    targets = frameworks.alignments(dbsession, search)
    assert [t.target_framework for t in targets] == ["Référentiel d'essai", "DigComp 2.2"]
    assert {t.target_framework for t in frameworks.framework_alignments(framework)} == {
        "ESCO", "RNCP"}  # fmt: skip
    assert frameworks.item_counts(dbsession, framework)["4.1"] == {1: 1, 2: 2, 3: 1}
    item = dbsession.scalars(select(Item).where(Item.uid == "essai-1.1-004")).one()
    assert (item.a, item.b) == (1.0, 0.0)  # defaults: a = 1, b = level - 3


def test_export_then_import_round_trips(dbsession, tmp_path):
    make_framework(dbsession)
    dbsession.commit()
    exported = content_io.export_framework(dbsession, "essai")
    assert len(exported["items"]) == len(ITEMS)
    path = tmp_path / "essai.json"
    path.write_text(content_io.dump(exported), encoding="utf-8")
    # Into the same database: nothing changes.
    report = import_paths(dbsession, [path])
    assert report.items_unchanged == len(ITEMS) and report.items_updated == 0
    # Into an empty database: the same export comes back.
    dbsession.query(Item).delete()
    dbsession.query(Framework).delete()
    dbsession.commit()
    dbsession.expunge_all()
    import_paths(dbsession, [path])
    dbsession.commit()
    assert content_io.export_framework(dbsession, "essai") == exported
    original = {i["id"]: i for i in ITEMS}
    for item in exported["items"]:
        assert item["key"] == original[item["id"]]["key"]


def test_reimport_is_idempotent_and_updates_drafts(dbsession):
    draft = [{**ITEMS[0], "status": "draft"}]
    make_framework(dbsession, items=draft)
    dbsession.commit()
    changed = [{**draft[0], "key": "c", "instruction": "Nouvelle consigne."}]
    report = import_documents(dbsession, [doc(items_document(changed))])
    dbsession.commit()
    assert report.items_updated == 1
    item = dbsession.scalars(select(Item)).one()
    assert (item.key, item.instruction, item.version) == ("c", "Nouvelle consigne.", 1)
    report = import_documents(dbsession, [doc(items_document(changed))])
    assert report.items_unchanged == 1


def test_a_validated_item_key_cannot_change_without_a_version_bump(dbsession):
    make_framework(dbsession)
    dbsession.commit()
    changed = [{**ITEMS[0], "key": "c"}]
    with pytest.raises(ContentInvalid) as caught:
        import_documents(dbsession, [doc(items_document(changed))])
    dbsession.rollback()
    assert "passez la version à 2" in caught.value.errors[0].message
    assert caught.value.errors[0].path == "items[0].version"
    # A typo fixed in the instruction is fine without a bump.
    typo = [{**ITEMS[0], "instruction": "Consigne corrigée."}]
    assert import_documents(dbsession, [doc(items_document(typo))]).items_updated == 1
    # With a bump, the key changes and calibration resets.
    item = dbsession.scalars(select(Item).where(Item.uid == ITEMS[0]["id"])).one()
    item.a, item.b = 1.7, 0.4
    item.calibrated_at = item.created_at
    dbsession.commit()
    bumped = [{**ITEMS[0], "key": "c", "version": 2}]
    import_documents(dbsession, [doc(items_document(bumped))])
    dbsession.commit()
    dbsession.refresh(item)
    assert (item.key, item.version, item.a, item.b, item.calibrated_at) == ("c", 2, 1.0, -2.0, None)
    older = [{**ITEMS[0], "version": 1}]
    with pytest.raises(ContentInvalid, match="plus ancienne"):
        import_documents(dbsession, [doc(items_document(older))])


def test_calibration_survives_reimport_of_the_same_version(dbsession):
    make_framework(dbsession)
    item = dbsession.scalars(select(Item).where(Item.uid == ITEMS[0]["id"])).one()
    item.a, item.b, item.calibrated_at = 1.4, -0.2, item.created_at
    dbsession.commit()
    report = import_documents(dbsession, [doc(items_document())])
    assert report.items_unchanged == len(ITEMS)
    dbsession.refresh(item)
    assert (item.a, item.b) == (1.4, -0.2)


def test_a_syntax_error_is_reported_with_its_line_and_nothing_is_imported(dbsession, tmp_path):
    good = tmp_path / "frameworks" / "essai.json"
    good.parent.mkdir()
    good.write_text(content_io.dump(framework_document()), encoding="utf-8")
    bad = tmp_path / "items.json"
    text = content_io.dump(items_document()).replace('"level": 2,', '"level": 2', 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ContentInvalid) as caught:
        import_paths(dbsession, [tmp_path])
    [error] = caught.value.errors
    broken_line = next(
        n for n, line in enumerate(text.splitlines(), 1) if line.endswith('"level": 2')
    )
    assert error.file.endswith("items.json") and error.line == broken_line + 1
    assert "JSON invalide" in error.message
    assert count(dbsession, Framework) == 0


def test_a_missing_field_is_reported_with_its_path_and_line(dbsession):
    items = json.loads(json.dumps(ITEMS))
    del items[2]["explanation"]
    document = doc(items_document(items), "items.json")
    errors = errors_of(dbsession, doc(framework_document()), document)
    assert [(e.path, e.message) for e in errors] == [
        ("items[2].explanation", "champ obligatoire manquant")
    ]
    # The line is the one where the item's object starts (the field is absent).
    assert errors[0].line == document.lines["items[2]"]
    assert str(errors[0]).startswith(f"items.json:{errors[0].line}: items[2].explanation")


def test_unknown_competence_duplicate_ids_and_wrong_key_types_are_all_reported(dbsession):
    items = json.loads(json.dumps(ITEMS))
    items[0]["competence"] = "9.9"
    items[3]["id"] = items[1]["id"]
    items[4]["key"] = "chrome"  # qrocm_dep wants {"required", "answers"}
    items[5]["instruction"] = "x" * 401
    items[6]["image"] = {"file": "ordre.svg"}
    document = doc(items_document(items), "items.json")
    errors = errors_of(dbsession, doc(framework_document()), document)
    found = {(e.path, e.message.split(" :")[0]) for e in errors}
    assert ("items[4].key", "qrocm_dep") in found
    assert ("items[5].instruction", "401 caractères") in found
    assert ("items[6].image.alt", "champ obligatoire manquant") in found
    assert any(e.path == "items[0].competence" and "9.9" in e.message for e in errors)
    assert any(e.path == "items[3].id" and "double" in e.message for e in errors)
    line = {e.path: e.line for e in errors}
    assert line["items[4].key"] == document.lines["items[4].key"]


def test_items_of_an_unknown_framework_are_refused(dbsession):
    errors = errors_of(dbsession, doc(items_document(framework="inconnu")))
    assert errors[0].path == "framework" and "inconnu" in errors[0].message


def test_bad_framework_fields_are_reported(dbsession):
    bad = framework_document(kind="niveaux", cut_points=[1, 0], colour="bleu")
    bad["domains"][0]["competences"][1]["code"] = "1.1"
    paths = {e.path for e in errors_of(dbsession, doc(bad))}
    assert {"kind", "cut_points", "colour", "domains[0].competences[1].code"} <= paths


def test_a_certification_number_not_yet_confirmed_is_left_out_with_a_note(dbsession):
    """An RNCP number that could not be checked is never guessed: the file gives the title and a
    note saying why the number is missing; the framework then has no certification alignment."""
    unconfirmed = {
        "register": "RNCP",
        "title": "Médiateur numérique (titre professionnel, niveau 5)",
        "note": "Numéro RNCP non confirmé : aucune fiche France compétences trouvée.",
    }
    make_framework(dbsession, certification=unconfirmed)
    dbsession.commit()
    framework = dbsession.scalars(select(Framework)).one()
    assert framework.certification_code is None
    assert framework.certification_title.startswith("Médiateur numérique")
    assert {t.target_framework for t in frameworks.framework_alignments(framework)} == {"ESCO"}
    exported = content_io.export_framework(dbsession, "essai")
    assert exported["certification"] == unconfirmed
    import_documents(dbsession, [doc({**exported, "items": []})])
    dbsession.commit()
    assert content_io.export_framework(dbsession, "essai") == exported


def test_a_certification_whose_registration_has_ended_is_no_longer_a_badge_alignment():
    """Issue 13: a registration past its end date (RNCP37682, 01-09-2026) is not presented as
    current: it is ``expired`` from the day after, and the badge alignments leave it out."""
    framework = Framework(
        certification_register="RNCP", certification_code="RNCP37682",
        certification_title="Technicien supérieur systèmes et réseaux",
        certification_valid_until=date(2026, 9, 1),
    )  # fmt: skip
    assert frameworks.certification_state(framework, date(2026, 9, 1)) == "current"
    last_day = frameworks.framework_alignments(framework, date(2026, 9, 1))
    assert [t.target_code for t in last_day] == ["RNCP37682"]
    assert frameworks.certification_state(framework, date(2026, 9, 2)) == "expired"
    assert frameworks.framework_alignments(framework, date(2026, 12, 4)) == []
    framework.certification_valid_until = None  # no known end: cited as it is
    assert frameworks.certification_state(framework, date(2030, 1, 1)) == "current"
    framework.certification_code = None
    assert frameworks.certification_state(framework, date(2026, 1, 1)) == "unconfirmed"
    assert frameworks.certification_state(Framework(), date(2026, 1, 1)) is None


def test_a_certification_without_a_number_needs_a_note_saying_why(dbsession):
    for certification in (
        {"register": "RNCP", "title": "Médiateur numérique"},
        {"register": "RNCP", "code": "", "note": "Numéro à vérifier."},
    ):
        errors = errors_of(dbsession, doc(framework_document(certification=certification)))
        assert [e.path for e in errors] == ["certification.code"], certification


def test_a_referral_framework_needs_thresholds(dbsession):
    bad = framework_document(slug="debut", kind="referral")
    errors = errors_of(dbsession, doc(bad))
    assert errors[0].path == "referral"
    thresholds = {"autonome": 0.8, "a_accompagner": 0.5}
    rule = {"level": 9, "confidence": 0.95, "practice": ["task_webmail", "qcu"]}
    bad["referral"] = {"thresholds": thresholds, "autonome_requires": rule}
    errors = errors_of(dbsession, doc(bad))
    assert sorted(e.path for e in errors) == [
        "referral.autonome_requires.level",
        "referral.autonome_requires.practice",
    ]


def test_a_competence_with_items_cannot_be_dropped_but_an_empty_one_can(dbsession):
    make_framework(dbsession)
    dbsession.commit()
    without_4 = framework_document()
    without_4["domains"] = without_4["domains"][:1]
    with pytest.raises(ContentInvalid, match=r"4\.1"):
        import_documents(dbsession, [doc(without_4)])
    dbsession.rollback()
    fewer = [i for i in ITEMS if i["competence"] != "1.2"]
    dbsession.query(Item).filter(Item.uid.like("essai-1.2-%")).delete()
    dbsession.commit()
    dropped = framework_document()
    dropped["domains"][0]["competences"] = dropped["domains"][0]["competences"][:1]
    import_documents(dbsession, [doc(dropped), doc(items_document(fewer))])
    dbsession.commit()
    codes = set(dbsession.scalars(select(Competence.code)))
    assert codes == {"1.1", "4.1"}


def test_unknown_optional_fields_are_kept_for_export(dbsession):
    items = [{**ITEMS[0], "tags": ["q-situation"]}]
    make_framework(dbsession, items=items)
    exported = content_io.export_framework(dbsession, "essai")
    assert exported["items"][0]["tags"] == ["q-situation"]


def test_locate_gives_the_line_of_every_path():
    text = '{\n  "a": [\n    1,\n    {"b": "x"}\n  ],\n  "c": {}\n}\n'
    lines = content_io.locate(text)
    assert lines == {"": 1, "a": 2, "a[0]": 3, "a[1]": 4, "a[1].b": 4, "c": 6}


def test_items_status_are_stored(dbsession):
    make_framework(dbsession, items=[{**ITEMS[0], "status": "archived"}])
    assert dbsession.scalars(select(Item.status)).one() is ItemStatus.ARCHIVED


def test_an_exhibit_is_kept_for_the_page_and_checked(dbsession):
    log = "C:\\> ping 192.168.1.1\nDélai d'attente de la demande dépassé."
    make_framework(dbsession, items=[{**ITEMS[0], "exhibit": log}])
    assert dbsession.scalar(select(Item)).extra == {"exhibit": log}
    assert content_io.export_framework(dbsession, "essai")["items"][0]["exhibit"] == log


def test_an_empty_or_overlong_exhibit_is_refused(dbsession):
    items = json.loads(json.dumps(ITEMS))
    items[0]["exhibit"] = "   "
    items[1]["exhibit"] = "x" * 2001
    errors = errors_of(dbsession, doc(framework_document()), doc(items_document(items)))
    found = {(e.path, e.message) for e in errors}
    assert ("items[0].exhibit", "texte attendu") in found
    assert ("items[1].exhibit", "2001 caractères : 2000 au plus") in found


def test_an_items_material_language_is_kept_for_the_page(dbsession):
    english = {**ITEMS[0], "text_lang": "en", "exhibit": "Error 404: page not found"}
    make_framework(dbsession, items=[english])
    assert dbsession.scalar(select(Item)).extra["text_lang"] == "en"
    assert content_io.export_framework(dbsession, "essai")["items"][0]["text_lang"] == "en"


def test_a_bad_material_language_is_refused(dbsession):
    items = json.loads(json.dumps(ITEMS))
    items[0]["text_lang"] = "anglais"
    items[1]["text_lang"] = "fr"
    items[7]["body"]["right"][0]["lang"] = "French"  # matching: one entry's own language
    items[8]["text_lang"] = "en"  # a mock mailbox is a French page
    errors = errors_of(dbsession, doc(framework_document()), doc(items_document(items)))
    found = {(e.path, e.message) for e in errors}
    assert ("items[0].text_lang", 'code de langue attendu (ex. "en")') in found
    assert ("items[1].text_lang", "le français est la langue par défaut : à omettre") in found
    assert ("items[7].body.right[0].lang", 'code de langue attendu (ex. "fr", "en")') in found
    assert ("items[8].text_lang", "pas pour les mises en situation (task_…)") in found
    assert len(errors) == 4


def test_an_entry_may_keep_french_inside_an_english_item(dbsession):
    matching = json.loads(json.dumps(ITEMS[7]))
    matching["text_lang"] = "en"
    for entry in matching["body"]["right"]:
        entry["lang"] = "fr"
    make_framework(dbsession, items=[matching])
    assert dbsession.scalar(select(Item)).body["right"][0]["lang"] == "fr"
